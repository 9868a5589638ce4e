"""A school with its threat-assessment team and one case, and the people around it (catalogue roles)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.core import audit
from srodesk.organizations.models import District, School
from srodesk.people.models import Student
from srodesk.threats import services
from srodesk.threats.models import Team, TeamMember, ThreatCase


@dataclass
class World:
    district: District
    school: School
    other_school: School
    student: Student
    team: Team
    case: ThreatCase
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_user(username: str, role: str, **scope: Any) -> User:
    user = User.objects.create_user(username=username, email=f"{username}@example.org", first_name=username.title())
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), **scope)
    return user


def build_world() -> World:
    district = District.objects.create(name="Riverside", slug="riverside", state="VA")
    school = School.objects.create(district=district, name="Riverside High")
    other = School.objects.create(district=district, name="Lakeside Middle")
    student = Student.objects.create(
        district=district, school=school, given_name="Dylan", family_name="Marsh", identifier="S555001"
    )
    student.schools.add(school)
    users = {
        "admin": make_user("admin", "school_admin", school=school),
        "counselor": make_user("counselor", "counselor", school=school),
        "sro_member": make_user("sro_member", "sro", school=school),
        "sro_outsider": make_user("sro_outsider", "sro", school=school),
        "counselor_other": make_user("counselor_other", "counselor", school=other),
        "analyst": make_user("analyst", "analyst", district=district),
        "bit_added": make_user("bit_added", "bit_member", school=school),
        "removed": make_user("removed", "counselor", school=school),
    }
    team = Team.objects.create(school=school, name="Riverside High threat assessment team")
    admin = users["admin"]
    services.add_team_member(actor=admin, team=team, user=users["counselor"], team_role="mental_health")
    services.add_team_member(actor=admin, team=team, user=users["sro_member"], team_role="law_enforcement")
    former = services.add_team_member(actor=admin, team=team, user=users["removed"], team_role="other")
    services.remove_team_member(actor=admin, membership=former, reason="left the school")
    with audit.audit_context(actor=users["counselor"]):
        case = ThreatCase.objects.create(
            team=team,
            student=student,
            reported_at=timezone.now() - dt.timedelta(hours=2),
            reporter_name="Mr. Ortiz",
            how_reported="in_person",
            location="Cafeteria",
            exact_words="I'm going to beat him up after school.",
            targets="Another student",
        )
    services.add_case_member(actor=users["counselor"], case=case, user=users["bit_added"])
    return World(district, school, other, student, team, case, users)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def removed_membership(world: World) -> TeamMember:
    return TeamMember.objects.get(team=world.team, user=world.removed)
