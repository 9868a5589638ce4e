"""The alert pages: two deliberate steps, the countdown with Cancel, the live page, all-clear, DRILL marks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from srodesk.alerts.models import Alert, Recipient

from .alert_world import World, build_world
from .test_services import active_alert, due


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.MFA_REQUIRED = False
    settings.ALERT_CANCEL_WINDOW_SECONDS = 30


def client_for(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def step1(world: World, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "srp",
        "action": "lockdown",
        "schools": [str(world.school.pk)],
        "audience": "everyone",
        "message": "Intruder near the gym",
    }
    data.update(extra)
    return data


def test_start_takes_two_deliberate_steps(world: World) -> None:
    client = client_for(world, "sro")
    url = reverse("alerts:alert_start")
    assert client.get(url).status_code == 200
    # Step 1 shows exactly what will be sent and to how many people, and stores nothing.
    response = client.post(url, step1(world))
    assert response.status_code == 200
    assert response.templates[0].name == "alerts/alert_confirm.html"
    body = response.content.decode()
    assert "Locks, lights, out of sight." in body
    assert "Riverside High" in body
    assert response.context["recipient_count"] == 6
    assert "<strong>6</strong> people" in body
    assert "30 seconds" in body
    assert Alert.objects.count() == 0
    # "Change something" goes back to step 1 with everything kept.
    back = client.post(url, {**step1(world), "back": "1"})
    assert back.templates[0].name == "alerts/alert_start.html"
    assert back.context["form"]["message"].value() == "Intruder near the gym"
    assert Alert.objects.count() == 0
    # Step 2: Start.
    response = client.post(url, {**step1(world), "confirm": "1"})
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == alert.get_absolute_url() == f"/alerts/{alert.pk}/"
    assert (alert.status, alert.action, alert.message, alert.initiated_by_id) == (
        "armed",
        "lockdown",
        "Intruder near the gym",
        world.sro.pk,
    )


def test_start_invalid_keeps_what_was_typed(world: World) -> None:
    client = client_for(world, "sro")
    url = reverse("alerts:alert_start")
    response = client.post(url, step1(world, action="evacuate"), headers={"HX-Request": "true"})
    assert response.status_code == 422
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="alert-start"')
    assert "Evacuate needs the location" in body
    assert "Intruder near the gym" in body
    # The confirmation itself re-checks everything.
    response = client.post(url, {**step1(world, action="evacuate"), "confirm": "1"})
    assert response.status_code == 422
    assert Alert.objects.count() == 0


@pytest.mark.parametrize("school", ["school_b", "away_school"])
def test_start_for_a_school_out_of_scope_changes_nothing(world: World, school: str) -> None:
    client = client_for(world, "sro")
    data = {**step1(world, schools=[str(getattr(world, school).pk)]), "confirm": "1"}
    response = client.post(reverse("alerts:alert_start"), data)
    assert response.status_code == 422
    assert "schools" in response.context["form"].errors
    assert Alert.objects.count() == 0


@pytest.mark.parametrize("name", ["staff", "analyst", "outsider"])
def test_start_without_the_grant_is_forbidden(world: World, name: str) -> None:
    client = client_for(world, name)
    assert client.get(reverse("alerts:alert_start")).status_code == 403
    assert client.post(reverse("alerts:alert_start"), {**step1(world), "confirm": "1"}).status_code == 403
    assert Alert.objects.count() == 0


def test_countdown_and_cancel(world: World) -> None:
    alert = world.arm()
    client = client_for(world, "sro")
    response = client.get(alert.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "starts in" in body
    assert 'id="cancel-alert"' in body
    assert 'hx-trigger="every 1s"' in body
    assert 25 <= response.context["remaining"] <= 30
    # The polled region alone, for htmx.
    partial = client.get(alert.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="live"')
    assert "<html" not in partial
    # Staff see the countdown but no Cancel.
    staff_body = client_for(world, "staff").get(alert.get_absolute_url()).content.decode()
    assert "starts in" in staff_body
    assert 'id="cancel-alert"' not in staff_body
    assert client_for(world, "staff").post(reverse("alerts:alert_cancel", args=[alert.pk])).status_code == 403
    assert Alert.objects.get(pk=alert.pk).status == "armed"
    response = client.post(reverse("alerts:alert_cancel", args=[alert.pk]))
    assert response.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == "cancelled"
    body = client.get(alert.get_absolute_url()).content.decode()
    assert "Nothing was sent." in body
    assert "hx-trigger" not in body


def test_cancel_after_the_window_is_refused_on_the_page(world: World) -> None:
    alert = world.arm()
    Alert.objects.filter(pk=alert.pk).update(deliver_at=timezone.now() + dt.timedelta(milliseconds=1))
    client = client_for(world, "sro")
    Alert.objects.filter(pk=alert.pk).update(deliver_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(reverse("alerts:alert_cancel", args=[alert.pk]), follow=True)
    assert "cancel window has closed" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == "active"  # the page looked at it and delivered it


def test_a_due_alert_is_delivered_when_its_page_is_polled(world: World) -> None:
    alert = world.arm()
    due(alert)
    response = client_for(world, "staff").get(alert.get_absolute_url(), headers={"HX-Request": "true"})
    assert Alert.objects.get(pk=alert.pk).status == "active"
    assert 'id="acknowledge"' in response.content.decode()
    assert Recipient.objects.filter(alert=alert).count() == 6


def test_live_page_acknowledge_and_rollup(world: World) -> None:
    alert = active_alert(world)
    staff = client_for(world, "staff")
    body = staff.get(alert.get_absolute_url()).content.decode()
    assert 'id="acknowledge"' in body
    assert 'id="report-room"' in body
    assert 'id="all-clear"' not in body
    assert 'hx-trigger="every 3s"' in body
    response = staff.post(reverse("alerts:alert_acknowledge", args=[alert.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "You acknowledged at" in response.content.decode()
    assert Recipient.objects.get(alert=alert, user=world.staff).acknowledged_at is not None
    sro_body = client_for(world, "sro").get(alert.get_absolute_url()).content.decode()
    assert "<strong>1</strong> of 6 acknowledged" in sro_body
    assert 'id="all-clear"' in sro_body


def test_acknowledge_answers_json_to_the_live_banner(world: World) -> None:
    alert = active_alert(world)
    response = client_for(world, "staff").post(
        reverse("alerts:alert_acknowledge", args=[alert.pk]), headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    stored = Recipient.objects.get(alert=alert, user=world.staff).acknowledged_at
    assert stored is not None
    assert response.json() == {"alert": alert.pk, "acknowledged_at": stored.isoformat()}
    armed = world.arm()
    refused = client_for(world, "staff").post(
        reverse("alerts:alert_acknowledge", args=[armed.pk]), headers={"Accept": "application/json"}
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["reason"] == "Only a delivered alert can be acknowledged."


def test_all_clear_page(world: World) -> None:
    alert = active_alert(world)
    url = reverse("alerts:alert_all_clear", args=[alert.pk])
    assert client_for(world, "staff").get(url).status_code == 403
    assert client_for(world, "staff").post(url, {"message": "x"}).status_code == 403
    assert Alert.objects.get(pk=alert.pk).status == "active"
    client = client_for(world, "admin")
    assert client.get(url).status_code == 200
    response = client.post(url, {"message": "Resume classes."})
    assert response.status_code == 302
    stored = Alert.objects.get(pk=alert.pk)
    assert (stored.status, stored.all_clear_message) == ("all_clear", "Resume classes.")
    # A second all-clear is refused on the form, and nothing changes.
    response = client.post(url, {"message": "again"})
    assert response.status_code == 422
    assert "only an active alert ends" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).all_clear_message == "Resume classes."


@pytest.mark.parametrize(("name", "status"), [("staff_b", 404), ("away_sro", 404), ("outsider", 403)])
def test_alert_pages_out_of_scope(world: World, name: str, status: int) -> None:
    alert = active_alert(world)
    client = client_for(world, name)
    for view in ("alert_detail", "alert_cap"):
        assert client.get(reverse(f"alerts:{view}", args=[alert.pk])).status_code == status
    for view in ("alert_cancel", "alert_acknowledge", "alert_all_clear"):
        assert client.post(reverse(f"alerts:{view}", args=[alert.pk])).status_code == status
    assert Alert.objects.get(pk=alert.pk).status == "active"
    assert Recipient.objects.filter(alert=alert, acknowledged_at__isnull=False).count() == 0


def test_drills_are_marked_on_every_page(world: World) -> None:
    client = client_for(world, "sro")
    confirm = client.post(reverse("alerts:alert_start"), step1(world, is_drill="on")).content.decode()
    assert "<strong>DRILL</strong>" in confirm
    alert = active_alert(world, is_drill=True)
    pages = [
        alert.get_absolute_url(),
        reverse("alerts:alert_list"),
        reverse("alerts:alert_all_clear", args=[alert.pk]),
    ]
    for url in pages:
        assert "DRILL" in client.get(url).content.decode(), url
    report = client_for(world, "staff").get(reverse("alerts:alert_report", args=[alert.pk])).content.decode()
    assert "<strong>DRILL</strong>" in report
    assert "<status>Exercise</status>" in client.get(reverse("alerts:alert_cap", args=[alert.pk])).content.decode()


def test_the_start_page_is_in_the_menu_for_those_who_may_start(world: World) -> None:
    start = reverse("alerts:alert_start")
    assert start in client_for(world, "sro").get(reverse("core:dashboard")).content.decode()
    assert start not in client_for(world, "staff").get(reverse("core:dashboard")).content.decode()
