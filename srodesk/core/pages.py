"""Bespoke pages of the shell: dashboard, search across record types, health check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from srodesk.audit.models import AuditEvent

from . import registry
from .filtersets import search_queryset
from .permissions import has_perm, perm_name, restrict
from .views import access_logged

#: Panels later capabilities add to the dashboard: each returns a context dict (with ``template``)
#: for the requesting user, or None when it has nothing to show them.
DashboardPanel = Callable[[HttpRequest], dict[str, Any] | None]
_panels: list[DashboardPanel] = []


def register_panel(panel: DashboardPanel) -> DashboardPanel:
    _panels.append(panel)
    return panel


def count_all(querysets: list[QuerySet[Any]]) -> list[int]:
    """The row count of each queryset, in one query (one round trip instead of one per card)."""
    parts: list[str] = []
    params: list[Any] = []
    for i, qs in enumerate(querysets):
        try:
            sql, qs_params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {connection.ops.quote_name(f'card_{i}')})")  # noqa: S608 - compiled by the ORM
        params.extend(qs_params)
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return [int(value) for value in row]


def record_cards(user: Any) -> list[dict[str, Any]]:
    """ "Records in your scope": a count per record type of the menu the user may view, in one query."""
    entries = [entry for entry in registry.entries() if entry.in_nav and has_perm(user, perm_name(entry.model, "view"))]
    counts = count_all(
        [restrict(entry.model._default_manager.alive(), user, "view") for entry in entries]  # type: ignore[attr-defined]
    )
    return [
        {"entry": entry, "count": count, "url": reverse(entry.url_name("list"))}
        for entry, count in zip(entries, counts, strict=True)
    ]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard. The record counts come after the page (``dashboard_counts``): counting every type in
    a large district's scope takes longer than the rest of the page."""
    user = request.user
    assignments = list(
        user.role_assignments.alive().select_related("role", "district", "school", "agency")  # type: ignore[union-attr]
    )
    panels = [p for p in (panel(request) for panel in _panels) if p]
    recent = AuditEvent.objects.filter(actor_id=user.pk, kind=AuditEvent.Kind.AUTH).order_by("-seq")[:5]
    context = {
        "page_title": "Dashboard",
        "assignments": assignments,
        "has_cards": any(
            entry.in_nav and has_perm(user, perm_name(entry.model, "view")) for entry in registry.entries()
        ),
        "panels": panels,
        "recent_signins": recent,
        "needs_mfa_setup": not user.has_mfa_device(),  # type: ignore[union-attr]
    }
    return render(request, "core/dashboard.html", context)


@login_required
@require_GET
def dashboard_counts(request: HttpRequest) -> HttpResponse:
    """The dashboard's record counts: the cards alone for the dashboard's request, a page without script."""
    context = {"page_title": "Records in your scope", "cards": record_cards(request.user)}
    if getattr(request, "htmx", False):
        return render(request, "core/dashboard.html#cards", context)
    return render(request, "core/dashboard_counts.html", context)


SEARCH_LIMIT = 10


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    groups = []
    if len(query) >= 2:
        for entry in registry.entries():
            if not getattr(entry.model, "search_fields", ()) or not has_perm(
                request.user, perm_name(entry.model, "view")
            ):
                continue
            qs = restrict(entry.model._default_manager.alive(), request.user, "view")  # type: ignore[attr-defined]
            rows = list(search_queryset(qs, query)[:SEARCH_LIMIT])
            if not rows:
                continue
            if access_logged(entry.model):
                AuditEvent.record_access(
                    action=AuditEvent.Action.LIST, model=entry.model, objects=rows, detail={"search": query}
                )
            more = reverse(entry.url_name("list")) + "?" + urlencode({"q": query})
            groups.append({"entry": entry, "rows": rows, "more_url": more, "full": len(rows) == SEARCH_LIMIT})
    context = {"page_title": "Search", "search_query": query, "groups": groups, "too_short": 0 < len(query) < 2}
    return render(request, "core/search.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
