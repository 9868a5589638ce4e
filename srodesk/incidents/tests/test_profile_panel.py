"""The student profile's "Law-enforcement actions" panel: exactly the rows each role may see, or no trace."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

import srodesk.incidents.profile as incident_profile
from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.incidents.models import Incident, IncidentShare
from srodesk.incidents.tests.factories import (
    ArrestFactory,
    DisciplineReferralFactory,
    IncidentFactory,
    InvolvedPersonFactory,
    SearchFactory,
    UseOfForceFactory,
)
from srodesk.organizations.tests.factories import AgencyFactory, DistrictFactory, PartnershipFactory, SchoolFactory
from srodesk.people.models import Student
from srodesk.people.profile import panels_for
from srodesk.people.testing import profile_page
from srodesk.people.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

PANEL = 'id="panel-law-enforcement"'
ROWS = ("incident", "arrest", "search", "force", "referral")


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def world() -> dict[str, Any]:
    district = DistrictFactory(name="Riverside")
    agency = AgencyFactory(name="Riverside Police Department")
    PartnershipFactory(agency=agency, district=district)
    school_a = SchoolFactory(district=district, name="Riverside High")
    school_b = SchoolFactory(district=district, name="Lakeside Middle")
    jose = StudentFactory(school=school_a, given_name="José", family_name="Álvarez")
    jose.schools.add(school_b)  # enrolled at both: school B's records about him stay with school B

    fight = IncidentFactory(school=school_a, agency=agency, title="Fight in the stairwell")
    offender = InvolvedPersonFactory(incident=fight, student=jose, role="offender")
    InvolvedPersonFactory(incident=fight, student=jose, role="arrestee", sequence_number=1)
    ArrestFactory(incident=fight, arrestee=offender)
    UseOfForceFactory(incident=fight, subject=offender)
    SearchFactory(school=school_a, agency=agency, student=jose, incident=fight)

    theft = IncidentFactory(school=school_a, agency=agency, title="Phone theft")
    InvolvedPersonFactory(incident=theft, student=jose, role="victim")
    SearchFactory(school=school_a, agency=agency, student=jose)  # no incident: never shared

    elsewhere = IncidentFactory(school=school_b, agency=agency, title="Lakeside vandalism")
    InvolvedPersonFactory(incident=elsewhere, student=jose, role="witness")

    deleted = IncidentFactory(school=school_a, agency=agency, title="Deleted report")
    InvolvedPersonFactory(incident=deleted, student=jose, role="suspect")
    Incident.objects.filter(pk=deleted.pk).update(deleted_at=deleted.created_at)

    DisciplineReferralFactory(school=school_a, student=jose, behaviour="Dress code")
    DisciplineReferralFactory(school=school_b, student=jose, behaviour="Tardiness")
    return {
        "district": district,
        "school_a": school_a,
        "school_b": school_b,
        "jose": jose,
        "fight": fight,
        "theft": theft,
    }


def user_with(slug: str, **scope: Any) -> User:
    user = User.objects.create_user(username=f"{slug}-{len(scope)}-{User.objects.count()}")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=slug), **scope)
    return user


def profile(user: User, student: Student) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    return profile_page(client, student)


def counts(html: str) -> dict[str, int]:
    return {row: html.count(f'data-row="{row}"') for row in ROWS}


def share(world: dict[str, Any]) -> None:
    IncidentShare.objects.create(incident=world["fight"], school=world["school_a"], reason="Discipline hearing")


def test_sro_in_scope_sees_every_action_of_their_school(world: dict[str, Any]) -> None:
    status, html = profile(user_with("sro", school=world["school_a"]), world["jose"])
    assert status == 200
    assert PANEL in html
    assert "Law-enforcement actions" in html
    assert counts(html) == {"incident": 2, "arrest": 1, "search": 2, "force": 1, "referral": 1}
    assert "Fight in the stairwell" in html
    assert "Offender, Arrestee" in html  # one row per incident, with every role the student had
    assert "Phone theft" in html
    assert "Lakeside vandalism" not in html  # school B's incident
    assert "Deleted report" not in html
    assert "Tardiness" not in html  # school B's referral
    assert "Discipline referrals (education record)" in html


def test_district_sro_sees_both_schools(world: dict[str, Any]) -> None:
    _, html = profile(user_with("sro", district=world["district"]), world["jose"])
    assert counts(html) == {"incident": 3, "arrest": 1, "search": 2, "force": 1, "referral": 2}


def test_school_admin_without_a_share_sees_no_law_enforcement_row(world: dict[str, Any]) -> None:
    status, html = profile(user_with("school_admin", school=world["school_a"]), world["jose"])
    assert status == 200
    assert PANEL in html
    assert counts(html) == {"incident": 0, "arrest": 0, "search": 0, "force": 0, "referral": 1}
    for absent in ("Fight in the stairwell", "Phone theft", "Lakeside vandalism", "Restraint"):
        assert absent not in html, absent
    assert "Dress code" in html


def test_school_admin_sees_what_was_shared_with_their_school(world: dict[str, Any]) -> None:
    share(world)
    _, html = profile(user_with("school_admin", school=world["school_a"]), world["jose"])
    assert counts(html) == {"incident": 1, "arrest": 1, "search": 1, "force": 1, "referral": 1}
    assert "Fight in the stairwell" in html
    assert "Phone theft" not in html
    # Shared with school A only: an administrator of school B still sees none of it.
    _, other = profile(user_with("school_admin", school=world["school_b"]), world["jose"])
    assert counts(other) == {"incident": 0, "arrest": 0, "search": 0, "force": 0, "referral": 1}
    assert "Tardiness" in other


def test_revoked_share_hides_the_rows_again(world: dict[str, Any]) -> None:
    share(world)
    IncidentShare.objects.filter(incident=world["fight"]).update(deleted_at=world["fight"].created_at)
    _, html = profile(user_with("school_admin", school=world["school_a"]), world["jose"])
    assert counts(html)["incident"] == 0
    assert counts(html)["arrest"] == 0


def test_counselor_sees_referrals_and_no_law_enforcement_section(world: dict[str, Any]) -> None:
    counselor = user_with("counselor", school=world["school_a"])
    for shared in (False, True):
        if shared:
            share(world)  # the catalogue grants view_shared to school administrators only
        status, html = profile(counselor, world["jose"])
        assert status == 200
        assert PANEL in html
        assert counts(html) == {"incident": 0, "arrest": 0, "search": 0, "force": 0, "referral": 1}
        assert "Law-enforcement records" not in html
        assert "Fight in the stairwell" not in html


def test_analyst_gets_neither_profile_nor_panel(world: dict[str, Any]) -> None:
    analyst = user_with("analyst", district=world["district"])
    status, html = profile(analyst, world["jose"])
    assert status == 403
    assert "Law-enforcement" not in html
    request = RequestFactory().get("/")
    request.user = analyst
    assert [p.name for p in panels_for(request, world["jose"]) if p.name == "law-enforcement"] == []
    assert incident_profile.student_records(analyst, world["jose"]) == {"show_le": False, "show_referrals": False}


def test_a_role_that_sees_none_of_these_types_leaves_no_trace(world: dict[str, Any]) -> None:
    role = Role.objects.create(slug="student-viewer", name="Student viewer", permissions=["people.view_student"])
    viewer = User.objects.create_user(username="viewer")
    RoleAssignment.objects.create(user=viewer, role=role, school=world["school_a"])
    status, html = profile(viewer, world["jose"])
    assert status == 200
    for absent in (PANEL, "Law-enforcement", "Discipline referrals", "Dress code", "None on record"):
        assert absent not in html, absent


def test_listing_the_rows_writes_access_rows(world: dict[str, Any]) -> None:
    sro = user_with("sro", school=world["school_a"])
    profile(sro, world["jose"])
    listed = {
        event.content_type.model: event.detail["object_ids"]
        for event in AuditEvent.objects.filter(
            kind=AuditEvent.Kind.ACCESS, action=AuditEvent.Action.LIST, actor_id=sro.pk
        ).select_related("content_type")
        if event.detail.get("panel") == "law_enforcement"
    }
    assert sorted(listed) == ["arrest", "disciplinereferral", "incident", "involvedperson", "search", "useofforce"]
    assert sorted(listed["incident"]) == sorted([world["fight"].pk, world["theft"].pk])
    assert ContentType.objects.get_for_model(Incident).model == "incident"


def _queries(user: User, student: Student) -> tuple[int, int]:
    fresh = User.objects.get(pk=user.pk)  # grants are cached per user object: load them in both runs
    with CaptureQueriesContext(connection) as captured:
        data = incident_profile.student_records(fresh, student)
    return len(captured), len(data["incidents"])


def test_panel_query_count_does_not_grow_with_rows(world: dict[str, Any]) -> None:
    sro = user_with("sro", school=world["school_a"])
    before, shown = _queries(sro, world["jose"])
    assert shown == 2
    for _ in range(5):
        extra = IncidentFactory(school=world["school_a"], agency=world["fight"].agency)
        InvolvedPersonFactory(incident=extra, student=world["jose"], role="witness")
        ArrestFactory(incident=extra, arrestee=InvolvedPersonFactory(incident=extra, student=world["jose"]))
    after, shown = _queries(sro, world["jose"])
    assert shown == 7
    assert after == before
