"""Paging of record lists: the API's ``?limit=&offset=`` and the page of rows every list shows.

Its own module, importing nothing of the project, because DRF imports it while loading its generic views.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request


def rows_between(queryset: QuerySet[Any], start: int, stop: int) -> list[Any]:
    """Rows ``start:stop`` of the list, in two steps: their keys through the list's filters and ordering
    alone, then the rows by key with everything they are shown with (related rows joined, prefetches).

    In one query, PostgreSQL plans a scoped list together with the outer joins of the related rows it shows
    badly once they are more than its ``join_collapse_limit`` (8) tables: it keeps the written join order and
    applies the scope last, joining every row of the table first. One school's victim–offender relationships
    of the large district took 120 ms that way, 1 ms in the two steps.
    """
    keys = list(queryset.values_list("pk", flat=True)[start:stop])
    if not keys:
        return []
    position = {key: index for index, key in enumerate(keys)}
    rows = list(queryset.order_by().filter(pk__in=keys))
    rows.sort(key=lambda row: position[row.pk])
    return rows


class RecordPagination(LimitOffsetPagination):
    """``?limit=&offset=``; the page's rows read as :func:`rows_between` reads them."""

    default_limit = 50
    max_limit = 500

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        if not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        limit = self.get_limit(request)
        if limit is None:
            return None
        self.limit = limit
        self.count = self.get_count(queryset)
        self.offset = self.get_offset(request)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset > self.count:
            return []
        return rows_between(queryset, self.offset, self.offset + self.limit)
