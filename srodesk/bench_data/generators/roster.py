"""Students, staff and guardians as the weekly OneRoster imports bring them, over the district's years.

The plan is the district's enrolment at the end: every student's grade and school, family and
guardians, the year and week they arrived (at kindergarten, as a transfer, or with the go-live bulk
import of the first year), and whether they left during the current year; every staff member's role,
schools, hire and departure. The weeks then replay it as the roster import writes it
(``people.roster.services``): each Monday's import creates the new people, promotes every enrolled
student in the first import of a school year (a new grade, and a new school from grade 6 and grade 9),
deactivates those who left, links guardians to children who arrive later, and logs the run. Each
created or changed person gets the change row the importer writes: ``after`` is the person's snapshot
with the ``schools``/``students`` memberships when they changed, the reason and detail name the import.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from srodesk.audit.models import AuditEvent
from srodesk.organizations.choices import SchoolLevel
from srodesk.people.choices import GuardianRelationship, ImportStatus, Sex, StaffRole
from srodesk.people.models import RACE_FLAGS, Guardian, RosterImport, StaffMember, Student, derive_crdc_race, fold

from ..chain import dumps
from ..names import FAMILY, GIVEN, ascii_name, phone
from ..simulation import Generator, Simulation, register, request_id
from ..timeline import AS_OF, Period
from .organizations import Organizations, SchoolInfo

GRADES = ("KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12")
#: (weight, race flags, hispanic); as the roster generator draws them.
RACES: tuple[tuple[int, tuple[str, ...], bool | None], ...] = (
    (40, ("white",), False), (14, ("white",), True), (8, ("asian",), False), (15, ("black",), False),
    (2, ("american_indian",), False), (1, ("pacific_islander",), False), (4, ("white", "black"), False),
    (2, ("white", "asian"), False), (6, (), True), (3, ("black",), True), (5, (), None),
)  # fmt: skip
STAFF_ROLES = (
    (StaffRole.TEACHER, 0.70), (StaffRole.AIDE, 0.12), (StaffRole.COUNSELOR, 0.04),
    (StaffRole.ADMINISTRATOR, 0.05), (StaffRole.SITE_ADMINISTRATOR, 0.03), (StaffRole.PROCTOR, 0.02),
)  # fmt: skip
SOURCE = "/srv/sis-exports/oneroster-{date}.zip"


LEVELS = (str(SchoolLevel.ELEMENTARY), str(SchoolLevel.MIDDLE), str(SchoolLevel.HIGH))


def level_of(grade: int) -> str:
    return LEVELS[0] if grade <= 5 else LEVELS[1] if grade <= 8 else LEVELS[2]


@dataclass(eq=False)
class Kid:
    index: int
    family: Family
    given: str
    middle: str
    preferred: str
    sex: str
    birth: dt.date
    races: tuple[str, ...]
    hispanic: bool | None
    #: final grade (0 = KG) and school; the schools of earlier levels.
    grade: int
    school: int
    feeder: dict[str, int]
    entry: tuple[int, int] = (0, 0)
    withdrawn: int = -1
    programs: dict[str, dt.date] = field(default_factory=dict)
    pk: int = 0
    created_at: dt.datetime | None = None
    last: dict[str, Any] = field(default_factory=dict)
    last_text: str = ""

    def grade_in(self, year: int, last_year: int) -> int:
        return self.grade - (last_year - year)

    def school_in(self, year: int, last_year: int) -> int:
        level = level_of(self.grade_in(year, last_year))
        return self.school if level == level_of(self.grade) else self.feeder[level]


@dataclass(eq=False)
class Family:
    name: str
    kids: list[Kid] = field(default_factory=list)
    guardians: list[Adult] = field(default_factory=list)


@dataclass(eq=False)
class Adult:
    """A guardian or a staff member."""

    index: int
    given: str
    family: str
    role: str
    email: str = ""
    phone: str = ""
    sms: str = ""
    schools: list[int] = field(default_factory=list)
    entry: tuple[int, int] = (0, 0)
    left: tuple[int, int] | None = None
    pk: int = 0
    created_at: dt.datetime | None = None
    family_of: Family | None = None
    linked: list[int] = field(default_factory=list)
    last: dict[str, Any] = field(default_factory=dict)
    last_text: str = ""


@register
class Roster(Generator):
    name = "roster"
    writes = ("people.Student", "people.StaffMember", "people.Guardian", "people.RosterImport")

    # --- the plan ----------------------------------------------------------------------------------
    def plan(self) -> None:
        sim = self.sim
        self.last_year = sim.profile.years - 1
        self.weeks: dict[int, int] = defaultdict(int)
        for period in sim.periods:
            if not period.setup:
                self.weeks[period.year] += 1
        self.kids: list[Kid] = []
        self.families: list[Family] = []
        self.staff: list[Adult] = []
        self.enrolled: list[Kid] = []
        self.enrolled_at: list[dt.datetime] = []
        self.guardian_count = 0
        self.hired: list[Adult] = []
        self.hired_at: list[dt.datetime] = []
        self.by_week = {(p.year, p.week): p for p in sim.periods if not p.setup}
        self._nows: dict[int, dt.datetime] = {}
        self.row_clock = AS_OF
        self.rows_written = 0

    def week(self, period: Period) -> None:
        if period.setup:
            return
        if not self.kids:
            self.populate()
        self.run_import(period)

    def populate(self) -> None:
        """The enrolment at the end of the history (drawn once the schools exist)."""
        org = self.sim.get(Organizations).org
        rng, profile = self.rng, self.sim.profile
        by_level = {level: org.level(level) for level in LEVELS}
        while len(self.kids) < profile.students:
            family = Family(rng.choice(FAMILY))
            grade = rng.randrange(len(GRADES))
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                if grade < 0 or len(self.kids) >= profile.students:
                    break
                family.kids.append(self.kid(family, grade, by_level))
                grade -= rng.choice((1, 2, 2, 3, 4))
            self.families.append(family)
            self.schedule(family)
        for family in self.families:
            for _ in range(1 if rng.random() < 0.35 else 2):
                self.guardian(family)
        self.plan_staff(org.schools)
        self.by_entry: dict[tuple[int, int], list[Kid]] = defaultdict(list)
        self.by_withdrawal: dict[int, list[Kid]] = defaultdict(list)
        for kid in self.kids:
            self.by_entry[kid.entry].append(kid)
            if kid.withdrawn >= 0:
                self.by_withdrawal[kid.withdrawn].append(kid)
        self.hires: dict[tuple[int, int], list[Adult]] = defaultdict(list)
        self.departures: dict[tuple[int, int], list[Adult]] = defaultdict(list)
        for adult in self.staff:
            self.hires[adult.entry].append(adult)
            if adult.left is not None:
                self.departures[adult.left].append(adult)

    def kid(self, family: Family, grade: int, by_level: dict[str, list[SchoolInfo]]) -> Kid:
        rng = self.rng
        level = level_of(grade)
        schools = by_level[level] or by_level[LEVELS[0]]
        school = rng.choices(schools, weights=[s.weight for s in schools])[0].pk
        feeder = {
            lvl: rng.choices(by_level[lvl], weights=[s.weight for s in by_level[lvl]])[0].pk
            for lvl in LEVELS[:2]
            if by_level[lvl]
        }
        age = 5 + grade
        birth = dt.date(AS_OF.year - age - 1, 9, 1) + dt.timedelta(days=rng.randrange(365))
        _, races, hispanic = rng.choices(RACES, weights=[w for w, _, _ in RACES])[0]
        kid = Kid(
            index=len(self.kids),
            family=family,
            given=rng.choice(GIVEN),
            middle=rng.choice(GIVEN) if rng.random() < 0.4 else "",
            preferred=rng.choice(GIVEN) if rng.random() < 0.05 else "",
            sex=Sex.MALE if rng.random() < 0.5 else Sex.FEMALE,
            birth=birth,
            races=races,
            hispanic=hispanic,
            grade=grade,
            school=school,
            feeder=feeder,
        )
        self.kids.append(kid)
        return kid

    def schedule(self, family: Family) -> None:
        """When each child arrived: the eldest at kindergarten or as a transfer; the others with the
        family, or at their own kindergarten year when younger; before go-live means the bulk import."""
        rng, last = self.rng, self.last_year
        eldest = family.kids[0]
        entry_grade = 0 if rng.random() < 0.65 else rng.randrange(eldest.grade + 1)
        year = last - (eldest.grade - entry_grade)
        if year < 0:
            arrival = (0, 0)
        elif rng.random() < 0.8 or self.weeks[year] < 2:
            arrival = (year, 0)
        else:
            arrival = (year, rng.randrange(1, self.weeks[year]))
        for kid in family.kids:
            kindergarten = (max(0, last - kid.grade), 0)
            kid.entry = max(arrival, kindergarten)
            if rng.random() < self.sim.profile.withdrawn_share:
                first = kid.entry[1] + 1 if kid.entry[0] == last else 1
                if first < self.weeks[last]:
                    kid.withdrawn = rng.randrange(first, self.weeks[last])
            self.programs(kid)

    def programs(self, kid: Kid) -> None:
        rng = self.rng
        arrived = dt.date(AS_OF.year - (self.last_year - kid.entry[0]), 8, 1)
        draw = rng.random()
        if draw < 0.13:
            kid.programs["idea"] = arrived - dt.timedelta(days=rng.randrange(30, 900))
        elif draw < 0.16:
            kid.programs["section_504"] = arrived - dt.timedelta(days=rng.randrange(30, 600))
        if rng.random() < 0.10:
            kid.programs["english_learner"] = arrived - dt.timedelta(days=rng.randrange(10, 400))

    def guardian(self, family: Family) -> None:
        rng = self.rng
        draw = rng.random()
        role = (
            GuardianRelationship.PARENT
            if draw < 0.85
            else GuardianRelationship.GUARDIAN
            if draw < 0.95
            else GuardianRelationship.RELATIVE
        )
        given = rng.choice(GIVEN)
        self.guardian_count += 1
        adult = Adult(self.guardian_count, given, family.name, role, family_of=family)
        adult.phone = phone(rng)
        adult.sms = adult.phone if rng.random() < 0.5 else ""
        if rng.random() < 0.7:
            adult.email = f"{ascii_name(given)}.{ascii_name(family.name)}{self.guardian_count}@example.net"
        adult.entry = min(kid.entry for kid in family.kids)
        family.guardians.append(adult)

    def plan_staff(self, schools: list[SchoolInfo]) -> None:
        rng, profile = self.rng, self.sim.profile
        roles: list[str] = [StaffRole.PRINCIPAL] * len(schools)
        roles += [StaffRole.DISTRICT_ADMINISTRATOR] * max(1, profile.staff // 1250)
        roles += [StaffRole.SYSTEM_ADMINISTRATOR] * max(1, profile.staff // 2500)
        rest = profile.staff - len(roles)
        for staff_role, share in STAFF_ROLES[1:]:
            roles += [staff_role] * int(rest * share)
        roles += [StaffRole.TEACHER] * (profile.staff - len(roles))
        rng.shuffle(roles)
        principals = iter(schools)
        weights = [s.weight * (3 if s.level != SchoolLevel.ELEMENTARY else 2) for s in schools]
        for i, role in enumerate(roles):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            adult = Adult(i, given, family, role)
            adult.email = f"{ascii_name(given)}.{ascii_name(family)}{i + 1}@staff.{self.sim.code}.example.org"
            if role == StaffRole.PRINCIPAL:
                adult.schools = [next(principals).pk]
            elif role not in (StaffRole.DISTRICT_ADMINISTRATOR, StaffRole.SYSTEM_ADMINISTRATOR):
                adult.schools = [rng.choices(schools, weights=weights)[0].pk]
                if rng.random() < 0.08:
                    other = rng.choices(schools, weights=weights)[0].pk
                    if other not in adult.schools:
                        adult.schools.append(other)
            if rng.random() < 0.55 or role == StaffRole.PRINCIPAL:
                adult.entry = (0, 0)
            else:
                year = rng.randrange(profile.years)
                adult.entry = (year, 0 if rng.random() < 0.7 else rng.randrange(self.weeks[year]))
            if role != StaffRole.PRINCIPAL and rng.random() < profile.departed_share:
                year = rng.randrange(adult.entry[0], profile.years)
                week = rng.randrange(self.weeks[year])
                if (year, week) > adult.entry:
                    adult.left = (year, week)
            self.staff.append(adult)

    # --- the weekly import -------------------------------------------------------------------------
    def import_time(self, period: Period) -> dt.datetime:
        return (period.import_at + dt.timedelta(seconds=(period.index * 7919) % 900)).astimezone(dt.UTC)

    def run_import(self, period: Period) -> None:
        sim, org = self.sim, self.sim.get(Organizations).org
        key = (period.year, period.week)
        started = self.import_time(period)
        now = self._now(period)
        (pk,) = sim.sink.ids(RosterImport, 1)
        context = {
            "reason": f"roster import #{pk}",
            "detail": {"roster_import": pk},
            "request_id": request_id(self.rng),
        }
        self.row_clock = now + dt.timedelta(seconds=2)
        self.rows_written = 0
        counts: dict[str, int] = defaultdict(int)
        created = self.create_students(self.by_entry.get(key, []), now, context)
        counts["students_created"] = len(created)
        if period.first_of_year and period.year > 0:
            counts["promoted"] = self.promote(period.year, now, context)
        counts["withdrawn"] = self.withdraw(
            self.by_withdrawal.get(period.week, []) if period.year == self.last_year else [], now, context
        )
        counts["staff_created"] = self.create_staff(self.hires.get(key, []), now, context)
        counts["staff_left"] = self.staff_leave(self.departures.get(key, []), now, context)
        counts["guardians_created"], counts["guardians_linked"] = self.guardians(created, now, context)
        finished = self.row_clock + dt.timedelta(seconds=1 + self.rows_written / 4000)
        self.log_import(pk, period, started, finished, counts, context, org.district_id, org.district_slug)

    def tick(self) -> dt.datetime:
        """The moment of the next change row of the import (the importer flushes 2,000 rows at a time)."""
        self.rows_written += 1
        if self.rows_written % 2000 == 0:
            self.row_clock += dt.timedelta(milliseconds=400)
        return self.row_clock

    def student_values(self, kid: Kid, year: int, active: bool, modified: dt.datetime) -> dict[str, Any]:
        org = self.sim.get(Organizations).org
        flags: dict[str, bool | None] = {name: name in kid.races for name in RACE_FLAGS}
        values = self.sim.sink.defaults(Student)
        values.update(
            id=kid.pk,
            district_id=org.district_id,
            school_id=kid.school_in(year, self.last_year),
            sourced_id=f"stu-{kid.index + 1:06d}",
            identifier=f"S{200000 + kid.index + 1}",
            username=f"{ascii_name(kid.given)}.{ascii_name(kid.family.name)}{kid.index + 1}",
            given_name=kid.given,
            middle_name=kid.middle,
            family_name=kid.family.name,
            preferred_given_name=kid.preferred,
            birth_date=kid.birth,
            grade=GRADES[kid.grade_in(year, self.last_year)],
            email=f"{ascii_name(kid.given)}.{ascii_name(kid.family.name)}{kid.index + 1}@students.example.org",
            active=active,
            sex=kid.sex,
            two_or_more_races=len(kid.races) > 1,
            hispanic_latino=kid.hispanic,
            roster_modified_at=modified - dt.timedelta(hours=6),
            roster_metadata={"ext_homeroom": str(100 + kid.index % 60)},
            created_at=kid.created_at,
            updated_at=kid.created_at,
            **flags,
        )
        for flag, start in kid.programs.items():
            values[flag], values[f"{flag}_start"] = True, start
        values["search_name"] = fold(" ".join(p for p in (kid.given, kid.preferred, kid.middle, kid.family.name) if p))
        values["crdc_race"] = derive_crdc_race(hispanic=kid.hispanic, two_or_more=len(kid.races) > 1, flags=flags)
        return values

    def create_students(self, kids: list[Kid], now: dt.datetime, context: dict[str, Any]) -> list[Kid]:
        if not kids:
            return []
        sim, last = self.sim, self.last_year
        rows = []
        for kid, pk in zip(kids, sim.sink.ids(Student, len(kids)), strict=True):
            kid.pk, kid.created_at = pk, now
            year = kid.entry[0]
            state = self.student_values(kid, year, True, now)
            after = sim.sink.snapshot(Student, state)
            kid.last, kid.last_text = after, dumps(after)
            sim.sink.change(
                Student,
                state,
                at=self.tick(),
                action="create",
                after={**after, "schools": [state["school_id"]]},
                **context,
            )
            final = self.student_values(kid, last, kid.withdrawn < 0, self.final_change(kid) or now)
            final["updated_at"] = self.final_change(kid) or now
            rows.append(final)
            self.enrolled.append(kid)
            self.enrolled_at.append(now)
        sim.sink.insert(Student, rows)
        sim.sink.link(Student._meta.get_field("schools"), ((kid.pk, kid.school) for kid in kids))
        return kids

    def final_change(self, kid: Kid) -> dt.datetime | None:
        """When the student's row last changed: the withdrawal, or the last promotion."""
        if kid.withdrawn >= 0:
            return self._now(self.by_week[(self.last_year, kid.withdrawn)])
        if kid.entry[0] < self.last_year:
            return self._now(self.by_week[(self.last_year, 0)])
        return None

    def _now(self, period: Period) -> dt.datetime:
        """The importer's ``now`` in that week (the same draw the import itself makes)."""
        cached = self._nows
        if period.index not in cached:
            rng = self.sim.rng(f"roster-now-{period.index}")
            cached[period.index] = self.import_time(period) + dt.timedelta(seconds=8 + rng.random())
        return cached[period.index]

    def update(
        self,
        model: type[Any],
        person: Any,
        values: dict[str, Any],
        after: dict[str, Any],
        context: dict[str, Any],
        related: tuple[str, list[int], list[int]] | None = None,
    ) -> None:
        sink = self.sim.sink
        if related is None:
            text = sink.change(
                model, values, at=self.tick(), action="update", before=person.last_text, after=after, **context
            )
        else:
            name, old, new = related
            sink.change(
                model,
                values,
                at=self.tick(),
                action="update",
                before={**person.last, name: old},
                after={**after, name: new},
                **context,
            )
            text = dumps(after)
        person.last, person.last_text = after, text

    def promote(self, year: int, now: dt.datetime, context: dict[str, Any]) -> int:
        count = 0
        for kid in self.enrolled:
            if kid.entry[0] >= year:
                continue
            state = self.student_values(kid, year, True, now)
            after = self.sim.sink.snapshot(Student, state)
            old_school, new_school = kid.last["school_id"], state["school_id"]
            related = ("schools", [old_school], [new_school]) if old_school != new_school else None
            self.update(Student, kid, state, after, context, related)
            count += 1
        return count

    def withdraw(self, kids: list[Kid], now: dt.datetime, context: dict[str, Any]) -> int:
        for kid in kids:
            state = self.student_values(kid, self.last_year, False, now)
            self.update(Student, kid, state, self.sim.sink.snapshot(Student, state), context)
        return len(kids)

    def staff_values(self, adult: Adult, active: bool, modified: dt.datetime) -> dict[str, Any]:
        org = self.sim.get(Organizations).org
        values = self.sim.sink.defaults(StaffMember)
        values.update(
            id=adult.pk,
            district_id=org.district_id,
            sourced_id=f"stf-{adult.index + 1:05d}",
            identifier=f"E{30000 + adult.index + 1}",
            given_name=adult.given,
            family_name=adult.family,
            search_name=fold(f"{adult.given} {adult.family}"),
            role=adult.role,
            email=adult.email,
            active=active,
            roster_modified_at=modified - dt.timedelta(hours=6),
        )
        return values

    def create_staff(self, adults: list[Adult], now: dt.datetime, context: dict[str, Any]) -> int:
        if not adults:
            return 0
        sim = self.sim
        rows = []
        for adult, pk in zip(adults, sim.sink.ids(StaffMember, len(adults)), strict=True):
            adult.pk, adult.created_at = pk, now
            self.hired.append(adult)
            self.hired_at.append(now)
            state = self.staff_values(adult, True, now)
            state.update(created_at=now, updated_at=now)
            after = sim.sink.snapshot(StaffMember, state)
            adult.last, adult.last_text = after, dumps(after)
            out = {**after, "schools": sorted(adult.schools)} if adult.schools else after
            sim.sink.change(StaffMember, state, at=self.tick(), action="create", after=out, **context)
            final = dict(state)
            if adult.left is not None:
                period = self.by_week[adult.left]
                final.update(active=False, updated_at=self._now(period))
                final["roster_modified_at"] = self._now(period) - dt.timedelta(hours=6)
            rows.append(final)
        sim.sink.insert(StaffMember, rows)
        sim.sink.link(StaffMember._meta.get_field("schools"), ((a.pk, s) for a in adults for s in a.schools))
        return len(adults)

    def staff_leave(self, adults: list[Adult], now: dt.datetime, context: dict[str, Any]) -> int:
        for adult in adults:
            state = self.staff_values(adult, False, now)
            state.update(created_at=adult.created_at, updated_at=now)
            self.update(StaffMember, adult, state, self.sim.sink.snapshot(StaffMember, state), context)
        return len(adults)

    def guardian_values(self, adult: Adult, now: dt.datetime) -> dict[str, Any]:
        org = self.sim.get(Organizations).org
        values = self.sim.sink.defaults(Guardian)
        values.update(
            id=adult.pk,
            district_id=org.district_id,
            sourced_id=f"grd-{adult.index + 1:06d}",
            given_name=adult.given,
            family_name=adult.family,
            search_name=fold(f"{adult.given} {adult.family}"),
            relationship=adult.role,
            email=adult.email,
            phone=adult.phone,
            sms=adult.sms,
            roster_modified_at=now - dt.timedelta(hours=6),
            created_at=now,
            updated_at=now,
        )
        return values

    def guardians(self, arrived: list[Kid], now: dt.datetime, context: dict[str, Any]) -> tuple[int, int]:
        sim = self.sim
        families: dict[int, Family] = {}
        for kid in arrived:
            families.setdefault(id(kid.family), kid.family)
        new: list[tuple[Adult, list[int]]] = []
        linked: list[tuple[Adult, list[int]]] = []
        for family in families.values():
            pks = [kid.pk for kid in arrived if kid.family is family]
            for adult in family.guardians:
                (new if not adult.pk else linked).append((adult, pks))
        if new:
            ids = sim.sink.ids(Guardian, len(new))
            rows = []
            for (adult, pks), pk in zip(new, ids, strict=True):
                adult.pk, adult.created_at = pk, now
                state = self.guardian_values(adult, now)
                after = sim.sink.snapshot(Guardian, state)
                adult.last, adult.last_text = after, dumps(after)
                adult.linked = sorted(pks)
                sim.sink.change(
                    Guardian,
                    state,
                    at=self.tick(),
                    action="create",
                    after={**after, "students": adult.linked},
                    **context,
                )
                final = dict(state)
                final["updated_at"] = self.guardian_final_change(adult) or now
                rows.append(final)
            sim.sink.insert(Guardian, rows)
        for adult, pks in linked:
            old = adult.linked
            adult.linked = sorted(old + pks)
            state = self.guardian_values(adult, adult.created_at or now)
            self.sim.sink.change(
                Guardian,
                state,
                at=self.tick(),
                action="update",
                before={**adult.last, "students": old},
                after={**adult.last, "students": adult.linked},
                **context,
            )
        field_ = Guardian._meta.get_field("students")
        sim.sink.link(field_, ((adult.pk, pk) for adult, pks in (*new, *linked) for pk in pks))
        return len(new), len(linked)

    def guardian_final_change(self, adult: Adult) -> dt.datetime | None:
        family = adult.family_of
        if family is None:
            return None
        later = sorted({kid.entry for kid in family.kids if kid.entry > adult.entry})
        if not later:
            return None
        return self._now(self.by_week[later[-1]])

    def log_import(
        self,
        pk: int,
        period: Period,
        started: dt.datetime,
        finished: dt.datetime,
        counts: dict[str, int],
        context: dict[str, Any],
        district_id: int,
        slug: str,
    ) -> None:
        sim = self.sim
        bulk = period.year == 0 and period.week == 0
        date = period.start.date().isoformat()
        created = counts["students_created"] + counts["staff_created"] + counts["guardians_created"]
        updated = counts["promoted"] + counts["guardians_linked"]
        deactivated = counts["withdrawn"] + counts["staff_left"]
        users = created + updated + deactivated
        summary = {
            "users.csv": {
                "rows": users,
                "created": created,
                "updated": updated,
                "deactivated": deactivated,
                "unchanged": 0,
            },
            "demographics.csv": {
                "rows": counts["students_created"],
                "created": counts["students_created"],
                "updated": 0,
                "deactivated": 0,
                "unchanged": 0,
            },
        }
        checksums = {name: hashlib.sha256(f"{slug}:{date}:{name}".encode()).hexdigest() for name in summary}
        values = sim.sink.defaults(RosterImport)
        values.update(
            id=pk,
            district_id=district_id,
            status=ImportStatus.SUCCEEDED,
            source_name=f"oneroster-{date}.zip",
            source_path=SOURCE.format(date=date),
            oneroster_version="1.2",
            mode="bulk" if bulk else "delta",
            checksums=checksums,
            summary=summary,
            errors=[],
            progress_done=2 * users,
            progress_total=2 * users,
            progress_stage="done",
            started_at=started,
            finished_at=finished + dt.timedelta(milliseconds=30),
            created_at=started,
            updated_at=finished + dt.timedelta(milliseconds=30),
        )
        sim.sink.insert(RosterImport, [values])
        sim.sink.event(
            at=finished,
            kind=AuditEvent.Kind.SYSTEM,
            action=AuditEvent.Action.COMMAND,
            request_id=context["request_id"],
            reason=context["reason"],
            district_id=district_id,
            detail={
                "command": "import-roster",
                "roster_import": pk,
                "district": slug,
                "dry_run": False,
                "status": ImportStatus.SUCCEEDED.value,
                "version": "1.2",
                "mode": values["mode"],
                "checksums": checksums,
                "summary": summary,
                "errors": 0,
            },
        )

    def enrolled_before(self, moment: dt.datetime) -> int:
        """How many students had arrived by ``moment`` (they are ``self.enrolled[:n]``)."""
        return bisect.bisect_right(self.enrolled_at, moment)


