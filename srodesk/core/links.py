"""Links to record pages, worked out once per URL name rather than once per row."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 987654321987
_PATTERNS: dict[tuple[Any, ...], tuple[str, str] | None] = {}


def detail_url(url_name: str, pk: Any) -> str:
    """``reverse(url_name, args=[pk])`` for a record's integer key, without resolving the pattern each time.

    A list page links each of its rows; ``reverse`` costs as much as the rest of the row. The URL is
    reversed once with a marker in place of the key and split around it; any other key goes through
    ``reverse``.
    """
    if not isinstance(pk, int) or isinstance(pk, bool):
        return reverse(url_name, args=[pk])
    key = (url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if key not in _PATTERNS:
        url = reverse(url_name, args=[_MARKER])
        head, found, tail = url.partition(str(_MARKER))
        _PATTERNS[key] = (head, tail) if found and str(_MARKER) not in tail else None
    parts = _PATTERNS[key]
    if parts is None:
        return reverse(url_name, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"
