"""Tables: the columns of a list page, which also drive its CSV export."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    sortable: bool
    order_by: str


_COLUMNS: dict[tuple[type, str], Column] = {}
_RELATED: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_LABELS: dict[tuple[type, str], dict[Any, Any] | None] = {}


def _choice_labels(model: type, name: str) -> dict[Any, Any] | None:
    """A model field's choice labels by value (what ``get_<field>_display`` returns), once per field.

    ``None`` when the attribute is not a field with plain choices; the caller falls back to the model."""
    key = (model, name)
    if key in _LABELS:
        return _LABELS[key]
    labels: dict[Any, Any] | None = None
    meta = getattr(model, "_meta", None)
    if meta is not None:
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None and getattr(field, "choices", None) and getattr(field, "concrete", False):
            try:
                labels = dict(field.flatchoices)
            except TypeError:  # unhashable choice values: leave them to get_<field>_display
                labels = None
    _LABELS[key] = labels
    return labels


class RecordTable:
    """Subclasses set ``model``, ``fields`` (paths, ``__`` for related) and optionally ``default_columns``."""

    model: ClassVar[type[models.Model]]
    fields: ClassVar[tuple[str, ...]] = ()
    default_columns: ClassVar[tuple[str, ...]] = ()
    headers: ClassVar[dict[str, str]] = {}

    MASK = "Restricted"

    def __init__(
        self,
        rows: Iterable[Any] = (),
        *,
        columns: Iterable[str] | None = None,
        hidden: frozenset[str] = frozenset(),
        masks: dict[Any, frozenset[str]] | None = None,
    ) -> None:
        """``hidden``: restricted columns the viewer may see on no row; ``masks``: per row (by pk)."""
        self.rows = rows
        names = tuple(columns) if columns is not None else (self.default_columns or self.fields)
        self.columns = [self.column(n) for n in names if n in self.fields and n.split("__")[0] not in hidden]
        self.masks = masks or {}
        self._names = [c.name for c in self.columns]
        self._roots = [n.split("__")[0] for n in self._names]

    @classmethod
    def _field_chain(cls, name: str) -> list[models.Field[Any, Any]] | None:
        model: Any = cls.model
        chain: list[models.Field[Any, Any]] = []
        for part in name.split("__"):
            try:
                f = model._meta.get_field(part)
            except (FieldDoesNotExist, AttributeError):
                return None
            chain.append(f)
            model = f.related_model
        return chain

    @classmethod
    def column(cls, name: str) -> Column:
        """The column's header and sort key (worked out once per table class and name)."""
        key = (cls, name)
        cached = _COLUMNS.get(key)
        if cached is None:
            cached = _COLUMNS[key] = cls._make_column(name)
        return cached

    @classmethod
    def _make_column(cls, name: str) -> Column:
        chain = cls._field_chain(name)
        if name in cls.headers:
            header = cls.headers[name]
        elif chain:
            header = str(getattr(chain[-1], "verbose_name", name))
        else:
            header = name.replace("_", " ")
        header = header[:1].upper() + header[1:]
        sortable = chain is not None and all(getattr(f, "concrete", False) for f in chain)
        order_by = name
        related: Any = chain[-1].related_model if chain else None
        if related is not None and not isinstance(related, str):
            related_ordering = related._meta.ordering
            if related_ordering:
                order_by = f"{name}__{str(related_ordering[0]).lstrip('-')}"
        return Column(name, header, sortable, order_by)

    @classmethod
    def related_paths(cls) -> list[str]:
        """Foreign keys the table reads, for ``select_related`` (no query per row)."""
        paths: set[str] = set()
        for name in cls.fields:
            chain = cls._field_chain(name)
            if not chain:
                continue
            prefix: list[str] = []
            for f in chain:
                if f.many_to_one or f.one_to_one:
                    prefix.append(f.name)
                    paths.add("__".join(prefix))
                else:
                    break
        return sorted(paths)

    @classmethod
    def with_related(cls, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The queryset joined to the foreign keys the table reads, without their bulky fields.

        A related model's ``bulky_fields`` (a school's campus boundary) are never shown through the
        relation, and loading them with every row costs more than the rest of the row.
        """
        paths = _RELATED.get(cls)
        if paths is None:
            joined = cls.related_paths()
            left_out: list[str] = []
            for path in joined:
                model: Any = cls.model
                for part in path.split("__"):
                    model = model._meta.get_field(part).related_model
                left_out.extend(f"{path}__{name}" for name in getattr(model, "bulky_fields", ()))
            paths = _RELATED[cls] = (tuple(joined), tuple(left_out))
        related, bulky = paths
        if related:
            queryset = queryset.select_related(*related)
        if bulky:
            queryset = queryset.defer(*bulky)
        return queryset

    @classmethod
    def sort_key(cls, requested: str) -> str | None:
        """A whitelisted ``order_by`` for ``?sort=name`` / ``?sort=-name``."""
        name = requested.lstrip("-")
        if name not in cls.fields:
            return None
        col = cls.column(name)
        if not col.sortable:
            return None
        return ("-" if requested.startswith("-") else "") + col.order_by

    @staticmethod
    def raw_value(obj: Any, name: str) -> Any:
        value: Any = obj
        parts = name.split("__")
        last = len(parts) - 1
        for i, part in enumerate(parts):
            if value is None:
                return None
            if i == last:
                labels = _choice_labels(type(value), part)
                if labels is not None:
                    raw = getattr(value, part, None)
                    return labels.get(raw, raw)
                display = getattr(value, f"get_{part}_display", None)
                if display is not None:
                    return display()
            value = getattr(value, part, None)
        if callable(value):
            value = value()
        return value

    @classmethod
    def text(cls, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, dt.datetime):
            return date_format(timezone.localtime(value), "Y-m-d H:i")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    def cells(self, obj: Any) -> list[str]:
        masked = self.masks.get(obj.pk) if self.masks else None
        if not masked:
            return [self.text(self.raw_value(obj, name)) for name in self._names]
        return [
            self.MASK if root in masked else self.text(self.raw_value(obj, name))
            for name, root in zip(self._names, self._roots, strict=True)
        ]

    def __iter__(self) -> Iterator[tuple[Any, list[str]]]:
        for obj in self.rows:
            yield obj, self.cells(obj)

    def body_html(self) -> SafeString:
        """The rows of the list page's table: the first cell links to the record (written here rather than
        in the template, which would resolve a dozen template variables per cell)."""
        out: list[str] = []
        for obj, cells in self:
            if not cells:
                out.append("<tr></tr>")
                continue
            first = escape(cells[0] or "(no name)")
            rest = "".join(f"<td>{escape(cell)}</td>" for cell in cells[1:])
            out.append(f'<tr><td><a href="{escape(obj.get_absolute_url())}">{first}</a></td>{rest}</tr>')
        return mark_safe("\n".join(out))  # noqa: S308 - every cell is escaped above
