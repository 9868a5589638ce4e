"""`srodesk generate-district --profile small`: exact counts, the same names for the same seed, a valid chain,
law-enforcement records as the services make them (numbers, review versions, shares, custody chains), the
drills each school holds (its state's rule pack, through the drill services' steps), the threat-assessment
teams and CSTAG cases (through the threat services' steps), the student-support records (mandated reports
within their deadlines or escalated, truancy cases opened by thresholds the absences really reached, each save
by a role the policy allows), the alerts with their recipients, deliveries, acknowledgements and room reports,
the emergency plans, and reunification (through the alert and reunification services' steps)."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from srodesk.accounts.models import RoleAssignment, User
from srodesk.alerts.delivery.recipients import resolve
from srodesk.alerts.models import AccountabilityReport, Alert, Delivery, DeliveryAttempt, Recipient
from srodesk.audit.models import AuditEvent, verify_chain
from srodesk.bench_data import generate
from srodesk.bench_data.check import problems
from srodesk.bench_data.timeline import AS_OF, year_start
from srodesk.core.permissions import has_perm, perm_name
from srodesk.drills.models import Drill, EmergencyPlan
from srodesk.incidents.custody import verify_all
from srodesk.incidents.models import (
    Arrest,
    CustodyEvent,
    EvidenceItem,
    Incident,
    IncidentShare,
    IncidentVersion,
    Offense,
    Search,
)
from srodesk.organizations.models import District
from srodesk.people.models import Guardian, OtherPerson, StaffMember, Student
from srodesk.reunification.models import ReunificationCard, ReunificationEvent, ReunificationException
from srodesk.reunification.services import reconciliation
from srodesk.support import models as support
from srodesk.support.services import report_deadlines
from srodesk.threats.models import DUE_PREFETCH, CaseEvent, TeamMember, ThreatCase
from srodesk.threats.services import closure_problems

SEED = 7
EXPECTED = {
    "accounts.RoleAssignment": 67,
    "accounts.User": 67,
    "organizations.Agency": 2,
    "organizations.District": 1,
    "organizations.Partnership": 2,
    "organizations.School": 6,
    # The disclosures generator's, and the support records' (shares, oral reports, releases).
    "people.Disclosure": 165 + 76,
    "people.Guardian": 644,
    "people.Guardian_students": 990,
    "people.OtherPerson": 132,
    "people.RosterImport": 391,
    "people.StaffMember": 75,
    "people.StaffMember_schools": 79,
    "people.Student": 600,
    "people.Student_schools": 600,
    "people.Vehicle": 80,
    "incidents.Arrest": 13,
    "incidents.CustodyEvent": 35,
    "incidents.DisciplineReferral": 17,
    "incidents.EvidenceItem": 12,
    "incidents.Incident": 41,
    "incidents.IncidentShare": 6,
    "incidents.IncidentVersion": 88,
    "incidents.InvolvedPerson": 131,
    "incidents.InvolvedPerson_offenses": 41,
    "incidents.Offense": 46,
    "incidents.Property": 20,
    "incidents.Search": 11,
    "incidents.Supplement": 4,
    "incidents.UseOfForce": 2,
    "incidents.VictimOffenderRelationship": 23,
    "drills.Drill": 623,
    "threats.CaseEvent": 113,
    "threats.DisciplineRecord": 5,
    "threats.Interview": 33,
    "threats.MonitoringEntry": 20,
    "threats.ProtectiveAction": 13,
    "threats.SafetyPlanItem": 6,
    "threats.Team": 6,
    "threats.TeamMember": 36,
    "threats.ThreatCase": 14,
    "alerts.AccountabilityReport": 251,
    "alerts.AccountabilityReport_extra": 22,
    "alerts.AccountabilityReport_injured": 1,
    "alerts.AccountabilityReport_missing": 21,
    "alerts.Alert": 292,
    "alerts.Alert_schools": 705,
    "alerts.Delivery": 12816,
    "alerts.DeliveryAttempt": 6591,
    "alerts.Recipient": 6408,
    "drills.EmergencyPlan": 7,
    "reunification.EventStudent": 126,
    "reunification.ReunificationCard": 125,
    "reunification.ReunificationEvent": 1,
    "reunification.ReunificationEvent_schools": 1,
    "reunification.ReunificationException": 3,
    "support.AgencyRequest": 15,
    "support.AgencyRequest_disclosures": 10,
    "support.AttendanceImport": 1031,
    "support.AttendanceRecord": 2221,
    "support.CommunityAgency": 7,
    "support.Intervention": 244,
    "support.MandatedReport": 19,
    "support.MandatedReportEscalation": 15,
    "support.Referral": 78,
    "support.Referral_disclosures": 47,
    "support.StudentContact": 213,
    "support.StudentContact_students": 300,
    "support.TruancyCase": 123,
    "support.TruancyThreshold": 2,
}
EXPECTED_AUDIT_ROWS = 7805 + 7500 + 5413  # up to threats; alerts, plans and reunification; support
#: The small district's drills: Michigan's pack asks each school for 10 a year (5 fire, 3 by 1 December;
#: 2 tornado, 1 in March; 3 lockdown, 1 by 1 December and 1 after 1 January; 1 at lunch or recess, one of
#: the fire drills): 6 schools x 10 years, scheduled at once from the suggestions (600), a few cancelled
#: and made up (23); the current year's drills after AS_OF (6 a school) are still scheduled.
EXPECTED_DRILLS = {
    "status": {"conducted": 561, "scheduled": 36, "cancelled": 26},
    "type": {"fire": 311, "lockdown": 187, "shelter_weather": 125},
    "rows": {
        ("create", "suggested drill schedule"): 600,
        ("create", "drill scheduled"): 23,
        ("update", "drill conducted"): 561,
        ("update", "drill published"): 544,
        ("update", "cancelled"): 26,
    },
    # school years with all 10 drills conducted (of 6 x 9 past years), and the current year's by school.
    "full_years": 51,
    "current": [(4, 6)] * 6,
}


#: The small district's threat assessment: one team a school (its 2 administrators, its counsellors and
#: school psychologists, the officer of a middle or high school), and 14 cases in ten years (about 4 a year
#: per 1,000 students), all closed before AS_OF once their classification's response was complete.
EXPECTED_THREATS = {
    "cases": {
        ("transient", "closed"): 11,
        ("serious_substantive", "closed"): 1,
        ("very_serious_substantive", "closed"): 2,
    },
    "roles": {"administrator": 12, "mental_health": 21, "law_enforcement": 3},
    "events": {
        "interview": 33,
        "classified": 14,
        "protective_action": 13,
        "safety_evaluation": 2,
        "plan_item": 6,
        "plan_item_done": 6,
        "monitoring": 20,
        "discipline": 5,
        "closed": 14,
    },
}
#: The small district's student support: 19 mandated reports (the escalation run reached a threshold of some
#: before the reporter recorded the report; none was late this time), the agencies' answers to 78 referrals,
#: 15 agency requests (those without a legal basis refused) and 123 truancy cases, all closed by AS_OF.
EXPECTED_SUPPORT: dict[str, Any] = {
    "escalations": {("initial", 50): 7, ("initial", 90): 3, ("written", 50): 4, ("written", 90): 1},
    "referrals": {"made": 1, "no_response": 21, "accepted": 20, "completed": 24, "declined": 12},
    "decisions": {"refused": 5, "granted": 9, "partly": 1},
    "cases": {"closed": 123},
}


#: The small district's alerts: per school a school year a few holds and secures, a lockdown every other
#: year, now and then a shelter or an evacuation; district advisories and BOLOs; a few cancelled within the
#: window. Every recipient gets the alert live and by email (most emails accepted at the first try, the
#: others after one or more retries); most screens had it within seconds. Each school has one plan (the
#: high school two). One evacuation was followed by a reunification: every student collected by a guardian
#: but one, three adults not on the list approved after a call to a parent.
EXPECTED_ALERTS: dict[str, Any] = {
    "alerts": {
        ("advisory", "all_clear"): 74,
        ("advisory", "cancelled"): 1,
        ("bolo", "all_clear"): 21,
        ("bolo", "cancelled"): 1,
        ("evacuate", "all_clear"): 7,
        ("hold", "all_clear"): 106,
        ("hold", "cancelled"): 2,
        ("lockdown", "all_clear"): 15,
        ("lockdown", "cancelled"): 2,
        ("secure", "all_clear"): 48,
        ("secure", "cancelled"): 2,
        ("shelter", "all_clear"): 13,
    },
    "deliveries": {("email", "sent"): 6408, ("live", "delivered"): 5438, ("live", "sent"): 970},
    "tries": {1: 6254, 2: 128, 3: 24, 4: 1, 5: 1},
    "plans_per_school": [1, 1, 1, 1, 1, 2],
}
EXPECTED_REUNIFICATION: dict[str, Any] = {
    "events": 1,
    "cards": {"released": 125},
    "exceptions": {("unauthorised_adult", "release_approved"): 3},
}


class Built(Exception):
    """Carries what a generation produced out of the transaction that is rolled back."""

    def __init__(self, facts: dict[str, Any]) -> None:
        super().__init__("rolled back")
        self.facts = facts


def build(*, command: bool) -> dict[str, Any]:
    """Generate the small district, collect facts about it, and roll it all back."""
    try:
        with transaction.atomic():
            out = io.StringIO()
            if command:
                call_command(
                    "generate_district", "--profile", "small", "--seed", str(SEED), "--no-progress", stdout=out
                )
                district = District.objects.get(slug=f"bench-small-{SEED}")
                code = f"s{SEED}"
                counts = None
            else:
                result = generate("small", SEED)
                district, code, counts = result.district, result.code, {**result.counts, "audit": result.audit_rows}
            facts = {
                "output": out.getvalue(),
                "counts": counts,
                "names": [
                    sorted(model.objects.filter(district=district).values_list("given_name", "family_name"))
                    for model in (Student, StaffMember, Guardian, OtherPerson)
                ],
                "audit_rows": AuditEvent.objects.count(),
                "chain": [str(p) for p in verify_chain()],
            }
            if not command:
                facts["problems"] = list(problems(district, code, size=25))
                facts["custody"] = [str(r) for r in verify_all(EvidenceItem.objects.all()) if not r.ok]
                facts["incidents"] = incident_facts()
                facts["drills"] = drill_facts(district)
                facts["threats"] = threat_facts(district)
                facts["alerts"] = alert_facts(district)
                facts["reunification"] = reunification_facts(district)
                facts["support"] = support_facts(district)
                student = Student.objects.filter(district=district).order_by("pk").first()
                assert student is not None
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE people_student SET given_name = %s WHERE id = %s", ["Edited", student.pk])
                facts["after_edit"] = list(problems(district, code, size=5, checked=(Student,)))
            raise Built(facts)
    except Built as built:
        return built.facts


def incident_facts() -> dict[str, Any]:
    """What must hold of the generated law-enforcement records, whatever the counts."""
    numbers: dict[tuple[int, str], list[int]] = defaultdict(list)
    for agency, number in Incident.objects.order_by("created_at", "pk").values_list("agency_id", "number"):
        year, n = number.split("-")
        numbers[(agency, year)].append(int(n))
    arrests = Arrest.objects.select_related("arrestee")
    return {
        "numbered_in_order": all(ns == list(range(1, len(ns) + 1)) for ns in numbers.values()),
        "statuses": set(Incident.objects.values_list("status", flat=True)),
        "offense_codes": set(Offense.objects.values_list("ucr_code", flat=True)),
        "juvenile_disposition_iff_minor": all(
            bool(a.juvenile_disposition) == (int(a.arrestee.age_code) < 18) for a in arrests
        ),
        "arrests_linked_to_students": all(a.student_id == a.arrestee.student_id is not None for a in arrests),
        "approved_versions": all(
            i.version == IncidentVersion.objects.filter(incident=i).count()
            for i in Incident.objects.filter(status__in=["approved", "closed"])
        ),
        "shared_schools": all(
            s.school_id == s.incident.school_id for s in IncidentShare.objects.select_related("incident")
        ),
        "disclosure_rows": AuditEvent.objects.filter(
            kind=AuditEvent.Kind.DISCLOSURE, content_type__model="incident"
        ).count(),
        "shares": IncidentShare.objects.count(),
        "flagged_unjustified": Search.objects.filter(flagged=True, justification="").count(),
        "custody_events_logged": AuditEvent.objects.filter(content_type__model="custodyevent").count(),
        "custody_events": CustodyEvent.objects.count(),
    }


def drill_facts(district: District) -> dict[str, Any]:
    """The drills by status, type, audit step and school year (the school year a drill is held in)."""
    drills = list(Drill.objects.filter(district=district).order_by("pk"))
    rows: dict[tuple[str, str], int] = defaultdict(int)
    cancelled = {d.pk for d in drills if d.status == "cancelled"}
    for object_id, action, reason in AuditEvent.objects.filter(content_type__model="drill").values_list(
        "object_id", "action", "reason"
    ):
        steps = ("suggested drill schedule", "drill scheduled", "drill conducted", "drill published")
        rows[(action, reason if reason in steps or int(object_id) not in cancelled else "cancelled")] += 1
    years: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in drills:
        when = d.when
        assert when is not None
        years[(d.school_id, when.year if when.month >= 8 else when.year - 1)][d.status] += 1
    last = max(year for _, year in years)
    return {
        "status": dict(Counter(d.status for d in drills)),
        "type": dict(Counter(d.drill_type for d in drills)),
        "rows": dict(rows),
        "full_years": sum(1 for (_, year), n in years.items() if year < last and n["conducted"] == 10),
        "current": sorted(
            ((n["conducted"], n["scheduled"]) for (_, year), n in years.items() if year == last), reverse=True
        ),
        "conducted_complete": all(
            d.conducted_at and d.headcount and d.accounted_for is not None and d.retain_until and d.conducted_by
            for d in drills
            if d.status == "conducted"
        ),
        "observed_named": all(d.law_enforcement_agency for d in drills if d.law_enforcement_observed),
    }


def threat_facts(district: District) -> dict[str, Any]:
    """The cases by classification and status, the team roles, the timeline, and the services' rules."""
    cases = list(ThreatCase.objects.filter(district=district).prefetch_related(*DUE_PREFETCH, "events").order_by("pk"))
    members = TeamMember.objects.filter(team__district=district)
    on_team: dict[int, set[int]] = defaultdict(set)
    for team, user in members.values_list("team_id", "user_id"):
        on_team[team].add(user)
    rows = AuditEvent.objects.filter(content_type__app_label="threats", content_type__model="threatcase")
    actors = {(int(pk), actor) for pk, actor in rows.values_list("object_id", "actor_id")}
    team_of = {case.pk: case.team_id for case in cases}
    closable = []
    for case in cases:
        if case.status == "closed":
            case.status = "open"  # as close_case saw it
            last = max(case.events.all(), key=lambda e: e.at)
            closable.append(closure_problems(case) == [] and last.kind == CaseEvent.Kind.CLOSED)
    events = CaseEvent.objects.filter(case__district=district)
    return {
        "cases": dict(Counter((c.classification, "closed" if c.closed_at else "open") for c in cases)),
        "roles": dict(Counter(members.values_list("team_role", flat=True))),
        "events": dict(Counter(events.values_list("kind", flat=True))),
        "closable": all(closable),
        "actors_on_team": all(actor in on_team[team_of[pk]] for pk, actor in actors),
        "interviewed_first": all(
            min(i.created_at for i in c.interviews.all()) < c.classified_at for c in cases if c.classified_at
        ),
    }


