"""The case pages in a real browser on a phone: no sideways scrolling, WCAG 2.1 AA (axe), htmx step forms."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.core.tests.test_browser import PHONE_VIEWPORT, assert_accessible, assert_no_horizontal_overflow
from srodesk.threats import services

from .conftest import World, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(transactional_db: None, browser_context: Any, live_server: Any) -> tuple[Any, World]:
    world = build_world()
    services.record_interview(
        actor=world.counselor,
        case=world.case,
        subject="student",
        person_name="Dylan Marsh",
        answers={"exact_words": "I'll bring something Friday.", "meaning": "I don't know."},
    )
    services.classify(actor=world.counselor, case=world.case, classification="very_serious_substantive", reasoning="")
    client = Client()
    client.force_login(world.counselor)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = browser_context.new_page()
    page.set_viewport_size(PHONE_VIEWPORT)
    return page, world


def test_case_pages_fit_a_phone_and_pass_axe(phone: tuple[Any, World]) -> None:
    page, world = phone
    page.goto(world.case.get_absolute_url())
    assert page.get_by_role("heading", level=2, name="Step 4: conduct a safety evaluation").is_visible()
    assert_no_horizontal_overflow(page, "Case page")
    assert_accessible(page, "Case page on a phone")

    # A refused step answers in place, with the reason, and keeps what was typed.
    page.locator("#classification summary").click()
    page.get_by_label("Transient").check()
    page.locator("#id_classify-reasoning").fill("")
    page.locator("#action-classify button[type=submit]").click()
    error = page.locator("#action-classify .errorlist")
    error.wait_for()
    assert "A transient threat needs the reasoning" in error.inner_text()
    assert page.get_by_label("Transient").is_checked()
    assert_no_horizontal_overflow(page, "Case page with a refused step")
    assert_accessible(page, "Case page with a refused step")

    page.goto(reverse("threats:threatcase_list"))
    assert_no_horizontal_overflow(page, "Case list")
    assert_accessible(page, "Case list on a phone")

    page.goto(reverse("threats:threatcase_action", args=[world.case.pk, "themes"]))
    assert_no_horizontal_overflow(page, "Themes checklist")
    assert_accessible(page, "Themes checklist on a phone")

    page.goto(world.team.get_absolute_url())
    assert_no_horizontal_overflow(page, "Team page")
    assert_accessible(page, "Team page on a phone")