class AtSchool:
    """Who is at each school this school year, for a generator that picks students and staff from the roster:
    the students in order of arrival (as the weekly imports brought them), the staff as they were hired.

    The generator calls ``refresh`` at the start of each week; ``pools`` maps a school to the arrival times
    and students, ``staff`` to its staff members.
    """

    sim: Simulation
    rng: random.Random
    pool_year: int
    pool_week: int
    pool_cursor: int
    pools: dict[int, tuple[list[dt.datetime], list[Kid]]]
    staff_cursor: int
    staff: dict[int, list[Adult]]

    def start_pools(self) -> None:
        self.pool_year = -1
        self.pool_week = -1
        self.pool_cursor = 0
        self.pools = {}
        self.staff_cursor = 0
        self.staff = defaultdict(list)

    def refresh(self, period: Period) -> None:
        roster = self.sim.get(Roster)
        self.pool_week = period.week
        if period.year != self.pool_year:
            self.pool_year, self.pool_cursor, self.pools = period.year, 0, {}
        for kid, at in zip(roster.enrolled[self.pool_cursor :], roster.enrolled_at[self.pool_cursor :], strict=True):
            times, kids = self.pools.setdefault(kid.school_in(period.year, roster.last_year), ([], []))
            times.append(at)
            kids.append(kid)
        self.pool_cursor = len(roster.enrolled)
        for adult in roster.hired[self.staff_cursor :]:
            for school in adult.schools:
                self.staff[school].append(adult)
        self.staff_cursor = len(roster.hired)

    def student(self, school: int | None, at: dt.datetime, avoid: tuple[Kid, ...] = ()) -> Kid | None:
        """A student at the school by ``at`` (five tries to find one not in ``avoid``), or ``None``."""
        times, kids = self.pools.get(school or 0, ([], []))
        arrived = bisect.bisect_right(times, at)
        for _ in range(5):
            if not arrived:
                return None
            kid = kids[self.rng.randrange(arrived)]
            if kid not in avoid:
                return kid
        return None

    def active(self, kid: Kid) -> bool:
        """Whether the student is still active on the roster this week (not withdrawn earlier this year)."""
        return kid.withdrawn < 0 or self.pool_year != self.sim.get(Roster).last_year or self.pool_week < kid.withdrawn
