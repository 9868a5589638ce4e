"""A district with two schools, an agency, the catalogue's roles (with the alert grants) and a roster.

The alert grants are the ones proposed for ``accounts/roles.py`` (see docs/alerts.md): until the catalogue
holds them, :func:`grant_alert_roles` adds them to the role rows of the test database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.alerts import services
from srodesk.alerts.models import Alert
from srodesk.core import permissions
from srodesk.organizations.models import Agency, District, Partnership, School
from srodesk.people.models import Student

#: Role slug → the alert permissions it needs beyond the catalogue (the safety director's
#: ``add/change:operational`` class grants already reach alerts and reports).
ALERT_GRANTS: dict[str, tuple[str, ...]] = {
    "sro": ("alerts.add_alert", "alerts.change_alert"),
    "sro_supervisor": ("alerts.add_alert", "alerts.change_alert"),
    "school_admin": ("alerts.add_alert", "alerts.change_alert"),
    "staff": ("alerts.add_accountabilityreport",),
}


def grant_alert_roles() -> None:
    for slug, extra in ALERT_GRANTS.items():
        role = Role.objects.get(slug=slug)
        perms = set(role.permissions or ())
        if not set(extra) <= perms:
            role.permissions = sorted(perms | set(extra))
            role.save(update_fields=["permissions"])


@dataclass
class World:
    district: District
    school: School
    school_b: School
    away_district: District
    away_school: School
    agency: Agency
    students: dict[str, Student] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def fresh(self, name: str) -> User:
        """The user again, without the grants cached on the object."""
        user = self.users[name]
        permissions.forget(user)
        return user

    def arm(self, actor: str = "sro", **fields: Any) -> Alert:
        values: dict[str, Any] = {"kind": "srp", "action": "lockdown", "schools": [self.school]}
        values.update(fields)
        return services.arm(self.users[actor], **values)


def make_user(username: str, role: str | None, first: str = "", last: str = "", **scope: Any) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.org",
        first_name=first or username.title(),
        last_name=last,
        password="a-long-test-password-1",
    )
    if role is not None:
        RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), **scope)
    return user


def student(school: School, given: str, family: str, *, active: bool = True) -> Student:
    row = Student.objects.create(
        district=school.district, school=school, given_name=given, family_name=family, active=active, grade="09"
    )
    row.schools.add(school)
    return row


def build_world() -> World:
    grant_alert_roles()
    district = District.objects.create(name="Riverside", slug="riverside", state="MI")
    school = School.objects.create(district=district, name="Riverside High")
    school_b = School.objects.create(district=district, name="Lakeside Middle", level="middle")
    away_district = District.objects.create(name="Hillcrest", slug="hillcrest", state="OH")
    away_school = School.objects.create(district=away_district, name="Hillcrest High")
    agency = Agency.objects.create(name="Riverside Police", ori="MI1234500", state="MI")
    Partnership.objects.create(agency=agency, district=district, state="MI")
    away_agency = Agency.objects.create(name="Hillcrest Police", ori="OH7654300", state="OH")
    Partnership.objects.create(agency=away_agency, district=away_district, state="OH")
    world = World(district, school, school_b, away_district, away_school, agency)
    world.users = {
        "sro": make_user("sro", "sro", "Sam", "Officer", school=school),
        "sro_b": make_user("sro_b", "sro", "Bea", "Officer", school=school_b),
        "supervisor": make_user("supervisor", "sro_supervisor", "Sue", "Sergeant", agency=agency),
        "admin": make_user("admin", "school_admin", "Ada", "Principal", school=school),
        "director": make_user("director", "safety_director", "Dan", "Director", district=district),
        "staff": make_user("staff", "staff", "Tess", "Teacher", school=school),
        "staff2": make_user("staff2", "staff", "Tom", "Tutor", school=school),
        "staff_b": make_user("staff_b", "staff", "Bo", "Baker", school=school_b),
        "analyst": make_user("analyst", "analyst", "Ann", "Analyst", district=district),
        "away_sro": make_user("away_sro", "sro", "Al", "Away", school=away_school),
        "outsider": make_user("outsider", None, "Olly", "Outsider"),
    }
    world.students = {
        "maya": student(school, "Maya", "Lopez"),
        "noah": student(school, "Noah", "Kim"),
        "zoe": student(school, "Zoe", "Adams"),
        "gone": student(school, "Gail", "Gone", active=False),
        "lake": student(school_b, "Lee", "Lake"),
    }
    return world
