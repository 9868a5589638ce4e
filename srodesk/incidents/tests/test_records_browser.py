"""The record pages of law-enforcement records in a real browser: on a phone and on a desktop, with the
WCAG 2.1 AA checks of axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import sync_roles
from srodesk.core.tests.test_browser import assert_accessible, assert_no_horizontal_overflow, screenshot
from srodesk.incidents import services
from srodesk.organizations.tests.factories import AgencyFactory, DistrictFactory, PartnershipFactory, SchoolFactory

from .factories import (
    ArrestFactory,
    IncidentFactory,
    InvolvedPersonFactory,
    OffenseFactory,
    PursuitFactory,
    SearchFactory,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def sign_in(page: Any, live_server: Any, user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


@pytest.fixture
def world(transactional_db: None, settings: Any) -> dict[str, Any]:
    settings.MFA_REQUIRED = False
    sync_roles()
    district = DistrictFactory(name="Riverside")
    agency = AgencyFactory(name="Riverside Police Department")
    PartnershipFactory(agency=agency, district=district)
    school = SchoolFactory(district=district, name="Riverside High")
    sro = User.objects.create_user(username="dana", first_name="Dana", last_name="Reyes")
    RoleAssignment.objects.create(user=sro, role=Role.objects.get(slug="sro"), school=school)
    supervisor = User.objects.create_user(username="sam", first_name="Sam", last_name="Ortiz")
    RoleAssignment.objects.create(user=supervisor, role=Role.objects.get(slug="sro_supervisor"), agency=agency)
    incident = IncidentFactory(school=school, agency=agency, officer=sro, title="Vape pen sale in the gym")
    OffenseFactory(incident=incident, ucr_code="35A", weapons_force=["99"])
    person = InvolvedPersonFactory(incident=incident, role="arrestee", student__school=school)
    ArrestFactory(incident=incident, arrestee=person)
    SearchFactory(
        school=school, agency=agency, incident=incident, conducted_by="sro", justification="Seen passing the pen."
    )
    PursuitFactory(school=school, agency=agency, incident=incident, left_district_property=True)
    services.submit(incident, sro)
    services.approve(incident, supervisor)
    services.add_supplement(incident, sro, "The parent picked the student up at 13:05.")
    services.share(incident, school, sro, "Discipline hearing")
    draft = IncidentFactory(school=school, agency=agency, officer=sro, title="Draft report")
    OffenseFactory(incident=draft)
    services.submit(draft, sro)
    return {"sro": sro, "supervisor": supervisor, "incident": incident}


def test_record_pages_fit_a_phone_and_pass_axe(world: dict[str, Any], page: Any, live_server: Any) -> None:
    incident = world["incident"]
    sign_in(page, live_server, world["sro"])
    page.set_viewport_size(PHONE)
    pages = {
        "incident list": reverse("incidents:incident_list"),
        "incident page": incident.get_absolute_url(),
        "versions": reverse("incidents:incident_versions", args=[incident.pk]),
        "version": reverse("incidents:incident_version", args=[incident.pk, 2]),
        "new incident form": reverse("incidents:incident_add"),
        "offense form": reverse("incidents:offense_add"),
        "person form": reverse("incidents:involvedperson_add"),
        "arrest form": reverse("incidents:arrest_add"),
        "search form": reverse("incidents:search_add"),
        "search list": reverse("incidents:search_list"),
        "supplement form": reverse("incidents:incident_supplement", args=[incident.pk]),
        "share form": reverse("incidents:incident_share", args=[incident.pk]),
    }
    for label, url in pages.items():
        response = page.goto(url)
        assert response is not None, label
        assert response.status == 200, label
        assert_no_horizontal_overflow(page, label)
        assert_accessible(page, f"{label} on a phone")
    page.goto(incident.get_absolute_url())
    screenshot(page, "incident-detail-phone.png")


def test_review_queue_passes_axe(world: dict[str, Any], page: Any, live_server: Any) -> None:
    sign_in(page, live_server, world["supervisor"])
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(viewport)
        response = page.goto(reverse("incidents:review_queue"))
        assert response is not None
        assert response.status == 200
        assert page.get_by_role("heading", level=1).inner_text() == "Supervisor review"
        assert_no_horizontal_overflow(page, "review queue")
        assert_accessible(page, "review queue")
        page.goto(reverse("incidents:incident_return", args=[world["incident"].pk]))
        page.goto(reverse("core:dashboard"))
        assert_accessible(page, "dashboard with the review panel")
