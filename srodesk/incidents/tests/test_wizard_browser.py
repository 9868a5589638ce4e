"""Incident entry on a phone, in a real browser: autosave, reload, text kept on the device, WCAG 2.1 AA."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import sync_roles
from srodesk.core.tests.test_browser import assert_accessible, assert_no_horizontal_overflow, screenshot
from srodesk.incidents.models import Incident, InvolvedPerson, Offense
from srodesk.organizations.tests.factories import AgencyFactory, DistrictFactory, PartnershipFactory, SchoolFactory
from srodesk.people.tests.factories import StudentFactory

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
SAVED = re.compile(r"^Saved \d\d:\d\d$")
FIRST = "At 10:30 I saw two students pushing each other in the east stairwell."
MORE = " One of them fell against the railing."


@pytest.fixture
def officer_page(transactional_db: None, page: Any, live_server: Any, settings: Any) -> tuple[Any, Incident]:
    settings.MFA_REQUIRED = False
    sync_roles()
    district = DistrictFactory(name="Riverside")
    agency = AgencyFactory(name="Riverside Police Department")
    PartnershipFactory(agency=agency, district=district)
    school = SchoolFactory(district=district, name="Riverside High")
    student = StudentFactory(school=school, given_name="José", family_name="Álvarez")
    user = User.objects.create_user(username="dana", first_name="Dana", last_name="Reyes")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug="sro"), school=school)
    incident = Incident.objects.create(
        district=district,
        school=school,
        agency=agency,
        officer=user,
        created_by=user,
        title="Fight in the east stairwell",
        occurred_at=dt.datetime(2026, 10, 14, 14, 30, tzinfo=dt.UTC),
        source="on_view",
    )
    Offense.objects.create(incident=incident, ucr_code="13B", created_by=user)
    InvolvedPerson.objects.create(incident=incident, role="offender", student=student, created_by=user)
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size(PHONE)
    return page, incident


def step(incident: Incident, name: str) -> str:
    return reverse("incidents:incident_wizard_step", args=[incident.pk, name])


def test_narrative_autosaves_and_survives_a_reload_on_a_phone(officer_page: tuple[Any, Incident]) -> None:
    from playwright.sync_api import expect

    page, incident = officer_page
    page.goto(step(incident, "narrative"))
    narrative = page.get_by_label("Narrative")
    narrative.click()
    narrative.press_sequentially(FIRST, delay=5)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    incident.refresh_from_db()
    assert incident.narrative == FIRST
    assert_no_horizontal_overflow(page, "Narrative step")
    assert_accessible(page, "Narrative step on a phone")
    screenshot(page, "incident-wizard-narrative-phone.png")

    page.reload()
    expect(page.get_by_label("Narrative")).to_have_value(FIRST)
    assert page.locator(".restored").count() == 0

    # The connection drops: what is typed stays on the device and comes back after a reload.
    page.route("**/narrative/?autosave=1", lambda route: route.abort())
    page.get_by_label("Narrative").press("Control+End")
    page.get_by_label("Narrative").press_sequentially(MORE, delay=5)
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    incident.refresh_from_db()
    assert incident.narrative == FIRST
    page.unroute("**/narrative/?autosave=1")
    page.reload()
    expect(page.get_by_label("Narrative")).to_have_value(FIRST + MORE)
    expect(page.locator(".restored")).to_be_visible()
    expect(page.locator("#save-status")).to_have_text(SAVED)  # restored text is saved again
    incident.refresh_from_db()
    assert incident.narrative == FIRST + MORE
    assert_accessible(page, "Narrative step with restored text")


def test_every_step_fits_a_phone_and_passes_axe(officer_page: tuple[Any, Incident]) -> None:
    page, incident = officer_page
    page.goto(reverse("incidents:incident_new"))
    assert_no_horizontal_overflow(page, "New incident")
    assert_accessible(page, "New incident on a phone")
    for name in ("basics", "narrative", "offenses", "people", "review"):
        page.goto(step(incident, name))
        assert page.get_by_role("heading", level=1).inner_text() == f"Incident {incident.number}"
        assert_no_horizontal_overflow(page, f"Step {name}")
        assert_accessible(page, f"Step {name} on a phone")
        screenshot(page, f"incident-wizard-{name}-phone.png")
    page.goto(step(incident, "people"))
    page.get_by_label("Find a student (name, student number or birth date)").press_sequentially("Álv", delay=20)
    from playwright.sync_api import expect

    expect(page.get_by_label("José Álvarez, Grade 9, Riverside High")).to_be_visible()
    assert_accessible(page, "People step with search results")
