"""Template tags of the student profile and the roster-import pages.

``{% profile_panels object [deferred=True] as panels %}`` — the panels the viewer may see (see
``people/profile.py``; deferred: a lazy panel with its address instead of its rows);
``{% lazy_panels_url object panels as url %}`` — the request that loads the profile's lazy panels;
``{% render_panel panel %}`` — one panel's template with its own context;
``{% profile_links object as links %}`` — the actions on the profile the viewer may take;
``{% roster_import_report object as report %}`` — a roster import's progress and result, for display;
``{% may_upload_roster as can_upload %}`` — whether the viewer may start a roster import.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.context import Context
from django.utils import timezone
from django.utils.safestring import SafeString

from srodesk.core.permissions import has_perm, perm_name

from ..import_views import ImportReport, import_report
from ..models import RosterImport, Student
from ..profile import ProfileLink, ShownPanel, panels_for, panels_url
from ..profile import profile_links as links_for

register = template.Library()


@register.simple_tag(takes_context=True)
def profile_panels(context: Context, student: Student, deferred: bool = False) -> list[ShownPanel]:
    request = context.get("request")
    if request is None:
        return []
    return panels_for(request, student, deferred=deferred)


@register.simple_tag
def lazy_panels_url(student: Student, panels: list[ShownPanel]) -> str:
    """The one request that fills every placeholder of the profile ("" when there is none)."""
    names = [shown.name for shown in panels if shown.url]
    return panels_url(student, names) if names else ""


@register.simple_tag(takes_context=True)
def render_panel(context: Context, shown: ShownPanel) -> SafeString:
    panel_template = context.template.engine.get_template(shown.template)  # type: ignore[union-attr]
    with context.push(panel=shown, **shown.data):
        rendered: SafeString = panel_template.render(context)
    return rendered


@register.simple_tag(takes_context=True)
def profile_links(context: Context, student: Student) -> list[ProfileLink]:
    request = context.get("request")
    if request is None:
        return []
    return links_for(request, student)


@register.filter
def age(born: dt.date | None) -> int | None:
    """Whole years from ``born`` to today, in the server's time zone."""
    if born is None:
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@register.simple_tag
def roster_import_report(roster_import: RosterImport) -> ImportReport:
    return import_report(roster_import)


@register.simple_tag(takes_context=True)
def may_upload_roster(context: Context) -> bool:
    request = context.get("request")
    return request is not None and has_perm(request.user, perm_name(RosterImport, "add"))
