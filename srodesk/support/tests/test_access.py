"""Access per catalogue role (counselor, school administrator, SRO, analyst), in and out of scope, for every
student-support type — including the mandated report's restricted visibility (reporter, administrators)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken, User
from srodesk.people.testing import profile_page
from srodesk.support.models import MandatedReport

from . import factories as f
from .world import World, build, user

pytestmark = pytest.mark.django_db

ROLES = ("counselor", "school_admin", "sro", "analyst")
EDUCATION = {
    "referral": f.ReferralFactory,
    "studentcontact": f.StudentContactFactory,
    "attendancerecord": f.AttendanceRecordFactory,
    "attendanceimport": f.AttendanceImportFactory,
    "truancycase": f.TruancyCaseFactory,
    "intervention": f.InterventionFactory,
    "agencyrequest": f.AgencyRequestFactory,
}


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def sides() -> tuple[World, World]:
    return build("MI"), build("OH")


def account(role: str, home: World) -> User:
    scope = {"district": home.district} if role == "analyst" else {"school": home.school}
    return user(f"{role}-user", role, **scope)


def api(who: User) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(who, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def listed(who: User, model_name: str) -> tuple[int, set[int]]:
    response = api(who).get(reverse(f"api:support-{model_name}-list"))
    ids = {row["id"] for row in response.json()["results"]} if response.status_code == 200 else set()
    return response.status_code, ids


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model_name", sorted(EDUCATION))
def test_education_records_by_role(sides: tuple[World, World], role: str, model_name: str) -> None:
    home, away = sides
    factory = EDUCATION[model_name]
    mine, theirs = factory(school=home.school), factory(school=away.school)
    who = account(role, home)
    status, ids = listed(who, model_name)
    if role == "analyst":
        assert status == 403  # never a name: no education record at all
    else:
        assert (status, ids) == (200, {mine.pk})
    client = api(who)
    assert client.get(reverse(f"api:support-{model_name}-detail", args=[theirs.pk])).status_code in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_operational_settings_and_directory_by_role(sides: tuple[World, World], role: str) -> None:
    home, away = sides
    agency, other_agency = (
        f.CommunityAgencyFactory(district=home.district),
        f.CommunityAgencyFactory(district=away.district),
    )
    threshold = f.TruancyThresholdFactory(partnership=home.partnership)
    f.TruancyThresholdFactory(partnership=away.partnership)
    rule = f.ReportingRuleFactory(partnership=home.partnership)
    f.ReportingRuleFactory(partnership=away.partnership)
    who = account(role, home)
    assert listed(who, "communityagency") == (200, {agency.pk})
    assert listed(who, "truancythreshold") == (200, {threshold.pk})
    assert listed(who, "reportingrule") == (200, {rule.pk})
    assert other_agency.pk not in listed(who, "communityagency")[1]


def test_mandated_reports_are_seen_by_the_reporter_and_administrators_only(sides: tuple[World, World]) -> None:
    home, away = sides
    users = {role: account(role, home) for role in ROLES}
    third = user("teacher", "counselor", school=home.school)
    by_third = f.MandatedReportFactory(school=home.school, student=home.student, reporter=third)
    by_sro = f.MandatedReportFactory(school=home.school, student=home.student, reporter=users["sro"])
    by_counselor = f.MandatedReportFactory(school=home.school, student=home.student, reporter=users["counselor"])
    away_report = f.MandatedReportFactory(school=away.school, student=away.student)
    assert listed(users["counselor"], "mandatedreport") == (200, {by_counselor.pk})
    assert listed(users["sro"], "mandatedreport") == (200, {by_sro.pk})
    assert listed(users["school_admin"], "mandatedreport") == (200, {by_third.pk, by_sro.pk, by_counselor.pk})
    assert listed(users["analyst"], "mandatedreport")[0] == 403
    assert listed(third, "mandatedreport") == (200, {by_third.pk})
    assert away_report.pk not in listed(users["school_admin"], "mandatedreport")[1]
    # Pages: the detail of someone else's report is 404; the overdue list and search never show it.
    client = Client()
    client.force_login(users["sro"])
    assert client.get(reverse("support:mandatedreport_detail", args=[by_third.pk])).status_code == 404
    assert client.get(reverse("support:mandatedreport_detail", args=[by_sro.pk])).status_code == 200
    assert client.get(reverse("support:mandatedreport_list")).context["page"].paginator.count == 1
    MandatedReport.objects.filter(pk=by_third.pk).update(reference_number="REF-SECRET-1")
    search = client.get(reverse("core:search"), {"q": "REF-SECRET"}).content.decode()
    assert "Mandated report #" not in search
    admin = Client()
    admin.force_login(users["school_admin"])
    assert f"Mandated report #{by_third.pk}" in admin.get(reverse("core:search"), {"q": "REF-SECRET"}).content.decode()


def test_student_profile_panels_follow_what_the_viewer_may_see(sides: tuple[World, World]) -> None:
    home, _ = sides
    users = {role: account(role, home) for role in ROLES}
    third = user("teacher", "counselor", school=home.school)
    f.MandatedReportFactory(school=home.school, student=home.student, reporter=third)
    f.ReferralFactory(school=home.school, student=home.student)

    def page(role: str) -> tuple[int, str]:
        client = Client()
        client.force_login(users[role])
        return profile_page(client, home.student)

    status, admin_page = page("school_admin")
    assert status == 200
    assert 'id="panel-mandated_reports"' in admin_page
    assert 'id="panel-referrals"' in admin_page
    status, sro_page = page("sro")
    assert status == 200
    assert 'id="panel-referrals"' in sro_page
    assert "panel-mandated_reports" not in sro_page
    assert "Mandated report #" not in sro_page
    assert page("analyst")[0] in (403, 404)
