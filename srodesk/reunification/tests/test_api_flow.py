"""The reunification API: the whole method through /api/v1/, errors as {"errors": [{field, code, reason}]},
and refused requests (out of scope 404, no grant 403) changing nothing."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken
from srodesk.reunification.models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException

from .conftest import World, build_world


def api(world: World, name: str) -> APIClient:
    client = APIClient()
    _, key = ApiToken.issue(world.users[name], name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def state() -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    return (
        list(ReunificationEvent.objects.order_by("pk").values_list()),
        list(EventStudent.objects.order_by("pk").values_list()),
        list(ReunificationCard.objects.order_by("pk").values_list()),
        list(ReunificationException.objects.order_by("pk").values_list()),
    )


CARDS = "/api/v1/reunification/reunification-cards/"
EXCEPTIONS = "/api/v1/reunification/reunification-exceptions/"
STUDENTS = "/api/v1/reunification/expected-students/"


def test_reunification_through_the_api(db: None) -> None:
    world = build_world(start=False)
    admin, staff = api(world, "admin"), api(world, "staff")
    assert reverse("api:alias-reunifications-list") == "/api/v1/reunifications/"
    response = admin.post(
        "/api/v1/reunifications/",
        {"district": world.district.pk, "schools": [world.school.pk], "site_name": "First Church"},
        format="json",
    )
    assert response.status_code == 201, response.content
    event_id = response.json()["id"]
    assert response.json()["status"] == "open"
    summary = staff.get(f"/api/v1/reunifications/{event_id}/summary/").json()
    assert (summary["expected"], summary["released"], summary["not_released"], summary["balanced"]) == (5, 0, 5, True)

    def waiting() -> list[str]:
        rows = staff.get(STUDENTS, {"event_id": event_id, "not_released": "true"}).json()["results"]
        return sorted(row["name"] for row in rows)

    assert waiting() == ["Ava Adams", "Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]
    ava = EventStudent.objects.get(event_id=event_id, name="Ava Adams")
    response = staff.post(
        CARDS, {"event_student": ava.pk, "adult_name": "Amy Adams", "relationship": "Mother"}, format="json"
    )
    assert response.status_code == 201, response.content
    card = response.json()
    assert (card["status"], card["student_name"], card["event"]) == ("issued", "Ava Adams", event_id)
    # Bad input: the field and the reason; nothing changes.
    before = state()
    bad = staff.post(
        f"{CARDS}{card['id']}/check/",
        {"guardian": world.guardians["Amy"].pk, "id_type": "passport", "id_last4": "12", "id_verified": True},
        format="json",
    )
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["id_last4"]
    refused = staff.post(
        f"{CARDS}{card['id']}/check/",
        {"guardian": world.guardians["Amy"].pk, "id_type": "passport", "id_last4": "1234", "id_verified": False},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "id_verified", "code": "invalid", "reason": "Check the adult's photo ID before going on."}
    ]
    early = staff.post(f"{CARDS}{card['id']}/release/", {"student_agreed": True}, format="json")
    assert early.status_code == 400
    assert early.json()["errors"][0]["field"] is None
    assert "has not been brought" in early.json()["errors"][0]["reason"]
    assert state() == before
    checked = staff.post(
        f"{CARDS}{card['id']}/check/",
        {"guardian": world.guardians["Amy"].pk, "id_type": "passport", "id_last4": "1234", "id_verified": True},
        format="json",
    )
    assert checked.json()["status"] == "checked"
    assert staff.post(f"{CARDS}{card['id']}/bring/").json()["status"] == "brought"
    released = staff.post(f"{CARDS}{card['id']}/release/", {"student_agreed": True}, format="json").json()
    assert released["status"] == "released"
    again = admin.post(f"{CARDS}{card['id']}/release/", {"student_agreed": True}, format="json").json()
    assert (again["released_at"], again["released_by"]) == (released["released_at"], world.staff.pk)
    assert waiting() == ["Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]

    # An adult not on the list: routed to exceptions, never released.
    ben = EventStudent.objects.get(event_id=event_id, name="Ben Brown")
    card = staff.post(CARDS, {"event_student": ben.pk, "adult_name": "Bo", "relationship": "Uncle"}, format="json")
    card_id = card.json()["id"]
    routed = staff.post(
        f"{CARDS}{card_id}/check/",
        {"guardian": None, "id_type": "state_id", "id_last4": "9999", "id_verified": True},
        format="json",
    )
    assert routed.json()["status"] == "exception"
    assert staff.post(f"{CARDS}{card_id}/bring/").status_code == 400
    open_rows = staff.get(EXCEPTIONS, {"event_id": event_id, "open": "true"}).json()["results"]
    assert [(r["student_name"], r["kind"], r["card"]) for r in open_rows] == [
        ("Ben Brown", "unauthorised_adult", card_id)
    ]
    # Missing student reported by staff; resolved by the administrator (staff may not: 403).
    gus = EventStudent.objects.get(event_id=event_id, name="Gus Green")
    missing = staff.post(
        EXCEPTIONS, {"event_student": gus.pk, "kind": "missing_student", "note": "Not in the hall."}, format="json"
    )
    assert missing.status_code == 201, missing.content
    resolve = {"resolution": "returned_to_waiting", "resolution_note": "Found in the library."}
    before = state()
    assert staff.post(f"{EXCEPTIONS}{missing.json()['id']}/resolve/", resolve, format="json").status_code == 403
    assert state() == before
    done = admin.post(f"{EXCEPTIONS}{missing.json()['id']}/resolve/", resolve, format="json")
    assert (done.json()["resolution"], done.json()["resolved_by"]) == ("returned_to_waiting", world.admin.pk)
    assert waiting() == ["Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]
    summary = admin.get(f"/api/v1/reunifications/{event_id}/summary/").json()
    assert (summary["released"], summary["in_exception"], summary["open_exceptions"]) == (1, 1, 1)
    assert summary["cards_by_status"] == {"released": 1, "exception": 1}
    closed = admin.post(f"/api/v1/reunifications/{event_id}/close/", {"note": "Drill over."}, format="json")
    assert closed.json()["status"] == "closed"


def test_refused_api_requests_change_nothing(world: World) -> None:
    event = world.event
    assert event is not None
    ava = world.expected("Ava")
    card = api(world, "staff").post(
        CARDS, {"event_student": ava.pk, "adult_name": "Amy", "relationship": "Mother"}, format="json"
    )
    card_id = card.json()["id"]
    before = state()
    body: dict[str, Any] = {
        "guardian": world.guardians["Amy"].pk,
        "id_type": "passport",
        "id_last4": "1234",
        "id_verified": True,
    }
    for name, code in (("staff_other", 404), ("director_away", 404), ("counselor", 403), ("analyst", 403)):
        client = api(world, name)
        assert client.get(f"{CARDS}{card_id}/").status_code == code, name
        assert client.post(f"{CARDS}{card_id}/check/", body, format="json").status_code == code, name
        assert client.get(f"{STUDENTS}{ava.pk}/").status_code == code, name
    # Creating a card for a student out of scope: the student is not a choice (400), or no grant at all (403).
    for name, code in (("staff_other", 400), ("director_away", 400), ("counselor", 403)):
        response = api(world, name).post(
            CARDS, {"event_student": world.expected("Ben").pk, "adult_name": "X", "relationship": "Y"}, format="json"
        )
        assert response.status_code == code, name
        if code == 400:
            assert response.json()["errors"][0]["field"] == "event_student"
    # Nobody working the event may edit or delete a card (the generated suite shows 405 for every user).
    staff = api(world, "staff")
    assert staff.patch(f"{CARDS}{card_id}/", {"adult_name": "Z"}, format="json").status_code == 403
    assert staff.delete(f"{CARDS}{card_id}/").status_code == 403
    assert api(world, "analyst").get(f"/api/v1/reunifications/{event.pk}/").status_code == 200
    assert api(world, "analyst").get(STUDENTS).status_code == 403
    assert state() == before
