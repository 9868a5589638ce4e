"""Student-support pages in a real browser on a phone-sized screen: no sideways scrolling, WCAG 2.1 AA."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.core.tests.test_browser import (  # noqa: F401 - fixtures
    PHONE_VIEWPORT,
    SRO,
    assert_accessible,
    assert_no_horizontal_overflow,
    demo,
    sro_page,
)
from srodesk.people.models import Student
from srodesk.support.models import (
    AgencyRequest,
    CommunityAgency,
    MandatedReport,
    Referral,
    StudentContact,
    TruancyCase,
)

pytestmark = pytest.mark.browser


def support_data() -> dict[str, Any]:
    officer = User.objects.get(username=SRO)
    school = RoleAssignment.objects.filter(user=officer, school__isnull=False).select_related("school").first().school  # type: ignore[union-attr]
    student = Student.objects.filter(school=school).order_by("pk").first()
    assert student is not None
    now = timezone.now()
    # The reporter records their own report to the agency (see docs/student-support.md for the catalogue grant).
    reporter_role = Role.objects.create(
        slug="test-reporter", name="Reporter", permissions=["support.change_mandatedreport"], personal_data=True
    )
    RoleAssignment.objects.create(user=officer, role=reporter_role, school=school)
    agency = CommunityAgency.objects.create(
        district=school.district, name="Riverside Youth Counselling", agency_type="mental_health", phone="555-0140"
    )
    referral = Referral.objects.create(
        student=student,
        community_agency=agency,
        reason="Anxiety",
        consent_by="parent",
        consent_by_name="A. Parent",
        consent_at=now - dt.timedelta(days=1),
        consent_method="written",
    )
    report = MandatedReport.objects.create(
        student=student, reporter=officer, suspicion="Bruising on the arms.", suspected_at=now - dt.timedelta(hours=1)
    )
    contact = StudentContact.objects.create(
        school=school, staff=officer, contact_type="mediation", duration_minutes=20, summary="Hallway argument."
    )
    contact.students.add(student)
    case = TruancyCase.objects.create(student=student, trigger="Opened by hand.")
    request = AgencyRequest.objects.create(
        student=student, requester_name="Det. Ortiz", requester_agency="County Sheriff", request_text="Attendance."
    )
    return {"student": student, "objects": [agency, referral, report, contact, case, request]}


def test_support_pages_fit_a_phone_and_are_accessible(sro_page: Any) -> None:  # noqa: F811 - the fixture
    page = sro_page
    data = support_data()
    page.set_viewport_size(PHONE_VIEWPORT)
    urls = [
        ("Referrals", reverse("support:referral_list")),
        ("Mandated reports", reverse("support:mandatedreport_list")),
        ("Student contacts", reverse("support:studentcontact_list")),
        ("Truancy cases", reverse("support:truancycase_list")),
        ("Agency requests", reverse("support:agencyrequest_list")),
        ("Community agencies", reverse("support:communityagency_list")),
        ("New mandated report", reverse("support:mandatedreport_add")),
        ("New student contact", reverse("support:studentcontact_add")),
        ("Overdue reports", reverse("support:mandatedreport_overdue")),
        ("Student profile", reverse("people:student_detail", args=[data["student"].pk])),
        ("Dashboard", reverse("core:dashboard")),
    ]
    urls += [(type(obj).__name__, obj.get_absolute_url()) for obj in data["objects"]]
    report = data["objects"][2]
    urls.append(("Report to the agency", reverse("support:mandatedreport_oral_report", args=[report.pk])))
    for label, url in urls:
        response = page.goto(url)
        assert response is not None, f"{label}: {url}"
        assert response.status == 200, f"{label}: {url}"
        assert_no_horizontal_overflow(page, label)
        assert_accessible(page, f"{label} on a phone")
    page.goto(report.get_absolute_url())
    assert page.get_by_role("heading", name="Deadlines").is_visible()
    assert page.get_by_text("Initial report").first.is_visible()
