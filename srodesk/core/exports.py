"""CSV export from a table's columns over an already-restricted queryset; every export is audited."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from srodesk.audit.models import AuditEvent

from .permissions import masked_fields
from .tables import RecordTable


def restricted(model: type[Any]) -> bool:
    return bool(getattr(model, "restricted_fields", None))


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection, OWASP)."""
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def csv_rows(table: RecordTable) -> Iterator[list[str]]:
    yield [c.header for c in table.columns]
    for _obj, cells in table:
        yield [safe_cell(c) for c in cells]


def export_csv(
    *,
    queryset: QuerySet[Any],
    table_class: type[RecordTable],
    actor: Any,
    filters: dict[str, Any],
    filename: str,
    hidden: frozenset[str] = frozenset(),
) -> StreamingHttpResponse:
    """Stream the rows as CSV after writing one audit row that lists exactly what left the system."""
    rows = list(queryset)
    AuditEvent.record_access(
        action=AuditEvent.Action.EXPORT, model=queryset.model, objects=rows, actor=actor, detail={"filters": filters}
    )
    masks = masked_fields(actor, queryset.model, [r.pk for r in rows]) if restricted(queryset.model) else None
    table = table_class(rows, hidden=hidden, masks=masks)
    writer = csv.writer(_Echo())
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in csv_rows(table)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response
