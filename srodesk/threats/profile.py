"""The threat-assessment panel of the student profile and the "My threat cases" dashboard panel.

The profile panel is shown only to a viewer who may see at least one of the student's cases (a team
member, someone added to the case, or the school's administrator); anyone else sees no trace of it.
Every listing of cases is written to the access log, as for any education record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from srodesk.audit.models import AuditEvent
from srodesk.core.pages import register_panel as register_dashboard_panel
from srodesk.core.permissions import has_perm, perm_name, restrict
from srodesk.people.models import Student
from srodesk.people.profile import ProfilePanel, register_panel

from .choices import CaseStatus
from .models import DUE_PREFETCH, ThreatCase

VIEW = perm_name(ThreatCase, "view")
DASHBOARD_CASES = 10


def visible_cases(request: HttpRequest) -> QuerySet[ThreatCase]:
    return restrict(ThreatCase.objects.alive(), request.user, "view")


def _student_cases(request: HttpRequest, student: Student) -> QuerySet[ThreatCase]:
    return visible_cases(request).filter(student=student)


def _visible(request: HttpRequest, student: Student) -> bool:
    return has_perm(request.user, VIEW) and _student_cases(request, student).exists()


def _context(request: HttpRequest, student: Student) -> dict[str, Any]:
    rows = list(_student_cases(request, student).select_related("team", "school"))
    if rows:
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=ThreatCase,
            objects=rows,
            detail={"profile_of": student.pk, "panel": "threat_cases"},
        )
    return {"threat_cases": rows}


register_panel(
    ProfilePanel(
        name="threat_cases",
        title="Threat-assessment cases",
        template="threats/_panel_student_cases.html",
        order=60,
        visible=_visible,
        context=_context,
        lazy=True,
    )
)


def dashboard_cases(request: HttpRequest) -> dict[str, Any] | None:
    """Open cases the viewer works on (team member or added), with what is due on each."""
    user = request.user
    if not has_perm(user, VIEW):
        return None
    mine = (
        visible_cases(request)
        .filter(ThreatCase.member_filter(user), status=CaseStatus.OPEN)
        .select_related("student", "team")
        .prefetch_related(*DUE_PREFETCH)
        .order_by("reported_at", "pk")
    )
    rows = list(mine[:DASHBOARD_CASES])
    if not rows:
        return None
    AuditEvent.record_access(
        action=AuditEvent.Action.LIST, model=ThreatCase, objects=rows, detail={"panel": "dashboard_threat_cases"}
    )
    cases = [{"case": case, "due": case.due()} for case in rows]
    overdue = sum(1 for case in rows if any(d.overdue for d in case.due()))
    return {
        "template": "threats/_dashboard_cases.html",
        "cases": cases,
        "overdue": overdue,
        "list_url": reverse("threats:threatcase_list") + "?status=open",
    }


register_dashboard_panel(dashboard_cases)
