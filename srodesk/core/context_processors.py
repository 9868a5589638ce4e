from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import registry
from .permissions import grants, has_perm, perm_name

#: Navigation entries (group, label, url) per set of grants: has_perm without a record depends on nothing
#: else, and a district has a handful of distinct grant sets (roles), so this stays small.
_NAV: dict[Any, list[tuple[str, str, str]]] = {}
_NAV_LIMIT = 512


def _nav_entries(user: Any) -> list[tuple[str, str, str]]:
    key = (registry.version(), bool(user.is_superuser), frozenset(grant.permissions for grant in grants(user)))
    entries = _NAV.get(key)
    if entries is not None:
        return entries
    entries = []
    for entry in registry.entries():
        if entry.in_nav and has_perm(user, perm_name(entry.model, "view")):
            entries.append(
                (entry.nav_group or "Records", entry.verbose_name_plural.capitalize(), reverse(entry.url_name("list")))
            )
    for link in registry.nav_links():
        if has_perm(user, link.perm):
            entries.append((link.group, link.label, reverse(link.url_name)))
    if len(_NAV) >= _NAV_LIMIT:
        _NAV.clear()
    _NAV[key] = entries
    return entries


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation by role: the record types the user may view, then the other pages their grants open."""
    context: dict[str, Any] = {"demo_mode": settings.DEMO_MODE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    current = request.path
    groups: dict[str, list[dict[str, Any]]] = {}
    for group, label, url in _nav_entries(user):
        groups.setdefault(group, []).append({"label": label, "url": url, "active": current.startswith(url)})
    context["nav_groups"] = nav_groups = [{"name": name, "items": items} for name, items in groups.items()]
    context["nav_menu_html"] = _nav_html(nav_groups, menu=True)
    context["nav_bar_html"] = _nav_html(nav_groups, menu=False)
    return context


def _link(item: dict[str, Any]) -> str:
    current = ' aria-current="page"' if item["active"] else ""
    return f'<li><a href="{escape(item["url"])}"{current}>{escape(item["label"])}</a></li>'


def _nav_html(nav_groups: list[dict[str, Any]], *, menu: bool) -> SafeString:
    """The groups of the main navigation (``components/nav_links.html`` places them).

    ``menu`` (the phone menu): every link under its group's heading. Otherwise (wide screens) a group of
    several pages opens as a drop-down and a group of one is a plain link. Written here rather than in the
    template: it is on every page, and the template engine took longer over it than over most pages' data.
    """
    out: list[str] = []
    for group in nav_groups:
        items = group["items"]
        if menu:
            out.append(f'<li class="nav-heading" aria-hidden="true">{escape(group["name"])}</li>')
            out.extend(_link(item) for item in items)
        elif len(items) == 1:
            out.append(_link(items[0]))
        else:
            active = ' class="nav-group-active"' if any(item["active"] for item in items) else ""
            links = "".join(_link(item) for item in items)
            out.append(
                f'<li class="nav-group"><details name="main-nav-group"><summary{active}>{escape(group["name"])}'
                f"</summary><ul>{links}</ul></details></li>"
            )
    return mark_safe("".join(out))  # noqa: S308 - labels, names and URLs are escaped above
