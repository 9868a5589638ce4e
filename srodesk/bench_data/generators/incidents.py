"""Law-enforcement records: the incidents School Resource Officers report, with everything that hangs on them.

Every school day the officers of the middle and high schools write incident reports about their
students — mostly simple assaults, drugs, weapons, thefts, vandalism, intimidation and disorderly
conduct — through the wizard, one request per part: the draft, its offenses, the involved persons (each
linked to the roster student or staff member, with the NIBRS age, sex, race and ethnicity the officer
recorded), victim–offender relationships, property, arrests and citations (with the juvenile disposition
for anyone under 18), uses of force, searches with their legal basis, and evidence with its chain of
custody. The report then goes through the review the services run (``incidents.services``): submitted
(frozen as a version), sometimes returned with comments and submitted again, approved by the agency's
supervisor (frozen again, ``version`` bumped), and closed weeks later; some are shared with the school
(a logged disclosure), and many students are also referred to a school administrator for the school-rule
side (a discipline referral the school answers). Officers also refer school-rule matters without any
incident. Custody events are chained by ``incidents.custody.compute_hash`` and logged as
``custody.record_event`` logs them, so ``verify-custody`` passes.

Each step is written with the audit rows the service writes for it, at the moment it happened: steps
that fall in a later week wait in a queue until that week, and steps after ``AS_OF`` never happen (the
record stays at the status it had reached). Numbers are agency-unique per calendar year, in order.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import models

from srodesk.audit.models import AuditEvent
from srodesk.incidents import custody
from srodesk.incidents import services as incident_services
from srodesk.incidents.choices import CustodyAction, IncidentStatus
from srodesk.incidents.models import (
    Arrest,
    CustodyEvent,
    DisciplineReferral,
    EvidenceItem,
    Incident,
    IncidentShare,
    IncidentVersion,
    InvolvedPerson,
    Offense,
    Property,
    Pursuit,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)
from srodesk.organizations.models import School
from srodesk.people.models import StaffMember, Student
from srodesk.people.roster.rows import light_instance

from ..simulation import Actor, Generator, LaterSteps, Rows, register, request_id
from ..timeline import AS_OF, Period
from .accounts import Account, Accounts
from .officers import weekly
from .organizations import Organizations
from .roster import Adult, AtSchool, Kid

#: UCR offense, weight (share of offenses in school incidents).
OFFENSES: tuple[tuple[str, int], ...] = (
    ("13B", 30), ("35A", 18), ("23D", 12), ("290", 10), ("13C", 10), ("520", 8), ("90C", 6), ("90Z", 6),
)  # fmt: skip
PERSON_CRIMES = frozenset({"13B", "13C"})
#: Crimes against society: the victim is society/public (NIBRS victim type S).
SOCIETY = frozenset({"35A", "520"})
GROUP_B = frozenset({"90C", "90Z"})
#: Chance of an arrest or citation, of a search, of evidence being seized, by the first offense.
ARREST = {"13B": 0.2, "35A": 0.35, "23D": 0.15, "290": 0.15, "13C": 0.1, "520": 0.45, "90C": 0.2, "90Z": 0.15}
SEARCH = {"35A": 0.8, "520": 0.85, "23D": 0.35}
TITLES = {
    "13B": ("Fight in the {spot}", "Student assaulted in the {spot}", "Fight after school near the {spot}"),
    "35A": ("Marijuana found in a backpack", "THC vape seized in the {spot}", "Pills found on a student"),
    "23D": ("Phone stolen from the {spot}", "Theft of a Chromebook", "Wallet taken from a gym locker"),
    "290": ("Graffiti in the {spot}", "Bathroom stall door broken", "Window damaged near the {spot}"),
    "13C": ("Threats made to a student", "Threatening messages online", "Student threatened in the {spot}"),
    "520": ("Knife found in a locker", "Student carrying a knife in the {spot}", "Replica handgun on campus"),
    "90C": ("Disturbance in the {spot}", "Disorderly conduct at the {spot}", "Disruption during lunch"),
    "90Z": ("Trespass after suspension", "Curfew violation near the {spot}", "Other offense in the {spot}"),
}
SPOTS = ("cafeteria", "east stairwell", "gym", "locker room", "main hallway", "library", "bus loop", "courtyard")
SOURCES = (("school_referral", 45), ("on_view", 30), ("call", 10), ("tip", 8), ("walk_in", 5), ("other_agency", 2))
RELATIONSHIPS = (
    ("Acquaintance", 60), ("Friend", 15), ("NonFamily_Otherwise Known", 10), ("Boyfriend_Girlfriend", 8),
    ("Relationship Unknown", 5), ("Stranger", 2),
)  # fmt: skip
#: (legal basis, who conducted it, weight): an officer's search on reasonable suspicion needs a justification.
SEARCHES = (
    ("reasonable_suspicion", "school_official", 40), ("consent", "sro", 20), ("probable_cause", "sro", 15),
    ("reasonable_suspicion", "both", 8), ("exigency", "sro", 3), ("reasonable_suspicion", "sro", 3),
    ("warrant", "sro", 1),
)  # fmt: skip
WHAT = {"520": "a weapon", "35A": "drugs"}
SEARCH_SUBJECTS = (("bag", 40), ("person", 25), ("locker", 20), ("phone", 8), ("vehicle", 7))
BEHAVIOURS = (
    "Fighting", "Possession of a prohibited item", "Disrespect toward staff", "Leaving class without permission",
    "Threatening another student", "Damage to school property", "Bullying", "Tobacco or vape use on campus",
)  # fmt: skip
RESPONSES = (
    "Met with the student and parent; two-day out-of-school suspension.",
    "Restorative conference held with both students.",
    "After-school detention and a behaviour plan with the counsellor.",
    "Parent conference; loss of privileges for two weeks.",
    "Referred to the counsellor; no further action.",
)
SHARE_REASONS = (
    "The school is holding a discipline hearing for the student involved.",
    "Safety plan for the victim at school.",
    "The principal needs the report for the expulsion review.",
)
RACE_CODES = {"white": "W", "black": "B", "asian": "A", "american_indian": "I", "pacific_islander": "P"}
SEX_CODES = {"male": "M", "female": "F"}


def pick(rng: Any, weighted: tuple[tuple[Any, ...], ...]) -> Any:
    """One entry of ``(value…, weight)`` tuples, by weight (the whole tuple but the weight)."""
    entry = rng.choices(weighted, weights=[w[-1] for w in weighted])[0]
    return entry[0] if len(entry) == 2 else entry[:-1]


#: Models in the order their rows are inserted (each refers only to earlier ones).
ORDER: tuple[type[models.Model], ...] = (
    Incident,
    Offense,
    InvolvedPerson,
    VictimOffenderRelationship,
    Property,
    Arrest,
    UseOfForce,
    Search,
    Pursuit,
    EvidenceItem,
    CustodyEvent,
    Supplement,
    IncidentShare,
    IncidentVersion,
    DisciplineReferral,
)


@register
class Incidents(AtSchool, Generator):
    name = "incidents"
    writes = (*(m._meta.label for m in ORDER), "incidents.InvolvedPerson_offenses")

    def plan(self) -> None:
        self.records = Rows(self.sim.sink, ORDER)
        self.victim_links: list[tuple[int, int]] = []
        self.steps = LaterSteps()
        self.numbers: dict[tuple[str, int, int], int] = defaultdict(int)
        self.start_pools()

    # --- the queue of later steps ---------------------------------------------------------------------
    def later(self, at: dt.datetime, step: Callable[[], None]) -> bool:
        """Run ``step`` (it queues audit rows) in the week of ``at``; ``False`` if that is after ``AS_OF``."""
        return self.steps.add(at, step)

    def week(self, period: Period) -> None:
        self.steps.start_week(period)
        self.steps.run_due()
        if period.setup:
            return
        sim, rng = self.sim, self.rng
        self.refresh(period)
        sros = sim.get(Accounts).by_role["sro"]
        # The officers' students: the enrolment of their schools this week (an officer's share of the
        # reports is their school's share of it).
        sizes = [bisect.bisect_right(self.pools.get(a.school_id or 0, ([], []))[0], period.start) for a in sros]
        served = sum(sizes) / 1000
        if served:
            reports = sorted(
                (period.work_time(rng), rng.choices(sros, weights=sizes)[0])
                for _ in range(weekly(rng, sim.profile.incidents_rate * served, period.share))
            )
            for at, account in reports:
                self.incident(period, at, account)
            referrals = sorted(
                (period.work_time(rng), rng.choices(sros, weights=sizes)[0])
                for _ in range(weekly(rng, sim.profile.referrals_rate * served, period.share))
            )
            for at, account in referrals:
                kid = self.student(account.school_id, at)
                if kid is not None:
                    self.referral(period, at, account, kid, rng.choice(BEHAVIOURS))
        self.insert()

    def finish(self) -> None:
        self.steps.run_all()
        self.sim.sink.flush()

    def insert(self) -> None:
        sink = self.sim.sink
        self.records.insert()
        sink.link(InvolvedPerson._meta.get_field("offenses"), self.victim_links)
        self.victim_links = []

    def adult(self, school: int | None) -> Adult | None:
        staff = self.staff.get(school or 0)
        return staff[self.rng.randrange(len(staff))] if staff else None

    def number(self, kind: str, agency: int, at: dt.datetime, pattern: str) -> str:
        key = (kind, agency, at.year)
        self.numbers[key] += 1
        return pattern.format(year=at.year, n=self.numbers[key])

    # --- records ------------------------------------------------------------------------------------------
    def log(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        at: dt.datetime,
        actor: Actor,
        request: str,
        *,
        before: dict[str, Any] | None = None,
        reason: str = "",
        related: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue the change hook's row of a save (``before`` given: an update) and return the snapshot."""
        return self.sim.sink.saved(
            model, values, at=at, actor=actor, request_id=request, before=before, reason=reason, related=related
        )

    def incident(self, period: Period, at: dt.datetime, account: Account) -> None:
        sim, rng = self.sim, self.rng
        org = sim.get(Organizations).org
        school_id, agency_id, officer = account.school_id, account.agency_id, account.actor
        first = self.student(school_id, at)
        if first is None or agency_id is None:
            return
        codes = [pick(rng, OFFENSES)]
        if rng.random() < 0.15:
            extra = pick(rng, OFFENSES)
            if extra not in codes and (extra in GROUP_B) == (codes[0] in GROUP_B):
                codes.append(extra)
        code = codes[0]
        spot = rng.choice(SPOTS)
        online = code == "13C" and rng.random() < 0.3
        parking = not online and rng.random() < 0.08
        occurred = at - dt.timedelta(minutes=rng.randrange(5, 120), seconds=rng.randrange(60))
        source = pick(rng, SOURCES)
        reporter = self.adult(school_id)
        number = self.number("incident", agency_id, occurred, "{year}-{n:06d}")
        title = rng.choice(TITLES[code]).format(spot=spot)
        offenders = [first]
        if rng.random() < 0.2:
            second = self.student(school_id, at, avoid=(first,))
            if second is not None:
                offenders.append(second)
        clock = [at]

        def tick(low: int = 20, high: int = 240) -> dt.datetime:
            clock[0] += dt.timedelta(seconds=rng.randrange(low, high), microseconds=rng.randrange(10**6))
            return clock[0]

        incident = self.records.new(
            Incident,
            at,
            officer,
            district_id=org.district_id,
            school_id=school_id,
            agency_id=agency_id,
            number=number,
            title=title,
            location_type="58" if online else "18" if parking else "53",
            school_relation="online" if online else "on_grounds",
            location_detail="" if online else "Student parking lot" if parking else spot.capitalize(),
            occurred_at=occurred,
            source=source,
            referred_by=f"{reporter.given} {reporter.family}" if source == "school_referral" and reporter else "",
            narrative=self.narrative(title, occurred, len(offenders)),
            officer_id=officer.id,
        )
        draft = dict(incident)
        request = request_id(rng)
        created = self.log(Incident, draft, at + dt.timedelta(milliseconds=4), officer, request)
        parts: dict[str, list[tuple[dict[str, Any], dict[str, Any], str]]] = defaultdict(list)

        def part(key: str, model: type[models.Model], related: dict[str, Any] | None = None, **fields: Any) -> Any:
            when = tick()
            values = self.records.new(model, when, officer, incident_id=incident["id"], **fields)
            snap = self.log(
                model, values, when + dt.timedelta(milliseconds=3), officer, request_id(rng), related=related
            )
            instance = light_instance(model, values)
            for name, obj in (related or {}).items():
                instance._state.fields_cache[name] = obj
            parts[key].append((values, snap, str(instance)))
            return values, instance

        offenses = []
        for ucr in codes:
            weapons = {"13B": ["40"], "520": ["20"] if rng.random() < 0.9 else ["12"]}.get(ucr, [])
            values, _ = part(
                "offenses",
                Offense,
                ucr_code=ucr,
                attempted_completed="A" if rng.random() < 0.05 else "C",
                offender_suspected_of_using=["D"] if ucr == "35A" else ["C"] if online else ["N"],
                location_type="",
                criminal_activities=[rng.choice("PPPUD")] if ucr in SOCIETY else [],
                weapons_force=weapons,
            )
            offenses.append(values)
        sequence: dict[str, int] = defaultdict(int)

        def person(role: str, who: Kid | Adult | None, at_: dt.datetime, **fields: Any) -> tuple[dict[str, Any], Any]:
            sequence[role] += 1
            related: dict[str, Any] = {}
            if isinstance(who, Kid):
                # Given descriptors win: the arrestee is described as the same officer described the offender.
                fields = {"student_id": who.pk, **self.descriptors(who, at_), **fields}
                related["student"] = light_instance(
                    Student, {"id": who.pk, "given_name": who.given, "family_name": who.family.name}
                )
            elif isinstance(who, Adult):
                fields.update(staff_member_id=who.pk, **self.adult_descriptors())
                related["staff_member"] = light_instance(
                    StaffMember, {"id": who.pk, "given_name": who.given, "family_name": who.family}
                )
            values, instance = part(
                "persons", InvolvedPerson, related, role=role, sequence_number=sequence[role], **fields
            )
            return values, instance

        offender_rows = [
            person("offender" if code in GROUP_B or rng.random() < 0.8 else "suspect", kid, occurred)
            for kid in offenders
        ]
        victims: list[tuple[dict[str, Any], Any]] = []
        if code in PERSON_CRIMES or (code == "23D" and rng.random() < 0.7):
            staff_victim = code != "13C" and rng.random() < 0.15
            victim: Kid | Adult | None = self.adult(school_id) if staff_victim else None
            if victim is None:
                victim = self.student(school_id, at, avoid=tuple(offenders))
            if victim is not None:
                victims.append(
                    person(
                        "victim",
                        victim,
                        occurred,
                        victim_type="I",
                        resident_status="R",
                        injuries=(["M"] if rng.random() < 0.4 else ["N"]) if code == "13B" else [],
                        contact_phone=f"(248) 555-{rng.randrange(100, 10000):04d}",
                    )
                )
        elif code in SOCIETY:
            victims.append(person("victim", None, occurred, victim_type="S", name="Society/Public"))
        elif code == "290" or code == "23D":
            school_name = next(s.name for s in org.schools if s.pk == school_id)
            victims.append(person("victim", None, occurred, victim_type="G", name=school_name))
        for values, _ in victims:
            self.victim_links += [(values["id"], o["id"]) for o in offenses]
        if rng.random() < 0.3:
            witness = self.student(school_id, at, avoid=tuple(offenders))
            if witness is not None:
                person("witness", witness, occurred, statement="Saw what happened and wrote a statement.")
        if source == "school_referral" and reporter is not None:
            person("reporting_party", reporter, occurred)
        for victim_values, victim_obj in victims:
            if victim_values["victim_type"] != "I":
                continue
            for _, offender_obj in offender_rows:
                relation = "NonFamily_Otherwise Known" if victim_values["staff_member_id"] else pick(rng, RELATIONSHIPS)
                part(
                    "relationships",
                    VictimOffenderRelationship,
                    {"victim": victim_obj, "offender": offender_obj},
                    victim_id=victim_values["id"],
                    offender_id=offender_obj.id,
                    relationship=relation,
                )
        self.property(part, code, offenses[0], occurred)
        # Arrests and citations: an arrestee segment for the student, the arrest linked to the roster.
        arrests: list[tuple[dict[str, Any], Any, Kid]] = []
        if rng.random() < ARREST[code]:
            for kid, (offender, _) in list(zip(offenders, offender_rows, strict=True))[
                : 1 if rng.random() < 0.8 else 2
            ]:
                described = {key: offender[key] for key in ("age_code", "sex", "race", "ethnicity")}
                arrestee, arrestee_obj = person("arrestee", kid, occurred, **described)
                arrest = self.arrest(part, number, len(arrests) + 1, code, kid, occurred, arrestee, arrestee_obj)
                arrests.append((arrest, arrestee_obj, kid))
        force_subject = None
        if arrests and arrests[0][0]["arrest_type"] == "T" and rng.random() < 0.25:
            force_subject = (arrests[0][1], arrests[0][2], "restraint", ["handcuffs"])
        elif code == "13B" and rng.random() < 0.04:
            force_subject = (offender_rows[0][1], offenders[0], "force", [rng.choice(("physical_escort", "takedown"))])
        if force_subject is not None:
            subject_obj, kid, kind, methods = force_subject
            part(
                "uses_of_force",
                UseOfForce,
                subject_id=subject_obj.id,
                student_id=kid.pk,
                officer_id=officer.id,
                occurred_at=occurred + dt.timedelta(minutes=2),
                kind=kind,
                methods=methods,
                duration_minutes=rng.randrange(1, 15),
                reason="The student kept striking the other student after verbal commands to stop.",
                de_escalation="Verbal commands; separated the students; called for an administrator.",
                subject_injured=rng.random() < 0.05,
                parent_notified_at=occurred + dt.timedelta(minutes=rng.randrange(20, 90)),
                supervisor_notified_at=occurred + dt.timedelta(minutes=rng.randrange(10, 60)),
            )
        if code in ("13B", "35A", "520") and rng.random() < 0.05:
            self.pursuit(incident, officer, occurred)
        found = None
        if rng.random() < SEARCH.get(code, 0.1):
            found = self.search(incident, offenders[0], officer, occurred, code, bool(arrests), request_id(rng))
        if found or (code == "23D" and rng.random() < 0.3):
            self.evidence(incident, offenders[0], officer, occurred, code)
        # Review: submitted the same day, approved by the supervisor, closed weeks later.
        victim_of = {values["id"]: sorted(o["id"] for o in offenses) for values, _ in victims}
        self.review(incident, draft, created, parts, victim_of, officer, clock[0])
        if rng.random() < 0.25:
            referred = clock[0] + dt.timedelta(minutes=rng.randrange(5, 60))
            self.referral(period, referred, account, offenders[0], rng.choice(BEHAVIOURS))

    def narrative(self, title: str, occurred: dt.datetime, students: int) -> str:
        local = occurred.astimezone(AS_OF.tzinfo)
        who = "a student" if students == 1 else f"{students} students"
        return (
            f"On {local:%Y-%m-%d} at about {local:%H:%M} I was told of the following: {title.lower()}. "
            f"I spoke with {who} and the staff present, reviewed the camera footage where available, and "
            "notified the administration and the parents. Statements are attached."
        )

    def descriptors(self, kid: Kid, at: dt.datetime) -> dict[str, str]:
        """What the officer records: usually what they see, not the roster (which may differ)."""
        rng = self.rng
        born = kid.birth
        day = at.astimezone(AS_OF.tzinfo).date()
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        race = RACE_CODES.get(kid.races[0], "U") if len(kid.races) == 1 else rng.choice(("W", "B", "U"))
        if rng.random() < 0.05:
            race = "U"
        ethnicity = "U" if kid.hispanic is None or rng.random() < 0.05 else "H" if kid.hispanic else "N"
        return {
            "age_code": f"{min(age, 98):02d}",
            "sex": SEX_CODES.get(kid.sex, "U"),
            "race": race,
            "ethnicity": ethnicity,
        }

    def adult_descriptors(self) -> dict[str, str]:
        rng = self.rng
        return {
            "age_code": f"{rng.randrange(24, 64):02d}",
            "sex": rng.choice("FM"),
            "race": pick(rng, (("W", 70), ("B", 18), ("A", 6), ("U", 6))),
            "ethnicity": "H" if rng.random() < 0.1 else "N",
        }

    def property(self, part: Callable[..., Any], code: str, offense: dict[str, Any], occurred: dt.datetime) -> None:
        rng = self.rng
        if code == "23D":
            part(
                "property",
                Property,
                offense_id=offense["id"],
                loss_type="STOLEN",
                description_code=rng.choice(("75", "07", "25")),
                description=rng.choice(("iPhone", "Chromebook", "Wallet with cash", "Wireless earbuds")),
                value=rng.randrange(20, 1200),
            )
        elif code == "290":
            part(
                "property",
                Property,
                offense_id=offense["id"],
                loss_type="DESTROYED_DAMAGED_VANDALIZED",
                description_code=rng.choice(("33", "23")),
                description=rng.choice(("Bathroom stall door", "Wall painted with graffiti", "Classroom window")),
                value=rng.randrange(50, 2500),
            )
        elif code == "35A":
            part(
                "property",
                Property,
                offense_id=offense["id"],
                loss_type="SEIZED",
                description_code="10",
                description=rng.choice(("Marijuana", "THC vape cartridge", "Unlabelled pills")),
                drug_type=pick(rng, (("E", 70), ("P", 20), ("H", 5), ("U", 5))),
                drug_quantity=(Decimal(rng.randrange(100, 15000)) / 1000).quantize(Decimal("0.001")),
                drug_measure="GM",
            )
        elif code == "520":
            part(
                "property",
                Property,
                offense_id=offense["id"],
                loss_type="SEIZED",
                description_code="80" if offense["weapons_force"] != ["12"] else "13",
                description="Folding knife" if offense["weapons_force"] != ["12"] else "Handgun",
                value=rng.randrange(10, 400),
            )

    def arrest(
        self,
        part: Callable[..., Any],
        number: str,
        seq: int,
        code: str,
        kid: Kid,
        occurred: dt.datetime,
        arrestee: dict[str, Any],
        arrestee_obj: Any,
    ) -> dict[str, Any]:
        rng = self.rng
        kind = pick(rng, (("S", 55), ("O", 25), ("T", 20)))
        minor = int(arrestee["age_code"]) < 18
        if kind == "T":
            outcome = pick(rng, (("juvenile_court", 60), ("detention", 40))) if minor else "jail"
        else:
            outcome = pick(rng, (("released_to_parent", 40), ("juvenile_court", 35), ("diversion", 25)))
            if not minor and outcome != "released_to_parent":
                outcome = "prosecutor"
        diversion = outcome == "diversion"
        armed = ["01"] if code != "520" else ["16"]
        values, _ = part(
            "arrests",
            Arrest,
            arrestee_id=arrestee["id"],
            student_id=kid.pk,
            transaction_number=f"{number.replace('-', '')[2:]}{seq:02d}",
            arrest_date=occurred.astimezone(AS_OF.tzinfo).date(),
            arrest_type=kind,
            multiple_arrestee="N",
            arrest_offense=code,
            armed_with=armed,
            juvenile_disposition=("R" if kind == "T" or rng.random() < 0.6 else "H") if minor else "",
            outcome=outcome,
            diversion_program=rng.choice(("Teen Court", "Restorative Justice Circle", "Youth Assistance"))
            if diversion
            else "",
            diversion_outcome=pick(rng, (("completed", 70), ("failed", 15), ("", 15))) if diversion else "",
            court_case_number=f"{occurred.year}-{rng.randrange(1000, 99999)}-DL" if outcome == "juvenile_court" else "",
        )
        arrest: dict[str, Any] = values
        return arrest

    def search(
        self,
        incident: dict[str, Any],
        kid: Kid,
        officer: Actor,
        occurred: dt.datetime,
        code: str,
        arrested: bool,
        request: str,
    ) -> bool:
        rng = self.rng
        basis, conducted = pick(rng, SEARCHES)
        if arrested and rng.random() < 0.3:
            basis, conducted = "incident_to_arrest", "sro"
        subject = pick(rng, SEARCH_SUBJECTS)
        if basis == "warrant":
            subject = "phone"
        anything = code in SOCIETY or rng.random() < 0.4
        needs = conducted != "school_official" and basis == "reasonable_suspicion"
        at = occurred + dt.timedelta(minutes=rng.randrange(5, 40))
        when = at + dt.timedelta(minutes=rng.randrange(30, 120))
        values = self.records.new(
            Search,
            when,
            officer,
            district_id=incident["district_id"],
            school_id=incident["school_id"],
            agency_id=incident["agency_id"],
            incident_id=incident["id"],
            student_id=kid.pk,
            occurred_at=at,
            subject=subject,
            legal_basis=basis,
            warrant_number=f"SW-{at.year}-{rng.randrange(100, 9999)}" if basis == "warrant" else "",
            conducted_by=conducted,
            officer_id=None if conducted == "school_official" else officer.id,
            school_official="Assistant principal" if conducted != "sro" else "",
            reason=f"A report that the student had {WHAT.get(code, 'the item')} in the {subject}.",
            justification="The assistant principal asked for help; the student was agitated and the item could "
            "be dangerous."
            if needs
            else "",
            found={"35A": "Suspected marijuana, about 3 g", "520": "Folding knife, 3-inch blade"}.get(code, "A phone")
            if anything
            else "",
            anything_found=anything,
            flagged=needs,
        )
        created = self.log(Search, values, when + dt.timedelta(milliseconds=3), officer, request)
        if needs:
            supervisor = self.supervisor(incident["agency_id"])
            reviewed = when + dt.timedelta(hours=rng.randrange(4, 96), seconds=rng.randrange(3600))
            if supervisor is not None and reviewed < AS_OF:
                values.update(
                    reviewed_at=reviewed, reviewed_by_id=supervisor.id, updated_at=reviewed, updated_by_id=supervisor.id
                )
                self.later(reviewed, self.step(Search, dict(values), created, reviewed, supervisor, "search reviewed"))
        return anything

    def supervisor(self, agency: int) -> Actor | None:
        sups = [a.actor for a in self.sim.get(Accounts).by_role["sro_supervisor"] if a.agency_id == agency]
        return sups[self.rng.randrange(len(sups))] if sups else None

    def evidence(self, incident: dict[str, Any], kid: Kid, officer: Actor, occurred: dt.datetime, code: str) -> None:
        rng = self.rng
        org = self.sim.get(Organizations).org
        collected = occurred + dt.timedelta(minutes=rng.randrange(10, 60))
        created_at = collected + dt.timedelta(minutes=rng.randrange(20, 90))
        category = "contraband" if code in SOCIETY else "evidence"
        description = {
            "35A": "Clear plastic bag with green plant material (suspected marijuana)",
            "520": "Black folding knife, 3-inch blade",
        }.get(code, "Black iPhone in a blue case, recovered from a locker")
        item = self.records.new(
            EvidenceItem,
            created_at,
            officer,
            district_id=incident["district_id"],
            school_id=incident["school_id"],
            agency_id=incident["agency_id"],
            incident_id=incident["id"],
            number=self.number("evidence", incident["agency_id"], collected, "E{year}-{n:06d}"),
            category=category,
            description=description,
            where_found=f"Student's {rng.choice(('backpack', 'locker', 'jacket pocket'))}",
            found_on_student_id=kid.pk,
            collected_at=collected,
        )
        state = dict(item)
        snap = self.log(EvidenceItem, state, created_at + dt.timedelta(milliseconds=3), officer, request_id(rng))
        agency_name = next(a.name for a in org.agencies if a.pk == incident["agency_id"])
        room = f"Property room, {agency_name}"
        school = next(s.name for s in org.schools if s.pk == incident["school_id"])
        steps: list[tuple[str, dt.datetime, dict[str, str]]] = [
            ("collected", collected, {"location": f"SRO office, {school}", "from_party": "Student"}),
            ("stored", created_at + dt.timedelta(hours=rng.randrange(2, 8)), {"location": room, "to_party": room}),
        ]
        last_at = steps[-1][1]
        if code == "35A" and rng.random() < 0.4:
            lab = "State Police Crime Lab"
            out = last_at + dt.timedelta(days=rng.randrange(2, 10))
            back = out + dt.timedelta(days=rng.randrange(7, 30))
            steps += [
                ("transferred", out, {"location": lab, "to_party": lab, "reason": "Laboratory analysis"}),
                ("transferred", back, {"location": room, "from_party": lab, "to_party": room, "reason": "Returned"}),
            ]
            last_at = back
        end = last_at + dt.timedelta(days=rng.randrange(30, 200))
        if category == "contraband":
            steps.append(("destroyed", end, {"reason": "Contraband destroyed after the case was closed."}))
        else:
            steps.append(("released", end, {"to_party": "Owner", "reason": "Returned to the owner; case closed."}))
        prev = custody.GENESIS_HASH
        for sequence, (action, at, extra) in enumerate(steps, start=1):
            # Recorded through the item page as it happens; the first one right after the item was entered.
            logged = max(at, created_at + dt.timedelta(seconds=rng.randrange(20, 120)))
            if logged >= AS_OF:
                break
            event = self.sim.sink.defaults(CustodyEvent)
            event.update(
                id=self.records.ids[CustodyEvent].take(),
                item_id=item["id"],
                sequence=sequence,
                action=action,
                at=at.astimezone(dt.UTC),
                by_id=officer.id,
                prev_hash=prev,
                **extra,
            )
            event["hash"] = prev = custody.compute_hash(light_instance(CustodyEvent, event))
            self.records.add(CustodyEvent, event)
            before = snap
            status = str(custody.STATUS_AFTER[CustodyAction(action)])
            location = extra.get("location", "")
            changed = state["status"] != status or bool(location and state["current_location"] != location)
            if changed:
                state = dict(state, status=status, current_location=location or state["current_location"])
                state.update(updated_at=logged, updated_by_id=officer.id)
                item.update(status=state["status"], current_location=state["current_location"], updated_at=logged)
                snap = self.sim.sink.snapshot(EvidenceItem, state)
            self.later(logged, self.custody_step(event, logged, state, before if changed else None, officer))

    def custody_step(
        self,
        event: dict[str, Any],
        at: dt.datetime,
        item: dict[str, Any],
        before: dict[str, Any] | None,
        officer: Actor,
    ) -> Callable[[], None]:
        """``custody.record_event``: the item's change row when its status or place moved, then the event's row."""
        sink, rng = self.sim.sink, self.rng

        def step() -> None:
            request = request_id(rng)
            if before is not None:
                self.log(EvidenceItem, item, at + dt.timedelta(milliseconds=4), officer, request, before=before)
            instance = light_instance(CustodyEvent, event)
            instance._state.fields_cache["item"] = light_instance(EvidenceItem, item)
            sink.event(
                at=at + dt.timedelta(milliseconds=5),
                kind=AuditEvent.Kind.CHANGE,
                action=AuditEvent.Action.CREATE,
                actor=officer,
                request_id=request,
                model=CustodyEvent,
                object_id=event["id"],
                object_repr=str(instance),
                detail={custody.AUDIT_ITEM_KEY: item["id"], "sequence": event["sequence"], "hash": event["hash"]},
                district_id=item["district_id"],
                school_id=item["school_id"],
                agency_id=item["agency_id"],
                after=sink.snapshot(CustodyEvent, event),
            )

        return step

    # --- review, sharing, referrals -----------------------------------------------------------------
    def review(
        self,
        incident: dict[str, Any],
        draft: dict[str, Any],
        created: dict[str, Any],
        parts: dict[str, list[tuple[dict[str, Any], dict[str, Any], str]]],
        victim_of: dict[int, list[int]],
        officer: Actor,
        written: dt.datetime,
    ) -> None:
        """``services.submit`` (… ``return_for_changes``, ``submit``) → ``approve`` → ``close``, and a share."""
        rng = self.rng
        supervisor = self.supervisor(incident["agency_id"])
        if supervisor is None:
            return
        steps: list[tuple[dt.datetime, Actor, str, dict[str, Any], str]] = []  # at, actor, reason, changes, freeze
        at = written + dt.timedelta(minutes=rng.randrange(5, 90), seconds=rng.randrange(60))
        steps.append((at, officer, "submitted for review", {"status": "submitted", "submitted_at": at}, "submitted"))
        if rng.random() < 0.06:
            at += dt.timedelta(hours=rng.randrange(2, 48), seconds=rng.randrange(3600))
            comment = rng.choice(
                (
                    "Add the victim's statement and the time the parent was notified.",
                    "The narrative does not say where the item was found. Please add it.",
                    "Check the offense code: this reads as intimidation, not simple assault.",
                )
            )
            changes = {"status": "returned", "reviewed_at": at, "reviewed_by_id": supervisor.id}
            steps.append((at, supervisor, "returned for changes", {**changes, "review_comment": comment}, ""))
            at += dt.timedelta(hours=rng.randrange(1, 30), seconds=rng.randrange(3600))
            steps.append(
                (at, officer, "submitted for review", {"status": "submitted", "submitted_at": at}, "submitted")
            )
        at += dt.timedelta(hours=rng.randrange(2, 72), seconds=rng.randrange(3600))
        approval = {"status": "approved", "reviewed_at": at, "reviewed_by_id": supervisor.id, "review_comment": ""}
        steps.append((at, supervisor, "approved", approval, "approved"))
        approved_at = at
        if rng.random() < 0.9:
            at += dt.timedelta(days=rng.randrange(3, 60), seconds=rng.randrange(8 * 3600))
            steps.append((at, supervisor, "closed", {"status": str(IncidentStatus.CLOSED), "closed_at": at}, ""))
        state, before, versions = dict(draft), created, 0
        for at, actor, reason, changes, freeze in steps:
            if at >= AS_OF:
                break
            state = dict(state, **changes, updated_at=at, updated_by_id=actor.id)
            if freeze == "approved":
                versions += 1
                self.version(incident, state, parts, victim_of, versions, at, actor, freeze)
                state["version"] = versions
            after = self.sim.sink.snapshot(Incident, state)
            if freeze == "submitted":
                versions += 1
                self.version(incident, state, parts, victim_of, versions, at, actor, freeze)
            self.later(at, self.step(Incident, state, before, at, actor, reason))
            before = after
        incident.update(state)
        if state["status"] in ("approved", "closed") and rng.random() < 0.2:
            self.share(incident, officer, approved_at + dt.timedelta(hours=rng.randrange(1, 72)))
        if state["status"] in ("approved", "closed") and rng.random() < 0.1:
            self.supplement(incident, officer, approved_at + dt.timedelta(days=rng.randrange(1, 20), hours=2))

    def supplement(self, incident: dict[str, Any], officer: Actor, at: dt.datetime) -> None:
        """``services.add_supplement``: a later fact added to the locked report."""
        if at >= AS_OF:
            return
        narrative = self.rng.choice(
            (
                "The victim's parent brought photographs of the injury; added to the file.",
                "The juvenile court set a hearing date; the officer will testify.",
                "The stolen item was returned by another student's parent.",
            )
        )
        values = self.records.new(
            Supplement, at, officer, incident_id=incident["id"], author_id=officer.id, narrative=narrative
        )
        values["written_at"] = at
        self.later(at, self.step(Supplement, values, None, at, officer, ""))

    def pursuit(self, incident: dict[str, Any], officer: Actor, occurred: dt.datetime) -> None:
        """A short foot pursuit of the student; one that leaves district property without a recorded threat is
        flagged for the supervisor."""
        rng = self.rng
        started = occurred + dt.timedelta(minutes=rng.randrange(1, 5))
        left = rng.random() < 0.3
        threat = "The student had just shown a knife to other students." if left and rng.random() < 0.7 else ""
        at = started + dt.timedelta(minutes=rng.randrange(30, 90))
        values = self.records.new(
            Pursuit,
            at,
            officer,
            district_id=incident["district_id"],
            school_id=incident["school_id"],
            agency_id=incident["agency_id"],
            incident_id=incident["id"],
            started_at=started,
            ended_at=started + dt.timedelta(minutes=rng.randrange(2, 10)),
            on_foot=True,
            start_location="Main entrance",
            end_location="Corner of Main St and Oak Ave" if left else "Athletic field",
            left_district_property=left,
            threat_to_school=threat,
            outcome="The student stopped and was detained without force.",
            flagged=left and not threat,
        )
        self.later(at, self.step(Pursuit, values, None, at, officer, ""))

    def step(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        before: dict[str, Any] | None,
        at: dt.datetime,
        actor: Actor,
        reason: str,
    ) -> Callable[[], None]:
        """The change row of a save at ``at`` (``before`` given: an update), for :meth:`later`."""
        rng = self.rng

        def run() -> None:
            logged = at + dt.timedelta(milliseconds=6)
            self.log(model, values, logged, actor, request_id(rng), before=before, reason=reason)

        return run

    def version(
        self,
        incident: dict[str, Any],
        state: dict[str, Any],
        parts: dict[str, list[tuple[dict[str, Any], dict[str, Any], str]]],
        victim_of: dict[int, list[int]],
        number: int,
        at: dt.datetime,
        actor: Actor,
        event: str,
    ) -> None:
        """The frozen copy ``services.snapshot_incident`` makes: the report and its living parts."""
        skip = incident_services._SNAPSHOT_SKIP
        head = {k: v for k, v in self.sim.sink.snapshot(Incident, state).items() if k not in skip}
        head["display"] = str(light_instance(Incident, state))
        data: dict[str, Any] = {"incident": head}
        for key, _model, _heading in incident_services.VERSION_PARTS:
            rows = []
            for values, snap, display in parts.get(key, []):
                row = {k: v for k, v in snap.items() if k not in skip}
                row["display"] = display
                if key == "persons":
                    row["offenses"] = victim_of.get(values["id"], [])
                rows.append(row)
            data[key] = rows
        self.records.new(
            IncidentVersion, at, actor, incident_id=incident["id"], number=number, event=event, snapshot=data
        )

    def share(self, incident: dict[str, Any], officer: Actor, at: dt.datetime) -> None:
        """``services.share``: the share's change row, then the disclosure row of the same request."""
        if at >= AS_OF:
            return
        rng = self.rng
        reason = rng.choice(SHARE_REASONS)
        school = next(s for s in self.sim.get(Organizations).org.schools if s.pk == incident["school_id"])
        values = self.records.new(
            IncidentShare, at, officer, incident_id=incident["id"], school_id=school.pk, reason=reason
        )
        values["shared_at"] = at
        related = {
            "incident": light_instance(Incident, incident),
            "school": light_instance(School, {"id": school.pk, "name": school.name}),
        }
        sink = self.sim.sink

        def run() -> None:
            request = request_id(rng)
            logged = at + dt.timedelta(milliseconds=4)
            self.log(IncidentShare, values, logged, officer, request, reason=reason, related=related)
            sink.event(
                at=at + dt.timedelta(milliseconds=6),
                kind=AuditEvent.Kind.DISCLOSURE,
                action=AuditEvent.Action.CREATE,
                actor=officer,
                request_id=request,
                reason=reason,
                model=Incident,
                object_id=incident["id"],
                object_repr=str(related["incident"]),
                district_id=incident["district_id"],
                school_id=school.pk,
                agency_id=incident["agency_id"],
                detail={
                    "share": values["id"],
                    "incident": incident["id"],
                    "school": school.pk,
                    "recipient": school.name,
                    "reason": reason,
                    "shared": True,
                },
            )

        self.later(at, run)

    def referral(self, period: Period, at: dt.datetime, account: Account, kid: Kid, behaviour: str) -> None:
        """A school-rule matter referred to an administrator, who answers it days later."""
        if at >= AS_OF or account.school_id is None:
            return
        rng = self.rng
        org = self.sim.get(Organizations).org
        admins = self.sim.get(Accounts).at_school("school_admin", account.school_id)
        admin = admins[rng.randrange(len(admins))] if admins else None
        values = self.records.new(
            DisciplineReferral,
            at,
            account.actor,
            district_id=org.district_id,
            school_id=account.school_id,
            student_id=kid.pk,
            occurred_at=at - dt.timedelta(minutes=rng.randrange(10, 240)),
            behaviour=behaviour,
            description=f"{behaviour}: the student was brought to the office; no criminal charge is sought.",
            referred_to_id=admin.actor.id if admin else None,
        )
        created = dict(values)
        self.later(at, self.step(DisciplineReferral, created, None, at, account.actor, ""))
        if admin is None:
            return
        answered = at + dt.timedelta(days=rng.randrange(1, 10), seconds=rng.randrange(8 * 3600))
        if answered >= AS_OF:
            return
        status = "resolved" if rng.random() < 0.85 else "acknowledged"
        values.update(
            status=status,
            administrator_response=rng.choice(RESPONSES) if status == "resolved" else "",
            updated_at=answered,
            updated_by_id=admin.actor.id,
        )
        before = self.sim.sink.snapshot(DisciplineReferral, created)
        self.later(answered, self.step(DisciplineReferral, dict(values), before, answered, admin.actor, ""))
