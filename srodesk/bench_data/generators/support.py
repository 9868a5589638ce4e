"""Student support: the community-agency directory, referrals, mandated reports, student contacts, attendance
and truancy, and other agencies' requests, through the support services and record pages.

In the first week of the first school year a counsellor enters the district's directory of community
agencies (the generic record page: ``CommunityAgency``, six plus one for every five schools) and a district
safety director the truancy thresholds (``TruancyThreshold`` on the district's first partnership: 5
unexcused absences within 20 school days, 10 within 60).

From the second week on, the staff of each school record, for the students enrolled there at the time
(rates a school year per 1,000 students of the school):

- student contacts (``StudentContact``, the recorder is the staff member; one to three students, with
  minutes): 60 at an elementary school, 140 at a middle and 160 at a high school, by the school's
  counsellors, school psychologists, administrators and, at a middle or high school, its officer;
- referrals to a community agency (``Referral``, by a counsellor, psychologist or administrator), 25: three in
  four with the parent's (or the adult student's) consent, the others under a recorded exception; most with
  consent have the referral form shared with the agency (``services.share_referral``: a logged disclosure
  and the referral's ``disclosures``); the agency's answer a week or three later (accepted, declined or no
  response) and, for most accepted ones, the service completed months later with its outcome;
- mandated child-abuse/neglect reports (``MandatedReport``, the reporter records the suspicion), 7 at an
  elementary school, 6 at a middle and 4 at a high school: the reporter's oral report to Michigan's
  Centralized Intake (``services.record_oral_report``, a logged disclosure; Michigan asks for it at once,
  tracked as 2 hours from the suspicion: most within the hour, some later, one in twenty late) and the
  written report (``record_written_report``, due 72 hours after the oral report). The escalation run
  (``send-mandated-report-escalations``, every five minutes) leaves a ``MandatedReportEscalation`` for each
  threshold (50, 90 and 100 % of a deadline's window) reached while the report was still unrecorded:
  the email to the reporter and, once overdue, the school's administrators. It writes no audit row;
- requests from other agencies for a student's records (``AgencyRequest``), 4: police, child protective
  services, the juvenile court, attorneys; decided by a school administrator within days
  (``services.decide_request``) and, when granted, the records released (``release_to_agency``, a logged
  disclosure).

Attendance: the schools do not import every student's every day. Each school's attendance office follows
about 3 % of its students a school year (drawn as they enrol; those who leave during the year are not
followed), and a counsellor uploads every Friday the week's absences and tardies of those students
(``AttendanceImport`` applied at once by ``services.import_attendance``: each ``AttendanceRecord`` with the
import's reason, then the truancy cases ``evaluate_truancy`` opens, then the import's result). A followed
student misses a day unexcused with a chance of 2 to 20 % (few are near the top), excused 1 to 4 %, and is
tardy 1 to 5 %. A school day counts for a threshold as the service counts it: a day the school's imports
have a record for. A truancy case (opened by the import's counsellor) gets a parent conference within
days, sometimes an attendance contract, a home visit or a referral (an ``Intervention``, the referral
with it), and is closed one to three months later with its outcome, by the last school day of the year at
the latest.

Every step after ``AS_OF`` never happens: the record stays where it had got to; nor does a step after the
next school year's first roster import (the student may have moved to another school, which a save of the
record would take over). Records are inserted in the week they are made, in their final state; their audit
rows are queued for the week of each step. No partnership has its own mandated-report rule
(``ReportingRule``): Michigan's pack applies. The attendance office's corrections of single records on the
record page, manual truancy cases and deleted records are not generated.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from srodesk.accounts.models import User
from srodesk.organizations.choices import SchoolLevel
from srodesk.organizations.models import Partnership
from srodesk.people.choices import DisclosureBasis, RecipientKind
from srodesk.people.models import Disclosure
from srodesk.people.roster.rows import light_instance
from srodesk.support.choices import (
    AgencyType,
    AttendanceStatus,
    ConsentBy,
    ConsentException,
    ConsentMethod,
    ContactType,
    ImportStatus,
    InterventionKind,
    ReferralStatus,
    ReportChannel,
    ReportedTo,
    RequestDecision,
    TruancyOutcome,
    TruancyStatus,
)
from srodesk.support.deadlines import INITIAL, WRITTEN
from srodesk.support.models import (
    AgencyRequest,
    AttendanceImport,
    AttendanceRecord,
    CommunityAgency,
    Intervention,
    MandatedReport,
    MandatedReportEscalation,
    Referral,
    StudentContact,
    TruancyCase,
    TruancyThreshold,
)
from srodesk.support.rules.mandated_reports import DEFAULT_ESCALATION, IMMEDIATE_SLA_HOURS, pack_for

from ..names import FAMILY, GIVEN, PLACES, phone
from ..simulation import SYSTEM, Actor, Generator, Ids, LaterSteps, Rows, Saves, register, request_id
from ..timeline import AS_OF, TZ, Period, closed, open_before, open_on
from .accounts import Account, Accounts
from .disclosures import log_disclosure
from .officers import weekly
from .organizations import Organizations
from .roster import AtSchool, Kid, Roster
from .threats import Life, _typed, pick

#: Student contacts, referrals, mandated reports and agency requests a school year per 1,000 students, by level.
CONTACT_RATES: dict[str, float] = {SchoolLevel.ELEMENTARY: 60.0, SchoolLevel.MIDDLE: 140.0, SchoolLevel.HIGH: 160.0}
REFERRAL_RATE = 25.0
REPORT_RATES: dict[str, float] = {SchoolLevel.ELEMENTARY: 7.0, SchoolLevel.MIDDLE: 6.0, SchoolLevel.HIGH: 4.0}
REQUEST_RATE = 4.0
#: Share of a school's students whose attendance is followed in a school year.
FOLLOWED_SHARE = 0.03
#: (name, unexcused absences, within school days).
THRESHOLDS = (
    ("Truancy: 5 unexcused absences in 4 weeks", 5, 20),
    ("Habitual truancy: 10 unexcused absences in 12 weeks", 10, 60),
)
#: The escalation run's schedule (``*/5 * * * *``).
ESCALATION_EVERY = dt.timedelta(minutes=5)
STATE_INTAKE = "Michigan DHHS Centralized Intake"

#: (name, type, services).
DIRECTORY = (
    ("{place} Behavioral Health", AgencyType.MENTAL_HEALTH,
     "Outpatient counselling and psychiatric care for children and families; Medicaid accepted; English and Spanish."),
    ("{place} Youth Counseling Center", AgencyType.MENTAL_HEALTH,
     "Individual and family counselling, ages 10-18; sliding-scale fees."),
    ("{place} Recovery Services", AgencyType.SUBSTANCE_ABUSE,
     "Adolescent substance-use assessment, outpatient treatment and family groups."),
    ("{place} County DHHS", AgencyType.CPS,
     "Child protective services: reports of suspected abuse or neglect, 24 hours; foster care."),
    ("{place} Safe House", AgencyType.DOMESTIC_VIOLENCE,
     "Shelter, advocacy and counselling for families affected by domestic violence."),
    ("{place} County Juvenile Court Diversion", AgencyType.JUVENILE,
     "Diversion and restorative-justice programs for first-time juvenile offenders."),
    ("{place} Family Resource Center", AgencyType.OTHER,
     "Food pantry, clothing, housing help and parenting classes."),
    ("{place} Mentoring Program", AgencyType.OTHER,
     "One-to-one adult mentors for students, after school and on weekends."),
)  # fmt: skip
#: (reason, agency types it goes to, weight).
REASONS = (
    ("Anxiety and school avoidance; the family asks for counselling.", (AgencyType.MENTAL_HEALTH,), 30),
    ("Low mood and withdrawal reported by teachers; screening suggests depression.", (AgencyType.MENTAL_HEALTH,), 20),
    ("Grief after a death in the family.", (AgencyType.MENTAL_HEALTH, AgencyType.OTHER), 8),
    ("Vaping and suspected cannabis use on campus.", (AgencyType.SUBSTANCE_ABUSE,), 12),
    ("The family lost its housing and needs food and shelter support.", (AgencyType.OTHER,), 10),
    ("Witnessed violence at home; mother asks for advocacy.", (AgencyType.DOMESTIC_VIOLENCE,), 5),
    ("First-time offense: diversion instead of a petition.", (AgencyType.JUVENILE,), 6),
    ("Needs a positive adult role model; repeated conflicts with peers.", (AgencyType.OTHER,), 9),
)
#: (consent or exception, weight).
CONSENTS = (
    (ConsentBy.PARENT, 75),
    (ConsentException.NO_RECORDS_SHARED, 17),
    (ConsentException.EMERGENCY, 6),
    (ConsentException.CHILD_WELFARE, 2),
)
EXCEPTION_NOTES = {
    ConsentException.NO_RECORDS_SHARED: "Only the agency's contact details were given to the family; nothing shared.",
    ConsentException.EMERGENCY: "The student spoke of self-harm; the crisis team needed the student's details today.",
    ConsentException.CHILD_WELFARE: "Referral made with the report to child protective services.",
}
SHARED = (
    "Referral form with the counsellor's observations",
    "Referral form, attendance summary and the counsellor's notes",
    "Referral form and the screening results",
)
OUTCOMES = (
    "Attended eight sessions; the family reports the student is doing better at school.",
    "Completed the program; no further concerns from teachers.",
    "Service completed; the student continues with a school-based check-in.",
)
#: (contact type, minutes range, summaries).
CONTACTS: dict[str, tuple[tuple[int, int], tuple[str, ...]]] = {
    ContactType.COUNSELLING: ((10, 45), (
        "Check-in about stress over grades; talked through a study plan.",
        "Talked about friendship problems at lunch; agreed to try the lunch club.",
        "Mentoring conversation about goals after graduation.",
        "Student came in upset after a falling-out with friends; calmed down and returned to class.",
    )),
    ContactType.CRISIS: ((20, 90), (
        "Student in distress after a family argument; safety plan reviewed, parent called.",
        "Panic attack in class; breathing exercises and a call home.",
        "Student spoke of hopelessness; risk screening done, parent and psychologist informed.",
    )),
    ContactType.MEDIATION: ((15, 45), (
        "Mediated a conflict between students before it became a fight; agreed to keep apart.",
        "Restorative conversation after a shoving incident in the hallway.",
        "Mediated a dispute over a social-media post.",
    )),
    ContactType.PARENT: ((5, 30), (
        "Called the parent about repeated tardiness.",
        "Met the parent about the student's behaviour on the bus.",
        "Parent asked for help with a conflict with classmates.",
    )),
    ContactType.OTHER: ((5, 20), (
        "Walked the student to class after a late arrival.",
        "Greeted the student at arrival; follow-up on last week's conversation.",
    )),
}  # fmt: skip
#: The contact types each role records, weighted.
CONTACTS_BY_ROLE: dict[str, tuple[tuple[str, int], ...]] = {
    "sro": (
        (ContactType.COUNSELLING, 45), (ContactType.MEDIATION, 30), (ContactType.OTHER, 20), (ContactType.CRISIS, 5),
    ),
    "counselor": (
        (ContactType.COUNSELLING, 60), (ContactType.CRISIS, 10), (ContactType.PARENT, 20), (ContactType.MEDIATION, 10),
    ),
    "bit_member": ((ContactType.COUNSELLING, 50), (ContactType.CRISIS, 35), (ContactType.PARENT, 15)),
    "school_admin": ((ContactType.MEDIATION, 40), (ContactType.PARENT, 50), (ContactType.OTHER, 10)),
}  # fmt: skip
#: Who records student contacts, weighted (an officer only at a middle or high school).
CONTACT_STAFF = (("sro", 35), ("counselor", 40), ("bit_member", 10), ("school_admin", 15))
SUSPICIONS = (
    "The student came to school with bruises on the arms and said a parent hit them with a belt.",
    "The student disclosed being left alone for several days without food.",
    "The student said an adult relative touches them in ways that make them uncomfortable.",
    "Repeated injuries with explanations that do not fit; the student flinches when approached.",
    "The student has come to school hungry and in the same clothes all week; says there is no one at home.",
    "The student told a teacher that a parent threatened to hurt them if they told anyone about the fights.",
)
#: (requester's title, agency, request, legal basis (empty: none), weight).
REQUESTS = (
    ("Det.", "{place} Police Department", "Attendance and class schedule for an open investigation.", "", 25),
    ("Det.", "{place} Police Department", "Emergency contacts and schedule: the student is missing.",
     DisclosureBasis.EMERGENCY, 10),
    ("Caseworker", "{place} County DHHS", "Attendance and wellbeing concerns for an open CPS investigation.",
     DisclosureBasis.EMERGENCY, 20),
    ("Probation officer", "{place} County Juvenile Court", "Attendance and discipline since the last hearing.",
     DisclosureBasis.JUVENILE_JUSTICE, 25),
    ("Attorney", "{place} Legal Services", "Complete education records under the attached subpoena.",
     DisclosureBasis.SUBPOENA, 20),
)  # fmt: skip
#: The threat an emergency request states, by the requesting agency.
THREATS = {
    "{place} Police Department": "The student has been missing since yesterday evening and may be at risk of harm.",
    "{place} County DHHS": "Reasonable cause to suspect neglect: the caseworker must see the student today.",
}
REFUSED = "No legal basis for a release without consent: the requester was referred to the parents."
TRUANCY_OUTCOMES = (
    (TruancyOutcome.IMPROVED, "Attendance improved after the conference.", 45),
    (TruancyOutcome.CONTRACT_KEPT, "The student kept the attendance contract.", 25),
    (TruancyOutcome.REFERRED, "Referred to a community agency for family support.", 12),
    (TruancyOutcome.COURT, "No improvement: referred to the juvenile court.", 8),
    (TruancyOutcome.OTHER, "The family moved within the district; case handed over.", 10),
)
INTERVENTIONS = {
    InterventionKind.PARENT_CONFERENCE: (
        "Met the parent: the barriers to attendance discussed.",
        "Parent will call in absences.",
    ),
    InterventionKind.ATTENDANCE_CONTRACT: ("Attendance contract signed by the student and parent.", ""),
    InterventionKind.HOME_VISIT: (
        "Home visit with the school social worker.",
        "Family asked for help with transport.",
    ),
    InterventionKind.REFERRAL: ("Referred to a community agency for family support.", ""),
}

ORDER: tuple[type[models.Model], ...] = (
    Disclosure,
    CommunityAgency,
    TruancyThreshold,
    Referral,
    MandatedReport,
    MandatedReportEscalation,
    StudentContact,
    AttendanceImport,
    AttendanceRecord,
    TruancyCase,
    Intervention,
    AgencyRequest,
)
CONTACT_STUDENTS = StudentContact._meta.get_field("students")
REFERRAL_DISCLOSURES = Referral._meta.get_field("disclosures")
REQUEST_DISCLOSURES = AgencyRequest._meta.get_field("disclosures")


@dataclass
class Followed:
    """A student whose attendance a school follows this year: daily chances of each mark, from arrival on."""

    kid: Kid
    since: dt.date
    unexcused: float
    excused: float
    tardy: float


@dataclass
class Attendance:
    """A student's imported marks and truancy cases, as ``evaluate_truancy`` reads them."""

    marks: dict[dt.date, str] = field(default_factory=dict)
    #: the moment the open case is closed (``None``: still open at ``AS_OF``) and the day it was closed on.
    case_open_until: dt.datetime | None = None
    has_open_case: bool = False
    closed_on: dt.date | None = None


