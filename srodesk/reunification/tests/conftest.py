"""A district with two schools and a reunification for one of them, and the people working it.

The people hold the catalogue's roles (``accounts/roles.py``), except ``staff_plain``: a staff member
without the reunification grants, to prove that names are reached only through them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import BY_SLUG
from srodesk.organizations.models import District, School
from srodesk.people.models import Guardian, Student
from srodesk.reunification import services
from srodesk.reunification.models import EventStudent, ReunificationEvent

SEE = (
    "reunification.view_eventstudent",
    "reunification.view_reunificationcard",
    "reunification.view_reunificationexception",
)
WORK = (
    "reunification.add_reunificationcard",
    "reunification.check_reunificationcard",
    "reunification.run_reunificationcard",
    "reunification.release_reunificationcard",
    "reunification.add_reunificationexception",
)
LEAD = (
    "reunification.add_reunificationevent",
    "reunification.close_reunificationevent",
    "reunification.resolve_reunificationexception",
    "reunification.export_eventstudent",
    "reunification.export_reunificationcard",
    "reunification.export_reunificationexception",
)


def role(slug: str, *, plain: bool = False) -> Role:
    """The catalogue role; ``plain=True`` gives a role with only ``view:operational`` instead."""
    if plain:
        made, _ = Role.objects.get_or_create(
            slug=f"t-{slug}-plain",
            defaults={"name": "Without reunification grants", "permissions": ["view:operational"]},
        )
        return made
    return Role.objects.get(slug=BY_SLUG[slug].slug)


def make_user(username: str, slug: str, *, plain: bool = False, **scope: Any) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.org")
    RoleAssignment.objects.create(user=user, role=role(slug, plain=plain), **scope)
    return user


@dataclass
class World:
    district: District
    school: School
    other_school: School
    away_school: School
    students: dict[str, Student]
    guardians: dict[str, Guardian]
    users: dict[str, User] = field(default_factory=dict)
    event: ReunificationEvent | None = None

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def expected(self, given: str) -> EventStudent:
        assert self.event is not None
        return EventStudent.objects.get(event=self.event, student=self.students[given])


def _student(school: School, given: str, family: str, grade: str, **extra: Any) -> Student:
    student = Student.objects.create(
        district=school.district, school=school, given_name=given, family_name=family, grade=grade, **extra
    )
    student.schools.add(school)
    return student


def _guardian(student: Student, given: str, family: str, relationship: str = "parent", **extra: Any) -> Guardian:
    guardian = Guardian.objects.create(
        district=student.district, given_name=given, family_name=family, relationship=relationship, **extra
    )
    guardian.students.add(student)
    return guardian


def build_world(*, start: bool = True) -> World:
    district = District.objects.create(name="Riverside", slug="riverside", state="MI")
    away = District.objects.create(name="Hillview", slug="hillview", state="MI")
    school = School.objects.create(district=district, name="Riverside High")
    other = School.objects.create(district=district, name="Lakeside Middle", level="middle")
    away_school = School.objects.create(district=away, name="Hillview High")
    students = {
        "Ava": _student(school, "Ava", "Adams", "09"),
        "Ben": _student(school, "Ben", "Brown", "10"),
        "Cara": _student(
            school,
            "Cara",
            "Cruz",
            "09",
            roster_metadata={"metadata.custody_restriction": "Court order 2025-114: only the mother may pick up."},
        ),
        "Dan": _student(school, "Dan", "Diaz", "11", roster_metadata={"ext_no_pickup": "grd-dave"}),
        "Gus": _student(school, "Gus", "Green", "10"),
        "Eve": _student(school, "Eve", "Evans", "09", active=False),
        "Finn": _student(other, "Finn", "Ford", "07"),
        "Hal": _student(away_school, "Hal", "Hill", "09"),
    }
    guardians = {
        "Amy": _guardian(students["Ava"], "Amy", "Adams"),
        "Bob": _guardian(students["Ben"], "Bob", "Brown"),
        "Carl": _guardian(students["Cara"], "Carl", "Cruz"),
        "Carmen": _guardian(students["Cara"], "Carmen", "Cruz"),
        "Dora": _guardian(students["Dan"], "Dora", "Diaz", "guardian"),
        "Dave": _guardian(students["Dan"], "Dave", "Diaz", "relative", sourced_id="grd-dave"),
        "Gina": _guardian(students["Gus"], "Gina", "Green"),
    }
    users = {
        "admin": make_user("admin", "school_admin", school=school),
        "sro": make_user("sro", "sro", school=school),
        "staff": make_user("staff", "staff", school=school),
        "runner": make_user("runner", "staff", school=school),
        "staff_other": make_user("staff_other", "staff", school=other),
        "director": make_user("director", "safety_director", district=district),
        "director_away": make_user("director_away", "safety_director", district=away),
        "analyst": make_user("analyst", "analyst", district=district),
        "counselor": make_user("counselor", "counselor", school=school),
        "staff_plain": make_user("staff_plain", "staff", plain=True, school=school),
    }
    world = World(district, school, other, away_school, students, guardians, users)
    if start:
        world.event = services.start_event(
            actor=users["admin"],
            district=district,
            schools=[school],
            site_name="First Church",
            site_address="2 Oak Street",
            assembly_area="Fellowship hall",
        )
    return world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False
