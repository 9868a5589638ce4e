"""Case packets in a real browser on a phone: request, progress, ready, give out; WCAG 2.1 AA on each page."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from srodesk.accounts.roles import sync_roles
from srodesk.audit.models import AuditEvent
from srodesk.core.tests.test_browser import assert_accessible, assert_no_horizontal_overflow
from srodesk.incidents.models import CasePacket, Incident
from srodesk.incidents.tests.test_packet import build_incident, build_world
from srodesk.people.models import Disclosure

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def officer_page(transactional_db: None, page: Any, live_server: Any, settings: Any) -> tuple[Any, Incident]:
    settings.MFA_REQUIRED = False
    sync_roles()
    world = build_world()
    incident = build_incident(world)
    client = Client()
    client.force_login(world["sro"])
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


def check(page: Any, label: str) -> None:
    assert_accessible(page, label)
    assert_no_horizontal_overflow(page, label)


def test_request_follow_and_give_out_a_packet_on_a_phone(officer_page: tuple[Any, Incident]) -> None:
    from playwright.sync_api import expect

    page, incident = officer_page
    page.goto(reverse("incidents:casepacket_add", args=[incident.pk]))
    check(page, "request form")
    page.get_by_label("Purpose").fill("Juvenile court hearing 2026-12-14")
    page.get_by_role("button", name="Generate packet").click()

    # The test backend runs the task inside the request, so the page opens on a finished packet.
    expect(page.get_by_role("heading", name="Ready")).to_be_visible(timeout=30_000)
    packet = CasePacket.objects.get()
    assert packet.status == CasePacket.Status.DONE
    assert page.url.endswith(reverse("incidents:casepacket_detail", args=[packet.pk]))
    expect(page.locator("#packet-progress-bar")).to_have_attribute("value", "100")
    check(page, "ready packet")

    page.get_by_role("button", name="Give to an outside party").click()
    check(page, "give-out form")
    page.get_by_label("Recipient (person)").fill("Clerk Dana Whitfield")
    page.get_by_label("Organisation").fill("Lakeside County Juvenile Court")
    page.get_by_label("Legal basis").select_option("subpoena")
    page.get_by_label("Subpoena or court order reference").fill("JC-2026-0412")
    page.get_by_label("Purpose").fill("Adjudication hearing")
    page.get_by_role("button", name="Record disclosure").click()

    expect(page.get_by_role("heading", name="Given to outside parties")).to_be_visible(timeout=15_000)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DISCLOSURE).for_object(incident).count() == 1
    assert Disclosure.objects.count() == 2
    check(page, "packet given out")

    page.goto(reverse("incidents:casepacket_list", args=[incident.pk]))
    expect(page.get_by_role("link", name=f"#{packet.pk}", exact=True)).to_be_visible()
    check(page, "packet list")


def update_packet(packet: CasePacket, **values: Any) -> None:
    """Move the packet on, as its task would, while its page polls it. On SQLite the test and the live server
    share one in-memory database, where the page's read can hold the table for a moment: the write waits."""
    for attempt in range(50):
        try:
            CasePacket.objects.filter(pk=packet.pk).update(**values)
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.1)


def test_a_running_packet_updates_itself_until_ready(officer_page: tuple[Any, Incident]) -> None:
    from playwright.sync_api import expect

    page, incident = officer_page
    packet = CasePacket.objects.create(incident=incident, purpose="Hearing", status="running", progress=30)
    page.goto(reverse("incidents:casepacket_detail", args=[packet.pk]))
    expect(page.locator("#packet-progress-bar")).to_have_attribute("value", "30")
    check(page, "running packet")

    update_packet(packet, progress=80)
    expect(page.locator("#packet-progress-bar")).to_have_attribute("value", "80")
    update_packet(packet, status="failed", error="ValueError: bad data")

    expect(page.get_by_text("The packet could not be generated: ValueError: bad data")).to_be_visible()
    check(page, "failed packet")
