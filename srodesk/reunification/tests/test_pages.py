"""The reunification pages: access per role in and out of scope, the live lists' exact contents, every step
through its form (refusals keep what was typed and change nothing), polling partials and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from srodesk.audit.models import AuditEvent
from srodesk.reunification import services
from srodesk.reunification.choices import CardStatus, StudentStatus
from srodesk.reunification.models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException

from .conftest import World, build_world


def login(client: Client, world: World, name: str) -> Client:
    client.force_login(world.users[name])
    return client


def url(name: str, *args: Any) -> str:
    return reverse(f"reunification:{name}", args=args)


def rows_state() -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    return (
        list(ReunificationEvent.objects.order_by("pk").values_list()),
        list(EventStudent.objects.order_by("pk").values_list()),
        list(ReunificationCard.objects.order_by("pk").values_list()),
        list(ReunificationException.objects.order_by("pk").values_list()),
    )


def shown_names(response: Any) -> list[str]:
    return [row.name for row in response.context["rows"]]


EVENT_PAGES = ("event_students", "event_checker", "event_runner", "event_exceptions", "event_reconciliation")


@pytest.mark.parametrize("page", EVENT_PAGES)
def test_event_pages_per_role(world: World, client: Client, page: str) -> None:
    event = world.event
    assert event is not None
    for name in ("admin", "sro", "staff", "director"):
        assert login(client, world, name).get(url(page, event.pk)).status_code == 200, name
    # Holding the grant, but not where the event is: 404, as for an event that does not exist.
    for name in ("staff_other", "director_away"):
        assert login(client, world, name).get(url(page, event.pk)).status_code == 404, name
    # No grant anywhere: 403 (the analyst and the counselor never see who is at the site).
    for name in ("analyst", "counselor", "staff_plain"):
        assert login(client, world, name).get(url(page, event.pk)).status_code == 403, name
    client.logout()
    response = client.get(url(page, event.pk))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_dashboard_shows_counts_to_operational_roles_and_names_to_none(world: World, client: Client) -> None:
    event = world.event
    assert event is not None
    response = login(client, world, "analyst").get(event.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-count="expected">5<' in body
    assert "Ava Adams" not in body
    assert url("event_students", event.pk) not in body
    assert login(client, world, "staff_other").get(event.get_absolute_url()).status_code == 404
    response = login(client, world, "staff").get(event.get_absolute_url())
    assert url("event_students", event.pk) in response.content.decode()
    counts = login(client, world, "staff").get(url("event_counts", event.pk), headers={"HX-Request": "true"})
    assert counts.status_code == 200
    assert counts.content.decode().lstrip().startswith('<section id="counts"')
    assert 'hx-trigger="every 10s"' in counts.content.decode()


def test_not_released_list_exact_contents_after_each_release(world: World, client: Client) -> None:
    event = world.event
    assert event is not None
    login(client, world, "staff")
    page = url("event_students", event.pk)
    everyone = ["Ava Adams", "Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]
    assert shown_names(client.get(page)) == everyone
    order = [("Ava", "Amy", "Ava Adams"), ("Ben", "Bob", "Ben Brown"), ("Gus", "Gina", "Gus Green")]
    for given, adult, full in order:
        student = world.expected(given)
        client.post(url("card_issue", student.pk), {"adult_name": adult, "relationship": "Parent", "phone": ""})
        card = ReunificationCard.objects.get(event_student=student, status=CardStatus.ISSUED)
        response = client.post(
            url("card_check", card.pk),
            {
                "check-guardian": str(world.guardians[adult].pk),
                "check-id_type": "state_id",
                "check-id_last4": "7731",
                "check-id_verified": "on",
            },
        )
        assert response.status_code == 302
        assert client.post(url("card_bring", card.pk)).status_code == 302
        assert client.post(url("card_release", card.pk), {"student_agreed": "yes"}).status_code == 302
        everyone.remove(full)
        assert shown_names(client.get(page)) == everyone
    assert everyone == ["Cara Cruz", "Dan Diaz"]
    # Search by name (any accents or case) and by grade.
    assert shown_names(client.get(page, {"q": "cruz"})) == ["Cara Cruz"]
    assert shown_names(client.get(page, {"grade": "11"})) == ["Dan Diaz"]
    assert shown_names(client.get(page, {"q": "ava"})) == []
    # The polled partial: only the list, with the search carried.
    partial = client.get(page, {"q": "d"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<section id="students"')
    assert "<html" not in body
    assert 'hx-include="#student-search"' in body
    # Every response that names students writes an access row with the ids shown.
    last = AuditEvent.objects.filter(kind="access", action="list").order_by("-seq").first()
    assert last is not None
    assert last.actor_id == world.staff.pk
    assert last.detail["object_ids"] == [world.expected("Dan").pk]  # the last list: the search for "d"
    client.get(page)
    last = AuditEvent.objects.filter(kind="access", action="list").order_by("-seq").first()
    assert last is not None
    assert sorted(last.detail["object_ids"]) == sorted(
        EventStudent.objects.filter(event=event, status=StudentStatus.WAITING).values_list("pk", flat=True)
    )


def test_live_lists_make_the_same_queries_whatever_their_length(db: None, client: Client) -> None:
    world = build_world()
    event = world.event
    assert event is not None

    def checked(given: str, adult: str) -> None:
        card = services.issue_card(
            actor=world.admin, event_student=world.expected(given), adult_name=adult, relationship="Parent"
        )
        services.check_card(
            actor=world.admin,
            card=card,
            guardian_id=world.guardians[adult].pk,
            id_type="passport",
            id_last4="1111",
            id_verified=True,
        )

    def pages() -> int:
        with CaptureQueriesContext(connection) as queries:
            for page in ("event_students", "event_runner", "event_exceptions"):
                assert client.get(url(page, event.pk)).status_code == 200
        return len(queries)

    login(client, world, "admin")
    checked("Ava", "Amy")
    services.raise_exception(actor=world.admin, event_student=world.expected("Dan"), kind="missing_student", note="?")
    pages()
    few = pages()
    checked("Ben", "Bob")
    checked("Gus", "Gina")
    services.raise_exception(actor=world.admin, event_student=world.expected("Cara"), kind="injured_student", note="!")
    assert pages() == few


def test_checker_card_page_shows_adults_and_restrictions(world: World, client: Client) -> None:
    cara = world.expected("Cara")
    response = login(client, world, "staff").get(url("student_card", cara.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Court order 2025-114: only the mother may pick up." in body
    assert "Carl Cruz" in body
    assert "Carmen Cruz" in body
    dan = login(client, world, "staff").get(url("student_card", world.expected("Dan").pk)).content.decode()
    assert "Dave Diaz" in dan
    assert "may not pick the student up" in dan
    view = AuditEvent.objects.filter(kind="access", action="view").order_by("-seq").first()
    assert view is not None
    assert view.object_id == str(world.expected("Dan").pk)
    assert sorted(view.detail["guardians"]) == sorted([world.guardians["Dora"].pk, world.guardians["Dave"].pk])
    for name, status in (("staff_other", 404), ("director_away", 404), ("counselor", 403), ("analyst", 403)):
        assert login(client, world, name).get(url("student_card", cara.pk)).status_code == status, name


def test_checker_search(world: World, client: Client) -> None:
    event = world.event
    assert event is not None
    login(client, world, "staff")
    response = client.get(url("event_checker", event.pk), {"q": "Díaz"})
    assert shown_names(response) == ["Dan Diaz"]
    partial = client.get(url("event_checker", event.pk), {"q": "b"}, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "Ben Brown" in body
    assert "Dan Diaz" not in body


def test_refused_steps_keep_what_was_typed_and_change_nothing(world: World, client: Client) -> None:
    ava = world.expected("Ava")
    login(client, world, "staff")
    before = rows_state()
    response = client.post(url("card_issue", ava.pk), {"adult_name": "", "relationship": "Aunt", "phone": "555"})
    assert response.status_code == 422
    assert response.context["issue_form"]["relationship"].value() == "Aunt"
    assert "adult_name" in response.context["issue_form"].errors
    assert rows_state() == before
    client.post(url("card_issue", ava.pk), {"adult_name": "Amy Adams", "relationship": "Mother"})
    card = ReunificationCard.objects.get(event_student=ava)
    before = rows_state()
    response = client.post(
        url("card_check", card.pk),
        {"check-guardian": str(world.guardians["Amy"].pk), "check-id_type": "passport", "check-id_last4": "9x9Z"},
    )
    assert response.status_code == 422
    assert response.context["check_form"]["id_last4"].value() == "9x9Z"
    assert "Check the adult's photo ID" in " ".join(response.context["check_form"].errors["id_verified"])
    assert rows_state() == before
    # A second card for the same student is refused with the reason.
    response = client.post(url("card_issue", ava.pk), {"adult_name": "Other", "relationship": "Aunt"})
    assert response.status_code == 422
    assert "already in progress" in " ".join(response.context["issue_form"].non_field_errors())
    assert rows_state() == before
    # A release before the runner brought the student is refused.
    response = client.post(url("card_release", card.pk), {"student_agreed": "yes"})
    assert response.status_code == 422
    assert rows_state() == before


def test_unauthorised_adult_goes_to_exceptions_and_is_resolved(world: World, client: Client) -> None:
    event = world.event
    assert event is not None
    ben = world.expected("Ben")
    login(client, world, "staff")
    client.post(url("card_issue", ben.pk), {"adult_name": "Bo Brown", "relationship": "Uncle"})
    card = ReunificationCard.objects.get(event_student=ben)
    response = client.post(
        url("card_check", card.pk),
        {"check-guardian": "none", "check-id_type": "state_id", "check-id_last4": "5555", "check-id_verified": "on"},
        follow=True,
    )
    assert "Not released: Adult not authorised" in response.content.decode()
    card.refresh_from_db()
    assert card.status == CardStatus.EXCEPTION
    # The runner never sees the card; the release page refuses it.
    queue = client.get(url("event_runner", event.pk))
    assert queue.context["to_bring"] == []
    assert queue.context["to_release"] == []
    exceptions = client.get(url("event_exceptions", event.pk))
    assert [e.event_student.name for e in exceptions.context["open_rows"]] == ["Ben Brown"]
    exception = exceptions.context["open_rows"][0]
    # Staff may not resolve: 403 and nothing changes.
    before = rows_state()
    resolve = {"resolution": "returned_to_waiting", "resolution_note": "Father called."}
    assert client.post(url("exception_resolve", exception.pk), resolve).status_code == 403
    assert rows_state() == before
    # Out of scope: 404 and nothing changes.
    away = login(client, world, "director_away").post(url("exception_resolve", exception.pk), resolve)
    assert away.status_code == 404
    assert rows_state() == before
    response = login(client, world, "admin").post(url("exception_resolve", exception.pk), {"resolution": ""})
    assert response.status_code == 422
    assert rows_state() == before
    assert client.post(url("exception_resolve", exception.pk), resolve).status_code == 302
    exception.refresh_from_db()
    assert (exception.resolution, exception.resolved_by, exception.resolution_note) == (
        "returned_to_waiting",
        world.admin,
        "Father called.",
    )
    assert client.get(url("event_exceptions", event.pk)).context["open_rows"] == []


def test_release_is_idempotent_through_the_page(world: World, client: Client) -> None:
    ava = world.expected("Ava")
    card = services.issue_card(actor=world.staff, event_student=ava, adult_name="Amy Adams", relationship="Mother")
    services.check_card(
        actor=world.staff,
        card=card,
        guardian_id=world.guardians["Amy"].pk,
        id_type="passport",
        id_last4="1234",
        id_verified=True,
    )
    services.bring_student(actor=world.runner, card=card)
    login(client, world, "staff")
    assert client.post(url("card_release", card.pk), {"student_agreed": "yes"}).status_code == 302
    card.refresh_from_db()
    before = rows_state()
    agreed = {"student_agreed": "yes"}
    assert login(client, world, "admin").post(url("card_release", card.pk), agreed).status_code == 302
    assert rows_state() == before
    assert card.released_by == world.staff
    # Out of scope and without the grant: nothing changes.
    assert login(client, world, "staff_other").post(url("card_release", card.pk), agreed).status_code == 404
    assert login(client, world, "counselor").post(url("card_release", card.pk), agreed).status_code == 403
    assert rows_state() == before
    page = login(client, world, "staff").get(url("event_reconciliation", ava.event_id))
    assert page.context["check"].balanced
    assert (page.context["check"].students_released, page.context["check"].cards_released) == (1, 1)


def test_start_and_close_pages(db: None, client: Client) -> None:
    world = build_world(start=False)
    login(client, world, "admin")
    assert client.get(url("event_start")).status_code == 200
    data = {
        "district": world.district.pk,
        "schools": [world.school.pk],
        "site_name": "",
        "site_address": "2 Oak Street",
        "assembly_area": "Hall",
    }
    response = client.post(url("event_start"), data)
    assert response.status_code == 422
    assert response.context["form"]["site_address"].value() == "2 Oak Street"
    # A school the administrator cannot see is not a choice.
    response = client.post(url("event_start"), {**data, "site_name": "Church", "schools": [world.other_school.pk]})
    assert response.status_code == 422
    assert ReunificationEvent.objects.count() == 0
    assert login(client, world, "staff").post(url("event_start"), {**data, "site_name": "Church"}).status_code == 403
    assert ReunificationEvent.objects.count() == 0
    response = login(client, world, "admin").post(url("event_start"), {**data, "site_name": "Church"})
    event = ReunificationEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert EventStudent.objects.filter(event=event).count() == 5
    # Closing: staff may not (403), the administrator may.
    assert login(client, world, "staff").post(url("event_close", event.pk), {"note": "x"}).status_code == 403
    assert login(client, world, "director_away").post(url("event_close", event.pk), {"note": "x"}).status_code == 404
    event.refresh_from_db()
    assert event.status == "open"
    response = login(client, world, "admin").post(url("event_close", event.pk), {"note": "Everyone home."})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.closing_note, event.closed_by) == ("closed", "Everyone home.", world.admin)
    # A closed event stops polling.
    assert "hx-trigger" not in client.get(url("event_counts", event.pk)).content.decode()
