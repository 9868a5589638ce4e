"""The student profile: header, panels by permission (a hidden panel leaves no trace), links, access log."""

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.organizations.models import District, School
from srodesk.people import profile
from srodesk.people.models import Guardian, Student, Vehicle
from srodesk.people.templatetags.people_profile import age
from srodesk.people.testing import profile_page

pytestmark = pytest.mark.django_db

PROGRAM_WORDS = ("IDEA", "Section 504", "English learner", "Programs", "panel-programs")


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def world() -> dict[str, Any]:
    district = District.objects.create(name="Riverside", slug="riverside", state="MI")
    school_a = School.objects.create(district=district, name="Riverside High")
    school_b = School.objects.create(district=district, name="Lakeside Middle")
    jose = Student.objects.create(
        district=district,
        school=school_a,
        given_name="José",
        family_name="Álvarez",
        preferred_given_name="Pepe",
        identifier="S100200",
        birth_date=dt.date(2010, 4, 7),
        grade="09",
        sex="male",
        hispanic_latino=True,
        idea=True,
        idea_start=dt.date(2022, 9, 1),
    )
    jose.schools.add(school_a)
    other = Student.objects.create(district=district, school=school_b, given_name="Ana", family_name="Berg")
    other.schools.add(school_b)
    guardian = Guardian.objects.create(district=district, given_name="Lucía", family_name="Álvarez", phone="555-0101")
    guardian.students.add(jose)
    gone = Guardian.objects.create(
        district=district, given_name="Removed", family_name="Person", deleted_at=timezone.now()
    )
    gone.students.add(jose)
    vehicle = Vehicle.objects.create(
        district=district, school=school_a, plate="ABC-123", make="Ford", owner_student=jose
    )
    return {
        "district": district,
        "school_a": school_a,
        "school_b": school_b,
        "jose": jose,
        "other": other,
        "guardian": guardian,
        "vehicle": vehicle,
    }


def make_user(name: str, role: Role, **scope: Any) -> User:
    user = User.objects.create_user(username=name)
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


def catalogue_user(slug: str, school: School) -> User:
    return make_user(slug, Role.objects.get(slug=slug), school=school)


def page(user: User, student: Student) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    return profile_page(client, student)


def test_profile_header_for_a_counselor(world: dict[str, Any]) -> None:
    user = catalogue_user("counselor", world["school_a"])
    status, html = page(user, world["jose"])
    assert status == 200
    assert "Pepe Álvarez" in html  # display name
    assert "José Álvarez" in html  # legal name
    assert "Grade 9" in html
    assert "Riverside High" in html
    assert "S100200" in html
    assert "2010-04-07" in html
    assert f"(age {age(dt.date(2010, 4, 7))})" in html
    assert ">Active<" in html
    assert 'id="panel-demographics"' in html
    assert "Hispanic or Latino" in html


def test_counselor_sees_programs_and_guardians_but_no_vehicles(world: dict[str, Any]) -> None:
    user = catalogue_user("counselor", world["school_a"])
    _, html = page(user, world["jose"])
    assert 'id="panel-programs"' in html
    assert "IDEA (disability, IEP)" in html
    assert "2022-09-01" in html
    assert 'id="panel-guardians"' in html
    assert "Lucía Álvarez" in html
    assert "Removed Person" not in html  # soft-deleted guardians are gone
    # The counselor holds no vehicle grant: no panel, no heading, no plate.
    assert 'id="panel-vehicles"' not in html
    assert "Vehicles" not in html
    assert "ABC-123" not in html


def test_sro_sees_no_trace_of_programs(world: dict[str, Any]) -> None:
    user = catalogue_user("sro", world["school_a"])
    status, html = page(user, world["jose"])
    assert status == 200
    for word in PROGRAM_WORDS:
        assert word not in html, word
    assert "Restricted" not in html
    assert "restricted" not in html
    assert 'id="panel-guardians"' in html
    assert 'id="panel-vehicles"' in html
    assert "ABC-123" in html


def test_a_student_only_role_sees_only_the_student(world: dict[str, Any]) -> None:
    role = Role.objects.create(slug="student-viewer", name="Student viewer", permissions=["people.view_student"])
    user = make_user("viewer", role, school=world["school_a"])
    status, html = page(user, world["jose"])
    assert status == 200
    assert "Pepe Álvarez" in html
    for absent in ("panel-programs", "panel-guardians", "panel-vehicles", "Guardians", "Lucía", "Record a disclosure"):
        assert absent not in html, absent
    assert "Disclosure log" not in html


def test_profile_of_a_student_out_of_scope_is_404(world: dict[str, Any]) -> None:
    user = catalogue_user("counselor", world["school_a"])
    status, html = page(user, world["other"])
    assert status == 404
    assert "Berg" not in html


