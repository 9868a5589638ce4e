"""The live banner in a real browser: a drill lockdown appears on an open page without reloading, clearly
marked as a drill, passes the accessibility checks on a phone, and its Acknowledge button records it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from srodesk.alerts import services
from srodesk.alerts.delivery.testing import session_cookie, stream_routed
from srodesk.alerts.models import Recipient
from srodesk.core.tests.test_browser import PHONE_VIEWPORT, assert_accessible, assert_no_horizontal_overflow

from .test_delivery import build_scene, make_alert

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_page(page: Any, live_server: Any, settings: Any) -> Any:
    settings.MFA_REQUIRED = False
    settings.ALERT_SMS_URL = ""
    settings.ALERT_WEBHOOK_URLS = []
    settings.ALERT_DB_POLL_SECONDS = 0
    settings.ALERT_STREAM_HEARTBEAT_SECONDS = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if not stream_routed():
        pytest.skip("the alerts app does not route /alerts/stream/ yet")
    scene = build_scene()
    page.context.add_cookies([{"name": "sessionid", "value": session_cookie(scene["staff_a"]), "url": live_server.url}])
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(reverse("core:dashboard"))
    page.wait_for_load_state()
    page.scene = scene
    return page


def test_drill_banner_appears_live_and_is_acknowledged(staff_page: Any) -> None:
    page, scene = staff_page, staff_page.scene
    banner = page.locator("#alert-live")
    assert banner.is_hidden()
    page.wait_for_function("() => document.getElementById('alert-live').dataset.state === 'open'")

    alert = make_alert(scene, status="armed", drill=True)
    assert services.activate(alert) is True

    region = page.locator("#alert-live [role=alert]")
    region.locator(".alert-live-banner").wait_for(timeout=5000)
    assert banner.is_visible()
    text = region.inner_text()
    assert "DRILL — THIS IS A DRILL" in text.upper()
    assert "LOCKDOWN" in text
    assert "Locks, lights, out of sight." in text
    assert "Riverside High School" in text
    assert_no_horizontal_overflow(page, "Page with a live alert")
    assert_accessible(page, "Page with a live alert")

    region.get_by_role("button", name="Acknowledge").click()
    region.locator(".alert-live-acked").wait_for(timeout=5000)
    assert "Acknowledged" in region.inner_text()
    recipient = Recipient.objects.get(alert=alert, user=scene["staff_a"])
    assert recipient.acknowledged_at is not None
