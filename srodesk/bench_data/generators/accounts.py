"""The district's user accounts and their role assignments, made by the administrator in the set-up week.

Every school has its administrators, counsellors, BIT members and a few staff accounts; middle and high
schools have a School Resource Officer from the agency serving them; the district has its safety
directors, HR clerks and analysts; each agency a supervisor and a records clerk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import sync_roles
from srodesk.organizations.choices import SchoolLevel
from srodesk.organizations.models import Agency, District, School
from srodesk.people.roster.rows import light_instance

from ..names import FAMILY, GIVEN, ascii_name
from ..simulation import Actor, Generator, register, request_id
from ..timeline import Period
from .organizations import Organizations

TITLES = {
    "sro": "School Resource Officer",
    "school_admin": "Principal",
    "counselor": "School Counselor",
    "bit_member": "School Psychologist",
    "staff": "Teacher",
    "safety_director": "District Safety Director",
    "hr_clerk": "HR Clerk",
    "analyst": "Oversight Analyst",
    "sro_supervisor": "Sergeant, SRO Unit",
    "records_clerk": "Records Clerk",
    "platform_admin": "Platform Administrator",
}


@dataclass(frozen=True)
class Account:
    actor: Actor
    role: str
    school_id: int | None = None
    agency_id: int | None = None


@register
class Accounts(Generator):
    name = "accounts"
    writes = ("accounts.User", "accounts.RoleAssignment")

    def plan(self) -> None:
        self.accounts: list[Account] = []
        self.by_school: dict[tuple[str, int], list[Account]] = defaultdict(list)
        self.by_role: dict[str, list[Account]] = defaultdict(list)
        self.counter = 0

    def week(self, period: Period) -> None:
        if not period.setup:
            return
        org = self.sim.get(Organizations).org
        if not Role.objects.exists():
            sync_roles()
        self.roles = {slug: (pk, name) for slug, pk, name in Role.objects.values_list("slug", "pk", "name")}
        self.clock = period.start.replace(hour=8) + dt.timedelta(days=1)
        wanted: list[tuple[str, int | None, int | None, int | None]] = []  # role, school, district, agency
        for info in org.schools:
            secondary = info.level != SchoolLevel.ELEMENTARY
            wanted += [("school_admin", info.pk, None, None)] * 2
            wanted += [("counselor", info.pk, None, None)] * (2 if secondary else 1)
            wanted += [("bit_member", info.pk, None, None)] * 2
            wanted += [("staff", info.pk, None, None)] * 3
            if secondary:
                wanted.append(("sro", info.pk, None, info.agency))
        wanted += [("safety_director", None, org.district_id, None)] * 2
        wanted += [("hr_clerk", None, org.district_id, None)] * 3
        wanted += [("analyst", None, org.district_id, None)] * 2
        for agency_info in org.agencies:
            wanted += [("sro_supervisor", None, None, agency_info.pk), ("records_clerk", None, None, agency_info.pk)]
        admin = org.admins[0]
        user_ids = self.sim.sink.ids(User, len(wanted))
        assignment_ids = self.sim.sink.ids(RoleAssignment, len(wanted) + len(org.admins))
        names = {s.pk: s.name for s in org.schools}
        for (role, school, district, agency), user_id, assignment_id in zip(
            wanted, user_ids, assignment_ids, strict=False
        ):
            actor = self.user(user_id, role, admin)
            # An SRO works for the agency serving the school; the assignment's one scope is the school.
            scope = {"school_id": school, "district_id": district, "agency_id": None if school else agency}
            self.assign(assignment_id, actor, role, scope, admin, names, org.district_name, org)
            account = Account(actor, role, school, agency)
            self.accounts.append(account)
            self.by_role[role].append(account)
            if school is not None:
                self.by_school[(role, school)].append(account)
        for admin_actor, assignment_id in zip(org.admins, assignment_ids[len(wanted) :], strict=True):
            scope = {"school_id": None, "district_id": None, "agency_id": None}
            self.assign(assignment_id, admin_actor, "platform_admin", scope, admin, names, org.district_name, org)
            account = Account(admin_actor, "platform_admin")
            self.accounts.append(account)
            self.by_role["platform_admin"].append(account)

    def tick(self) -> dt.datetime:
        self.clock += dt.timedelta(seconds=self.rng.randrange(40, 200), microseconds=self.rng.randrange(10**6))
        return self.clock.astimezone(dt.UTC)

    def user(self, pk: int, role: str, admin: Actor) -> Actor:
        sim = self.sim
        org = sim.get(Organizations)
        given, family = self.rng.choice(GIVEN), self.rng.choice(FAMILY)
        self.counter += 1
        username = f"{ascii_name(given)[:1]}{ascii_name(family)}{self.counter}.{sim.code}"
        values = org.user(username, given, family, False)
        values.update(id=pk, title=TITLES[role], date_joined=self.tick())
        sim.sink.insert(User, [values])
        sim.sink.change(
            User,
            values,
            at=values["date_joined"],
            action="create",
            after=sim.sink.snapshot(User, values),
            actor=admin,
            request_id=request_id(self.rng),
        )
        return Actor(pk, username, f"10.{20 + self.counter // 250}.{self.counter % 250}.{10 + self.counter % 7}")

    def assign(
        self,
        pk: int,
        actor: Actor,
        role: str,
        scope: dict[str, int | None],
        admin: Actor,
        school_names: dict[int, str],
        district_name: str,
        org: Any,
    ) -> None:
        sim = self.sim
        role_id, role_name = self.roles[role]
        at = self.tick()
        values = sim.sink.defaults(RoleAssignment)
        values.update(
            id=pk,
            user_id=actor.id,
            role_id=role_id,
            created_at=at,
            updated_at=at,
            created_by_id=admin.id,
            updated_by_id=admin.id,
            **scope,
        )
        related: dict[str, Any] = {
            "user": light_instance(User, {"id": actor.id, "username": actor.username}),
            "role": light_instance(Role, {"id": role_id, "name": role_name}),
        }
        if scope["school_id"] is not None:
            related["school"] = light_instance(
                School, {"id": scope["school_id"], "name": school_names[scope["school_id"]]}
            )
        elif scope["district_id"] is not None:
            related["district"] = light_instance(District, {"id": scope["district_id"], "name": district_name})
        elif scope["agency_id"] is not None:
            agency = next(a for a in org.agencies if a.pk == scope["agency_id"])
            related["agency"] = light_instance(Agency, {"id": agency.pk, "name": agency.name, "ori": agency.ori})
        sim.sink.insert(RoleAssignment, [values])
        sim.sink.change(
            RoleAssignment,
            values,
            at=at,
            action="create",
            after=sim.sink.snapshot(RoleAssignment, values),
            actor=admin,
            request_id=request_id(self.rng),
            related=related,
        )

    def at_school(self, role: str, school_id: int) -> list[Account]:
        return self.by_school.get((role, school_id), [])
