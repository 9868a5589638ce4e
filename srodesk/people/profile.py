"""The student profile's panels, and the roster-import panel of the dashboard.

A capability adds a panel to the student profile with :func:`register_panel`. The profile renders only
the panels whose ``visible(request, student)`` answers true; a panel the viewer may not see leaves no
trace on the page (no heading, no count, no placeholder). ``context(request, student)`` is called only
for a visible panel and must itself show only rows the viewer may see (``restrict()``).

A ``lazy`` panel (one that queries records) comes after the page: the profile holds its heading and a
placeholder, and one request for all of its lazy panels (``people:student_panels``) fills them in; without
script each placeholder links to its panel's page. The profile's own cost does not grow with the number of
capabilities, and a panel's rows are read, and their reading logged, when they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse

from srodesk.audit.models import AuditEvent
from srodesk.core.models import ACCESS_LOGGED_CLASSES
from srodesk.core.pages import register_panel as register_dashboard_panel
from srodesk.core.permissions import exists_in_scope, grants, has_perm, perm_name, restrict, scope_q

from .models import Disclosure, Guardian, RosterImport, Student, Vehicle

Visible = Callable[[HttpRequest, Student], bool]
PanelContext = Callable[[HttpRequest, Student], dict[str, Any]]


def _no_context(request: HttpRequest, student: Student) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ProfilePanel:
    """One panel of the student profile, rendered under its own ``<h2>`` in ``#panel-<name>``."""

    name: str
    title: str
    template: str
    order: int
    visible: Visible
    context: PanelContext = _no_context
    #: rendered after the page, from its own address (see the module's docstring).
    lazy: bool = False


@dataclass(frozen=True)
class ShownPanel:
    """A visible panel with the context it renders with (none yet for a lazy panel of the profile page)."""

    panel: ProfilePanel
    data: dict[str, Any] = field(default_factory=dict)
    #: the panel's own page, for a placeholder of the profile page; "" once the panel is rendered.
    url: str = ""

    @property
    def name(self) -> str:
        return self.panel.name

    @property
    def title(self) -> str:
        return self.panel.title

    @property
    def template(self) -> str:
        return self.panel.template


_panels: dict[str, ProfilePanel] = {}


def register_panel(panel: ProfilePanel) -> ProfilePanel:
    """Add a panel (a panel registered again under the same name replaces the earlier one)."""
    _panels[panel.name] = panel
    return panel


def unregister_panel(name: str) -> ProfilePanel | None:
    return _panels.pop(name, None)


def registered_panels() -> list[ProfilePanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.name))


def panels_for(request: HttpRequest, student: Student, *, deferred: bool = False) -> list[ShownPanel]:
    """The panels this viewer may see on this student's profile, in order, each with its context.

    ``deferred``: a lazy panel comes with its address instead of its context (the profile page).
    """
    return [
        ShownPanel(panel, url=panels_url(student, [panel.name]))
        if deferred and panel.lazy
        else ShownPanel(panel, panel.context(request, student))
        for panel in registered_panels()
        if panel.visible(request, student)
    ]


def panels_url(student: Student, names: list[str]) -> str:
    """The address of these panels of the student's profile (``people:student_panels``)."""
    return f"{reverse('people:student_panels', args=[student.pk])}?{urlencode([('panel', n) for n in names])}"


def panel_for(request: HttpRequest, student: Student, name: str) -> ShownPanel | None:
    """One panel with its context, if it is registered and this viewer may see it."""
    panel = _panels.get(name)
    if panel is None or not panel.visible(request, student):
        return None
    return ShownPanel(panel, panel.context(request, student))


# --- Permission helpers ---------------------------------------------------------------------------


def student_in_scope(request: HttpRequest, pk: int) -> Student:
    """The student, if the user may see it (404 otherwise, as for every out-of-scope lookup)."""
    students = restrict(Student.objects.alive(), request.user, "view").select_related("district", "school")
    student: Student = get_object_or_404(students, pk=pk)
    return student


def may_for_student(user: Any, model: type[models.Model], action: str, student: Student) -> bool:
    """Whether ``user`` may perform ``action`` on records of ``model`` about this student.

    For record types scoped through their students (disclosures, guardians), whose scope paths mirror
    the student's: the student must lie inside a scope where a grant allows the action.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    this_student = Student.objects.filter(pk=student.pk)
    for grant in grants(user):
        if not grant.allows(model, action):
            continue
        q = scope_q(Student, grant)
        if q is None or exists_in_scope(user, this_student.filter(q)):
            return True
    return False


def _log_access(model: type[models.Model], rows: list[Any], student: Student, panel: str) -> None:
    if rows and getattr(model, "record_class", None) in ACCESS_LOGGED_CLASSES:
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=model,
            objects=rows,
            detail={"profile_of": student.pk, "panel": panel},
        )


def _url(name: str, *args: Any) -> str:
    """The URL, or "" while the capability that serves it is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class ProfileLink:
    label: str
    url: str


