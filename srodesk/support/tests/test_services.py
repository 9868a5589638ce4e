"""Workflows: disclosures written for referral sharing, the report to CPS and agency releases; the
personal duty to report; minutes of student contacts."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken
from srodesk.audit.models import AuditEvent
from srodesk.people.models import Disclosure
from srodesk.support import services
from srodesk.support.models import AgencyRequest, CommunityAgency, MandatedReport, Referral, StudentContact

from .world import World, build, user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def world() -> World:
    return build("NY")


def ago(hours: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


def api(account: Any) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(account, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def make_referral(world: World, **fields: Any) -> Referral:
    agency = CommunityAgency.objects.create(
        district=world.district, name="Harbor Youth Services", agency_type="mental_health", contact_name="Dr. Kim"
    )
    defaults: dict[str, Any] = {
        "consent_by": "parent",
        "consent_by_name": "Rosa Ortiz",
        "consent_at": ago(30),
        "consent_method": "written",
    }
    defaults.update(fields)
    return Referral.objects.create(student=world.student, community_agency=agency, reason="Anxiety", **defaults)


def test_sharing_a_referral_writes_a_consent_disclosure(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    referral = make_referral(world)
    assert (referral.district_id, referral.school_id) == (world.district.pk, world.school.pk)
    services.share_referral(actor=counselor, referral=referral, records_disclosed="Attendance summary 2025-26")
    disclosure = Disclosure.objects.get()
    assert (disclosure.student_id, disclosure.basis, disclosure.recipient_name, disclosure.recipient_organization) == (
        world.student.pk,
        "consent",
        "Dr. Kim",
        "Harbor Youth Services",
    )
    assert disclosure.records_disclosed == "Attendance summary 2025-26"
    assert disclosure.created_by_id == counselor.pk
    assert list(referral.disclosures.all()) == [disclosure]
    assert AuditEvent.objects.filter(kind="disclosure", object_id=str(disclosure.pk)).count() == 1


def test_a_referral_needs_consent_or_an_exception(world: World) -> None:
    referral = make_referral(world)
    referral.consent_at = None
    with pytest.raises(ValidationError) as exc:
        referral.full_clean()
    assert "consent_at" in exc.value.message_dict
    referral.consent_by = referral.consent_method = referral.consent_by_name = ""
    referral.consent_exception = "emergency"
    referral.consent_exception_note = "Student disclosed a plan to harm herself tonight."
    referral.full_clean()


def test_sharing_without_consent_uses_the_recorded_exception_or_is_refused(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    emergency = make_referral(
        world,
        consent_at=None,
        consent_by="",
        consent_by_name="",
        consent_method="",
        consent_exception="emergency",
        consent_exception_note="Plan to self-harm tonight.",
    )
    services.share_referral(actor=counselor, referral=emergency, records_disclosed="Crisis notes")
    disclosure = Disclosure.objects.get()
    assert (disclosure.basis, disclosure.threat_description) == ("emergency", "Plan to self-harm tonight.")
    nothing = Referral.objects.create(
        student=world.student,
        community_agency=emergency.community_agency,
        reason="Information only",
        consent_exception="no_records_shared",
        consent_exception_note="Gave the family the agency's number.",
    )
    with pytest.raises(ValidationError):
        services.share_referral(actor=counselor, referral=nothing, records_disclosed="Grades")
    assert Disclosure.objects.count() == 1


def test_sharing_needs_change_on_the_referral(world: World) -> None:
    sro = user("officer", "sro", school=world.school)  # view/add on education records, not change
    referral = make_referral(world)
    with pytest.raises(PermissionDenied):
        services.share_referral(actor=sro, referral=referral, records_disclosed="Grades")
    assert Disclosure.objects.count() == 0


def test_the_report_to_cps_is_a_disclosure_and_only_the_reporter_records_it(world: World) -> None:
    reporter = user("reporter", "sro", school=world.school)
    principal = user("principal", "school_admin", school=world.school)
    report = MandatedReport.objects.create(
        student=world.student, reporter=reporter, suspicion="Welts on the back.", suspected_at=ago(3)
    )
    # An administrator can see the report but cannot discharge the reporter's personal duty.
    with pytest.raises(PermissionDenied):
        services.record_oral_report(
            actor=principal,
            report=report,
            reported_at=ago(1),
            channel="phone",
            reported_to="cps",
            agency_name="Statewide Central Register",
        )
    assert Disclosure.objects.count() == 0
    counselor = user("counselor", "counselor", school=world.school)
    own = MandatedReport.objects.create(
        student=world.student, reporter=counselor, suspicion="Says she is afraid to go home.", suspected_at=ago(3)
    )
    when = ago(1)
    services.record_oral_report(
        actor=counselor,
        report=own,
        reported_at=when,
        channel="phone",
        reported_to="cps",
        agency_name="Statewide Central Register",
        reference_number="SCR-88812",
    )
    own.refresh_from_db()
    disclosure = Disclosure.objects.get()
    assert own.disclosure_id == disclosure.pk
    assert (own.oral_reported_at, own.reference_number, own.reported_to) == (when, "SCR-88812", "cps")
    assert (disclosure.recipient_kind, disclosure.basis, disclosure.disclosed_at) == ("cps", "emergency", when)
    assert disclosure.legitimate_interest == "Mandated child-abuse/neglect report under N.Y. Social Services Law § 415."
    assert disclosure.threat_description == "Says she is afraid to go home."
    with pytest.raises(ValidationError):  # recorded once
        services.record_oral_report(
            actor=counselor,
            report=own,
            reported_at=when,
            channel="phone",
            reported_to="cps",
            agency_name="Statewide Central Register",
        )
    assert Disclosure.objects.count() == 1
    services.record_written_report(actor=counselor, report=own, filed_at=ago(0.5))
    own.refresh_from_db()
    assert own.written_filed_at is not None


def test_report_pages_keep_input_and_api_action_writes_the_disclosure(world: World) -> None:
    counselor = user("counselor", "counselor", school=world.school)
    report = MandatedReport.objects.create(
        student=world.student, reporter=counselor, suspicion="Hungry every morning.", suspected_at=ago(5)
    )
    client = Client()
    client.force_login(counselor)
    url = reverse("support:mandatedreport_oral_report", args=[report.pk])
    response = client.post(url, {"reported_at": "", "channel": "phone", "reported_to": "cps", "agency_name": "SCR"})
    assert response.status_code == 422
    assert response.context["form"]["agency_name"].value() == "SCR"
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"reported_at": future, "channel": "phone", "reported_to": "cps", "agency_name": "SCR"})
    assert response.status_code == 422
    assert "in the future" in str(response.context["form"].errors["reported_at"])
    assert Disclosure.objects.count() == 0
    response = api(counselor).post(
        reverse("api:support-mandatedreport-oral-report", args=[report.pk]),
        {"reported_at": ago(1).isoformat(), "channel": "phone", "reported_to": "cps", "agency_name": "SCR"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["disclosure"] == Disclosure.objects.get().pk
    assert [d["kind"] for d in response.json()["deadlines"]] == ["initial", "written"]


def test_agency_releases_are_disclosures_and_a_refusal_is_recorded(world: World) -> None:
    principal = user("principal", "school_admin", school=world.school)
    granted = AgencyRequest.objects.create(
        student=world.student,
        requester_name="Det. Ortiz",
        requester_agency="County Sheriff",
        request_text="Attendance for March.",
        received_at=ago(48),
    )
    with pytest.raises(ValidationError) as exc:  # a subpoena needs its reference on the request
        services.decide_request(
            actor=principal, request=granted, decision="granted", basis="subpoena", reason="Subpoena received."
        )
    assert "court_order_reference" in exc.value.message_dict
    granted.refresh_from_db()
    assert granted.decision == "pending"
    granted.court_order_reference = "SUB-2026-117"
    granted.save()
    services.decide_request(
        actor=principal, request=granted, decision="granted", basis="subpoena", reason="Subpoena SUB-2026-117."
    )
    services.release_to_agency(actor=principal, request=granted, records_disclosed="Attendance 2026-03-01 to 03-31")
    services.release_to_agency(actor=principal, request=granted, records_disclosed="Bell schedule for March")
    rows = list(
        Disclosure.objects.order_by("pk").values_list(
            "basis", "recipient_organization", "requested_by", "court_order_reference"
        )
    )
    assert rows == [("subpoena", "County Sheriff", "Det. Ortiz", "SUB-2026-117")] * 2
    assert granted.disclosures.count() == 2
    refused = AgencyRequest.objects.create(
        student=world.student,
        requester_name="Agent Park",
        requester_agency="Federal agency",
        request_text="All records.",
        received_at=ago(10),
    )
    services.decide_request(actor=principal, request=refused, decision="refused", reason="No subpoena or consent.")
    refused.refresh_from_db()
    assert (refused.decision, refused.decision_reason) == ("refused", "No subpoena or consent.")
    with pytest.raises(ValidationError):
        services.release_to_agency(actor=principal, request=refused, records_disclosed="Anything")
    assert Disclosure.objects.count() == 2


def test_contact_minutes_per_officer_and_type(world: World) -> None:
    officer = user("officer", "sro", school=world.school)
    counselor = user("counselor", "counselor", school=world.school)
    day = dt.date(2026, 2, 10)
    for staff, kind, minutes, when in (
        (officer, "counselling", 20, day),
        (officer, "counselling", 25, day),
        (officer, "mediation", 15, day),
        (officer, "crisis", 40, day - dt.timedelta(days=30)),
        (counselor, "parent", 10, day),
    ):
        contact = StudentContact.objects.create(
            school=world.school,
            staff=staff,
            contact_type=kind,
            duration_minutes=minutes,
            occurred_on=when,
            summary="Talked.",
        )
        contact.students.add(world.student)
    assert contact.district_id == world.district.pk
    assert services.contact_minutes(start=day - dt.timedelta(days=7), end=day) == {
        officer.pk: {"counselling": 45, "mediation": 15},
        counselor.pk: {"parent": 10},
    }
    assert services.contact_minutes(start=day - dt.timedelta(days=60), end=day, staff_ids=[officer.pk]) == {
        officer.pk: {"counselling": 45, "mediation": 15, "crisis": 40}
    }
