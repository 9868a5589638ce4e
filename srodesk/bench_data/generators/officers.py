"""What School Resource Officers record in the field: other persons and vehicles, every school day.

Each record is one request of an officer (or, for vehicles, a district safety director) through the
record pages or the API: the actor is that user, from their workstation's address, with a request id
of its own. Other persons belong to the officer's school and agency; vehicles to the school, owned by
a high-school student, a staff member, a person the officers recorded, or nobody known.
"""

from __future__ import annotations

import bisect
import datetime as dt
from typing import Any

from srodesk.people.choices import OtherPersonKind
from srodesk.people.models import OtherPerson, Vehicle, fold

from ..names import COLOURS, FAMILY, GIVEN, MAKES, PLACES, PLATE_STATES, STREETS, phone, plate
from ..simulation import Generator, register, request_id
from ..timeline import WEEKS_PER_YEAR, Period
from .accounts import Accounts
from .organizations import Organizations
from .roster import Roster

KINDS = (
    (OtherPersonKind.VISITOR, 30),
    (OtherPersonKind.SUSPECT, 20),
    (OtherPersonKind.WITNESS, 20),
    (OtherPersonKind.VICTIM, 10),
    (OtherPersonKind.PARENT, 10),
    (OtherPersonKind.OTHER, 10),
)
BUILDS = ("slim", "medium build", "heavy build", "athletic build")
CLOTHES = ("black hoodie", "grey sweatshirt", "red jacket", "blue jeans", "work uniform", "green parka", "ball cap")


def weekly(rng: Any, per_year: float, share: float) -> int:
    """How many records a week brings at ``per_year`` a school year (a fraction is a chance of one more)."""
    expected = per_year / WEEKS_PER_YEAR * share
    count = int(expected)
    return count + (1 if rng.random() < expected - count else 0)


@register
class Officers(Generator):
    name = "officers"
    writes = ("people.OtherPerson", "people.Vehicle")

    def plan(self) -> None:
        self.recorded: list[tuple[int, int, dt.datetime]] = []  # other person pk, school pk, when

    def week(self, period: Period) -> None:
        if period.setup:
            return
        sim, profile = self.sim, self.sim.profile
        sros = sim.get(Accounts).by_role["sro"]
        if not sros:
            return
        size = profile.students / 1000
        people = sorted(
            (period.work_time(self.rng), sros[self.rng.randrange(len(sros))])
            for _ in range(weekly(self.rng, profile.other_persons_rate * size, period.share))
        )
        self.other_persons(people)
        directors = sim.get(Accounts).by_role["safety_director"]
        cars = []
        for _ in range(weekly(self.rng, profile.vehicles_rate * size, period.share)):
            by_director = directors and self.rng.random() < 0.2
            account = (directors if by_director else sros)[self.rng.randrange(len(directors if by_director else sros))]
            cars.append((period.work_time(self.rng), account))
        self.vehicles(sorted(cars, key=lambda c: c[0]), period.year)

    def other_persons(self, entries: list[tuple[dt.datetime, Any]]) -> None:
        if not entries:
            return
        sim, rng = self.sim, self.rng
        org = sim.get(Organizations).org
        rows = []
        for (at, account), pk in zip(entries, sim.sink.ids(OtherPerson, len(entries)), strict=True):
            kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            middle = rng.choice(GIVEN) if rng.random() < 0.2 else ""
            values = sim.sink.defaults(OtherPerson)
            values.update(
                id=pk,
                district_id=org.district_id,
                school_id=account.school_id,
                agency_id=account.agency_id,
                kind=kind,
                given_name=given,
                middle_name=middle,
                family_name=family,
                search_name=fold(" ".join(p for p in (given, middle, family) if p)),
                birth_date=self.birth(kind, at),
                phone=phone(rng) if rng.random() < 0.6 else "",
                address=f"{rng.randrange(10, 9999)} {rng.choice(STREETS)}, {rng.choice(PLACES)}"
                if rng.random() < 0.4
                else "",
                description=f"{rng.randrange(150, 195)} cm, {rng.choice(BUILDS)}, {rng.choice(CLOTHES)}"
                if kind == OtherPersonKind.SUSPECT
                else "",
                created_at=at,
                updated_at=at,
                created_by_id=account.actor.id,
                updated_by_id=account.actor.id,
            )
            rows.append(values)
            sim.sink.change(
                OtherPerson,
                values,
                at=at + dt.timedelta(milliseconds=3),
                action="create",
                after=sim.sink.snapshot(OtherPerson, values),
                actor=account.actor,
                request_id=request_id(rng),
            )
            self.recorded.append((pk, account.school_id, at))
        sim.sink.insert(OtherPerson, rows)

    def birth(self, kind: str, at: dt.datetime) -> dt.date | None:
        rng = self.rng
        if kind == OtherPersonKind.VISITOR and rng.random() < 0.7:
            return None
        age = (
            rng.randrange(13, 19)
            if kind in (OtherPersonKind.SUSPECT, OtherPersonKind.VICTIM) and rng.random() < 0.6
            else rng.randrange(19, 70)
        )
        return at.date() - dt.timedelta(days=365 * age + rng.randrange(365))

    def vehicles(self, entries: list[tuple[dt.datetime, Any]], year: int) -> None:
        if not entries:
            return
        sim, rng = self.sim, self.rng
        org = sim.get(Organizations).org
        roster = sim.get(Roster)
        rows = []
        for (at, account), pk in zip(entries, sim.sink.ids(Vehicle, len(entries)), strict=True):
            make, models_ = rng.choice(MAKES)
            number = plate(rng)
            school = account.school_id
            if school is None and rng.random() < 0.8:
                school = rng.choice(org.schools).pk
            values = sim.sink.defaults(Vehicle)
            values.update(
                id=pk,
                district_id=org.district_id,
                school_id=school,
                plate=number,
                plate_state=rng.choice(PLATE_STATES),
                make=make,
                model=rng.choice(models_),
                year=rng.randrange(at.year - 20, at.year + 1),
                colour=rng.choice(COLOURS),
                plate_normalized=Vehicle.normalize_plate(number),
                created_at=at,
                updated_at=at,
                created_by_id=account.actor.id,
                updated_by_id=account.actor.id,
            )
            draw = rng.random()
            if draw < 0.3:
                enrolled = roster.enrolled_before(at)
                if enrolled:
                    kid = roster.enrolled[rng.randrange(enrolled)]
                    if kid.grade_in(year, roster.last_year) >= 10:
                        values["owner_student_id"] = kid.pk
            elif draw < 0.7:
                hired = bisect.bisect_right(roster.hired_at, at)
                if hired:
                    values["owner_staff_id"] = roster.hired[rng.randrange(hired)].pk
            elif draw < 0.9 and self.recorded:
                values["owner_other_id"] = self.recorded[rng.randrange(len(self.recorded))][0]
            rows.append(values)
            sim.sink.change(
                Vehicle,
                values,
                at=at + dt.timedelta(milliseconds=3),
                action="create",
                after=sim.sink.snapshot(Vehicle, values),
                actor=account.actor,
                request_id=request_id(rng),
            )
        sim.sink.insert(Vehicle, rows)
