"""A small district for the hand-written tests: one partnership, two schools, catalogue roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.organizations.models import Agency, District, Partnership, School
from srodesk.people.models import Student


@dataclass
class World:
    district: District
    school: School
    other_school: School
    partnership: Partnership
    student: Student
    other_student: Student


def build(state: str = "CA") -> World:
    district = District.objects.create(name="Bayview Unified", slug=f"bayview-{state.lower()}", state=state)
    school = School.objects.create(district=district, name="Bayview High", timezone="America/Los_Angeles")
    other = School.objects.create(district=district, name="Hillside Middle", timezone="America/Los_Angeles")
    agency = Agency.objects.create(name="Bayview Police", ori=f"{state}0000001", state=state)
    partnership = Partnership.objects.create(agency=agency, district=district, state=state)
    student = Student.objects.create(
        district=district, school=school, given_name="Lena", family_name="Ortiz", identifier="100001"
    )
    student.schools.add(school)
    other_student = Student.objects.create(
        district=district, school=other, given_name="Omar", family_name="Haddad", identifier="200002"
    )
    other_student.schools.add(other)
    return World(district, school, other, partnership, student, other_student)


def user(name: str, role: str, *, email: str = "", **scope: Any) -> User:
    account = User.objects.create_user(username=name, password="unused-password-123", email=email)
    RoleAssignment.objects.create(user=account, role=Role.objects.get(slug=role), **scope)
    return account