def alert_facts(district: District) -> dict[str, Any]:
    """The alerts by kind and status, the deliveries and tries, and the rules of the alert services."""
    alerts = list(Alert.objects.filter(district=district).prefetch_related("schools").order_by("pk"))
    by_pk = {a.pk: a for a in alerts}
    recipients = list(Recipient.objects.filter(alert__district=district))
    people: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
    for r in recipients:
        people[r.alert_id].add((r.user_id, r.school_id))
    deliveries = list(Delivery.objects.filter(recipient__alert__district=district).select_related("recipient"))
    tries: dict[int, list[DeliveryAttempt]] = defaultdict(list)
    for attempt in DeliveryAttempt.objects.filter(delivery__recipient__alert__district=district).order_by("at", "pk"):
        tries[attempt.delivery_id].append(attempt)
    acknowledged = [r for r in recipients if r.acknowledged_at is not None]
    ack_rows = AuditEvent.objects.filter(content_type__model="alert", detail__event="alert.acknowledged").count()
    reporters = {
        (school, user)
        for school, user, perms in RoleAssignment.objects.values_list("school_id", "user_id", "role__permissions")
        if "alerts.add_accountabilityreport" in perms
    }
    reports = list(AccountabilityReport.objects.filter(district=district))
    delivered = [a for a in alerts if a.activated_at is not None]
    plans = list(EmergencyPlan.objects.filter(district=district))
    return {
        "alerts": dict(Counter((a.action or a.kind, a.status) for a in alerts)),
        "deliveries": dict(Counter((d.channel, d.status) for d in deliveries)),
        "tries": dict(Counter(len(t) for t in tries.values())),
        "audience": all(people[a.pk] == set(resolve(a).items()) for a in delivered),
        "one_delivery_per_channel": Counter(d.recipient_id for d in deliveries)
        == Counter({r.pk: 2 for r in recipients}),
        "sent_after_a_good_try": all(
            len(tries[d.pk]) == d.attempts
            and tries[d.pk][-1].ok == (d.status == "sent")
            and all(not t.ok for t in tries[d.pk][:-1])
            for d in deliveries
            if d.channel == "email"
        ),
        "live_after_activation": all(
            d.delivered_at >= (by_pk[d.recipient.alert_id].activated_at or d.delivered_at)
            and d.delivered_at >= d.sent_at
            for d in deliveries
            if d.status == "delivered"
        ),
        "acknowledged_after_activation": all(
            r.acknowledged_at >= (by_pk[r.alert_id].activated_at or r.acknowledged_at) for r in acknowledged
        ),
        "acknowledgements_logged": ack_rows == len(acknowledged),
        "steps_in_order": all(
            a.armed_at < a.deliver_at <= a.activated_at < (a.all_clear_at or a.activated_at + dt.timedelta(1))
            for a in delivered
        ),
        "cancelled_never_delivered": all(
            not people[a.pk] and a.cancelled_at and a.cancelled_at < a.deliver_at and a.activated_at is None
            for a in alerts
            if a.status == "cancelled"
        ),
        "reports_in_scope": all(
            r.school_id in {s.pk for s in by_pk[r.alert_id].schools.all()}
            and (r.school_id, r.reporter_id) in reporters
            and r.reported_at >= by_pk[r.alert_id].activated_at
            for r in reports
        ),
        "plans_reviewed_this_year": all(p.reviewed_on and p.reviewed_on >= dt.date(2026, 8, 17) for p in plans),
        "plans_per_school": sorted(Counter(p.school_id for p in plans).values()),
    }