def profile_links(request: HttpRequest, student: Student) -> list[ProfileLink]:
    """Actions on the profile the viewer may take (and whose pages exist)."""
    user = request.user
    links: list[ProfileLink] = []
    if may_for_student(user, Disclosure, "add", student):
        url = _url("people:student_disclose", student.pk)
        if url:
            links.append(ProfileLink("Record a disclosure", url))
    if may_for_student(user, Disclosure, "view", student):
        url = _url("people:student_disclosure_log", student.pk)
        if url:
            links.append(ProfileLink("Disclosure log", url))
    return links


# --- The built-in panels --------------------------------------------------------------------------


def _always(request: HttpRequest, student: Student) -> bool:
    return True


RACE_LABELS = (
    ("american_indian", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("black", "Black or African American"),
    ("pacific_islander", "Native Hawaiian or Other Pacific Islander"),
    ("white", "White"),
)


def _demographics(request: HttpRequest, student: Student) -> dict[str, Any]:
    races = [label for name, label in RACE_LABELS if getattr(student, name)]
    return {"races": races}


def _programs_visible(request: HttpRequest, student: Student) -> bool:
    return has_perm(request.user, perm_name(Student, "view_programs"), student)


def _programs(request: HttpRequest, student: Student) -> dict[str, Any]:
    programs = [
        ("IDEA (disability, IEP)", student.idea, student.idea_start, student.idea_end),
        ("Section 504 only", student.section_504, student.section_504_start, student.section_504_end),
        ("English learner", student.english_learner, student.english_learner_start, student.english_learner_end),
    ]
    return {"programs": [{"label": p[0], "active": p[1], "start": p[2], "end": p[3]} for p in programs]}


def _guardians_visible(request: HttpRequest, student: Student) -> bool:
    return may_for_student(request.user, Guardian, "view", student)


def _guardians(request: HttpRequest, student: Student) -> dict[str, Any]:
    rows = list(restrict(student.guardians.alive(), request.user, "view"))
    _log_access(Guardian, rows, student, "guardians")
    return {"guardians": rows}


def _vehicles_visible(request: HttpRequest, student: Student) -> bool:
    return has_perm(request.user, perm_name(Vehicle, "view"))


def _vehicles(request: HttpRequest, student: Student) -> dict[str, Any]:
    rows = list(restrict(student.vehicles.alive(), request.user, "view"))
    _log_access(Vehicle, rows, student, "vehicles")
    return {"vehicles": rows}


register_panel(
    ProfilePanel(
        name="demographics",
        title="Demographics",
        template="people/_panel_demographics.html",
        order=10,
        visible=_always,
        context=_demographics,
    )
)
register_panel(
    ProfilePanel(
        name="programs",
        title="Programs",
        template="people/_panel_programs.html",
        order=20,
        visible=_programs_visible,
        context=_programs,
    )
)
register_panel(
    ProfilePanel(
        name="guardians",
        title="Guardians",
        template="people/_panel_guardians.html",
        order=30,
        visible=_guardians_visible,
        context=_guardians,
        lazy=True,
    )
)
register_panel(
    ProfilePanel(
        name="vehicles",
        title="Vehicles",
        template="people/_panel_vehicles.html",
        order=40,
        visible=_vehicles_visible,
        context=_vehicles,
        lazy=True,
    )
)
register_panel(
    ProfilePanel(
        name="record",
        title="Roster record",
        template="people/_panel_record.html",
        order=900,
        visible=_always,
    )
)


# --- Dashboard: recent roster imports -------------------------------------------------------------

DASHBOARD_IMPORTS = 5


def dashboard_imports(request: HttpRequest) -> dict[str, Any] | None:
    """For users who may start a roster import: the latest imports they may see and the upload link."""
    user = request.user
    if not has_perm(user, perm_name(RosterImport, "add")):
        return None
    recent = restrict(RosterImport.objects.alive(), user, "view").select_related("district")
    return {
        "template": "people/_dashboard_imports.html",
        "imports": list(recent[:DASHBOARD_IMPORTS]),
        "upload_url": reverse("people:rosterimport_upload"),
        "list_url": reverse("people:rosterimport_list"),
    }


register_dashboard_panel(dashboard_imports)
