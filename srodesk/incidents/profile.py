"""Law-enforcement records on the student profile, and the officer's drafts on the dashboard.

The profile panel "Law-enforcement actions" lists, for one student, the incidents they are a person in, their
arrests, searches and uses of force, and — under its own heading, because it is an education record the
school owns — the discipline referrals about them. Every list goes through ``restrict()``: an education role
sees an incident, arrest, search or use of force only once it was shared with their school. A viewer who
may see none of these record types gets no panel at all.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from srodesk.audit.models import AuditEvent
from srodesk.core.pages import register_panel as register_dashboard_panel
from srodesk.core.permissions import VIEW_SHARED, has_perm, perm_name, restrict
from srodesk.people.models import Student
from srodesk.people.profile import ProfilePanel, register_panel

from .choices import IncidentStatus
from .models import Arrest, DisciplineReferral, Incident, InvolvedPerson, Search, UseOfForce

#: Law-enforcement records shown on the profile (the incident rows come through the involved persons).
LE_MODELS: tuple[type[models.Model], ...] = (InvolvedPerson, Arrest, Search, UseOfForce)
DASHBOARD_DRAFTS = 10


def _may_see(user: Any, model: type[models.Model]) -> bool:
    """Whether any grant lets the user see rows of ``model`` (in their scope, or shared with it)."""
    return has_perm(user, perm_name(model, "view")) or has_perm(user, perm_name(model, VIEW_SHARED))


def sees_law_enforcement(user: Any) -> bool:
    return any(_may_see(user, model) for model in LE_MODELS)


def sees_referrals(user: Any) -> bool:
    return has_perm(user, perm_name(DisciplineReferral, "view"))


def _visible(request: HttpRequest, student: Student) -> bool:
    return sees_law_enforcement(request.user) or sees_referrals(request.user)


def url_of(obj: Any) -> str:
    """The record's page, or "" while the pages of that record type are not installed."""
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


def _log(model: type[models.Model], rows: list[Any], student: Student) -> None:
    if rows:
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=model,
            objects=rows,
            detail={"profile_of": student.pk, "panel": "law_enforcement"},
        )


def student_records(user: Any, student: Student) -> dict[str, Any]:
    """What the user may see of this student's law-enforcement records and discipline referrals."""
    data: dict[str, Any] = {"show_le": sees_law_enforcement(user), "show_referrals": sees_referrals(user)}
    if data["show_le"]:
        persons = list(
            restrict(InvolvedPerson.objects.alive(), user, "view")
            .filter(student=student, incident__deleted_at__isnull=True)
            .select_related("incident")
            .order_by("-incident__occurred_at", "-incident__pk", "pk")
        )
        incidents: dict[int, dict[str, Any]] = {}
        for person in persons:
            entry = incidents.setdefault(
                person.incident_id, {"incident": person.incident, "url": url_of(person.incident), "roles": []}
            )
            role = person.get_role_display()
            if role not in entry["roles"]:
                entry["roles"].append(role)
        arrests = list(
            restrict(Arrest.objects.alive(), user, "view")
            .filter(student=student, incident__deleted_at__isnull=True)
            .select_related("incident")
            .order_by("-arrest_date", "-pk")
        )
        searches = list(
            restrict(Search.objects.alive(), user, "view").filter(student=student).order_by("-occurred_at", "-pk")
        )
        force = list(
            restrict(UseOfForce.objects.alive(), user, "view")
            .filter(student=student, incident__deleted_at__isnull=True)
            .select_related("incident")
            .order_by("-occurred_at", "-pk")
        )
        _log(InvolvedPerson, persons, student)
        _log(Incident, [entry["incident"] for entry in incidents.values()], student)
        _log(Arrest, arrests, student)
        _log(Search, searches, student)
        _log(UseOfForce, force, student)
        data.update(
            incidents=list(incidents.values()),
            arrests=arrests,
            searches=[{"search": row, "url": url_of(row)} for row in searches],
            force=force,
        )
        data["any_le"] = bool(incidents or arrests or searches or force)
    if data["show_referrals"]:
        referrals = list(
            restrict(DisciplineReferral.objects.alive(), user, "view")
            .filter(student=student)
            .select_related("school")
            .order_by("-occurred_at", "-pk")
        )
        _log(DisciplineReferral, referrals, student)
        data["referrals"] = [{"referral": row, "url": url_of(row)} for row in referrals]
    return data


def _context(request: HttpRequest, student: Student) -> dict[str, Any]:
    return student_records(request.user, student)


register_panel(
    ProfilePanel(
        name="law-enforcement",
        title="Law-enforcement actions",
        template="incidents/profile_panel.html",
        order=50,
        visible=_visible,
        context=_context,
        lazy=True,
    )
)


# --- Dashboard: my draft reports ------------------------------------------------------------------


def dashboard_drafts(request: HttpRequest) -> dict[str, Any] | None:
    """For users who may add incidents: their unfinished reports and the "New incident" button."""
    user = request.user
    if not has_perm(user, perm_name(Incident, "add")):
        return None
    drafts = (
        Incident.objects.alive()
        .filter(status__in=(IncidentStatus.DRAFT, IncidentStatus.RETURNED))
        .filter(models.Q(officer_id=user.pk) | models.Q(created_by_id=user.pk))
        .select_related("school")
        .order_by("-updated_at", "-pk")
    )
    rows = list(drafts[:DASHBOARD_DRAFTS])
    return {
        "template": "incidents/profile_dashboard_drafts.html",
        "drafts": [{"incident": row, "url": reverse("incidents:incident_wizard", args=[row.pk])} for row in rows],
        "new_url": reverse("incidents:incident_new"),
    }


register_dashboard_panel(dashboard_drafts)
