"""Done-when: the SRO starts a lockdown in two steps; a staff member on a phone sees it, acknowledges and
reports the room with a missing student; the SRO's roll-up shows the report and the acknowledgement."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from srodesk.alerts.models import AccountabilityReport, Alert, Recipient
from srodesk.core.tests.test_browser import assert_accessible, assert_no_horizontal_overflow, screenshot

from .alert_world import World, build_world

pytestmark = pytest.mark.browser

PHONE_375 = {"width": 375, "height": 740}


def signed_in(browser: Any, live_server: Any, user: Any, viewport: dict[str, int]) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-US")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def test_lockdown_from_start_to_rollup(transactional_db: None, browser: Any, live_server: Any, settings: Any) -> None:
    settings.MFA_REQUIRED = False
    settings.ALERT_CANCEL_WINDOW_SECONDS = 1
    world: World = build_world()
    sro_context = signed_in(browser, live_server, world.sro, {"width": 1280, "height": 900})
    staff_context = signed_in(browser, live_server, world.staff, PHONE_375)
    try:
        staff = staff_context.new_page()
        staff.goto(reverse("core:dashboard"))
        banner = staff.locator("#alert-live")
        has_banner = banner.count() > 0

        # The SRO: step 1, step 2, Start.
        sro = sro_context.new_page()
        sro.goto(reverse("alerts:alert_start"))
        assert_accessible(sro, "Start an alert")
        sro.get_by_label("Lockdown").check()
        assert sro.get_by_label("Riverside High").is_checked()  # the SRO's only school, chosen already
        sro.get_by_label("Message").fill("Intruder reported near the gym.")
        sro.get_by_role("button", name="Review what will be sent").click()
        sro.wait_for_load_state()
        assert sro.get_by_role("heading", level=1).inner_text() == "Confirm: Lockdown"
        assert sro.locator("#recipient-count").inner_text() == "6 people"
        assert Alert.objects.count() == 0
        assert_accessible(sro, "Confirmation")
        screenshot(sro, "alert-confirm.png")
        sro.get_by_role("button", name="Start the lockdown").click()
        sro.wait_for_load_state()
        alert = Alert.objects.get()
        assert sro.url.endswith(alert.get_absolute_url())
        # The countdown ends and the page turns into the live alert (polling).
        sro.get_by_role("heading", level=2, name="Active").wait_for()
        assert Alert.objects.get(pk=alert.pk).status == "active"
        assert_accessible(sro, "Live alert")

        # The staff member on a phone.
        if has_banner:
            staff.locator("#alert-live").get_by_text("LOCKDOWN").wait_for()
            staff.locator("#alert-live").get_by_role("link", name="Open the alert").click()
            staff.wait_for_load_state()
        else:
            staff.goto(alert.get_absolute_url())
        assert staff.get_by_text("Locks, lights, out of sight.").first.is_visible()
        assert_no_horizontal_overflow(staff, "Live alert on a phone")
        assert_accessible(staff, "Live alert on a phone")
        staff.locator("#acknowledge").click()
        staff.locator("#my-ack").wait_for()
        assert Recipient.objects.get(alert=alert, user=world.staff).acknowledged_at is not None

        staff.locator("#report-room").click()
        staff.wait_for_load_state()
        assert staff.get_by_role("heading", level=1).inner_text() == "Report my room"
        assert_no_horizontal_overflow(staff, "Report my room")
        assert_accessible(staff, "Report my room on a phone")
        screenshot(staff, "alert-report-phone.png")
        staff.get_by_label("Room or area").fill("Room 12")
        staff.get_by_label("Students with you").fill("23")
        staff.get_by_label("Missing students").select_option(label="Maya Lopez (09)")
        staff.get_by_role("button", name="Send the report").click()
        staff.wait_for_url(re.compile(re.escape(alert.get_absolute_url()) + "$"))
        assert staff.get_by_text("Room 12: reported.").is_visible()
        report = AccountabilityReport.objects.get(alert=alert)
        assert (report.area, report.present_count, report.reporter_id) == ("Room 12", 23, world.staff.pk)
        assert [s.pk for s in report.missing.all()] == [world.students["maya"].pk]

        # The SRO's roll-up shows both, without a reload.
        rollup = sro.locator("#rollup")
        rollup.get_by_role("cell", name="Room 12").wait_for()
        assert sro.locator("#ack-count").inner_text() == "1 of 6 acknowledged"
        school = sro.locator(".rollup-school")
        assert school.locator("[data-total=areas]").inner_text() == "1"
        assert school.locator("[data-total=present]").inner_text() == "23"
        assert school.locator("[data-total=missing]").inner_text() == "1: Maya Lopez"
        assert_accessible(sro, "Live alert with the roll-up")
        screenshot(sro, "alert-rollup.png")
    finally:
        sro_context.close()
        staff_context.close()
