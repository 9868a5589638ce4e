"""Recording FERPA disclosures (34 CFR 99.32): the service, the page, the detail and the printable log."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken, Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent, verify_chain
from srodesk.organizations.models import District, School
from srodesk.people import services
from srodesk.people.disclosure_views import css_string
from srodesk.people.models import Disclosure, Student

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def district() -> District:
    return District.objects.create(name="Lakeside Public Schools", slug="lakeside", state="MI")


@pytest.fixture
def school(district: District) -> School:
    return School.objects.create(district=district, name="Lakeside High")


@pytest.fixture
def other_school(district: District) -> School:
    return School.objects.create(district=district, name="Lakeside Middle", level="middle")


def make_student(school: School, given: str, family: str) -> Student:
    student = Student.objects.create(district=school.district, school=school, given_name=given, family_name=family)
    student.schools.add(school)
    return student


def make_user(username: str, role: str, school: School) -> User:
    user = User.objects.create_user(username=username, password="unused-password-123")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), school=school)
    return user


@pytest.fixture
def student(school: School) -> Student:
    return make_student(school, "Ana", "Lopez")


@pytest.fixture
def counselor(school: School) -> User:
    return make_user("counselor", "counselor", school)


@pytest.fixture
def staff(school: School) -> User:
    return make_user("staff", "staff", school)


def valid_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "disclosed_at": timezone.now() - dt.timedelta(hours=1),
        "recipient_name": "Det. Sam Ortiz",
        "recipient_organization": "Lakeside Police Department",
        "recipient_kind": "law_enforcement",
        "basis": "emergency",
        "legitimate_interest": "Locate the student after a threat to classmates.",
        "records_disclosed": "Class schedule and emergency contacts.",
        "threat_description": "Student posted a specific threat to bring a gun to school today.",
    }
    fields.update(overrides)
    return fields


def form_data(**overrides: Any) -> dict[str, Any]:
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    data = valid_fields(**{"disclosed_at": f"{yesterday:%Y-%m-%dT%H:%M}", **overrides})
    return {k: v for k, v in data.items() if v is not None}


def disclosure_audit_rows() -> int:
    return AuditEvent.objects.filter(kind=AuditEvent.Kind.DISCLOSURE).count()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the service ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"basis": ""}, "basis"),
        ({"basis": "emergency", "threat_description": "  "}, "threat_description"),
        ({"basis": "subpoena", "threat_description": "", "court_order_reference": ""}, "court_order_reference"),
    ],
    ids=["no-basis", "emergency-without-threat", "subpoena-without-reference"],
)
def test_disclose_refuses_an_incomplete_entry(
    student: Student, counselor: User, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.disclose(actor=counselor, student=student, **valid_fields(**overrides))

    assert field in excinfo.value.message_dict
    assert Disclosure.objects.count() == 0
    assert disclosure_audit_rows() == 0


def test_disclose_writes_one_disclosure_and_one_audit_row(student: Student, counselor: User, school: School) -> None:
    changes_before = AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count()

    disclosure = services.disclose(actor=counselor, student=student, **valid_fields())

    assert Disclosure.objects.count() == 1
    assert disclosure.pk is not None
    assert (disclosure.district_id, disclosure.school_id) == (student.district_id, school.pk)
    assert disclosure.created_by_id == counselor.pk
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DISCLOSURE)
    assert event.action == AuditEvent.Action.CREATE
    assert event.actor_id == counselor.pk
    assert event.object_id == str(disclosure.pk)
    assert (event.district_id, event.school_id) == (student.district_id, school.pk)
    assert event.detail["basis"] == "emergency"
    assert event.detail["recipient_organization"] == "Lakeside Police Department"
    assert event.detail["student"] == student.pk
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CHANGE).count() == changes_before + 1
    assert list(verify_chain()) == []


def test_disclose_refuses_a_student_out_of_scope(counselor: User, other_school: School) -> None:
    elsewhere = make_student(other_school, "Ben", "Okafor")

    with pytest.raises(PermissionDenied):
        services.disclose(actor=counselor, student=elsewhere, **valid_fields())

    assert Disclosure.objects.count() == 0
    assert disclosure_audit_rows() == 0


def test_disclose_refuses_a_role_without_the_grant(student: Student, staff: User) -> None:
    with pytest.raises(PermissionDenied):
        services.disclose(actor=staff, student=student, **valid_fields())

    assert Disclosure.objects.count() == 0


def test_disclose_sets_scope_itself(student: Student, counselor: User, other_school: School) -> None:
    with pytest.raises(TypeError, match="school"):
        services.disclose(actor=counselor, student=student, school=other_school, **valid_fields())

    assert Disclosure.objects.count() == 0


def test_disclose_refuses_a_time_in_the_future(student: Student, counselor: User) -> None:
    later = timezone.now() + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as excinfo:
        services.disclose(actor=counselor, student=student, **valid_fields(disclosed_at=later))

    assert "disclosed_at" in excinfo.value.message_dict
    assert Disclosure.objects.count() == 0


def test_disclose_defaults_the_time_to_now(student: Student, counselor: User) -> None:
    fields = valid_fields()
    del fields["disclosed_at"]

    disclosure = services.disclose(actor=counselor, student=student, **fields)

    assert abs(disclosure.disclosed_at - timezone.now()) < dt.timedelta(minutes=1)


# --- the page ------------------------------------------------------------------------------------------


def test_disclose_page_shows_the_form_without_a_student_field(student: Student, counselor: User) -> None:
    response = client_for(counselor).get(reverse("people:student_disclose", args=[student.pk]))

    assert response.status_code == 200
    form = response.context["form"]
    assert "student" not in form.fields
    assert form["disclosed_at"].value() is not None
    content = response.content.decode()
    assert "articulable and significant threat" in content
    assert 'type="datetime-local"' in content
    assert AuditEvent.objects.filter(kind="access", action="view", object_id=str(student.pk)).count() == 1


def test_disclose_page_invalid_form_is_422_and_keeps_what_was_typed(student: Student, counselor: User) -> None:
    data = form_data(threat_description="", recipient_name="Typed Recipient Name")

    response = client_for(counselor).post(reverse("people:student_disclose", args=[student.pk]), data)

    assert response.status_code == 422
    assert "threat_description" in response.context["form"].errors
    content = response.content.decode()
    assert 'value="Typed Recipient Name"' in content
    assert "Articulable and significant threat" in content
    assert "describe the articulable and significant threat below" in content
    assert "Locate the student after a threat to classmates." in content
    assert Disclosure.objects.count() == 0
    assert disclosure_audit_rows() == 0


def test_disclose_page_shows_the_services_refusal_on_the_field(student: Student, counselor: User) -> None:
    tomorrow = timezone.localtime() + dt.timedelta(days=1)

    response = client_for(counselor).post(
        reverse("people:student_disclose", args=[student.pk]), form_data(disclosed_at=f"{tomorrow:%Y-%m-%dT%H:%M}")
    )

    assert response.status_code == 422
    assert "disclosed_at" in response.context["form"].errors
    assert Disclosure.objects.count() == 0


def test_disclose_page_htmx_invalid_form_returns_only_the_form(student: Student, counselor: User) -> None:
    response = client_for(counselor).post(
        reverse("people:student_disclose", args=[student.pk]), form_data(basis=""), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    content = response.content.decode()
    assert content.lstrip().startswith('<form id="form"')
    assert "<html" not in content


def test_disclose_page_records_and_redirects_to_the_detail(student: Student, counselor: User) -> None:
    client = client_for(counselor)

    response = client.post(reverse("people:student_disclose", args=[student.pk]), form_data())

    assert response.status_code == 302, response.context and response.context["form"].errors
    disclosure = Disclosure.objects.get()
    assert response["Location"] == reverse("people:disclosure_detail", args=[disclosure.pk])
    assert disclosure.student_id == student.pk
    assert disclosure.created_by_id == counselor.pk
    assert disclosure_audit_rows() == 1
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    content = detail.content.decode()
    assert "recorded in" in content
    assert "Lakeside Police Department" in content
    assert "Health or safety emergency" in content
    assert "Student posted a specific threat" in content
    assert student.get_absolute_url() in content


def test_disclose_page_htmx_success_redirects_with_a_header(student: Student, counselor: User) -> None:
    response = client_for(counselor).post(
        reverse("people:student_disclose", args=[student.pk]), form_data(), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == Disclosure.objects.get().get_absolute_url()


def test_disclose_page_is_forbidden_without_the_grant(student: Student, staff: User) -> None:
    client = client_for(staff)
    url = reverse("people:student_disclose", args=[student.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, form_data()).status_code == 403
    assert Disclosure.objects.count() == 0


def test_disclose_page_is_not_found_for_a_student_out_of_scope(counselor: User, other_school: School) -> None:
    elsewhere = make_student(other_school, "Ben", "Okafor")
    client = client_for(counselor)
    url = reverse("people:student_disclose", args=[elsewhere.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert Disclosure.objects.count() == 0


def test_disclose_page_anonymous_is_sent_to_sign_in(student: Student) -> None:
    response = Client().get(reverse("people:student_disclose", args=[student.pk]))

    assert response.status_code == 302


# --- the printable log ---------------------------------------------------------------------------------


def test_log_lists_the_students_disclosures_oldest_first(
    student: Student, counselor: User, school: School, district: District
) -> None:
    now = timezone.now()
    later = services.disclose(
        actor=counselor,
        student=student,
        **valid_fields(disclosed_at=now - dt.timedelta(days=1), recipient_organization="County Court"),
    )
    earlier = services.disclose(
        actor=counselor,
        student=student,
        **valid_fields(
            disclosed_at=now - dt.timedelta(days=10),
            basis="subpoena",
            threat_description="",
            court_order_reference="JC-2026-0042",
            recipient_organization="Juvenile Court",
        ),
    )
    classmate = make_student(school, "Cleo", "Park")
    services.disclose(actor=counselor, student=classmate, **valid_fields(recipient_organization="Other Agency"))
    access_before = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).count()

    response = client_for(counselor).get(reverse("people:student_disclosure_log", args=[student.pk]))

    assert response.status_code == 200
    assert [d.pk for d in response.context["disclosures"]] == [earlier.pk, later.pk]
    content = response.content.decode()
    assert content.index("Juvenile Court") < content.index("County Court")
    assert "Other Agency" not in content
    assert "JC-2026-0042" in content
    assert "Student posted a specific threat" in content
    assert district.name in content
    assert "@media print" in content
    assert "counter(page)" in content
    assert 'scope="row"' in content
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).count() == access_before + 1
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).order_by("-seq").first()
    assert event is not None
    assert event.action == AuditEvent.Action.PRINT
    assert event.detail["student"] == student.pk
    assert sorted(event.detail["object_ids"]) == sorted([earlier.pk, later.pk])


def test_log_of_a_student_without_disclosures_is_empty_and_logged(student: Student, counselor: User) -> None:
    response = client_for(counselor).get(reverse("people:student_disclosure_log", args=[student.pk]))

    assert response.status_code == 200
    assert response.context["disclosures"] == []
    assert AuditEvent.objects.filter(kind="access", action="print").count() == 1


def test_log_is_not_found_out_of_scope_and_forbidden_without_the_grant(
    student: Student, counselor: User, staff: User, other_school: School
) -> None:
    elsewhere = make_student(other_school, "Ben", "Okafor")
    access_before = AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).count()

    assert client_for(counselor).get(reverse("people:student_disclosure_log", args=[elsewhere.pk])).status_code == 404
    assert client_for(staff).get(reverse("people:student_disclosure_log", args=[student.pk])).status_code == 403
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCESS).count() == access_before


def test_print_header_is_an_escaped_css_string() -> None:
    assert css_string('Zoë "x" </style>') == '"Zo\\0000eb \\000022x\\000022 \\00003c\\00002fstyle\\00003e"'


# --- append-only ---------------------------------------------------------------------------------------


def test_a_disclosure_cannot_be_changed_or_deleted(student: Student, counselor: User) -> None:
    disclosure = services.disclose(actor=counselor, student=student, **valid_fields())
    _, key = ApiToken.issue(counselor, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = reverse("api:people-disclosure-detail", args=[disclosure.pk])

    assert api.get(url).status_code == 200
    assert api.patch(url, {"recipient_name": "Someone else"}, format="json").status_code == 403
    assert api.delete(url).status_code == 403
    disclosure.refresh_from_db()
    assert disclosure.recipient_name == "Det. Sam Ortiz"
    assert disclosure.deleted_at is None
    for action in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"people:disclosure_{action}", args=[] if action == "add" else [disclosure.pk])
    client = client_for(counselor)
    assert client.get(f"/people/disclosures/{disclosure.pk}/edit/").status_code == 404
    assert client.post(f"/people/disclosures/{disclosure.pk}/delete/", {"reason": "x"}).status_code == 404


def test_api_records_a_disclosure_through_the_service(settings: Any) -> None:
    district = District.objects.create(name="API District", slug="api-district", state="MI")
    school = School.objects.create(district=district, name="API High")
    student = Student.objects.create(district=district, school=school, given_name="Ana", family_name="Lopez")
    student.schools.add(school)
    counselor = User.objects.create_user(username="api-counselor")
    RoleAssignment.objects.create(user=counselor, role=Role.objects.get(slug="counselor"), school=school)
    _, key = ApiToken.issue(counselor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = reverse("api:people-disclosure-list")
    body = {
        "student": student.pk,
        "recipient_name": "Det. Marsh",
        "recipient_organization": "County Sheriff",
        "recipient_kind": "law_enforcement",
        "basis": "emergency",
        "legitimate_interest": "Locate the student.",
        "records_disclosed": "Schedule for today.",
    }
    refused = client.post(url, body, format="json")
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["threat_description"]
    assert Disclosure.objects.count() == 0
    body["threat_description"] = "Written threat to bring a weapon to school today."
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.content
    disclosure = Disclosure.objects.get()
    assert created.json()["id"] == disclosure.pk
    assert disclosure.school_id == school.pk
    assert AuditEvent.objects.filter(kind="disclosure", object_id=str(disclosure.pk)).count() == 1
