"""FERPA disclosures, recorded through ``people.services.disclose`` by school administrators and counsellors.

Each one is a request of a user of the student's school at the time: the change row of the new
disclosure, then the disclosure-log row the service appends, with the same actor and request id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from srodesk.audit.models import AuditEvent
from srodesk.people.choices import DisclosureBasis, RecipientKind
from srodesk.people.models import Disclosure
from srodesk.people.roster.rows import light_instance

from ..names import FAMILY, GIVEN, PLACES
from ..simulation import Actor, Generator, Sink, register, request_id
from ..timeline import Period
from .accounts import Accounts
from .officers import weekly
from .organizations import Organizations
from .roster import Roster

#: basis, weight, recipient kind, organisation, records, why.
BASES: tuple[tuple[str, int, str, str, str, str], ...] = (
    (
        DisclosureBasis.TRANSFER,
        30,
        RecipientKind.SCHOOL,
        "{place} Public Schools",
        "Cumulative file, attendance and discipline records",
        "The student enrolled there and the records follow the student.",
    ),
    (
        DisclosureBasis.CONSENT,
        18,
        RecipientKind.HEALTH,
        "{place} Family Health",
        "Attendance and IEP summary",
        "Written consent of the parent for the student's treatment plan.",
    ),
    (
        DisclosureBasis.SUBPOENA,
        12,
        RecipientKind.COURT,
        "{place} County Circuit Court",
        "Attendance records",
        "Subpoena duces tecum in a pending matter.",
    ),
    (
        DisclosureBasis.EMERGENCY,
        10,
        RecipientKind.LAW_ENFORCEMENT,
        "{place} Police Department",
        "Schedule, photo and emergency contacts",
        "Officers needed to locate the student during an emergency.",
    ),
    (
        DisclosureBasis.JUVENILE_JUSTICE,
        10,
        RecipientKind.LAW_ENFORCEMENT,
        "{place} Juvenile Court",
        "Attendance and discipline history",
        "Disclosure under the state juvenile-justice information-sharing statute.",
    ),
    (
        DisclosureBasis.CHILD_WELFARE,
        8,
        RecipientKind.CPS,
        "{place} County Child Protective Services",
        "Attendance and contacts",
        "The student is in foster care; the caseworker needs the education records.",
    ),
    (
        DisclosureBasis.AUDIT,
        6,
        RecipientKind.AGENCY,
        "State Department of Education",
        "Enrolment and program records",
        "Compliance audit of the district's federal programs.",
    ),
    (
        DisclosureBasis.DIRECTORY,
        6,
        RecipientKind.OTHER,
        "{place} Youth League",
        "Name, grade and school",
        "Directory information; the parent did not opt out.",
    ),
)
THREATS = (
    "A credible threat of self-harm reported by a classmate; immediate welfare check required.",
    "The student was reported missing after leaving campus during a lockdown.",
    "A threat of violence against students posted online, naming the student as the source.",
)


@register
class Disclosures(Generator):
    name = "disclosures"
    writes = ("people.Disclosure",)

    def week(self, period: Period) -> None:
        if period.setup:
            return
        sim, rng = self.sim, self.rng
        roster = sim.get(Roster)
        accounts = sim.get(Accounts)
        count = weekly(rng, sim.profile.disclosures_rate * sim.profile.students / 1000, period.share)
        moments = sorted(period.work_time(rng) for _ in range(count))
        entries: list[tuple[dt.datetime, Any, Any]] = []
        for at in moments:
            enrolled = roster.enrolled_before(at)
            if not enrolled:
                continue
            kid = roster.enrolled[rng.randrange(enrolled)]
            school = kid.school_in(period.year, roster.last_year)
            staff = accounts.at_school("school_admin", school) + accounts.at_school("counselor", school)
            if staff:
                entries.append((at, kid, staff[rng.randrange(len(staff))]))
        if not entries:
            return
        org = sim.get(Organizations).org
        rows = []
        for (at, kid, account), pk in zip(entries, sim.sink.ids(Disclosure, len(entries)), strict=True):
            basis, _, kind, organisation, records, why = rng.choices(BASES, weights=[b[1] for b in BASES])[0]
            disclosed_at = at - dt.timedelta(minutes=rng.randrange(5, 60 * 24 * 3))
            values = sim.sink.defaults(Disclosure)
            values.update(
                id=pk,
                district_id=org.district_id,
                school_id=kid.school_in(period.year, roster.last_year),
                student_id=kid.pk,
                disclosed_at=disclosed_at.astimezone(dt.UTC),
                recipient_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                recipient_organization=organisation.format(place=rng.choice(PLACES)),
                recipient_kind=kind,
                basis=basis,
                legitimate_interest=why,
                records_disclosed=records,
                threat_description=rng.choice(THREATS) if basis == DisclosureBasis.EMERGENCY else "",
                court_order_reference=f"{at.year}-{rng.randrange(1000, 99999)}-FC"
                if basis == DisclosureBasis.SUBPOENA
                else "",
                parent_notified_on=(disclosed_at - dt.timedelta(days=rng.randrange(10, 30))).date()
                if basis == DisclosureBasis.SUBPOENA
                else None,
                created_at=at,
                updated_at=at,
                created_by_id=account.actor.id,
                updated_by_id=account.actor.id,
            )
            rows.append(values)
            log_disclosure(sim.sink, values, at, account.actor, request_id(rng))
        sim.sink.insert(Disclosure, rows)


def log_disclosure(sink: Sink, values: dict[str, Any], at: dt.datetime, actor: Actor, request: str) -> None:
    """Queue the rows ``people.services.disclose`` writes for the disclosure ``values`` saved at ``at``: its change
    row, then the disclosure-log row of the same request."""
    sink.change(
        Disclosure,
        values,
        at=at + dt.timedelta(milliseconds=4),
        action="create",
        after=sink.snapshot(Disclosure, values),
        actor=actor,
        request_id=request,
    )
    sink.event(
        at=at + dt.timedelta(milliseconds=6),
        kind=AuditEvent.Kind.DISCLOSURE,
        action=AuditEvent.Action.CREATE,
        actor=actor,
        request_id=request,
        model=Disclosure,
        object_id=values["id"],
        object_repr=str(light_instance(Disclosure, values)),
        district_id=values["district_id"],
        school_id=values["school_id"],
        detail={
            "student": values["student_id"],
            "basis": values["basis"],
            "recipient_name": values["recipient_name"],
            "recipient_organization": values["recipient_organization"],
            "recipient_kind": values["recipient_kind"],
            "disclosed_at": values["disclosed_at"],
        },
    )