def school_moment(rng: Any, day: dt.date, start: int = 8 * 60, end: int = 16 * 60) -> dt.datetime:
    """A moment on ``day`` between ``start`` and ``end`` (minutes after midnight, local time), in UTC."""
    minute = start + rng.randrange(end - start)
    local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randrange(60), rng.randrange(10**6)))
    return local.replace(tzinfo=TZ).astimezone(dt.UTC)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TZ).date()


def escalation_ticks(start: dt.datetime, due: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """When the escalation run first sees each threshold of a deadline reached (the run's moment, threshold)."""
    window = due - start
    result = []
    for threshold in DEFAULT_ESCALATION:
        reached = due if threshold >= 100 else start + window * threshold / 100
        tick = dt.datetime.fromtimestamp(
            (int(reached.timestamp() // ESCALATION_EVERY.total_seconds()) + 1) * ESCALATION_EVERY.total_seconds(),
            tz=dt.UTC,
        )
        result.append((tick, threshold))
    return result


@register
class Support(Saves, AtSchool, Generator):
    name = "support"
    writes = (*(m._meta.label for m in ORDER), "support.StudentContact_students")

    def plan(self) -> None:
        self.records = Rows(self.sim.sink, ORDER)
        # Disclosures take their ids from another generator too: none is held over to a later week.
        self.records.ids[Disclosure] = Ids(self.sim.sink, Disclosure, chunk=1)
        self.steps = LaterSteps()
        self.links: dict[Any, list[tuple[int, int]]] = defaultdict(list)
        self.start_pools()
        self.directory: list[dict[str, Any]] = []
        self.thresholds: list[dict[str, Any]] = []
        self.followed: dict[int, list[Followed]] = defaultdict(list)
        self.seen: dict[int, int] = {}
        self.attendance: dict[int, Attendance] = defaultdict(Attendance)
        #: per school, the days its imports have records for (ascending).
        self.school_days: dict[int, list[dt.date]] = defaultdict(list)
        self.started = False
        self.emails: dict[int, str] = {}
        #: by school year: the end of its last week, and the next year's first roster import (when students
        #: move to their next school); ``AS_OF`` for the year in progress.
        self.year_ends: dict[int, dt.datetime] = {}
        self.horizons: dict[int, dt.datetime] = defaultdict(lambda: AS_OF)
        for period in self.sim.periods:
            self.year_ends[period.year] = max(period.end, self.year_ends.get(period.year, period.end))
            if period.first_of_year and period.year > 0:
                self.horizons[period.year - 1] = period.import_at
        self.year_end = self.horizon = AS_OF

    def week(self, period: Period) -> None:
        self.steps.start_week(period)
        self.steps.run_due()
        if period.setup:
            return
        self.refresh(period)
        self.year_end, self.horizon = self.year_ends[period.year], self.horizons[period.year]
        if not self.started:
            self.started = True
            self.set_up(period)
        else:
            self.follow(period)
            org = self.sim.get(Organizations).org
            for info in org.schools:
                times, _ = self.pools.get(info.pk, ([], []))
                students = bisect.bisect_right(times, period.start) / 1000
                kinds: tuple[tuple[Callable[[int, dt.datetime], object], float], ...] = (
                    (self.contact, CONTACT_RATES[info.level]),
                    (self.referral, REFERRAL_RATE),
                    (self.report, REPORT_RATES[info.level]),
                    (self.request, REQUEST_RATE),
                )
                moments = [(at, make) for make, rate in kinds for at in self.times(period, rate * students)]
                for at, make in sorted(moments, key=lambda m: m[0]):
                    make(info.pk, at)
                self.attendance_import(period, info.pk)
        self.insert()

    def finish(self) -> None:
        self.steps.run_all()
        self.insert()
        self.sim.sink.flush()

    def insert(self) -> None:
        self.records.insert()
        for relation, pairs in self.links.items():
            self.sim.sink.link(relation, pairs)
        self.links.clear()

    def when(self, life: Life, moment: dt.datetime) -> dt.datetime | None:
        """The moment of a record's next step, or ``None``: no step after ``AS_OF`` nor once the students have moved
        on to the next school year (the record's student may be at another school then)."""
        if moment >= self.horizon:
            life.stopped = True
            return None
        return life.at(moment)

    def times(self, period: Period, per_year: float) -> list[dt.datetime]:
        """The moments of a week's records at ``per_year`` a school year (none on a day the schools are closed)."""
        rng = self.rng
        moments = [period.work_time(rng) for _ in range(weekly(rng, per_year, period.share))]
        return [at for at in moments if not closed(local_day(at))]

    def accounts_at(self, school: int, *roles: str) -> list[Account]:
        accounts = self.sim.get(Accounts)
        return [a for role in roles for a in accounts.at_school(role, school)]

    # --- set-up: the directory and the thresholds ---------------------------------------------------------
    def set_up(self, period: Period) -> None:
        sim, rng = self.sim, self.rng
        org = sim.get(Organizations).org
        accounts = sim.get(Accounts)
        counsellors = accounts.by_role.get("counselor", [])
        directors = accounts.by_role.get("safety_director", [])
        at = period.work_time(rng)
        if counsellors:
            by = counsellors[0].actor
            names: set[str] = set()
            for i in range(6 + len(org.schools) // 5):
                template, kind, services = DIRECTORY[i % len(DIRECTORY)]
                name = template.format(place=rng.choice(PLACES))
                if name in names:
                    continue
                names.add(name)
                at += dt.timedelta(seconds=rng.randrange(60, 400), microseconds=rng.randrange(10**6))
                self.directory.append(
                    self.created(
                        CommunityAgency,
                        at,
                        by,
                        request_id(rng),
                        district_id=org.district_id,
                        name=name,
                        agency_type=str(kind),
                        contact_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                        phone=phone(rng),
                        crisis_phone="988" if kind == AgencyType.MENTAL_HEALTH else "",
                        services=services,
                    )
                )
        ids = [a.actor.id for a in accounts.accounts if a.actor.id is not None]
        self.emails = dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))
        partnership = Partnership.objects.filter(district_id=org.district_id).order_by("pk").values("pk").first()
        if directors and partnership is not None:
            by = directors[0].actor
            for name, unexcused, days in THRESHOLDS:
                at += dt.timedelta(seconds=rng.randrange(30, 120), microseconds=rng.randrange(10**6))
                self.thresholds.append(
                    self.created(
                        TruancyThreshold,
                        at,
                        by,
                        request_id(rng),
                        partnership_id=partnership["pk"],
                        name=name,
                        unexcused_absences=unexcused,
                        within_school_days=days,
                    )
                )

    def agency(self, kinds: Iterable[str]) -> dict[str, Any] | None:
        fitting = [a for a in self.directory if a["agency_type"] in kinds] or self.directory
        return self.rng.choice(fitting) if fitting else None

    def student_fields(self, kid: Kid, school: int) -> dict[str, Any]:
        return {"district_id": self.sim.get(Organizations).org.district_id, "school_id": school, "student_id": kid.pk}

    def disclosure(self, at: dt.datetime, actor: Actor, request: str, kid: Kid, school: int, **fields: Any) -> int:
        """``people.services.disclose`` at ``at``: the disclosure and its log row; returns its id."""
        values = self.records.new(Disclosure, at, actor, **self.student_fields(kid, school), **fields)
        values["disclosed_at"] = values["disclosed_at"].astimezone(dt.UTC)
        state = dict(values)
        self.later(at, lambda: log_disclosure(self.sim.sink, state, at, actor, request))
        return int(values["id"])

    # --- student contacts -----------------------------------------------------------------------------------
    def contact(self, school: int, at: dt.datetime) -> None:
        rng = self.rng
        choices = [(role, w) for role, w in CONTACT_STAFF if self.accounts_at(school, role)]
        kid = self.student(school, at)
        if not choices or kid is None:
            return
        role = pick(rng, tuple(choices))
        by = rng.choice(self.accounts_at(school, role)).actor
        kind = str(pick(rng, CONTACTS_BY_ROLE[role]))
        (low, high), summaries = CONTACTS[kind]
        students = [kid]
        extra = 1 if kind == ContactType.MEDIATION else rng.choices((0, 1, 2), weights=(80, 15, 5))[0]
        for _ in range(extra):
            other = self.student(school, at, avoid=tuple(students))
            if other is not None:
                students.append(other)
        day = local_day(at)
        occurred = day if rng.random() < 0.7 else open_before(day)
        follow = rng.random() < 0.25
        values = self.created(
            StudentContact,
            at,
            by,
            request_id(rng),
            district_id=self.sim.get(Organizations).org.district_id,
            school_id=school,
            staff_id=by.id,
            contact_type=kind,
            occurred_on=occurred,
            duration_minutes=rng.randrange(low, high + 1),
            summary=rng.choice(summaries),
            follow_up="Check in again next week." if follow else "",
            follow_up_on=open_on(day + dt.timedelta(days=7)) if follow else None,
        )
        self.links[CONTACT_STUDENTS].extend((values["id"], s.pk) for s in students)

    # --- referrals ------------------------------------------------------------------------------------------
    def referral(self, school: int, at: dt.datetime, kid: Kid | None = None, by: Actor | None = None) -> int | None:
        """A referral made at ``at`` (and its later steps); returns its id."""
        rng = self.rng
        kid = kid or self.student(school, at)
        # Counsellors make most referrals (each counts three times over a psychologist or an administrator).
        makers = self.accounts_at(school, "counselor", "counselor", "counselor", "bit_member", "school_admin")
        if kid is None or not makers or not self.directory:
            return None
        by = by or rng.choice(makers).actor
        reason, kinds, _ = rng.choices(REASONS, weights=[r[-1] for r in REASONS])[0]
        agency = self.agency(kinds)
        if agency is None:
            return None
        zone = timezone.get_current_timezone()
        day = local_day(at)
        consent: dict[str, Any]
        basis = pick(rng, CONSENTS)
        if basis == ConsentBy.PARENT:
            birth = kid.birth
            adult = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day)) >= 18
            guardians = kid.family.guardians
            name = (
                f"{kid.given} {kid.family.name}"
                if adult
                else f"{guardians[0].given} {guardians[0].family}"
                if guardians
                else f"Parent of {kid.given} {kid.family.name}"
            )
            consent = {
                "consent_by": str(ConsentBy.ELIGIBLE_STUDENT if adult else ConsentBy.PARENT),
                "consent_by_name": name,
                "consent_at": _typed(at - dt.timedelta(hours=rng.randrange(1, 96)), zone),
                "consent_method": str(pick(rng, ((ConsentMethod.WRITTEN, 50), (ConsentMethod.ELECTRONIC, 30),
                                                 (ConsentMethod.VERBAL, 20)))),
            }  # fmt: skip
        else:
            consent = {"consent_exception": str(basis), "consent_exception_note": EXCEPTION_NOTES[basis]}
        request = request_id(rng)
        values = self.created(
            Referral,
            at,
            by,
            request,
            related={"community_agency": light_instance(CommunityAgency, agency)},
            **self.student_fields(kid, school),
            community_agency_id=agency["id"],
            referred_on=day,
            reason=reason,
            status=str(ReferralStatus.MADE),
            status_on=day,
            follow_up_on=open_on(day + dt.timedelta(days=14)),
            **consent,
        )
        if "consent_at" in values and values["consent_at"] is not None:
            values["consent_at"] = values["consent_at"].astimezone(dt.UTC)  # as read back by the later steps
        life = Life(at)
        shareable = basis != ConsentException.NO_RECORDS_SHARED
        if shareable and rng.random() < 0.65:
            moment = self.when(life, at + dt.timedelta(minutes=rng.randrange(5, 60 * 24)))
            if moment is None:
                return int(values["id"])
            self.share(values, agency, kid, school, moment, by)
        self.referral_answer(values, agency, life, by)
        return int(values["id"])

    def share(
        self, referral: dict[str, Any], agency: dict[str, Any], kid: Kid, school: int, at: dt.datetime, by: Actor
    ) -> None:
        """``services.share_referral``: the disclosure to the agency, added to the referral's disclosures."""
        rng = self.rng
        fields: dict[str, Any] = {
            "recipient_name": agency["contact_name"] or agency["name"],
            "recipient_organization": agency["name"],
            "recipient_kind": str(RecipientKind.CPS if agency["agency_type"] == "cps" else RecipientKind.AGENCY),
            "legitimate_interest": f"Referral #{referral['id']}: {referral['reason']}",
            "records_disclosed": rng.choice(SHARED),
            "disclosed_at": at - dt.timedelta(milliseconds=2),
        }
        if referral["consent_at"] is not None:
            fields["basis"] = str(DisclosureBasis.CONSENT)
        else:
            fields["basis"] = str(DisclosureBasis.EMERGENCY)
            fields["threat_description"] = referral["consent_exception_note"]
        pk = self.disclosure(at, by, request_id(rng), kid, school, **fields)
        self.links[REFERRAL_DISCLOSURES].append((referral["id"], pk))

    def referral_answer(self, values: dict[str, Any], agency: dict[str, Any], life: Life, by: Actor) -> None:
        """The agency's answer on the follow-up day, and for most accepted referrals the service's outcome."""
        rng = self.rng
        related = {"community_agency": light_instance(CommunityAgency, agency)}
        status = pick(
            rng, ((ReferralStatus.ACCEPTED, 65), (ReferralStatus.DECLINED, 10), (ReferralStatus.NO_RESPONSE, 25))
        )
        day = open_on(values["follow_up_on"] + dt.timedelta(days=rng.randrange(0, 5)))
        moment = self.when(life, school_moment(rng, day))
        if moment is None:
            return
        self.updated(
            Referral, values, moment, by, request_id(rng),
            {"status": str(status), "status_on": day}, related=related,
        )  # fmt: skip
        if status != ReferralStatus.ACCEPTED or rng.random() < 0.45:
            return
        day = open_on(day + dt.timedelta(days=rng.randrange(30, 100)))
        moment = self.when(life, school_moment(rng, day))
        if moment is None:
            return
        changes = {"status": str(ReferralStatus.COMPLETED), "status_on": day, "outcome": rng.choice(OUTCOMES),
                   "outcome_on": day}  # fmt: skip
        self.updated(Referral, values, moment, by, request_id(rng), changes, related=related)

    # --- mandated reports -----------------------------------------------------------------------------------
    def report(self, school: int, at: dt.datetime) -> None:
        rng = self.rng
        kid = self.student(school, at)
        reporters = [(role, w) for role, w in (("counselor", 45), ("school_admin", 20), ("bit_member", 20),
                                                ("sro", 15)) if self.accounts_at(school, role)]  # fmt: skip
        if kid is None or not reporters:
            return
        by = rng.choice(self.accounts_at(school, pick(rng, tuple(reporters)))).actor
        zone = timezone.get_current_timezone()
        suspected = _typed(at - dt.timedelta(minutes=rng.randrange(5, 25)), zone)
        informed = suspected - dt.timedelta(minutes=rng.randrange(1, 30)) if rng.random() < 0.3 else None
        values = self.created(
            MandatedReport,
            at,
            by,
            request_id(rng),
            **self.student_fields(kid, school),
            reporter_id=by.id,
            suspicion=rng.choice(SUSPICIONS),
            suspected_at=suspected,
            information_received_at=informed,
        )
        values["suspected_at"] = suspected.astimezone(dt.UTC)
        if informed is not None:
            values["information_received_at"] = informed.astimezone(dt.UTC)
        pack = pack_for("MI", local_day(at))
        sla = IMMEDIATE_SLA_HOURS if pack is None or pack.initial_hours is None else pack.initial_hours
        written_hours = pack.written_hours if pack is not None else None
        life = Life(at)
        # The call to Centralized Intake: most within the hour, one in twenty after the 2-hour service level.
        minutes = rng.choices(((25, 55), (60, 105), (108, 119), (125, 300)), weights=(60, 25, 10, 5))[0]
        called = suspected + dt.timedelta(minutes=rng.randrange(*minutes))
        recorded = self.when(
            life, max(called + dt.timedelta(minutes=rng.randrange(3, 20)), at + dt.timedelta(minutes=2))
        )
        due = suspected + dt.timedelta(hours=sla)
        self.escalate(values, school, INITIAL, suspected, due, at, recorded)
        if recorded is None:
            return
        request = request_id(rng)
        reference = f"{local_day(called):%y}-{rng.randrange(10**6):06d}"
        channel = ReportChannel.PHONE if rng.random() < 0.9 else ReportChannel.ELECTRONIC
        disclosure = self.disclosure(
            recorded - dt.timedelta(milliseconds=3),
            by,
            request,
            kid,
            school,
            disclosed_at=called,
            recipient_name=STATE_INTAKE,
            recipient_organization=STATE_INTAKE,
            recipient_kind=str(RecipientKind.CPS),
            basis=str(DisclosureBasis.EMERGENCY),
            legitimate_interest=f"Mandated child-abuse/neglect report under {pack.statute if pack else 'MCL 722.623'}.",
            records_disclosed=f"Mandated report #{values['id']}: the suspicion and the student's identity "
            f"(agency reference {reference}).",
            threat_description=values["suspicion"],
        )
        self.updated(
            MandatedReport,
            values,
            recorded,
            by,
            request,
            {
                "oral_reported_at": called.astimezone(dt.UTC),
                "oral_report_channel": str(channel),
                "reported_to": str(ReportedTo.CPS),
                "agency_name": STATE_INTAKE,
                "reference_number": reference,
                "disclosure_id": disclosure,
            },
        )
        if written_hours is None:
            return
        hours = rng.choices(((2, 24), (24, 60), (60, 71), (73, 110)), weights=(70, 18, 8, 4))[0]
        filed = _typed(called + dt.timedelta(hours=rng.randrange(*hours), minutes=rng.randrange(60)), zone)
        filed_recorded = self.when(life, filed + dt.timedelta(minutes=rng.randrange(5, 60)))
        self.escalate(values, school, WRITTEN, called, called + dt.timedelta(hours=written_hours), recorded,
                      filed_recorded)  # fmt: skip
        if filed_recorded is None:
            return
        self.updated(
            MandatedReport, values, filed_recorded, by, request_id(rng), {"written_filed_at": filed.astimezone(dt.UTC)}
        )

    def escalate(
        self,
        report: dict[str, Any],
        school: int,
        kind: str,
        start: dt.datetime,
        due: dt.datetime,
        open_from: dt.datetime,
        met: dt.datetime | None,
    ) -> None:
        """The escalation run's records for a deadline not yet met when a threshold was reached: each run that
        sees new thresholds emails the highest (the reporter; once overdue, the school's administrators too)."""
        admins = {self.emails[a.actor.id or 0] for a in self.accounts_at(school, "school_admin")}
        runs: dict[dt.datetime, list[int]] = defaultdict(list)
        for tick, threshold in escalation_ticks(start.astimezone(dt.UTC), due.astimezone(dt.UTC)):
            if open_from < tick < AS_OF and (met is None or tick < met):
                runs[tick].append(threshold)
        for tick, thresholds in sorted(runs.items()):
            top = max(thresholds)
            recipients = {self.emails[report["reporter_id"]]} | (admins if top >= 100 else set())
            for threshold in thresholds:
                self.records.new(
                    MandatedReportEscalation,
                    tick,
                    SYSTEM,
                    report_id=report["id"],
                    deadline=kind,
                    threshold=threshold,
                    sent_at=tick,
                    recipients=sorted(recipients) if threshold == top else [],
                )

    # --- agency requests ------------------------------------------------------------------------------------
    def request(self, school: int, at: dt.datetime) -> None:
        rng = self.rng
        kid = self.student(school, at)
        clerks = self.accounts_at(school, "school_admin", "counselor")
        deciders = self.accounts_at(school, "school_admin")
        if kid is None or not clerks or not deciders:
            return
        title, agency, text, basis, _ = rng.choices(REQUESTS, weights=[r[-1] for r in REQUESTS])[0]
        zone = timezone.get_current_timezone()
        place = rng.choice(PLACES)
        received = _typed(at - dt.timedelta(minutes=rng.randrange(10, 60 * 24)), zone)
        by = rng.choice(clerks).actor
        values = self.created(
            AgencyRequest,
            at,
            by,
            request_id(rng),
            **self.student_fields(kid, school),
            requester_name=f"{title} {rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            requester_agency=agency.format(place=place),
            received_at=received,
            request_text=text,
            threat_description=THREATS[agency] if basis == DisclosureBasis.EMERGENCY else "",
            court_order_reference=f"{at.year}-{rng.randrange(1000, 99999)}-CZ"
            if basis == DisclosureBasis.SUBPOENA
            else "",
        )
        values["received_at"] = received.astimezone(dt.UTC)
        life = Life(at)
        day = open_on(local_day(at) + dt.timedelta(days=rng.randrange(0, 6)))
        decided = self.when(life, school_moment(rng, day))
        if decided is None:
            return
        decision = (
            pick(rng, ((RequestDecision.GRANTED, 70), (RequestDecision.PARTLY, 20), (RequestDecision.REFUSED, 10)))
            if basis
            else RequestDecision.REFUSED
        )
        release = decision != RequestDecision.REFUSED
        reason = (
            f"Released under {DisclosureBasis(basis).label}." + (" Only the records the request names." if
                                                                 decision == RequestDecision.PARTLY else "")
            if release
            else REFUSED
        )  # fmt: skip
        principal = rng.choice(deciders).actor
        self.updated(
            AgencyRequest,
            values,
            decided,
            principal,
            request_id(rng),
            {
                "decision": str(decision),
                "decision_reason": reason,
                "legal_basis": str(basis) if release else "",
                "decided_at": decided - dt.timedelta(milliseconds=2),
            },
        )
        if not release:
            return
        released = self.when(life, decided + dt.timedelta(minutes=rng.randrange(5, 180)))
        if released is None:
            return
        pk = self.disclosure(
            released,
            principal,
            request_id(rng),
            kid,
            school,
            recipient_name=values["requester_name"],
            recipient_organization=values["requester_agency"],
            recipient_kind=str(RecipientKind.AGENCY),
            requested_by=values["requester_name"],
            basis=str(basis),
            legitimate_interest=reason,
            records_disclosed="Attendance and discipline summary" if decision == RequestDecision.PARTLY
            else "Attendance, schedule and discipline records",
            threat_description=values["threat_description"],
            court_order_reference=values["court_order_reference"],
            disclosed_at=released - dt.timedelta(milliseconds=2),
        )  # fmt: skip
        self.links[REQUEST_DISCLOSURES].append((values["id"], pk))

    # --- attendance and truancy -----------------------------------------------------------------------------
    def follow(self, period: Period) -> None:
        """The students each school starts to follow this week: a share of those who arrived since last week."""
        rng, roster = self.rng, self.sim.get(Roster)
        if period.first_of_year:
            self.followed.clear()
            self.seen.clear()
        leaving = period.year == roster.last_year
        first_day = period.start.date()
        for school, (times, kids) in self.pools.items():
            start = self.seen.get(school, 0)
            arrived = bisect.bisect_right(times, period.start)
            for at, kid in zip(times[start:arrived], kids[start:arrived], strict=True):
                if rng.random() >= FOLLOWED_SHARE or (leaving and kid.withdrawn >= 0):
                    continue
                since = max(local_day(at), first_day)
                self.followed[school].append(
                    Followed(kid, since, 0.02 + 0.18 * rng.random() ** 2, 0.01 + 0.03 * rng.random(),
                             0.01 + 0.04 * rng.random())
                )  # fmt: skip
            self.seen[school] = arrived

    def attendance_import(self, period: Period, school: int) -> None:
        """The week's marks of the school's followed students, uploaded by a counsellor on the last school day."""
        rng = self.rng
        days = [d for d in period.days() if not closed(d)]
        uploaders = self.accounts_at(school, "counselor") or self.accounts_at(school, "school_admin")
        if not days or not uploaders or not self.followed.get(school):
            return
        marks: list[tuple[Followed, dt.date, str]] = []
        for pupil in self.followed[school]:
            for day in days:
                if day < pupil.since:
                    continue
                draw = rng.random()
                if draw < pupil.unexcused:
                    marks.append((pupil, day, AttendanceStatus.ABSENT_UNEXCUSED))
                elif draw < pupil.unexcused + pupil.excused:
                    marks.append((pupil, day, AttendanceStatus.ABSENT_EXCUSED))
                elif draw < pupil.unexcused + pupil.excused + pupil.tardy:
                    marks.append((pupil, day, AttendanceStatus.TARDY))
        if not marks:
            return
        by = rng.choice(uploaders).actor
        at = school_moment(rng, days[-1], 14 * 60 + 30, 16 * 60 + 30)
        request = request_id(rng)
        upload = self.created(
            AttendanceImport,
            at,
            by,
            request,
            district_id=self.sim.get(Organizations).org.district_id,
            school_id=school,
            status=str(ImportStatus.QUEUED),
            source_name=f"attendance-{days[-1]:%Y-%m-%d}.csv",
        )
        # The service marks it running with a queryset update (no change row), then applies the rows.
        moment = at + dt.timedelta(milliseconds=30)
        upload.update(status=str(ImportStatus.RUNNING), started_at=moment)
        reason = f"attendance import #{upload['id']}"
        marks.sort(key=lambda m: (m[1], m[0].kid.pk))
        school_days = self.school_days[school]
        for pupil, day, status in marks:
            moment += dt.timedelta(milliseconds=6)
            self.created(
                AttendanceRecord,
                moment,
                by,
                request,
                audit_reason=reason,
                **self.student_fields(pupil.kid, school),
                date=day,
                status=str(status),
                attendance_import_id=upload["id"],
            )
            self.attendance[pupil.kid.pk].marks[day] = str(status)
            if not school_days or school_days[-1] < day:
                school_days.append(day)
        opened = 0
        for kid in sorted({m[0].kid for m in marks}, key=lambda k: (k.family.name, k.given, k.pk)):
            moment += dt.timedelta(milliseconds=8)
            opened += self.evaluate(kid, school, moment, by, request)
        moment += dt.timedelta(milliseconds=10)
        summary = {"created": len(marks), "updated": 0, "unchanged": 0, "cases_opened": opened}
        changes = {"status": str(ImportStatus.SUCCEEDED), "errors": [], "summary": summary, "finished_at": moment}
        self.updated(AttendanceImport, upload, moment, by, request, changes)

    def evaluate(self, kid: Kid, school: int, at: dt.datetime, by: Actor, request: str) -> int:
        """``services.evaluate_truancy`` for one student: opens a case (returns 1) when a threshold is reached."""
        state = self.attendance[kid.pk]
        if not self.thresholds or (
            state.has_open_case and (state.case_open_until is None or state.case_open_until > at)
        ):
            return 0
        state.has_open_case = False
        latest = max(state.marks)
        known = self.school_days[school]
        end = bisect.bisect_right(known, latest)
        for threshold in self.thresholds:
            days = []
            for day in reversed(known[max(0, end - threshold["within_school_days"]) : end]):
                if state.closed_on is not None and day <= state.closed_on:
                    break
                days.append(day)
            if not days:
                continue
            unexcused = sum(1 for day in days if state.marks.get(day) == AttendanceStatus.ABSENT_UNEXCUSED)
            if unexcused < threshold["unexcused_absences"]:
                continue
            self.truancy_case(kid, school, at, by, request, threshold, unexcused, days)
            return 1
        return 0

    def truancy_case(
        self,
        kid: Kid,
        school: int,
        at: dt.datetime,
        by: Actor,
        request: str,
        threshold: dict[str, Any],
        unexcused: int,
        days: list[dt.date],
    ) -> None:
        """The case the threshold opens, its interventions and its closure."""
        rng = self.rng
        rule = light_instance(TruancyThreshold, threshold)
        opened_on = local_day(at)
        case = self.created(
            TruancyCase,
            at,
            by,
            request,
            audit_reason="attendance threshold reached",
            **self.student_fields(kid, school),
            opened_on=opened_on,
            threshold_id=threshold["id"],
            unexcused_count=unexcused,
            trigger=(
                f"{unexcused} unexcused absences in the {len(days)} school days "
                f"{min(days):%Y-%m-%d} to {max(days):%Y-%m-%d} ({rule})."
            ),
        )
        state = self.attendance[kid.pk]
        state.has_open_case, state.case_open_until = True, None
        # Counsellors work most cases (each counts twice over an administrator).
        staff = self.accounts_at(school, "counselor", "counselor", "school_admin")
        life = Life(at)
        day = opened_on
        kinds = [InterventionKind.PARENT_CONFERENCE]
        kinds += [InterventionKind.ATTENDANCE_CONTRACT] if rng.random() < 0.5 else []
        kinds += [InterventionKind.HOME_VISIT] if rng.random() < 0.25 else []
        kinds += [InterventionKind.REFERRAL] if rng.random() < 0.2 else []
        for kind in kinds:
            day = open_on(day + dt.timedelta(days=rng.randrange(1, 6)))
            moment = self.when(life, school_moment(rng, day))
            if moment is None:
                return
            worker = rng.choice(staff).actor
            referral = None
            if kind == InterventionKind.REFERRAL:
                referral = self.referral(school, moment, kid, worker)
                if referral is None:
                    continue
                moment = self.when(life, moment + dt.timedelta(minutes=rng.randrange(2, 10)))
                if moment is None:
                    return
            notes, outcome = INTERVENTIONS[kind]
            self.created(
                Intervention,
                moment,
                worker,
                request_id(rng),
                district_id=case["district_id"],
                school_id=school,
                case_id=case["id"],
                kind=str(kind),
                occurred_on=day,
                notes=notes,
                referral_id=referral,
                outcome=outcome,
            )
        # Closed one to three months later, at the latest on the last school day of the year.
        day = min(open_on(day + dt.timedelta(days=rng.randrange(20, 70))), open_before(local_day(self.year_end)))
        moment = self.when(life, max(school_moment(rng, day), life.clock + dt.timedelta(minutes=30)))
        if moment is None:
            return
        day = local_day(moment)
        outcome, notes, _ = rng.choices(TRUANCY_OUTCOMES, weights=[o[-1] for o in TRUANCY_OUTCOMES])[0]
        changes = {
            "status": str(TruancyStatus.CLOSED),
            "outcome": str(outcome),
            "outcome_notes": notes,
            "closed_on": day,
        }
        self.updated(TruancyCase, case, moment, rng.choice(staff).actor, request_id(rng), changes)
        state.case_open_until, state.closed_on = moment, day
