"""Who sees which people: every catalogue role against in-scope and out-of-scope rows of each type."""

from typing import Any

import pytest

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import CATALOGUE
from srodesk.core.permissions import hidden_fields, restrict
from srodesk.organizations.models import Agency, District, Partnership, School
from srodesk.people.models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle

from .factories import (
    DisclosureFactory,
    GuardianFactory,
    OtherPersonFactory,
    RosterImportFactory,
    StaffMemberFactory,
    StudentFactory,
    VehicleFactory,
)

pytestmark = pytest.mark.django_db

MODELS = (Student, StaffMember, Guardian, OtherPerson, Vehicle, Disclosure, RosterImport)

# role → the types whose home-school row it sees (assigned at its first scope kind)
SEES = {
    "sro": {Student, StaffMember, OtherPerson, Vehicle, Guardian, Disclosure},
    "sro_supervisor": {OtherPerson, Vehicle},
    "records_clerk": {OtherPerson},
    "school_admin": {Student, StaffMember, Guardian, Vehicle, Disclosure},
    "bit_member": {Student, Guardian, Disclosure},
    "counselor": {Student, Guardian, Disclosure},
    "safety_director": {Vehicle, RosterImport},
    "hr_clerk": {StaffMember},
    "staff": set(),
    "analyst": set(),
    "platform_admin": set(MODELS),
}
SEES_PROGRAMS = {"school_admin", "bit_member", "counselor", "platform_admin"}


@pytest.fixture
def world() -> dict[str, Any]:
    home = District.objects.create(name="Home", slug="home", state="MI")
    away = District.objects.create(name="Away", slug="away", state="OH")
    school_home = School.objects.create(district=home, name="Home High")
    school_away = School.objects.create(district=away, name="Away High")
    agency_home = Agency.objects.create(name="Home PD", ori="MIHOME001", state="MI")
    agency_away = Agency.objects.create(name="Away PD", ori="OHAWAY001", state="OH")
    Partnership.objects.create(agency=agency_home, district=home, state="MI")
    Partnership.objects.create(agency=agency_away, district=away, state="OH")
    rows: dict[str, Any] = {"school_home": school_home, "district_home": home, "agency_home": agency_home}
    for side, school, agency in (("home", school_home, agency_home), ("away", school_away, agency_away)):
        student = StudentFactory(school=school, idea=True)
        rows[side] = {
            Student: student,
            StaffMember: StaffMemberFactory(school=school),
            Guardian: GuardianFactory(student=student),
            OtherPerson: OtherPersonFactory(school=school, agency=agency),
            Vehicle: VehicleFactory(school=school),
            Disclosure: DisclosureFactory(student=student),
            RosterImport: RosterImportFactory(district=school.district),
        }
    return rows


def user_for(role_slug: str, world: dict[str, Any]) -> User:
    role = Role.objects.get(slug=role_slug)
    scope = role.scope_kinds[0]
    target = {} if scope == "platform" else {scope: world[f"{scope}_home"]}
    user = User.objects.create_user(username=role_slug)
    RoleAssignment.objects.create(user=user, role=role, **target)
    return user


def test_matrix_covers_catalogue() -> None:
    assert set(SEES) == {spec.slug for spec in CATALOGUE}


@pytest.mark.parametrize("role_slug", sorted(SEES))
def test_people_visibility_by_role(world: dict[str, Any], role_slug: str) -> None:
    user = user_for(role_slug, world)
    for model in MODELS:
        seen = set(restrict(model.objects.alive(), user, "view").values_list("pk", flat=True))
        home, away = world["home"][model].pk, world["away"][model].pk
        expected_home = model in SEES[role_slug]
        assert (home in seen) is expected_home, f"{role_slug} home {model.__name__}"
        assert (away in seen) is (role_slug == "platform_admin"), f"{role_slug} away {model.__name__}"


@pytest.mark.parametrize("role_slug", sorted(SEES))
def test_program_flags_by_role(world: dict[str, Any], role_slug: str) -> None:
    user = user_for(role_slug, world)
    student = world["home"][Student]
    hidden = hidden_fields(user, Student, student)
    if role_slug in SEES_PROGRAMS:
        assert hidden == frozenset()
    else:
        assert "idea" in hidden
        assert "english_learner_start" in hidden


def test_disclosures_are_never_changed_or_deleted_by_a_role(world: dict[str, Any]) -> None:
    for spec in CATALOGUE:
        if spec.slug == "platform_admin":
            continue
        user = user_for(spec.slug, world)
        for action in ("change", "delete"):
            assert not restrict(Disclosure.objects.all(), user, action).exists(), (spec.slug, action)