def test_viewing_the_profile_writes_an_access_log_row(world: dict[str, Any]) -> None:
    user = catalogue_user("counselor", world["school_a"])
    jose = world["jose"]
    page(user, jose)
    view = AuditEvent.objects.get(
        kind=AuditEvent.Kind.ACCESS,
        action=AuditEvent.Action.VIEW,
        content_type=ContentType.objects.get_for_model(Student),
        object_id=str(jose.pk),
    )
    assert view.actor_id == user.pk
    # The guardians shown on the profile are education records too: their listing is logged.
    listed = AuditEvent.objects.get(
        kind=AuditEvent.Kind.ACCESS,
        action=AuditEvent.Action.LIST,
        content_type=ContentType.objects.get_for_model(Guardian),
    )
    assert listed.actor_id == user.pk
    assert listed.detail["object_ids"] == [world["guardian"].pk]
    assert listed.detail["profile_of"] == jose.pk


def test_disclosure_links_follow_the_disclosure_grants(world: dict[str, Any]) -> None:
    jose = world["jose"]
    _, html = page(catalogue_user("counselor", world["school_a"]), jose)
    assert "Record a disclosure" in html
    assert "Disclosure log" in html
    assert reverse("people:student_disclose", args=[jose.pk]) in html
    assert reverse("people:student_disclosure_log", args=[jose.pk]) in html


def test_disclosure_links_need_the_grant_in_the_students_scope(world: dict[str, Any]) -> None:
    # Sees students at school A, may record disclosures only at school B.
    viewer = Role.objects.create(slug="student-viewer", name="Student viewer", permissions=["people.view_student"])
    discloser = Role.objects.create(
        slug="discloser", name="Discloser", permissions=["people.add_disclosure", "people.view_disclosure"]
    )
    user = make_user("split", viewer, school=world["school_a"])
    RoleAssignment.objects.create(user=user, role=discloser, school=world["school_b"])
    _, html = page(user, world["jose"])
    assert "Record a disclosure" not in html
    assert "Disclosure log" not in html


def test_guardians_panel_needs_the_grant_in_the_students_scope(world: dict[str, Any]) -> None:
    viewer = Role.objects.create(slug="student-viewer", name="Student viewer", permissions=["people.view_student"])
    guardians = Role.objects.create(
        slug="guardian-viewer", name="Guardian viewer", permissions=["people.view_guardian"]
    )
    user = make_user("split", viewer, school=world["school_a"])
    RoleAssignment.objects.create(user=user, role=guardians, school=world["school_b"])
    _, html = page(user, world["jose"])
    assert "panel-guardians" not in html
    assert "Lucía" not in html


def test_inactive_student_is_marked(world: dict[str, Any]) -> None:
    jose = world["jose"]
    jose.active = False
    jose.save()
    _, html = page(catalogue_user("counselor", world["school_a"]), jose)
    assert ">Inactive<" in html


@pytest.fixture
def extra_panels() -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        profile.unregister_panel(name)


def test_registered_panels_render_only_when_visible(world: dict[str, Any], extra_panels: list[str]) -> None:
    def only_counselors(request: Any, student: Student) -> bool:
        return request.user.username == "counselor"

    profile.register_panel(
        profile.ProfilePanel(
            name="test-capability",
            title="Capability panel",
            template="people/_panel_vehicles.html",
            order=50,
            visible=only_counselors,
            context=lambda request, student: {"vehicles": []},
        )
    )
    extra_panels.append("test-capability")
    _, html = page(catalogue_user("counselor", world["school_a"]), world["jose"])
    assert 'id="panel-test-capability"' in html
    assert "Capability panel" in html
    _, html = page(catalogue_user("sro", world["school_a"]), world["jose"])
    assert "test-capability" not in html
    assert "Capability panel" not in html


def test_panels_for_orders_and_filters(world: dict[str, Any], extra_panels: list[str]) -> None:
    calls: list[str] = []

    def context(request: Any, student: Student) -> dict[str, Any]:
        calls.append("hidden")
        return {}

    profile.register_panel(
        profile.ProfilePanel("test-hidden", "Hidden", "people/_panel_record.html", 1, lambda r, s: False, context)
    )
    profile.register_panel(
        profile.ProfilePanel("test-first", "First", "people/_panel_record.html", 0, lambda r, s: True)
    )
    extra_panels += ["test-hidden", "test-first"]
    request = RequestFactory().get("/")
    request.user = catalogue_user("sro", world["school_a"])
    names = [shown.name for shown in profile.panels_for(request, world["jose"])]
    assert names[0] == "test-first"
    assert "test-hidden" not in names
    assert "programs" not in names
    assert names.index("demographics") < names.index("guardians") < names.index("vehicles") < names.index("record")
    assert calls == []  # a hidden panel's context is never computed


