"""CAP 1.2 messages for every kind of alert, validated against the standard's schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from srodesk.alerts import cap, services
from srodesk.alerts.models import Alert

from .alert_world import World, build_world
from .test_services import active_alert

SCHEMA_PATH = Path(cap.__file__).resolve().parent / "schema" / "CAP-v1.2.xsd"
NS = {"cap": cap.NAMESPACE}
BOUNDARY = {
    "type": "Polygon",
    "coordinates": [[[-83.75, 42.28], [-83.74, 42.28], [-83.74, 42.29], [-83.75, 42.29], [-83.75, 42.28]]],
}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def valid(schema: etree.XMLSchema, alert: Alert) -> Any:
    body = cap.to_xml(alert, host="desk.riverside.example:8443")
    document = etree.fromstring(body)
    assert schema.validate(document), schema.error_log
    return document


def text(document: Any, path: str) -> list[str]:
    return [e.text for e in document.findall(path, NS)]


def test_the_schema_rejects_a_broken_message(schema: etree.XMLSchema, world: World) -> None:
    document = etree.fromstring(cap.to_xml(active_alert(world)))
    document.find("cap:status", NS).text = "Bogus"
    assert not schema.validate(document)
    document.find("cap:status", NS).text = "Actual"
    assert schema.validate(document)
    document.find("cap:sent", NS).text = "2026-01-01T10:00:00Z"  # CAP requires an explicit offset
    assert not schema.validate(document)


def test_srp_lockdown(schema: etree.XMLSchema, world: World) -> None:
    alert = active_alert(world, message="Intruder near the gym")
    doc = valid(schema, alert)
    assert text(doc, "cap:identifier") == [f"desk.riverside.example-alert-{alert.pk}"]
    assert text(doc, "cap:sender") == ["alerts@desk.riverside.example"]
    assert text(doc, "cap:sent") == [cap.cap_time(alert.activated_at)]
    assert text(doc, "cap:sent")[0].endswith("+00:00")
    assert (text(doc, "cap:status"), text(doc, "cap:msgType"), text(doc, "cap:scope")) == (
        ["Actual"],
        ["Alert"],
        ["Public"],
    )
    assert doc.find("cap:references", NS) is None
    info = doc.find("cap:info", NS)
    assert text(info, "cap:category") == ["Security"]
    assert text(info, "cap:event") == ["Lockdown"]
    assert text(info, "cap:responseType") == ["Shelter"]
    assert (text(info, "cap:urgency"), text(info, "cap:severity"), text(info, "cap:certainty")) == (
        ["Immediate"],
        ["Extreme"],
        ["Observed"],
    )
    assert text(info, "cap:headline") == ["Lockdown at Riverside High"]
    assert text(info, "cap:description") == ["Intruder near the gym"]
    assert text(info, "cap:instruction") == ["Locks, lights, out of sight."]
    assert text(info, "cap:senderName") == ["Riverside"]
    assert text(info, "cap:area/cap:areaDesc") == ["Riverside High"]
    assert info.find("cap:area/cap:polygon", NS) is None


def test_drill_evacuation_with_campus_boundaries(schema: etree.XMLSchema, world: World) -> None:
    world.school.campus_boundary = {"type": "Feature", "geometry": BOUNDARY, "properties": {}}
    world.school.save()
    alert = active_alert(
        world, "director", action="evacuate", location="the football field", is_drill=True,
        schools=[world.school, world.school_b],
    )  # fmt: skip
    doc = valid(schema, alert)
    assert text(doc, "cap:status") == ["Exercise"]
    assert text(doc, "cap:note") == ["DRILL: this is an exercise, not a real emergency."]
    info = doc.find("cap:info", NS)
    assert (text(info, "cap:category"), text(info, "cap:responseType")) == (["Safety"], ["Evacuate"])
    assert text(info, "cap:headline") == ["DRILL: Evacuate at Lakeside Middle, Riverside High"]
    assert text(info, "cap:instruction") == ["Evacuate to the football field."]
    assert text(info, "cap:area/cap:areaDesc") == ["Lakeside Middle", "Riverside High"]
    # latitude,longitude pairs, the ring closed.
    assert text(info, "cap:area/cap:polygon") == [
        "42.280000,-83.750000 42.280000,-83.740000 42.290000,-83.740000 42.290000,-83.750000 42.280000,-83.750000"
    ]


def test_shelter(schema: etree.XMLSchema, world: World) -> None:
    alert = active_alert(world, action="shelter", hazard="tornado", strategy="drop, cover and hold")
    info = valid(schema, alert).find("cap:info", NS)
    assert (text(info, "cap:category"), text(info, "cap:severity")) == (["Safety"], ["Severe"])
    assert text(info, "cap:instruction") == ["Shelter for tornado: drop, cover and hold."]


def test_advisory_is_restricted_to_its_audience(schema: etree.XMLSchema, world: World) -> None:
    alert = active_alert(
        world, kind="advisory", action="", message="Road closed on Main St.", audience="administrators"
    )
    doc = valid(schema, alert)
    assert text(doc, "cap:scope") == ["Restricted"]
    assert text(doc, "cap:restriction") == ["For school administrators of Riverside."]
    info = doc.find("cap:info", NS)
    assert (text(info, "cap:category"), text(info, "cap:event"), text(info, "cap:responseType")) == (
        ["Safety"],
        ["Advisory"],
        ["Monitor"],
    )
    assert (text(info, "cap:urgency"), text(info, "cap:certainty")) == (["Expected"], ["Likely"])
    assert text(info, "cap:instruction") == ["Road closed on Main St."]


def test_bolo(schema: etree.XMLSchema, world: World) -> None:
    alert = active_alert(world, kind="bolo", action="", message="Silver sedan, plate ABC123.", audience="sros")
    info = valid(schema, alert).find("cap:info", NS)
    assert (text(info, "cap:category"), text(info, "cap:event")) == (["Security"], ["Be on the lookout (BOLO)"])


def test_all_clear_is_an_update_referencing_the_alert(schema: etree.XMLSchema, world: World) -> None:
    alert = active_alert(world, is_drill=True)
    services.all_clear(alert, world.sro, "Resume the normal schedule.")
    alert = Alert.objects.get(pk=alert.pk)
    doc = valid(schema, alert)
    assert (text(doc, "cap:msgType"), text(doc, "cap:status")) == (["Update"], ["Exercise"])
    assert text(doc, "cap:identifier") == [f"desk.riverside.example-alert-{alert.pk}-all-clear"]
    assert text(doc, "cap:sent") == [cap.cap_time(alert.all_clear_at)]
    assert text(doc, "cap:references") == [
        f"alerts@desk.riverside.example,desk.riverside.example-alert-{alert.pk},{cap.cap_time(alert.activated_at)}"
    ]
    info = doc.find("cap:info", NS)
    assert (text(info, "cap:responseType"), text(info, "cap:urgency"), text(info, "cap:severity")) == (
        ["AllClear"],
        ["Past"],
        ["Minor"],
    )
    assert text(info, "cap:headline") == ["DRILL: All clear: Lockdown at Riverside High"]
    assert text(info, "cap:instruction") == ["Resume the normal schedule."]


def test_cancelled_alert_is_a_cancel(schema: etree.XMLSchema, world: World) -> None:
    alert = world.arm()
    services.cancel(alert, world.sro)
    doc = valid(schema, Alert.objects.get(pk=alert.pk))
    assert text(doc, "cap:msgType") == ["Cancel"]
    assert text(doc.find("cap:info", NS), "cap:responseType") == ["None"]


def test_the_cap_page(schema: etree.XMLSchema, world: World, settings: Any) -> None:
    settings.MFA_REQUIRED = False
    alert = active_alert(world)
    client = Client()
    client.force_login(world.staff)
    response = client.get(reverse("alerts:alert_cap", args=[alert.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml; charset=utf-8"
    assert reverse("alerts:alert_cap", args=[alert.pk]) == f"/alerts/{alert.pk}/cap.xml"
    document = etree.fromstring(response.content)
    assert schema.validate(document), schema.error_log
    assert text(document, "cap:sender") == ["alerts@testserver"]
    client.force_login(world.away_sro)
    assert client.get(reverse("alerts:alert_cap", args=[alert.pk])).status_code == 404
