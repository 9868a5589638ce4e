"""The alerts API: the generated suites, and the workflow (arm, cancel, all-clear, acknowledge, reports)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken
from srodesk.alerts.models import AccountabilityReport, Alert, Recipient
from srodesk.core.testing import APITestCases

from .alert_world import World, build_world
from .test_services import active_alert
from .test_views import AccountabilityReportTests, AlertTests


class AlertAPITests(AlertTests, APITestCases.RecordAPITests):
    pass


class AccountabilityReportAPITests(AccountabilityReportTests, APITestCases.RecordAPITests):
    pass


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def api(world: World, name: str) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(world.users[name], name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


ALERTS = "/api/v1/alerts/"


def test_the_short_path_is_the_alerts_endpoint() -> None:
    assert reverse("api:alias-alerts-list") == ALERTS
    assert reverse("api:alerts-alert-list") == "/api/v1/alerts/alerts/"


def test_arm_through_the_api(world: World, settings: Any) -> None:
    settings.ALERT_CANCEL_WINDOW_SECONDS = 20
    body = {"kind": "srp", "action": "evacuate", "location": "the football field", "schools": [world.school.pk]}
    response = api(world, "sro").post(ALERTS, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    alert = Alert.objects.get(pk=data["id"])
    assert (data["status"], data["directive"], data["schools"]) == (
        "armed",
        "Evacuate to the football field.",
        [world.school.pk],
    )
    assert alert.initiated_by_id == world.sro.pk
    assert (alert.deliver_at - alert.armed_at).total_seconds() == 20


@pytest.mark.parametrize(
    ("name", "body", "status", "field"),
    [
        ("staff", {}, 403, None),
        ("sro", {"schools": ["school_b"]}, 403, None),
        ("sro", {"action": "evacuate"}, 400, "location"),
        ("sro", {"action": "bogus"}, 400, "action"),
        ("sro", {"schools": []}, 400, "schools"),
        ("sro", {"schools": [999999]}, 400, "schools"),
        ("sro", {"kind": "bolo", "action": ""}, 400, "message"),
    ],
)
def test_refused_arm_stores_nothing(world: World, name: str, body: dict[str, Any], status: int, field: Any) -> None:
    data: dict[str, Any] = {"kind": "srp", "action": "lockdown", "schools": [world.school.pk]}
    data.update(body)
    data["schools"] = [getattr(world, s).pk if isinstance(s, str) else s for s in data["schools"]]
    response = api(world, name).post(ALERTS, data, format="json")
    assert response.status_code == status, response.content
    errors = response.json()["errors"]
    assert set(errors[0]) == {"field", "code", "reason"}
    if field:
        assert field in {e["field"] for e in errors}
    assert Alert.objects.count() == 0


def test_cancel_all_clear_and_acknowledge(world: World) -> None:
    alert = world.arm()
    assert api(world, "staff").post(f"{ALERTS}{alert.pk}/cancel/").status_code == 403
    assert api(world, "away_sro").post(f"{ALERTS}{alert.pk}/cancel/").status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == "armed"
    response = api(world, "sro").post(f"{ALERTS}{alert.pk}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    again = api(world, "sro").post(f"{ALERTS}{alert.pk}/cancel/")
    assert again.status_code == 400
    assert "no longer be cancelled" in again.json()["errors"][0]["reason"]

    live = active_alert(world)
    response = api(world, "staff").post(f"{ALERTS}{live.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.json()["user"] == world.staff.pk
    assert Recipient.objects.get(alert=live, user=world.staff).acknowledged_at is not None
    assert api(world, "staff_b").post(f"{ALERTS}{live.pk}/acknowledge/").status_code == 404
    assert api(world, "staff").post(f"{ALERTS}{live.pk}/all-clear/", {"message": "x"}).status_code == 403
    response = api(world, "admin").post(f"{ALERTS}{live.pk}/all-clear/", {"message": "Back to class"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["all_clear_message"]) == ("all_clear", "Back to class")


def test_accountability_report_and_rollup(world: World) -> None:
    alert = active_alert(world)
    maya = world.students["maya"]
    body = {"school": world.school.pk, "area": "Room 12", "present_count": 21, "missing": [maya.pk]}
    response = api(world, "staff").post(f"{ALERTS}{alert.pk}/accountability/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["area"], data["present_count"], data["missing"], data["reporter"]) == (
        "Room 12",
        21,
        [maya.pk],
        world.staff.pk,
    )
    bad = api(world, "staff").post(
        f"{ALERTS}{alert.pk}/accountability/", {**body, "missing": [world.students["lake"].pk]}, format="json"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "missing"
    assert api(world, "sro").post(f"{ALERTS}{alert.pk}/accountability/", body, format="json").status_code == 403
    assert AccountabilityReport.objects.get().missing.count() == 1
    rollup = api(world, "sro").get(f"{ALERTS}{alert.pk}/rollup/").json()
    assert rollup["recipients"] == 6
    [school] = rollup["schools"]
    assert (school["areas"], school["present"], school["missing"], school["not_reported"]) == (1, 21, 1, ["Tom Tutor"])
    assert api(world, "away_sro").get(f"{ALERTS}{alert.pk}/rollup/").status_code == 404


def test_alerts_cannot_be_edited_or_deleted(world: World) -> None:
    alert = active_alert(world)
    client = api(world, "sro")
    assert client.patch(f"{ALERTS}{alert.pk}/", {"message": "x"}, format="json").status_code == 405
    assert client.delete(f"{ALERTS}{alert.pk}/").status_code == 405
    assert Alert.objects.get(pk=alert.pk).deleted_at is None
