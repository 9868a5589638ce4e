"""The Standard Reunification Method end to end, through the services: several students, an adult who is not
authorised, custody restrictions from the roster, idempotent release, exceptions and their resolution."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from srodesk.audit.models import AuditEvent, verify_chain
from srodesk.reunification import services
from srodesk.reunification.choices import CardStatus, ExceptionKind, Resolution, StudentStatus
from srodesk.reunification.models import (
    EventStudent,
    ReunificationCard,
    ReunificationEvent,
    ReunificationException,
)

from .conftest import World, build_world


def not_released(world: World) -> list[str]:
    assert world.event is not None
    return [s.name for s in services.not_released(world.event)]


def snapshot_rows() -> tuple[list[tuple], list[tuple], list[tuple]]:
    return (
        list(EventStudent.objects.order_by("pk").values_list()),
        list(ReunificationCard.objects.order_by("pk").values_list()),
        list(ReunificationException.objects.order_by("pk").values_list()),
    )


@contextmanager
def changes_nothing(error: type[Exception], *fragments: str) -> Iterator[None]:
    before, audits = snapshot_rows(), AuditEvent.objects.count()
    with pytest.raises(error) as info:
        yield
    text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
    for fragment in fragments:
        assert fragment in text
    assert snapshot_rows() == before
    assert AuditEvent.objects.count() == audits


def card_for(world: World, given: str, adult: str, relationship: str, actor: str = "staff") -> ReunificationCard:
    return services.issue_card(
        actor=world.users[actor],
        event_student=world.expected(given),
        adult_name=adult,
        relationship=relationship,
        phone="555-0100",
    )


def check(world: World, card: ReunificationCard, guardian: str | None, actor: str = "staff") -> services.CheckResult:
    return services.check_card(
        actor=world.users[actor],
        card=card,
        guardian_id=world.guardians[guardian].pk if guardian else None,
        id_type="driver_license",
        id_last4="4821",
        id_verified=True,
    )


def test_start_snapshots_the_active_students_of_the_event_schools(world: World) -> None:
    event = world.event
    assert event is not None
    rows = EventStudent.objects.filter(event=event).order_by("search_name")
    assert [(r.name, r.grade, r.school_id, r.status, r.location) for r in rows] == [
        ("Ava Adams", "09", world.school.pk, "waiting", "Fellowship hall"),
        ("Ben Brown", "10", world.school.pk, "waiting", "Fellowship hall"),
        ("Cara Cruz", "09", world.school.pk, "waiting", "Fellowship hall"),
        ("Dan Diaz", "11", world.school.pk, "waiting", "Fellowship hall"),
        ("Gus Green", "10", world.school.pk, "waiting", "Fellowship hall"),
    ]
    assert event.started_by == world.admin
    assert event.district == world.district
    # Each expected student has its change row in the audit chain, and the chain verifies.
    created = AuditEvent.objects.filter(kind="change", action="create", content_type__model="eventstudent")
    assert sorted(int(e.object_id) for e in created) == sorted(r.pk for r in rows)
    assert {e.actor_id for e in created} == {world.admin.pk}
    assert list(verify_chain()) == []


def test_full_reunification(world: World) -> None:
    event = world.event
    assert event is not None
    assert not_released(world) == ["Ava Adams", "Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]

    # Ava: the greeter issues the card, the checker matches her mother, the runner brings her, she is released.
    ava = card_for(world, "Ava", "Amy Adams", "Mother")
    assert (ava.status, ava.issued_by, world.expected("Ava").status) == ("issued", world.staff, "card_started")
    result = check(world, ava, "Amy")
    assert result.exception is None
    ava.refresh_from_db()
    assert (ava.status, ava.checked_by, ava.guardian, ava.id_type, ava.id_last4) == (
        "checked",
        world.staff,
        world.guardians["Amy"],
        "driver_license",
        "4821",
    )
    assert world.expected("Ava").status == StudentStatus.CHECKED
    services.bring_student(actor=world.runner, card=ava)
    ava.refresh_from_db()
    assert (ava.status, ava.brought_by) == ("brought", world.runner)
    assert ava.brought_at is not None
    assert ava.checked_at is not None
    assert ava.issued_at is not None
    assert ava.issued_at <= ava.checked_at <= ava.brought_at
    services.release(actor=world.staff, card=ava, student_agreed=True)
    ava.refresh_from_db()
    assert (ava.status, ava.released_by, ava.student_agreed) == ("released", world.staff, True)
    assert world.expected("Ava").status == StudentStatus.RELEASED
    assert world.expected("Ava").released_at == ava.released_at
    assert not_released(world) == ["Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]

    # Releasing again changes nothing: same time, same person, no audit row.
    audits = AuditEvent.objects.count()
    again = services.release(actor=world.sro, card=ava, student_agreed=True)
    assert (again.card.released_at, again.card.released_by) == (ava.released_at, world.staff)
    assert AuditEvent.objects.count() == audits

    # Ben: an uncle who is not on the list is routed to exceptions and never released.
    ben = card_for(world, "Ben", "Bo Brown", "Uncle")
    result = check(world, ben, None)
    assert result.exception is not None
    assert (result.exception.kind, result.exception.card, result.exception.raised_by) == (
        ExceptionKind.UNAUTHORISED_ADULT,
        result.card,
        world.staff,
    )
    assert "Bo Brown (Uncle) is not on Ben Brown's list" in result.exception.note
    ben.refresh_from_db()
    assert ben.status == CardStatus.EXCEPTION
    assert world.expected("Ben").status == StudentStatus.EXCEPTION
    with changes_nothing(ValidationError, "not ready for a runner"):
        services.bring_student(actor=world.runner, card=ben)
    with changes_nothing(ValidationError, "has not been brought"):
        services.release(actor=world.staff, card=ben, student_agreed=True)
    with changes_nothing(ValidationError, "already in progress"):
        card_for(world, "Ben", "Bob Brown", "Father")
    assert not_released(world) == ["Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]
    # The administrator sends Ben back to the assembly area; his father comes for him and takes him home.
    services.resolve_exception(
        actor=world.admin,
        exception=result.exception,
        resolution=Resolution.RETURNED_TO_WAITING,
        note="Uncle not authorised; father called and is on his way.",
    )
    ben.refresh_from_db()
    assert ben.status == CardStatus.REFUSED
    assert world.expected("Ben").status == StudentStatus.WAITING
    ben2 = card_for(world, "Ben", "Bob Brown", "Father")
    check(world, ben2, "Bob")
    services.bring_student(actor=world.runner, card=ben2)
    services.release(actor=world.staff, card=ben2, student_agreed=True)
    assert not_released(world) == ["Cara Cruz", "Dan Diaz", "Gus Green"]

    # Cara: a custody restriction in the roster sends every pickup to an administrator.
    cara = card_for(world, "Cara", "Carl Cruz", "Father")
    result = check(world, cara, "Carl")
    assert result.exception is not None
    assert result.exception.kind == ExceptionKind.CUSTODY_DISPUTE
    assert result.exception.note == (
        "Custody restriction for Cara Cruz: Court order 2025-114: only the mother may pick up."
    )
    cara.refresh_from_db()
    assert cara.custody_finding == "Court order 2025-114: only the mother may pick up."
    assert cara.status == CardStatus.EXCEPTION
    services.resolve_exception(
        actor=world.admin,
        exception=result.exception,
        resolution=Resolution.RETURNED_TO_WAITING,
        note="Father not custodial under the order; police liaison informed.",
    )
    assert not_released(world) == ["Cara Cruz", "Dan Diaz", "Gus Green"]
    carmen = card_for(world, "Cara", "Carmen Cruz", "Mother")
    result = check(world, carmen, "Carmen")
    assert result.exception is not None  # the restriction holds for every pickup: the mother too
    services.resolve_exception(
        actor=world.admin,
        exception=result.exception,
        resolution=Resolution.RELEASE_APPROVED,
        note="Mother is the custodial parent named in the order; ID matches.",
    )
    carmen.refresh_from_db()
    assert carmen.status == CardStatus.CHECKED
    assert world.expected("Cara").status == StudentStatus.CHECKED
    services.bring_student(actor=world.runner, card=carmen)
    services.release(actor=world.staff, card=carmen, student_agreed=True)
    assert not_released(world) == ["Dan Diaz", "Gus Green"]

    # Dan: the roster bars one of his listed adults; a law-enforcement interview holds him too.
    dave = card_for(world, "Dan", "Dave Diaz", "Uncle")
    result = check(world, dave, "Dave")
    assert result.exception is not None
    assert result.exception.kind == ExceptionKind.CUSTODY_DISPUTE
    assert "may not pick the student up" in result.exception.note
    services.resolve_exception(
        actor=world.sro, exception=result.exception, resolution=Resolution.RETURNED_TO_WAITING, note="Barred."
    )
    dora = card_for(world, "Dan", "Dora Diaz", "Grandmother")
    check(world, dora, "Dora")
    interview = services.raise_exception(
        actor=world.sro,
        event_student=world.expected("Dan"),
        kind=ExceptionKind.LAW_ENFORCEMENT_INTERVIEW,
        note="Witness to the incident: interview before release.",
    )
    dora.refresh_from_db()
    assert (interview.card, dora.status) == (dora, CardStatus.EXCEPTION)
    assert world.expected("Dan").status == StudentStatus.EXCEPTION
    with changes_nothing(ValidationError, "not ready for a runner"):
        services.bring_student(actor=world.runner, card=dora)
    services.resolve_exception(
        actor=world.sro,
        exception=interview,
        resolution=Resolution.RELEASE_APPROVED,
        note="Interview done with the grandmother present.",
    )
    services.bring_student(actor=world.runner, card=dora)
    services.release(actor=world.staff, card=dora, student_agreed=True)
    assert not_released(world) == ["Gus Green"]

    # Gus: injured, handed over to EMS; he leaves without a card.
    injured = services.raise_exception(
        actor=world.staff,
        event_student=world.expected("Gus"),
        kind=ExceptionKind.INJURED_STUDENT,
        note="Cut on the arm, first aid at the nurse's table.",
    )
    assert injured.card is None
    assert not_released(world) == ["Gus Green"]
    services.resolve_exception(
        actor=world.admin,
        exception=injured,
        resolution=Resolution.HANDED_OVER,
        note="Taken to Mercy Hospital by Riverside EMS unit 4; mother informed.",
    )
    assert world.expected("Gus").status == StudentStatus.HANDED_OVER
    assert not_released(world) == []

    figures = services.counts(event)
    assert (figures.expected, figures.released, figures.handed_over, figures.not_released) == (5, 4, 1, 0)
    assert (figures.waiting, figures.in_exception, figures.open_exceptions) == (0, 0, 0)
    check_ = services.reconciliation(event)
    assert check_.balanced
    assert (check_.students_released, check_.cards_released) == (4, 4)
    assert check_.cards_by_status == {"released": 4, "refused": 3}
    assert check_.outstanding == 0
    assert list(verify_chain()) == []


def test_a_student_who_does_not_agree_is_not_released(world: World) -> None:
    card = card_for(world, "Ava", "Amy Adams", "Mother")
    check(world, card, "Amy")
    services.bring_student(actor=world.runner, card=card)
    result = services.release(actor=world.staff, card=card, student_agreed=False)
    assert result.exception is not None
    assert result.exception.kind == ExceptionKind.CUSTODY_DISPUTE
    assert result.exception.note == "Ava Adams did not agree to leave with Amy Adams (Mother)."
    card.refresh_from_db()
    assert (card.status, card.released_at, card.student_agreed) == ("exception", None, False)
    assert world.expected("Ava").status == StudentStatus.EXCEPTION
    assert not_released(world) == ["Ava Adams", "Ben Brown", "Cara Cruz", "Dan Diaz", "Gus Green"]


def test_check_refuses_without_photo_id_or_with_someone_elses_guardian(world: World) -> None:
    card = card_for(world, "Ava", "Amy Adams", "Mother")
    with changes_nothing(ValidationError, "Check the adult's photo ID"):
        services.check_card(
            actor=world.staff,
            card=card,
            guardian_id=world.guardians["Amy"].pk,
            id_type="driver_license",
            id_last4="4821",
            id_verified=False,
        )
    with changes_nothing(ValidationError, "last four characters"):
        services.check_card(
            actor=world.staff, card=card, guardian_id=None, id_type="passport", id_last4="48", id_verified=True
        )
    with changes_nothing(ValidationError, "Choose one of the adults listed"):
        check(world, card, "Bob")  # Ben's father is not Ava's


def test_steps_need_their_grant_and_the_event_in_scope(world: World) -> None:
    ava = world.expected("Ava")
    # Staff of another school of the district: the event is not theirs.
    with changes_nothing(PermissionDenied):
        services.issue_card(actor=world.staff_other, event_student=ava, adult_name="X", relationship="Y")
    # A counselor sees education records but holds no reunification grant; nor does plain staff.
    for name in ("counselor", "staff_plain", "analyst", "director_away"):
        with changes_nothing(PermissionDenied):
            services.issue_card(actor=world.users[name], event_student=ava, adult_name="X", relationship="Y")
    card = card_for(world, "Ben", "Bo Brown", "Uncle")
    for name in ("staff_other", "counselor", "staff_plain", "director_away"):
        with changes_nothing(PermissionDenied):
            check(world, card, None, actor=name)
    exception = check(world, card, None).exception
    assert exception is not None
    # Staff work the lines but do not resolve exceptions.
    with changes_nothing(PermissionDenied):
        services.resolve_exception(actor=world.staff, exception=exception, resolution="returned_to_waiting", note="x")
    with changes_nothing(PermissionDenied):
        services.close_event(actor=world.staff, event=world.event, note="")  # type: ignore[arg-type]
    # The district's safety director may resolve.
    services.resolve_exception(actor=world.director, exception=exception, resolution="returned_to_waiting", note="x")


def test_resolution_rules(world: World) -> None:
    missing = services.raise_exception(
        actor=world.staff, event_student=world.expected("Gus"), kind="missing_student", note="Not at the hall."
    )
    with changes_nothing(ValidationError, "no card waiting for approval"):
        services.resolve_exception(actor=world.admin, exception=missing, resolution="release_approved", note="x")
    with changes_nothing(ValidationError, "Record what was decided"):
        services.resolve_exception(actor=world.admin, exception=missing, resolution="returned_to_waiting", note=" ")
    services.resolve_exception(
        actor=world.admin, exception=missing, resolution="returned_to_waiting", note="Found in the library."
    )
    assert world.expected("Gus").status == StudentStatus.WAITING
    with changes_nothing(ValidationError, "already resolved"):
        services.resolve_exception(actor=world.admin, exception=missing, resolution="returned_to_waiting", note="y")
    with changes_nothing(ValidationError, "Say what happened"):
        services.raise_exception(
            actor=world.staff, event_student=world.expected("Gus"), kind="missing_student", note=""
        )


def test_a_closed_event_takes_no_more_steps(world: World) -> None:
    card = card_for(world, "Ava", "Amy Adams", "Mother")
    event = services.close_event(actor=world.admin, event=world.event, note="All students accounted for.")  # type: ignore[arg-type]
    assert (event.status, event.closed_by, event.closing_note) == ("closed", world.admin, "All students accounted for.")
    with changes_nothing(ValidationError, "closed"):
        check(world, card, "Amy")
    with changes_nothing(ValidationError, "closed"):
        card_for(world, "Ben", "Bob Brown", "Father")
    with changes_nothing(ValidationError, "closed"):
        services.close_event(actor=world.admin, event=event)


def test_start_refuses_schools_outside_the_actor_scope(db: None) -> None:
    world = build_world(start=False)
    before = ReunificationEvent.objects.count()
    # A school administrator of Riverside High may not start one for Lakeside Middle.
    with pytest.raises(PermissionDenied):
        services.start_event(actor=world.admin, district=world.district, schools=[world.other_school], site_name="Gym")
    with pytest.raises(ValidationError):
        services.start_event(actor=world.admin, district=world.district, schools=[world.away_school], site_name="Gym")
    with pytest.raises(PermissionDenied):
        services.start_event(actor=world.staff, district=world.district, schools=[world.school], site_name="Gym")
    assert ReunificationEvent.objects.count() == before
    assert EventStudent.objects.count() == 0
    # The district's safety director may, for both schools at once.
    event = services.start_event(
        actor=world.director,
        district=world.district,
        schools=[world.school, world.other_school],
        site_name="District stadium",
        is_drill=True,
    )
    names = sorted(EventStudent.objects.filter(event=event).values_list("name", flat=True))
    assert names == ["Ava Adams", "Ben Brown", "Cara Cruz", "Dan Diaz", "Finn Ford", "Gus Green"]
    assert str(event).startswith("DRILL – Reunification at District stadium")
