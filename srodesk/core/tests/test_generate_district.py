"""`srodesk generate-district --profile small`: exact counts, the same names for the same seed, a valid chain,
law-enforcement records as the services make them (numbers, review versions, shares, custody chains), the
drills each school holds (its state's rule pack, through the drill services' steps) and the threat-assessment
teams and CSTAG cases (through the threat services' steps)."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from srodesk.audit.models import AuditEvent, verify_chain
from srodesk.bench_data import generate
from srodesk.bench_data.check import problems
from srodesk.drills.models import Drill
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
    "people.Disclosure": 165,
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
}
EXPECTED_AUDIT_ROWS = 7805
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
