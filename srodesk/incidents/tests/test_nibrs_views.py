"""The NIBRS page: check a month, download a preview or the final submission, past files, permissions."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from srodesk.audit.models import AuditEvent
from srodesk.incidents.models import NibrsReportState, NibrsSubmission, Property
from srodesk.incidents.nibrs import export
from srodesk.incidents.tests.test_nibrs_helpers import assault, make_user, theft
from srodesk.organizations.models import Agency
from srodesk.organizations.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
PAGE = "/incidents/nibrs/"
DOWNLOAD = "/incidents/nibrs/download/"


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def agency() -> Agency:
    return AgencyFactory(ori="MI1234500", name="Lakeside Police")  # type: ignore[no-any-return]


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(agency: Agency) -> Client:
    return client_for(make_user("clerk", "records_clerk", agency))


def test_urls() -> None:
    assert reverse("incidents:nibrs_export") == PAGE
    assert reverse("incidents:nibrs_download") == DOWNLOAD


def test_page_shows_the_form_and_past_files(agency: Agency, clerk: Client) -> None:
    response = clerk.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="month"' in html
    assert "Lakeside Police (MI1234500)" in html
    assert "No NIBRS file has been made yet." in html


def test_check_lists_counts_and_errors_per_incident(agency: Agency, clerk: Client) -> None:
    good = assault(agency)
    bad = theft(agency)
    Property.objects.filter(incident=bad).delete()
    events = AuditEvent.objects.filter(kind="access", action="list").count()
    response = clerk.get(PAGE, {"agency": agency.pk, "month": "2026-10", "format": "flat", "check": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Group A incident reports: <strong>2</strong>" in html
    assert "Error 074" in html
    assert "PROPERTY SEGMENT MUST EXIST WITH THIS OFFENSE" in html
    assert bad.number in html
    assert good.number not in html.split("Edit errors")[1].split("Past files")[0]
    assert "Download the final submission" in html
    assert AuditEvent.objects.filter(kind="access", action="list").count() == events + 1
    event = AuditEvent.objects.filter(kind="access", action="list").order_by("-seq").first()
    assert event is not None
    assert sorted(event.detail["object_ids"]) == sorted([good.pk, bad.pk])
    assert not NibrsSubmission.objects.exists()


def test_check_with_a_bad_month_keeps_the_input(agency: Agency, clerk: Client) -> None:
    response = clerk.get(PAGE, {"agency": agency.pk, "month": "October", "format": "xml", "check": "1"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter the month as YYYY-MM" in html
    assert 'value="October"' in html


def test_download_preview_then_final(agency: Agency, clerk: Client) -> None:
    target = assault(agency)
    response = clerk.post(DOWNLOAD, {"agency": agency.pk, "month": "2026-10", "format": "xml"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    submission = NibrsSubmission.objects.get()
    assert (
        response["Content-Disposition"] == f'attachment; filename="nibrs-MI1234500-2026-10-preview-{submission.pk}.zip"'
    )
    assert response["X-Content-SHA256"] == submission.sha256
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert len(archive.namelist()) == 1
    assert not NibrsReportState.objects.exists()

    response = clerk.post(DOWNLOAD, {"agency": agency.pk, "month": "2026-10", "format": "flat", "final": "1"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert NibrsReportState.objects.get().incident_id == target.pk
    page = clerk.get(PAGE).content.decode()
    assert page.count('<span class="badge">Final</span>') == 1


def test_download_with_nothing_to_send_is_a_clear_error(agency: Agency, clerk: Client) -> None:
    assault(agency)
    clerk.post(DOWNLOAD, {"agency": agency.pk, "month": "2026-10", "format": "flat", "final": "1"})
    response = clerk.post(DOWNLOAD, {"agency": agency.pk, "month": "2026-10", "format": "flat", "final": "1"})
    assert response.status_code == 422
    assert "Nothing to send for 2026-10" in response.content.decode()
    assert NibrsSubmission.objects.count() == 1


def test_supervisor_may_preview_but_not_submit(agency: Agency) -> None:
    assault(agency)
    client = client_for(make_user("supervisor", "sro_supervisor", agency))
    html = client.get(PAGE, {"agency": agency.pk, "month": "2026-10", "format": "xml", "check": "1"}).content.decode()
    assert "Download a preview file" in html
    assert "Download the final submission" not in html
    response = client.post(DOWNLOAD, {"agency": agency.pk, "month": "2026-10", "format": "xml", "final": "1"})
    assert response.status_code == 403
    assert not NibrsSubmission.objects.exists()
    assert not NibrsReportState.objects.exists()


@pytest.mark.parametrize("role", ["school_admin", "staff", "counselor"])
def test_roles_without_export_are_denied(agency: Agency, role: str) -> None:
    target = assault(agency)
    client = client_for(make_user("someone", role, None, school=target.school))
    events = AuditEvent.objects.count()
    assert client.get(PAGE).status_code == 403
    response = client.post(DOWNLOAD, {"agency": agency.pk, "month": "2026-10", "format": "xml"})
    assert response.status_code == 403
    assert not NibrsSubmission.objects.exists()
    assert AuditEvent.objects.count() == events


def test_clerk_cannot_choose_another_agency(agency: Agency, clerk: Client) -> None:
    other = AgencyFactory()
    assault(other)
    response = clerk.post(DOWNLOAD, {"agency": other.pk, "month": "2026-10", "format": "xml"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not NibrsSubmission.objects.exists()


def test_page_query_count_does_not_grow_with_past_files(agency: Agency, clerk: Client) -> None:
    user = make_user("clerk2", "records_clerk", agency)
    export.build_export(agency, "2026-01", "flat", user, final=False)
    clerk.get(PAGE)  # the session's first request does more (sign-in bookkeeping)
    with CaptureQueriesContext(connection) as few:
        clerk.get(PAGE)
    for month in ("2026-02", "2026-03", "2026-04", "2026-05"):
        export.build_export(agency, month, "xml", user, final=False)
    with CaptureQueriesContext(connection) as many:
        clerk.get(PAGE)
    assert len(many.captured_queries) == len(few.captured_queries)