def reunification_facts(district: District) -> dict[str, Any]:
    """The events, their cards and exceptions, and the rules of the reunification services."""
    events = list(ReunificationEvent.objects.filter(district=district).select_related("alert"))
    cards = list(ReunificationCard.objects.filter(district=district).select_related("event_student"))
    approved = set(
        ReunificationException.objects.filter(district=district, resolution="release_approved").values_list(
            "card_id", flat=True
        )
    )
    guardians = set(Guardian.students.through.objects.values_list("guardian_id", "student_id"))
    return {
        "events": len(events),
        "cards": dict(Counter(c.status for c in cards)),
        "exceptions": dict(
            Counter(ReunificationException.objects.filter(district=district).values_list("kind", "resolution"))
        ),
        "after_an_evacuation": all(
            e.alert is not None and e.alert.action == "evacuate" and e.started_at > e.alert.activated_at for e in events
        ),
        "released_to_a_guardian": all(
            (c.guardian_id, c.event_student.student_id) in guardians or c.pk in approved
            for c in cards
            if c.status == "released"
        ),
        "reconciled": all(reconciliation(e).balanced for e in events),
    }


def support_facts(district: District) -> dict[str, Any]:
    """The support services' rules on every generated record, and the policy on a sample of each type's saves."""
    reports = list(support.MandatedReport.objects.filter(district=district).prefetch_related("escalations"))
    deadlines_kept = []
    for report in reports:
        overdue = {e.deadline for e in report.escalations.all() if e.threshold == 100}
        for deadline in report_deadlines(report):
            on_time = deadline.met_at is not None and deadline.met_at <= deadline.due_at
            deadlines_kept.append(on_time or deadline.kind in overdue)
    oral = AuditEvent.objects.filter(content_type__model="mandatedreport", action="update")
    reporters = {r.pk: r.reporter_id for r in reports}
    cases = list(support.TruancyCase.objects.filter(district=district).select_related("threshold").order_by("pk"))
    reached = [_threshold_reached(case) for case in cases]
    contacts = support.StudentContact.objects.filter(district=district).prefetch_related("students")
    at_school = set(RoleAssignment.objects.filter(school__isnull=False).values_list("user_id", "school_id"))
    current = [c for c in contacts if c.occurred_on >= year_start(AS_OF.year)]
    allowed = []
    users = {u.pk: u for u in User.objects.all()}
    for model in (
        support.CommunityAgency,
        support.TruancyThreshold,
        support.Referral,
        support.MandatedReport,
        support.StudentContact,
        support.AttendanceImport,
        support.AttendanceRecord,
        support.TruancyCase,
        support.Intervention,
        support.AgencyRequest,
    ):
        for obj in model._default_manager.order_by("pk")[:: max(1, model._default_manager.count() // 15)]:
            for row in AuditEvent.objects.for_object(obj).filter(kind=AuditEvent.Kind.CHANGE):
                action = "add" if row.action == AuditEvent.Action.CREATE else "change"
                allowed.append(has_perm(users[row.actor_id], perm_name(model, action), obj))
    decided = AuditEvent.objects.filter(content_type__model="agencyrequest", action="update")
    return {
        "deadlines_kept_or_escalated": all(deadlines_kept) and len(deadlines_kept) >= len(reports),
        "escalations": dict(
            Counter(
                support.MandatedReportEscalation.objects.filter(report__district=district).values_list(
                    "deadline", "threshold"
                )
            )
        ),
        "referrals": dict(Counter(support.Referral.objects.filter(district=district).values_list("status", flat=True))),
        "decisions": dict(
            Counter(support.AgencyRequest.objects.filter(district=district).values_list("decision", flat=True))
        ),
        "reported_by_reporter": all(
            reporters[int(pk)] == actor for pk, actor in oral.values_list("object_id", "actor_id")
        ),
        "thresholds_reached": all(reached) and len(reached) == len(cases) > 0,
        "cases": dict(Counter(c.status for c in cases)),
        "contacts_by_school_staff": all((c.staff_id, c.school_id) in at_school for c in contacts),
        "current_contacts_with_own_students": all(
            s.school_id == c.school_id for c in current for s in c.students.all()
        ),
        "saves_allowed": all(allowed) and len(allowed) > 100,
        "decided_by_administrators": all(
            RoleAssignment.objects.filter(user_id=actor, school_id=school, role__slug="school_admin").exists()
            for actor, school in decided.values_list("actor_id", "school_id")
        ),
        "shared_referrals": support.Referral.disclosures.through.objects.count(),
    }


def _threshold_reached(case: support.TruancyCase) -> bool:
    """``services.evaluate_truancy`` as it ran when the case was opened: the student's unexcused absences in the
    school's last school days (the days its records are for, after the student's previous case was closed)."""
    threshold = case.threshold
    if threshold is None:
        return False
    before = support.AttendanceRecord.objects.filter(created_at__lt=case.created_at)
    mine = dict(before.filter(student=case.student_id).values_list("date", "status"))
    closed = (
        support.TruancyCase.objects.filter(student=case.student_id, status="closed", pk__lt=case.pk)
        .order_by("-closed_on")
        .values_list("closed_on", flat=True)
        .first()
    )
    days = before.filter(school_id=case.school_id, date__lte=max(mine))
    if closed is not None:
        days = days.filter(date__gt=closed)
    window = list(days.order_by("-date").values_list("date", flat=True).distinct()[: threshold.within_school_days])
    unexcused = sum(1 for day in window if mine.get(day) == "absent_unexcused")
    return unexcused >= threshold.unexcused_absences and unexcused == case.unexcused_count


@pytest.mark.django_db
def test_small_profile_is_deterministic_and_audited() -> None:
    first = build(command=True)
    second = build(command=False)

    assert "Consistency check of a sample of every record type: ok" in first["output"]
    assert second["counts"] == {**EXPECTED, "audit": EXPECTED_AUDIT_ROWS}
    assert first["audit_rows"] == second["audit_rows"] == EXPECTED_AUDIT_ROWS
    assert first["names"] == second["names"]
    assert all(first["names"])
    assert first["chain"] == []
    assert second["chain"] == []
    assert second["problems"] == []
    assert any("people.Student" in p and "differs from the record" in p for p in second["after_edit"])
    assert second["custody"] == []
    facts = second["incidents"]
    assert facts["numbered_in_order"]
    assert facts["statuses"] == {"approved", "closed"}
    assert facts["offense_codes"] <= {"13B", "35A", "23D", "290", "13C", "520", "90C", "90Z"}
    assert facts["juvenile_disposition_iff_minor"]
    assert facts["arrests_linked_to_students"]
    assert facts["approved_versions"]
    assert facts["shared_schools"]
    assert facts["disclosure_rows"] == facts["shares"] == EXPECTED["incidents.IncidentShare"]
    assert facts["flagged_unjustified"] == 0
    assert facts["custody_events_logged"] == facts["custody_events"] == EXPECTED["incidents.CustodyEvent"]
    drills = second["drills"]
    assert {k: drills[k] for k in EXPECTED_DRILLS} == EXPECTED_DRILLS
    assert drills["conducted_complete"]
    assert drills["observed_named"]
    threats = second["threats"]
    assert {k: threats[k] for k in EXPECTED_THREATS} == EXPECTED_THREATS
    assert threats["closable"]
    assert threats["actors_on_team"]
    assert threats["interviewed_first"]
    alerts = second["alerts"]
    assert {k: alerts[k] for k in EXPECTED_ALERTS} == EXPECTED_ALERTS
    for fact in (
        "audience",
        "one_delivery_per_channel",
        "sent_after_a_good_try",
        "live_after_activation",
        "acknowledged_after_activation",
        "acknowledgements_logged",
        "steps_in_order",
        "cancelled_never_delivered",
        "reports_in_scope",
        "plans_reviewed_this_year",
    ):
        assert alerts[fact], fact
    reunification = second["reunification"]
    assert {k: reunification[k] for k in EXPECTED_REUNIFICATION} == EXPECTED_REUNIFICATION
    assert reunification["after_an_evacuation"]
    assert reunification["released_to_a_guardian"]
    assert reunification["reconciled"]
    facts = second["support"]
    assert facts["deadlines_kept_or_escalated"]
    assert facts["reported_by_reporter"]
    assert facts["thresholds_reached"]
    assert facts["contacts_by_school_staff"]
    assert facts["current_contacts_with_own_students"]
    assert facts["saves_allowed"]
    assert facts["decided_by_administrators"]
    assert facts["shared_referrals"] == EXPECTED["support.Referral_disclosures"]
    assert {k: facts[k] for k in EXPECTED_SUPPORT} == EXPECTED_SUPPORT
