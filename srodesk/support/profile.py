"""Student-profile panels of student support, and the reporter's dashboard panel.

A panel appears only for a viewer who may see that kind of record about the student; the mandated-report
panel only for a viewer who may see at least one of the student's reports (their own, or all of them as
an administrator), so nothing reveals that a report exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest
from django.urls import reverse

from srodesk.audit.models import AuditEvent
from srodesk.core.pages import register_panel as register_dashboard_panel
from srodesk.core.permissions import OVERRIDE_NEED_TO_KNOW, has_perm, perm_name, restrict
from srodesk.people.models import Student
from srodesk.people.profile import ProfilePanel, may_for_student, register_panel

from .models import AgencyRequest, AttendanceRecord, MandatedReport, Referral, StudentContact, TruancyCase
from .services import clocks

PANEL_ROWS = 10


def _rows(request: HttpRequest, qs: models.QuerySet[Any], name: str, student: Student) -> list[Any]:
    rows = list(restrict(qs, request.user, "view")[:PANEL_ROWS])
    if rows:
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=qs.model,
            objects=rows,
            detail={"profile_of": student.pk, "panel": name},
        )
    return rows


def _panel(
    name: str,
    title: str,
    order: int,
    model: type[models.Model],
    queryset: Callable[[Student], models.QuerySet[Any]],
    list_url: str,
) -> None:
    def visible(request: HttpRequest, student: Student) -> bool:
        return may_for_student(request.user, model, "view", student)

    def context(request: HttpRequest, student: Student) -> dict[str, Any]:
        return {
            "rows": _rows(request, queryset(student), name, student),
            "list_url": f"{reverse(list_url)}?student_id={student.pk}",
        }

    register_panel(
        ProfilePanel(
            name=name,
            title=title,
            template=f"support/_panel_{name}.html",
            order=order,
            visible=visible,
            context=context,
            lazy=True,
        )
    )


_panel(
    "referrals",
    "Referrals",
    60,
    Referral,
    lambda s: Referral.objects.alive().filter(student=s).select_related("community_agency"),
    "support:referral_list",
)
_panel(
    "student_contacts",
    "Student contacts",
    61,
    StudentContact,
    lambda s: StudentContact.objects.alive().filter(students=s).select_related("staff"),
    "support:studentcontact_list",
)
_panel(
    "truancy",
    "Truancy cases",
    62,
    TruancyCase,
    lambda s: TruancyCase.objects.alive().filter(student=s),
    "support:truancycase_list",
)
_panel(
    "attendance",
    "Attendance",
    63,
    AttendanceRecord,
    lambda s: AttendanceRecord.objects.alive().filter(student=s),
    "support:attendancerecord_list",
)
_panel(
    "agency_requests",
    "Requests from agencies",
    64,
    AgencyRequest,
    lambda s: AgencyRequest.objects.alive().filter(student=s),
    "support:agencyrequest_list",
)


def _reports(request: HttpRequest, student: Student) -> models.QuerySet[MandatedReport]:
    return restrict(MandatedReport.objects.alive().filter(student=student), request.user, "view")


def _reports_visible(request: HttpRequest, student: Student) -> bool:
    if not has_perm(request.user, perm_name(MandatedReport, "view")):
        return False
    return _reports(request, student).exists()


def _reports_context(request: HttpRequest, student: Student) -> dict[str, Any]:
    rows = list(_reports(request, student).select_related("reporter")[:PANEL_ROWS])
    if rows:
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=MandatedReport,
            objects=rows,
            detail={"profile_of": student.pk, "panel": "mandated_reports"},
        )
    return {"rows": [{"report": r, "clocks": clocks(r)} for r in rows]}


register_panel(
    ProfilePanel(
        name="mandated_reports",
        title="Mandated reports",
        template="support/_panel_mandated_reports.html",
        order=59,
        visible=_reports_visible,
        context=_reports_context,
        lazy=True,
    )
)


# --- Dashboard: the reporter's open mandated reports ----------------------------------------------


def dashboard_reports(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not has_perm(user, perm_name(MandatedReport, "view")):
        return None
    from .services import open_reports

    mine = list(open_reports().filter(reporter_id=user.pk).select_related("school", "district")[:PANEL_ROWS])
    oversees = has_perm(user, perm_name(MandatedReport, OVERRIDE_NEED_TO_KNOW))
    if not mine and not oversees:
        return None
    return {
        "template": "support/_dashboard_reports.html",
        "items": [{"report": r, "clocks": clocks(r)} for r in mine],
        "overdue_url": reverse("support:mandatedreport_overdue") if oversees else "",
    }


register_dashboard_panel(dashboard_reports)
