"""The platform administrators, the district, its schools, the police agencies and their partnerships.

All made in the set-up week through the admin pages: the first administrator by ``createsuperuser``
(a command: no actor, no request), everything else by that administrator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password

from srodesk.accounts.models import User
from srodesk.organizations.choices import RuleSet, SchoolLevel
from srodesk.organizations.models import Agency, District, Partnership, School
from srodesk.people.roster.rows import light_instance

from ..names import FAMILY, GIVEN, PLACES, STREETS, ascii_name
from ..profiles import district_slug
from ..simulation import SYSTEM, Actor, Generator, register, request_id
from ..timeline import Period

BENCH_PASSWORD = "sro-desk-bench-2026"
LANDMARKS = ("", "Park", "Heights", "Hills", "Creek", "Meadows", "Woods", "Valley")
LEVEL_NAMES = {
    SchoolLevel.ELEMENTARY: "Elementary School",
    SchoolLevel.MIDDLE: "Middle School",
    SchoolLevel.HIGH: "High School",
}
AGENCY_NAMES = ("Police Department", "County Sheriff's Office", "Township Police Department", "Public Safety")


@dataclass
class SchoolInfo:
    pk: int
    name: str
    level: str
    #: relative size (students are spread over a level's schools by it).
    weight: float
    #: the agency whose officers serve the school.
    agency: int


@dataclass
class AgencyInfo:
    pk: int
    name: str
    ori: str


@dataclass
class Organisation:
    district_id: int = 0
    district_slug: str = ""
    district_name: str = ""
    schools: list[SchoolInfo] = field(default_factory=list)
    agencies: list[AgencyInfo] = field(default_factory=list)
    admins: list[Actor] = field(default_factory=list)

    def level(self, level: str) -> list[SchoolInfo]:
        return [s for s in self.schools if s.level == level]


@register
class Organizations(Generator):
    name = "organizations"
    writes = (
        "accounts.User",
        "organizations.District",
        "organizations.School",
        "organizations.Agency",
        "organizations.Partnership",
    )

    def plan(self) -> None:
        self.org = Organisation()
        #: One password hash for every generated account (the bench signs in with it).
        self.password_hash = make_password(BENCH_PASSWORD)
        self.clock: dt.datetime | None = None

    def now(self) -> dt.datetime:
        if self.clock is None:
            raise RuntimeError("the organisations are made in the set-up week")
        return self.clock

    def tick(self, minutes: float) -> dt.datetime:
        self.clock = self.now() + dt.timedelta(minutes=minutes, microseconds=self.rng.randrange(10**6))
        return self.clock.astimezone(dt.UTC)

    def week(self, period: Period) -> None:
        if not period.setup:
            return
        self.clock = period.start.replace(hour=8, minute=55)
        sim, code = self.sim, self.sim.code
        given, family = GIVEN[sim.seed % len(GIVEN)], FAMILY[sim.seed % len(FAMILY)]
        users = [
            self.user(f"admin.{code}", "Platform", "Administrator", True),
            self.user(f"{ascii_name(given)}.admin.{code}", given, family, True),
        ]
        ids = sim.sink.ids(User, len(users))
        for i, (pk, values) in enumerate(zip(ids, users, strict=True)):
            values["id"] = pk
            actor = SYSTEM if i == 0 else self.org.admins[0]
            at = values["date_joined"] = self.tick(15 if i else 0)
            sim.sink.insert(User, [values])
            sim.sink.change(
                User,
                values,
                at=at,
                action="create",
                after=sim.sink.snapshot(User, values),
                actor=actor,
                request_id="" if i == 0 else request_id(self.rng),
            )
            self.org.admins.append(Actor(pk, values["username"], f"10.1.0.{10 + i}"))
        admin = self.org.admins[0]
        self.district(admin)
        self.agencies(admin)
        self.schools(admin)

    def user(self, username: str, given: str, family: str, superuser: bool) -> dict[str, Any]:
        values = self.sim.sink.defaults(User)
        values.update(
            password=self.password_hash,
            username=username,
            first_name=given,
            last_name=family,
            email=f"{username}@district.example.org",
            is_superuser=superuser,
            is_staff=superuser,
            is_active=True,
            title="Platform Administrator" if superuser else "",
        )
        return values

    def record(self, model: Any, values: dict[str, Any], actor: Actor, related: dict[str, Any] | None = None) -> int:
        sim = self.sim
        (values["id"],) = sim.sink.ids(model, 1)
        at = self.tick(self.rng.uniform(1, 4))
        values.update(created_at=at, updated_at=at, created_by_id=actor.id, updated_by_id=actor.id)
        sim.sink.insert(model, [values])
        sim.sink.change(
            model,
            values,
            at=at,
            action="create",
            after=sim.sink.snapshot(model, values),
            actor=actor,
            request_id=request_id(self.rng),
            related=related,
        )
        return int(values["id"])

    def district(self, admin: Actor) -> None:
        sim = self.sim
        place = PLACES[sim.seed % len(PLACES)]
        values = sim.sink.defaults(District)
        number = {"small": 2, "large": 1}.get(sim.profile.name, 3)
        values.update(
            name=f"{place} Unified School District",
            slug=district_slug(sim.profile, sim.seed),
            nces_id=f"26{number}{sim.seed % 10000:04d}",
            state="MI",
        )
        self.org.district_id = self.record(District, values, admin)
        self.org.district_slug, self.org.district_name = values["slug"], values["name"]
        self.district_nces = values["nces_id"]

    def agencies(self, admin: Actor) -> None:
        sim = self.sim
        district = {"id": self.org.district_id, "name": self.org.district_name}
        for i in range(sim.profile.agencies):
            place = PLACES[(sim.seed + 3 * i + 1) % len(PLACES)]
            values = sim.sink.defaults(Agency)
            values.update(
                name=f"{place} {AGENCY_NAMES[i % len(AGENCY_NAMES)]}",
                state="MI",
                ori=f"MI{self.district_nces[2:]}{i:02d}",
                phone=f"(517) 555-{100 + i:04d}",
            )
            pk = self.record(Agency, values, admin)
            self.org.agencies.append(AgencyInfo(pk, values["name"], values["ori"]))
            partnership = sim.sink.defaults(Partnership)
            partnership.update(
                agency_id=pk,
                district_id=self.org.district_id,
                state="MI",
                drill_rule_set=RuleSet.MI,
                mandated_report_rules=RuleSet.MI,
                mou_signed_on=self.now().date() - dt.timedelta(days=30 + i),
            )
            related = {
                "agency": light_instance(Agency, {"id": pk, "name": values["name"]}),
                "district": light_instance(District, district),
            }
            self.record(Partnership, partnership, admin, related)

    def schools(self, admin: Actor) -> None:
        sim, profile = self.sim, self.sim.profile
        levels = (
            [SchoolLevel.ELEMENTARY] * profile.elementary
            + [SchoolLevel.MIDDLE] * profile.middle
            + [SchoolLevel.HIGH] * profile.high
        )
        names = [f"{place} {mark}".strip() for mark in LANDMARKS for place in PLACES]
        self.rng.shuffle(names)
        secondary = 0
        for i, level in enumerate(levels):
            values = sim.sink.defaults(School)
            name = f"{names[i % len(names)]}{' ' + str(i // len(names) + 1) if i >= len(names) else ''}"
            city = PLACES[self.rng.randrange(len(PLACES))]
            values.update(
                district_id=self.org.district_id,
                name=f"{name} {LEVEL_NAMES[level]}",
                nces_id=f"{self.district_nces}{i + 1:05d}",
                level=level,
                address=f"{self.rng.randrange(100, 9000)} {self.rng.choice(STREETS)}",
                city=city,
                state="MI",
                postal_code=f"48{self.rng.randrange(1000):03d}",
                timezone="America/Detroit",
                campus_boundary=self.boundary() if level == SchoolLevel.HIGH else None,
            )
            pk = self.record(School, values, admin)
            agency = 0
            if level != SchoolLevel.ELEMENTARY and self.org.agencies:
                agency = self.org.agencies[secondary % len(self.org.agencies)].pk
                secondary += 1
            weight = self.rng.uniform(0.6, 1.4)
            self.org.schools.append(SchoolInfo(pk, values["name"], level, weight, agency))

    def boundary(self) -> dict[str, Any]:
        lon, lat = -83.9 + self.rng.random(), 42.2 + self.rng.random() / 2
        ring = [[lon, lat], [lon + 0.005, lat], [lon + 0.005, lat + 0.0035], [lon, lat + 0.0035], [lon, lat]]
        return {"type": "Polygon", "coordinates": [[[round(x, 4), round(y, 4)] for x, y in ring]]}