def test_age() -> None:
    today = timezone.localdate()
    assert age(None) is None
    if (today.month, today.day) == (2, 29):
        pytest.skip("no tenth birthday on a leap day")
    tenth_birthday = today.replace(year=today.year - 10)
    assert age(tenth_birthday) == 10
    assert age(tenth_birthday + dt.timedelta(days=1)) == 9


# --- Lazy panels ----------------------------------------------------------------------------------


def guardian_listings(user: User) -> int:
    return AuditEvent.objects.filter(
        kind=AuditEvent.Kind.ACCESS,
        action=AuditEvent.Action.LIST,
        actor_id=user.pk,
        content_type=ContentType.objects.get_for_model(Guardian),
    ).count()


def test_lazy_panels_load_after_the_page_in_one_request_and_are_logged_when_shown(world: dict[str, Any]) -> None:
    user = catalogue_user("sro", world["school_a"])
    client = Client()
    client.force_login(user)
    jose = world["jose"]
    base = reverse("people:student_panels", args=[jose.pk])
    html = client.get(reverse("people:student_detail", args=[jose.pk])).content.decode()
    # Headings and placeholders; the rows are neither read nor logged yet.
    for name, title in (("guardians", "Guardians"), ("vehicles", "Vehicles")):
        assert f'<h2 id="panel-{name}-heading">{title}</h2>' in html
        assert f'<div id="panel-{name}-body" class="panel-loading" aria-busy="true">' in html
        assert f'<noscript><a href="{base}?panel={name}">Show {title.lower()}</a></noscript>' in html
    lazy = ["guardians", "vehicles", "law-enforcement", "referrals", "student_contacts", "truancy", "attendance"]
    query = "&amp;".join(f"panel={name}" for name in [*lazy, "agency_requests"])
    assert f'<div hx-get="{base}?{query}" hx-trigger="load" hx-swap="none"></div>' in html
    assert "Lucía" not in html
    assert "ABC-123" not in html
    assert guardian_listings(user) == 0

    response = client.get(base, {"panel": ["guardians", "vehicles"]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.count('hx-swap-oob="true"') == 2
    assert '<div id="panel-guardians-body" hx-swap-oob="true">' in body
    assert '<div id="panel-vehicles-body" hx-swap-oob="true">' in body
    assert "Lucía Álvarez" in body
    assert "ABC-123" in body
    assert "Removed" not in body  # a deleted guardian stays hidden
    assert guardian_listings(user) == 1


def test_panels_have_a_page_of_their_own_without_script(world: dict[str, Any]) -> None:
    user = catalogue_user("counselor", world["school_a"])
    client = Client()
    client.force_login(user)
    jose = world["jose"]
    views = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS, action=AuditEvent.Action.VIEW, actor_id=user.pk)
    response = client.get(reverse("people:student_panels", args=[jose.pk]), {"panel": "guardians"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Guardians</h1>" in html
    assert f'<a href="{jose.get_absolute_url()}">Pepe Álvarez</a>' in html
    assert "Lucía Álvarez" in html
    assert "hx-swap-oob" not in html
    view = views.get()
    assert (view.object_id, view.detail["panels"]) == (str(jose.pk), ["guardians"])
    assert guardian_listings(user) == 1


@pytest.mark.parametrize(
    ("who", "student", "panels"),
    [
        ("counselor", "other", ["guardians"]),  # a student outside the viewer's scope
        ("counselor", "jose", ["vehicles"]),  # a panel the viewer may not see (no vehicle grant)
        ("counselor", "jose", ["no-such-panel"]),
        ("counselor", "jose", []),
        ("sro", "jose", ["programs"]),  # not visible to an officer
    ],
)
def test_a_panel_the_viewer_may_not_see_is_not_found(
    world: dict[str, Any], who: str, student: str, panels: list[str]
) -> None:
    user = catalogue_user(who, world["school_a"])
    client = Client()
    client.force_login(user)
    before = AuditEvent.objects.count()
    for headers in ({}, {"HX-Request": "true"}):
        url = reverse("people:student_panels", args=[world[student].pk])
        response = client.get(url, {"panel": panels}, headers=headers)
        assert response.status_code == 404
        assert "Lucía" not in response.content.decode()
        assert "ABC-123" not in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_of_several_panels_only_those_the_viewer_may_see_are_shown(world: dict[str, Any]) -> None:
    user = catalogue_user("counselor", world["school_a"])
    client = Client()
    client.force_login(user)
    url = reverse("people:student_panels", args=[world["jose"].pk])
    response = client.get(url, {"panel": ["vehicles", "guardians"]}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('hx-swap-oob="true"') == 1
    assert "Lucía Álvarez" in body
    assert "ABC-123" not in body
    assert "panel-vehicles" not in body


def test_panels_need_a_signed_in_user(world: dict[str, Any]) -> None:
    url = reverse("people:student_panels", args=[world["jose"].pk])
    response = Client().get(url, {"panel": "guardians"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
