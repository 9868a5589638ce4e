"""Filter sets shared by list pages and the API (the same filters in both places)."""

from __future__ import annotations

from collections import OrderedDict
from functools import reduce
from operator import or_
from typing import Any

import django_filters
from django.apps import apps
from django.db.models import Q, QuerySet

from .permissions import hidden_fields


def _restricted(model_label: str) -> Any:
    def queryset(request: Any) -> QuerySet[Any]:
        model = apps.get_model(model_label)
        qs = model._default_manager.all()
        if hasattr(qs, "alive"):
            qs = qs.alive()
        user = getattr(request, "user", None)
        result: QuerySet[Any] = qs.restrict(user, "view") if hasattr(qs, "restrict") else qs.none()
        return result

    return queryset


_SCOPE_FILTERS = {
    "district": "organizations.District",
    "school": "organizations.School",
    "agency": "organizations.Agency",
}


class RecordFilterSet(django_filters.FilterSet):
    """Adds ``q`` (search over the model's ``search_fields``), ``<scope>_id`` filters for the model's
    district/school/agency foreign keys, and created-date filters."""

    q = django_filters.CharFilter(method="search", label="Search")
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Created on or after"
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="Created on or before"
    )

    @classmethod
    def get_filters(cls) -> OrderedDict[str, django_filters.Filter]:
        filters: OrderedDict[str, django_filters.Filter] = super().get_filters()
        if "q" in filters:  # the search box first
            filters.move_to_end("q", last=False)
        model = getattr(cls._meta, "model", None)
        if model is None:
            return filters
        names = {f.name for f in model._meta.get_fields()}
        for scope, label in _SCOPE_FILTERS.items():
            if scope in names and f"{scope}_id" not in filters and model._meta.get_field(scope).many_to_one:
                filters[f"{scope}_id"] = django_filters.ModelChoiceFilter(
                    field_name=scope, queryset=_restricted(label), label=scope.capitalize()
                )
        return filters

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # No filtering on fields the user may not see: a filter would reveal them.
        model = self._meta.model
        if model is not None and getattr(model, "restricted_fields", None):
            hidden = hidden_fields(getattr(self.request, "user", None), model)
            for name, flt in list(self.filters.items()):
                if flt.field_name.split("__")[0] in hidden:
                    del self.filters[name]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return search_queryset(queryset, value)


def search_queryset(queryset: QuerySet[Any], value: str) -> QuerySet[Any]:
    """Rows whose ``search_fields`` contain the text (case-insensitive)."""
    value = value.strip()
    model = queryset.model
    if not value:
        return queryset
    custom = getattr(model, "search_q", None)
    if custom is not None:
        return queryset.filter(custom(value))
    fields = getattr(model, "search_fields", ())
    if not fields:
        return queryset
    return queryset.filter(reduce(or_, (Q(**{f"{f}__icontains": value}) for f in fields)))
