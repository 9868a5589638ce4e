"""The policy engine: every catalogue role against in-scope and out-of-scope records."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import CATALOGUE
from srodesk.core.permissions import Grant, forget, has_perm, require, restrict
from srodesk.core.tests.sample.models import SampleCase
from srodesk.organizations.models import Agency, District, Partnership, School

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    home = District.objects.create(name="Home", slug="home", state="MI")
    away = District.objects.create(name="Away", slug="away", state="OH")
    w: dict[str, Any] = {
        "district_home": home,
        "district_away": away,
        "school_home": School.objects.create(district=home, name="Home High"),
        "school_home2": School.objects.create(district=home, name="Home Middle"),
        "school_away": School.objects.create(district=away, name="Away High"),
        "agency_home": Agency.objects.create(name="Home PD", ori="MIHOME001", state="MI"),
        "agency_away": Agency.objects.create(name="Away PD", ori="OHAWAY001", state="OH"),
    }
    Partnership.objects.create(agency=w["agency_home"], district=home, state="MI")
    Partnership.objects.create(agency=w["agency_away"], district=away, state="OH")
    w["case_home"] = SampleCase.objects.create(district=home, school=w["school_home"], title="Home case")
    w["case_home2"] = SampleCase.objects.create(district=home, school=w["school_home2"], title="Home case 2")
    w["case_away"] = SampleCase.objects.create(district=away, school=w["school_away"], title="Away case")
    return w


def user_with(role_slug: str, w: dict[str, Any], scope: str | None = None) -> User:
    role = Role.objects.get(slug=role_slug)
    scope = scope or role.scope_kinds[0]
    target = {} if scope == "platform" else {scope: w[f"{scope}_home"]}
    user = User.objects.create_user(username=f"{role_slug}-{scope}")
    RoleAssignment.objects.create(user=user, role=role, **target)
    return user


def visible(model: type, user: User, action: str = "view") -> set[str]:
    return {str(o) for o in restrict(model.objects.alive(), user, action)}


# role → the schools it sees (operational records), at the role's first scope kind
SCHOOLS_SEEN = {
    "sro": {"Home High"},
    "sro_supervisor": {"Home High", "Home Middle"},
    "records_clerk": {"Home High", "Home Middle"},
    "school_admin": {"Home High"},
    "bit_member": {"Home High"},
    "counselor": {"Home High"},
    "safety_director": {"Home High", "Home Middle"},
    "hr_clerk": {"Home High", "Home Middle"},
    "staff": {"Home High"},
    "analyst": {"Home High", "Home Middle"},
    "platform_admin": {"Home High", "Home Middle", "Away High"},
}

# role → the need-to-know education cases it sees without being a member
CASES_SEEN_AS_NON_MEMBER = {
    "sro": set(),
    "sro_supervisor": set(),
    "records_clerk": set(),
    "school_admin": {"Home case"},
    "bit_member": set(),
    "counselor": set(),
    "safety_director": set(),
    "hr_clerk": set(),
    "staff": set(),
    "analyst": set(),
    "platform_admin": {"Home case", "Home case 2", "Away case"},
}

# role → whether being a member of the home case lets it see that case
MEMBERSHIP_OPENS_CASE = {
    "sro": True,
    "sro_supervisor": False,  # no education grant at all
    "records_clerk": False,
    "school_admin": True,
    "bit_member": True,
    "counselor": True,
    "safety_director": False,
    "hr_clerk": False,
    "staff": False,
    "analyst": False,
    "platform_admin": True,
}


def test_the_matrix_covers_the_whole_catalogue() -> None:
    slugs = {spec.slug for spec in CATALOGUE}
    assert slugs == set(SCHOOLS_SEEN) == set(CASES_SEEN_AS_NON_MEMBER) == set(MEMBERSHIP_OPENS_CASE)


@pytest.mark.parametrize("role_slug", sorted(SCHOOLS_SEEN))
def test_operational_records_by_role_and_scope(world: dict[str, Any], role_slug: str) -> None:
    user = user_with(role_slug, world)
    assert visible(School, user) == SCHOOLS_SEEN[role_slug]


@pytest.mark.parametrize("role_slug", sorted(CASES_SEEN_AS_NON_MEMBER))
def test_need_to_know_cases_by_role(world: dict[str, Any], role_slug: str) -> None:
    user = user_with(role_slug, world)
    assert visible(SampleCase, user) == CASES_SEEN_AS_NON_MEMBER[role_slug]
    world["case_home"].members.add(user)
    world["case_away"].members.add(user)  # membership never reaches outside the role's scope
    expected = set(CASES_SEEN_AS_NON_MEMBER[role_slug])
    if MEMBERSHIP_OPENS_CASE[role_slug]:
        expected.add("Home case")
    assert visible(SampleCase, user) == expected


def test_school_scope_does_not_reach_sibling_school(world: dict[str, Any]) -> None:
    counselor = user_with("counselor", world, scope="school")
    world["case_home2"].members.add(counselor)
    assert visible(SampleCase, counselor) == set()
    counselor_district = user_with("counselor", world, scope="district")
    world["case_home2"].members.add(counselor_district)
    assert visible(SampleCase, counselor_district) == {"Home case 2"}


def test_agency_scope_reaches_partnered_districts_only(world: dict[str, Any]) -> None:
    supervisor = user_with("sro_supervisor", world)
    assert visible(Agency, supervisor) == {"Home PD (MIHOME001)"}
    assert visible(District, supervisor) == {"Home"}


def test_actions_are_granted_separately(world: dict[str, Any]) -> None:
    staff = user_with("staff", world)
    assert visible(School, staff, "view") == {"Home High"}
    assert visible(School, staff, "change") == set()
    principal = user_with("school_admin", world)
    assert visible(School, principal, "change") == {"Home High"}
    assert visible(School, principal, "delete") == set()


def test_role_assignments_need_named_grants(world: dict[str, Any]) -> None:
    safety = user_with("safety_director", world)  # holds every operational action in the district
    assert visible(RoleAssignment, safety) == set()
    assert has_perm(safety, "accounts.add_roleassignment") is False
    admin = user_with("platform_admin", world)
    assert len(visible(RoleAssignment, admin)) == 2


def test_has_perm_with_and_without_object(world: dict[str, Any]) -> None:
    principal = user_with("school_admin", world)
    assert has_perm(principal, "organizations.change_school") is True
    assert has_perm(principal, "organizations.change_school", world["school_home"]) is True
    assert has_perm(principal, "organizations.change_school", world["school_away"]) is False
    unsaved = SampleCase(district=world["district_home"], school=world["school_home"], title="new")
    assert has_perm(principal, "sample.add_samplecase", unsaved) is True
    unsaved_away = SampleCase(district=world["district_away"], school=world["school_away"], title="new")
    assert has_perm(principal, "sample.add_samplecase", unsaved_away) is False


def test_require_raises_permission_denied(world: dict[str, Any]) -> None:
    staff = user_with("staff", world)
    require(staff, "organizations.view_school", world["school_home"])
    with pytest.raises(PermissionDenied):
        require(staff, "organizations.view_school", world["school_away"])
    with pytest.raises(PermissionDenied):
        require(staff, "organizations.change_school")


def test_inactive_anonymous_and_unassigned_users_see_nothing(world: dict[str, Any]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert visible(School, AnonymousUser()) == set()  # type: ignore[arg-type]
    nobody = User.objects.create_user(username="nobody")
    assert visible(School, nobody) == set()
    staff = user_with("staff", world)
    staff.is_active = False
    forget(staff)
    assert visible(School, staff) == set()


def test_deleted_assignment_no_longer_grants(world: dict[str, Any]) -> None:
    staff = user_with("staff", world)
    assert visible(School, staff) == {"Home High"}
    RoleAssignment.objects.filter(user=staff).update(deleted_at="2026-01-01T00:00:00Z")
    forget(staff)
    assert visible(School, staff) == set()


def test_grant_strings() -> None:
    by_name = Grant(frozenset({"organizations.view_school"}))
    by_class = Grant(frozenset({"view:operational"}))
    everything = Grant(frozenset({"*"}))
    assert by_name.allows(School, "view")
    assert not by_name.allows(School, "change")
    assert not by_name.allows(District, "view")
    assert by_class.allows(School, "view")
    assert by_class.allows(District, "view")
    assert not by_class.allows(SampleCase, "view")
    assert not by_class.allows(RoleAssignment, "view")
    assert everything.allows(RoleAssignment, "delete")


def test_deleted_partnership_grants_nothing(world: dict[str, Any]) -> None:
    supervisor = user_with("sro_supervisor", world)
    assert visible(School, supervisor) == {"Home High", "Home Middle"}
    Partnership.objects.filter(agency=world["agency_home"]).update(deleted_at="2026-01-01T00:00:00Z")
    forget(supervisor)
    assert visible(School, supervisor) == set()
    assert visible(District, supervisor) == set()


def test_principal_changes_their_school_only(world: dict[str, Any]) -> None:
    principal = user_with("school_admin", world)
    assert visible(School, principal, "change") == {"Home High"}
    assert visible(District, principal, "change") == set()
    assert visible(Partnership, principal, "change") == set()
    assert visible(Agency, principal, "change") == set()
