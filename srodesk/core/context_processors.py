from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from . import registry
from .permissions import has_perm, perm_name


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation by role: the record types the user may view, then the other pages their grants open."""
    context: dict[str, Any] = {"demo_mode": settings.DEMO_MODE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    current = request.path
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in registry.entries():
        if not entry.in_nav or not has_perm(user, perm_name(entry.model, "view")):
            continue
        url = reverse(entry.url_name("list"))
        groups.setdefault(entry.nav_group or "Records", []).append(
            {"label": entry.verbose_name_plural.capitalize(), "url": url, "active": current.startswith(url)}
        )
    for link in registry.nav_links():
        if has_perm(user, link.perm):
            url = reverse(link.url_name)
            groups.setdefault(link.group, []).append(
                {"label": link.label, "url": url, "active": current.startswith(url)}
            )
    context["nav_groups"] = [{"name": name, "items": items} for name, items in groups.items()]
    return context
