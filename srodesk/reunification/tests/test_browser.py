"""The checker's pages in a real browser on a phone: no sideways scrolling, WCAG 2.1 AA (axe), the htmx search,
a card issued and checked, a refused check keeping what was typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.core.tests.test_browser import PHONE_VIEWPORT, assert_accessible, assert_no_horizontal_overflow
from srodesk.reunification.models import ReunificationCard

from .conftest import World, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(transactional_db: None, browser_context: Any, live_server: Any) -> tuple[Any, World]:
    world = build_world()
    client = Client()
    client.force_login(world.staff)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size(PHONE_VIEWPORT)
    return page, world


def test_checker_card_page_on_a_phone(phone: tuple[Any, World]) -> None:
    page, world = phone
    event = world.event
    assert event is not None
    page.goto(reverse("reunification:event_checker", args=[event.pk]))
    assert_no_horizontal_overflow(page, "Checker search")
    assert_accessible(page, "Checker search on a phone")

    # The search answers in place as the name is typed.
    page.get_by_label("Student name").fill("cruz")
    result = page.locator("#results").get_by_role("link", name="Cara Cruz")
    result.wait_for()
    assert page.locator("#results li").count() == 1
    result.click()
    page.wait_for_url(f"**{reverse('reunification:student_card', args=[world.expected('Cara').pk])}")
    assert page.get_by_role("heading", level=1, name="Cara Cruz").is_visible()
    assert "Court order 2025-114" in page.locator("main article [role=alert]").inner_text()
    assert_no_horizontal_overflow(page, "Card page")
    assert_accessible(page, "Card page on a phone")

    # Greeter: the card; checker: the mother, her photo ID. The restriction sends it to exceptions.
    page.get_by_label("Pickup adult").fill("Carmen Cruz")
    page.get_by_label("Relationship").fill("Mother")
    page.get_by_role("button", name="Issue the card").click()
    page.get_by_role("button", name="Check the card").wait_for()
    assert_accessible(page, "Card page with the check form")
    page.get_by_label("Carmen Cruz (Parent)").check()
    page.get_by_label("Photo ID type").select_option("driver_license")
    page.get_by_label("ID number, last 4").fill("4821")
    page.get_by_label("I have seen the adult's photo ID and it matches the card").check()
    page.get_by_role("button", name="Check the card").click()
    page.get_by_text("Not released: Custody dispute or restriction").wait_for()
    card = ReunificationCard.objects.get(event_student=world.expected("Cara"))
    assert card.status == "exception"
    assert_no_horizontal_overflow(page, "Card page after the check")
    assert_accessible(page, "Card page after the check")

    # A check without the photo ID is refused in place, keeping what was typed.
    page.goto(reverse("reunification:student_card", args=[world.expected("Ava").pk]))
    page.get_by_label("Pickup adult").fill("Amy Adams")
    page.get_by_label("Relationship").fill("Mother")
    page.get_by_role("button", name="Issue the card").click()
    page.get_by_role("button", name="Check the card").wait_for()
    page.get_by_label("Amy Adams (Parent)").check()
    page.get_by_label("Photo ID type").select_option("passport")
    page.get_by_label("ID number, last 4").fill("77A1")
    page.get_by_role("button", name="Check the card").click()
    page.locator("#check-form .errorlist").wait_for()
    assert "Check the adult's photo ID" in page.locator("#check-form .errorlist").inner_text()
    assert page.get_by_label("ID number, last 4").input_value() == "77A1"
    assert page.get_by_label("Amy Adams (Parent)").is_checked()
    assert_no_horizontal_overflow(page, "Refused check")
    assert_accessible(page, "Refused check on a phone")

    for name in ("event_students", "event_runner", "event_exceptions", "event_reconciliation"):
        page.goto(reverse(f"reunification:{name}", args=[event.pk]))
        assert_no_horizontal_overflow(page, name)
        assert_accessible(page, f"{name} on a phone")
    page.goto(event.get_absolute_url())
    assert_no_horizontal_overflow(page, "Dashboard")
    assert_accessible(page, "Dashboard on a phone")


def test_start_page_on_a_phone(transactional_db: None, browser_context: Any, live_server: Any) -> None:
    world = build_world(start=False)
    client = Client()
    client.force_login(world.admin)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(reverse("reunification:event_start"))
    assert_no_horizontal_overflow(page, "Start page")
    assert_accessible(page, "Start page on a phone")
    # Without a site name: refused in place, what was typed kept.
    page.get_by_label("District").select_option(label="Riverside")
    page.get_by_label("Site address").fill("2 Oak Street")
    page.get_by_label("Riverside High").check()
    page.get_by_role("button", name="Start the reunification").click()
    page.locator(".errorlist").first.wait_for()
    assert page.get_by_label("Site address").input_value() == "2 Oak Street"
    assert page.get_by_label("Riverside High").is_checked()
    assert_accessible(page, "Refused start on a phone")
    page.get_by_label("Reunification site").fill("First Church")
    page.get_by_role("button", name="Start the reunification").click()
    page.get_by_role("heading", level=1, name="Reunification at First Church").wait_for()
    assert page.locator('[data-count="expected"]').inner_text() == "5"
