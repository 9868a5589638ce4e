"""The FBI edit checks of one report: loaded by the report's page after itself, for those who may export it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent
from srodesk.incidents.models import Incident, Property
from srodesk.incidents.tests.test_nibrs_helpers import theft
from srodesk.organizations.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


def client_for(slug: str, **scope: Any) -> Client:
    user = User.objects.create_user(username=f"{slug}-{User.objects.count()}")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=slug), **scope)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def report() -> Incident:
    """A theft whose stolen laptop was never entered: edit 074 (a property segment must exist)."""
    target = theft(AgencyFactory())
    Property.objects.filter(incident=target).delete()
    return target


def test_the_page_loads_the_checks_after_itself(report: Incident) -> None:
    client = client_for("sro_supervisor", agency=report.agency)
    url = reverse("incidents:incident_nibrs_check", args=[report.pk])
    page = client.get(report.get_absolute_url()).content.decode()
    assert f'hx-get="{url}" hx-trigger="load" hx-swap="outerHTML" aria-busy="true"' in page
    assert f'<noscript><a href="{url}">Run the NIBRS edit checks</a></noscript>' in page
    assert "PROPERTY SEGMENT MUST EXIST" not in page

    section = client.get(url, headers={"HX-Request": "true"})
    assert section.status_code == 200
    html = section.content.decode()
    assert html.lstrip().startswith('<section class="nibrs-errors" id="nibrs-check"')
    assert "1 NIBRS edit error:" in html
    assert "<strong>Error 074</strong>" in html
    assert "PROPERTY SEGMENT MUST EXIST WITH THIS OFFENSE" in html


def test_without_script_the_checks_have_a_page_of_their_own(report: Incident) -> None:
    client = client_for("records_clerk", agency=report.agency)
    response = client.get(reverse("incidents:incident_nibrs_check", args=[report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>NIBRS edit checks</h1>" in html
    assert f'<a href="{report.get_absolute_url()}">' in html
    assert "<strong>Error 074</strong>" in html


def test_a_clean_report_says_so(report: Incident) -> None:
    clean = theft(report.agency)
    client = client_for("sro_supervisor", agency=report.agency)
    html = client.get(reverse("incidents:incident_nibrs_check", args=[clean.pk])).content.decode()
    assert "No NIBRS edit errors." in html
    assert "Error 074" not in html


@pytest.mark.parametrize("who", ["other_agency", "school_admin", "anonymous"])
def test_only_those_who_may_export_the_report_get_the_checks(report: Incident, who: str) -> None:
    if who == "other_agency":
        client = client_for("sro_supervisor", agency=AgencyFactory())
    elif who == "school_admin":
        assert report.school is not None
        client = client_for("school_admin", school=report.school)
    else:
        client = Client()
    url = reverse("incidents:incident_nibrs_check", args=[report.pk])
    before = AuditEvent.objects.count()
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == (302 if who == "anonymous" else 404)
    assert "074" not in response.content.decode()
    assert AuditEvent.objects.count() == before
    if who != "anonymous":
        assert url not in client.get(report.get_absolute_url()).content.decode()
