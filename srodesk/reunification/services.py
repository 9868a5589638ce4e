"""Reunification workflows (Standard Reunification Method, REFERENCE.md §4.2).

Every function takes the actor, checks the policy engine first, runs in one transaction with the rows it
decides on locked, refuses with a ``ValidationError`` naming what is wrong (nothing is written then) and
stamps each step with its time and its actor. The steps of one card:

1. greeter — :func:`issue_card`: the card names the student, the pickup adult, the relationship and a phone;
2. checker — :func:`check_card`: photo ID seen (type and last four characters), the adult matched against the
   roster's guardians and emergency contacts, custody restrictions read from the roster. An adult who is not
   on the list, or any custody restriction, routes the card to the exceptions area: it is never released
   silently;
3. runner — :func:`bring_student`: the student is brought from the assembly area;
4. release — :func:`release`: the student was asked and agreed; the time and who released are recorded.
   Releasing a released card again changes nothing.

Exceptions (:func:`raise_exception`, :func:`resolve_exception`) hold the student aside until someone with the
``resolve`` grant records the outcome.

Custody data comes from the roster. Authorised adults are the student's active guardians (parents,
guardians and relatives listed as contacts). Restrictions come from the student's roster extension columns:
``custody_restriction`` (text: every pickup of the student goes to an administrator) and ``no_pickup``
(guardian sourcedIds or full names, separated by ``;``, who may not take the student), each with the
``metadata.`` or ``ext_`` prefix of OneRoster extension columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from srodesk.core import audit
from srodesk.core.audit import snapshot
from srodesk.core.permissions import grants, has_perm, perm_name, require, restrict, scope_q, split_perm
from srodesk.organizations.models import District, School
from srodesk.people.models import Guardian, Student, fold
from srodesk.people.roster.auditlog import ChangeBatch

from .choices import (
    ACTIVE_CARD,
    GONE,
    CardStatus,
    EventStatus,
    ExceptionKind,
    IdType,
    Resolution,
    StudentStatus,
)
from .models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException

ADD_EVENT = perm_name(ReunificationEvent, "add")
CLOSE_EVENT = perm_name(ReunificationEvent, "close")
VIEW_STUDENTS = perm_name(EventStudent, "view")
VIEW_CARDS = perm_name(ReunificationCard, "view")
VIEW_EXCEPTIONS = perm_name(ReunificationException, "view")
ISSUE_CARD = perm_name(ReunificationCard, "add")
CHECK_CARD = perm_name(ReunificationCard, "check")
RUN_CARD = perm_name(ReunificationCard, "run")
RELEASE_CARD = perm_name(ReunificationCard, "release")
RAISE_EXCEPTION = perm_name(ReunificationException, "add")
RESOLVE_EXCEPTION = perm_name(ReunificationException, "resolve")

RESTRICTION_KEYS = ("custody_restriction",)
NO_PICKUP_KEYS = ("no_pickup",)
_EXTENSION_PREFIXES = ("metadata.", "ext_")


# --- scope ----------------------------------------------------------------------------------------


def in_event_scope(actor: Any, perm: str, event: ReunificationEvent) -> bool:
    """Whether ``actor`` holds ``perm`` (on a part of an event) in a scope that contains ``event``.

    The parts of an event (expected students, cards, exceptions) reach their scope through the event, so
    the event's own scope decides for a part not yet saved.
    """
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return False
    if actor.is_superuser:
        return True
    model, action = split_perm(perm)
    for grant in grants(actor):
        if not grant.allows(model, action):
            continue
        q = scope_q(ReunificationEvent, grant)
        if q is None or ReunificationEvent.objects.filter(pk=event.pk).filter(q).exists():
            return True
    return False


def require_in_event(actor: Any, perm: str, event: ReunificationEvent) -> None:
    if not in_event_scope(actor, perm, event):
        raise PermissionDenied(f"{getattr(actor, 'username', 'anonymous')} may not {perm} in this event")


def _text(value: str | None) -> str:
    return (value or "").strip()


def _open(event: ReunificationEvent) -> None:
    if event.status != EventStatus.OPEN:
        raise ValidationError("The reunification event is closed: nothing more can be recorded on it.")


# --- custody data from the roster -------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorisedAdult:
    """A guardian or emergency contact of the student from the roster, as the checker sees it."""

    guardian_id: int
    name: str
    relationship: str
    phone: str
    may_pick_up: bool
    restriction: str = ""


@dataclass(frozen=True)
class Custody:
    """What the roster says about who may take the student."""

    adults: tuple[AuthorisedAdult, ...]
    #: A restriction on the student: every pickup goes to an administrator.
    restriction: str = ""

    def adult(self, guardian_id: int) -> AuthorisedAdult | None:
        return next((a for a in self.adults if a.guardian_id == guardian_id), None)


def _extension(metadata: dict[str, Any], names: tuple[str, ...]) -> str:
    for key, value in (metadata or {}).items():
        label = str(key).strip().lower()
        for prefix in _EXTENSION_PREFIXES:
            if label.startswith(prefix):
                label = label[len(prefix) :]
                break
        if label in names and str(value or "").strip():
            return str(value).strip()
    return ""


def custody(student: Student) -> Custody:
    """The student's authorised adults and custody restrictions, read from the roster now."""
    metadata = student.roster_metadata if isinstance(student.roster_metadata, dict) else {}
    no_pickup = {fold(part) for part in _extension(metadata, NO_PICKUP_KEYS).split(";") if part.strip()}
    guardians = Guardian.objects.alive().filter(students=student, active=True).order_by("family_name", "given_name")
    adults = []
    for guardian in guardians:
        barred = fold(guardian.full_name) in no_pickup or (
            bool(guardian.sourced_id) and fold(guardian.sourced_id) in no_pickup
        )
        adults.append(
            AuthorisedAdult(
                guardian_id=guardian.pk,
                name=guardian.full_name,
                relationship=guardian.get_relationship_display(),
                phone=guardian.phone or guardian.sms,
                may_pick_up=not barred,
                restriction="The roster says this adult may not pick the student up." if barred else "",
            )
        )
    return Custody(tuple(adults), _extension(metadata, RESTRICTION_KEYS))


# --- events ---------------------------------------------------------------------------------------


def start_event(
    *,
    actor: Any,
    district: District,
    schools: Iterable[School],
    site_name: str,
    site_address: str = "",
    assembly_area: str = "",
    alert: Any = None,
    is_drill: bool = False,
) -> ReunificationEvent:
    """Open a reunification at a site and snapshot the schools' active students as expected there."""
    require(actor, ADD_EVENT)
    chosen = list(schools)
    errors: dict[str, str] = {}
    if not chosen:
        errors["schools"] = "Choose at least one school."
    elif any(s.district_id != district.pk for s in chosen):
        errors["schools"] = "Every school must be in the event's district."
    if not _text(site_name):
        errors["site_name"] = "Name the reunification site."
    if alert is not None and alert.district_id != district.pk:
        errors["alert"] = "The alert is for another district."
    if errors:
        raise ValidationError(errors)
    school_ids = {s.pk for s in chosen}
    with transaction.atomic(), audit.audit_context(actor=actor):
        event: ReunificationEvent = ReunificationEvent.objects.create(
            district=district,
            alert=alert,
            site_name=_text(site_name),
            site_address=_text(site_address),
            assembly_area=_text(assembly_area),
            is_drill=is_drill,
            started_at=timezone.now(),
            started_by=actor,
        )
        event.schools.set(chosen)
        if not restrict(ReunificationEvent.objects.filter(pk=event.pk), actor, "add").exists():
            raise PermissionDenied("The event would be outside your scope.")
        _snapshot_students(actor, event, district, school_ids)
    return event


def _snapshot_students(actor: Any, event: ReunificationEvent, district: District, school_ids: set[int]) -> None:
    enrolments: dict[int, set[int]] = {}
    through = Student.schools.through
    for student_id, school_id in through.objects.filter(school_id__in=school_ids).values_list(
        "student_id", "school_id"
    ):
        enrolments.setdefault(student_id, set()).add(school_id)
    students = (
        Student.objects.alive()
        .filter(district=district, active=True)
        .filter(Q(pk__in=list(enrolments)) | Q(school_id__in=school_ids))
        .order_by("family_name", "given_name", "pk")
    )
    now = timezone.now()
    rows = []
    for student in students:
        school_id = student.school_id if student.school_id in school_ids else min(enrolments[student.pk])
        name = student.display_name
        rows.append(
            EventStudent(
                event=event,
                district=district,
                student=student,
                school_id=school_id,
                name=name,
                search_name=fold(" ".join(p for p in (*student.name_parts(), name) if p)),
                grade=student.grade,
                location=event.assembly_area,
                created_by=actor,
                updated_by=actor,
                created_at=now,
                updated_at=now,
            )
        )
    created = EventStudent.objects.bulk_create(rows, batch_size=500)
    # The change hook does not see bulk inserts: the rows it would write go to the audit chain here.
    batch = ChangeBatch(actor=actor, detail={"reunification_event": event.pk})
    for row in created:
        batch.change(row, action="create", before=None, after=snapshot(row))
    batch.flush()


def close_event(*, actor: Any, event: ReunificationEvent, note: str = "") -> ReunificationEvent:
    require(actor, CLOSE_EVENT, event)
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked: ReunificationEvent = ReunificationEvent.objects.select_for_update().get(pk=event.pk)
        _open(locked)
        locked.status = EventStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.closing_note = _text(note)
        locked.save()
    return locked


# --- cards ----------------------------------------------------------------------------------------


def _refresh(student: EventStudent) -> None:
    """Set the expected student's status from its cards and open exceptions (never undoes a departure)."""
    if student.status in GONE:
        return
    if student.exceptions.filter(resolved_at__isnull=True, deleted_at__isnull=True).exists():
        status = StudentStatus.EXCEPTION
    else:
        card = student.cards.filter(deleted_at__isnull=True, status__in=ACTIVE_CARD).first()
        if card is None:
            status = StudentStatus.WAITING
        elif card.status == CardStatus.ISSUED:
            status = StudentStatus.CARD_STARTED
        elif card.status == CardStatus.EXCEPTION:
            status = StudentStatus.EXCEPTION
        else:
            status = StudentStatus.CHECKED
    if student.status != status:
        student.status = status
        student.save(update_fields=["status"])


@contextmanager
def _card_for(actor: Any, perm: str, card: ReunificationCard) -> Iterator[ReunificationCard]:
    require(actor, perm, card)
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked = ReunificationCard.objects.select_for_update().select_related("event", "event_student").get(pk=card.pk)
        if locked.deleted_at is not None:
            raise PermissionDenied("The card is deleted.")
        yield locked


def issue_card(
    *, actor: Any, event_student: EventStudent, adult_name: str, relationship: str, phone: str = ""
) -> ReunificationCard:
    """Greeter: a card for one student and the adult who came for them."""
    require_in_event(actor, ISSUE_CARD, event_student.event)
    errors: dict[str, str] = {}
    if not _text(adult_name):
        errors["adult_name"] = "Enter the name of the adult picking the student up."
    if not _text(relationship):
        errors["relationship"] = "Enter the adult's relationship to the student."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit.audit_context(actor=actor):
        student = EventStudent.objects.select_for_update().select_related("event").get(pk=event_student.pk)
        _open(student.event)
        if student.deleted_at is not None:
            raise PermissionDenied("The student is not expected at this event.")
        if student.status in GONE:
            raise ValidationError(f"{student.name} has already left the site ({student.get_status_display()}).")
        active = student.cards.filter(deleted_at__isnull=True, status__in=ACTIVE_CARD).first()
        if active is not None:
            raise ValidationError(
                f"Card #{active.pk} for {student.name} is already in progress ({active.get_status_display()})."
            )
        card: ReunificationCard = ReunificationCard.objects.create(
            event=student.event,
            event_student=student,
            district_id=student.district_id,
            adult_name=_text(adult_name),
            relationship=_text(relationship),
            phone=_text(phone),
            issued_at=timezone.now(),
            issued_by=actor,
        )
        _refresh(student)
    return card


@dataclass(frozen=True)
class CheckResult:
    card: ReunificationCard
    #: Set when the card was routed to the exceptions area.
    exception: ReunificationException | None = None


def check_card(
    *,
    actor: Any,
    card: ReunificationCard,
    guardian_id: int | None,
    id_type: str,
    id_last4: str,
    id_verified: bool,
) -> CheckResult:
    """Checker: photo ID seen, the adult matched to the roster (``guardian_id=None``: not on the list).

    An adult not on the list, an adult the roster bars, or any custody restriction on the student routes the
    card to the exceptions area.
    """
    errors: dict[str, str] = {}
    last4 = _text(id_last4)
    if not id_verified:
        errors["id_verified"] = "Check the adult's photo ID before going on."
    if id_type not in IdType.values:
        errors["id_type"] = "Choose the type of photo ID."
    if not (len(last4) == 4 and last4.isalnum()):
        errors["id_last4"] = "Enter the last four characters of the ID number."
    require(actor, CHECK_CARD, card)
    if errors:
        raise ValidationError(errors)
    with _card_for(actor, CHECK_CARD, card) as locked:
        _open(locked.event)
        if locked.status != CardStatus.ISSUED:
            raise ValidationError(f"The card was already checked ({locked.get_status_display()}).")
        student = EventStudent.objects.select_for_update().select_related("student").get(pk=locked.event_student_id)
        roster = custody(student.student)
        adult = roster.adult(guardian_id) if guardian_id is not None else None
        if guardian_id is not None and adult is None:
            raise ValidationError(
                {"guardian": "Choose one of the adults listed for this student, or “Not on the list”."}
            )
        locked.guardian_id = guardian_id
        locked.id_type = id_type
        locked.id_last4 = last4
        locked.checked_at = timezone.now()
        locked.checked_by = actor
        findings = [f for f in (roster.restriction, adult.restriction if adult else "") if f]
        locked.custody_finding = " ".join(findings)
        kind, note = "", ""
        if adult is None:
            kind = ExceptionKind.UNAUTHORISED_ADULT
            note = (
                f"{locked.adult_name} ({locked.relationship}) is not on {student.name}'s list of guardians "
                "and emergency contacts."
            )
        elif findings:
            kind = ExceptionKind.CUSTODY_DISPUTE
            note = f"Custody restriction for {student.name}: {locked.custody_finding}"
        exception = None
        if kind:
            locked.status = CardStatus.EXCEPTION
            locked.save()
            exception = _new_exception(actor, student, kind, note, locked)
        else:
            locked.status = CardStatus.CHECKED
            locked.save()
        _refresh(student)
    return CheckResult(locked, exception)


def bring_student(*, actor: Any, card: ReunificationCard) -> ReunificationCard:
    """Runner: the student was brought from the assembly area to the adult."""
    with _card_for(actor, RUN_CARD, card) as locked:
        _open(locked.event)
        if locked.status == CardStatus.BROUGHT:
            return locked
        if locked.status != CardStatus.CHECKED:
            raise ValidationError(f"The card is not ready for a runner ({locked.get_status_display()}).")
        locked.status = CardStatus.BROUGHT
        locked.brought_at = timezone.now()
        locked.brought_by = actor
        locked.save()
    return locked


def release(*, actor: Any, card: ReunificationCard, student_agreed: bool) -> CheckResult:
    """Release: the student was asked and agreed to leave with the adult. Releasing again changes nothing.

    A student who does not agree is not released: the card goes to the exceptions area.
    """
    with _card_for(actor, RELEASE_CARD, card) as locked:
        if locked.status == CardStatus.RELEASED:
            return CheckResult(locked)
        _open(locked.event)
        if locked.status != CardStatus.BROUGHT:
            raise ValidationError(f"The student has not been brought to the adult yet ({locked.get_status_display()}).")
        student = EventStudent.objects.select_for_update().get(pk=locked.event_student_id)
        if not student_agreed:
            locked.status = CardStatus.EXCEPTION
            locked.student_agreed = False
            locked.save()
            note = f"{student.name} did not agree to leave with {locked.adult_name} ({locked.relationship})."
            exception = _new_exception(actor, student, ExceptionKind.CUSTODY_DISPUTE, note, locked)
            _refresh(student)
            return CheckResult(locked, exception)
        now = timezone.now()
        locked.status = CardStatus.RELEASED
        locked.student_agreed = True
        locked.released_at = now
        locked.released_by = actor
        locked.save()
        student.status = StudentStatus.RELEASED
        student.released_at = now
        student.location = ""
        student.save()
    return CheckResult(locked)


# --- exceptions -----------------------------------------------------------------------------------


def _new_exception(
    actor: Any, student: EventStudent, kind: str, note: str, card: ReunificationCard | None
) -> ReunificationException:
    created: ReunificationException = ReunificationException.objects.create(
        event_id=student.event_id,
        event_student=student,
        district_id=student.district_id,
        card=card,
        kind=kind,
        note=note,
        raised_at=timezone.now(),
        raised_by=actor,
    )
    return created


def raise_exception(*, actor: Any, event_student: EventStudent, kind: str, note: str) -> ReunificationException:
    """Divert a student to the exceptions area (missing, injured, interview …). A card in progress waits."""
    require_in_event(actor, RAISE_EXCEPTION, event_student.event)
    errors: dict[str, str] = {}
    if kind not in ExceptionKind.values:
        errors["kind"] = "Choose what kind of exception this is."
    if not _text(note):
        errors["note"] = "Say what happened and where the student is."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit.audit_context(actor=actor):
        student = EventStudent.objects.select_for_update().select_related("event").get(pk=event_student.pk)
        _open(student.event)
        if student.deleted_at is not None:
            raise PermissionDenied("The student is not expected at this event.")
        if student.status in GONE:
            raise ValidationError(f"{student.name} has already left the site ({student.get_status_display()}).")
        card = (
            student.cards.select_for_update()
            .filter(deleted_at__isnull=True, status__in=[CardStatus.ISSUED, CardStatus.CHECKED, CardStatus.BROUGHT])
            .first()
        )
        if card is not None:
            card.status = CardStatus.EXCEPTION
            card.save()
        if card is None:
            card = student.cards.filter(deleted_at__isnull=True, status=CardStatus.EXCEPTION).first()
        exception = _new_exception(actor, student, kind, _text(note), card)
        _refresh(student)
    return exception


def resolve_exception(
    *, actor: Any, exception: ReunificationException, resolution: str, note: str
) -> ReunificationException:
    """Record how an exception ended; the student goes back to the line, to the adult, or is handed over."""
    require(actor, RESOLVE_EXCEPTION, exception)
    errors: dict[str, str] = {}
    if resolution not in Resolution.values:
        errors["resolution"] = "Choose how the exception was resolved."
    if not _text(note):
        errors["resolution_note"] = "Record what was decided and by whom."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked: ReunificationException = (
            ReunificationException.objects.select_for_update().select_related("event").get(pk=exception.pk)
        )
        if locked.deleted_at is not None:
            raise PermissionDenied("The exception is deleted.")
        _open(locked.event)
        if locked.resolved_at is not None:
            raise ValidationError(f"The exception was already resolved ({locked.get_resolution_display()}).")
        student = EventStudent.objects.select_for_update().get(pk=locked.event_student_id)
        card = (
            ReunificationCard.objects.select_for_update().get(pk=locked.card_id) if locked.card_id is not None else None
        )
        others_open = student.exceptions.filter(resolved_at__isnull=True, deleted_at__isnull=True).exclude(pk=locked.pk)
        if resolution == Resolution.RELEASE_APPROVED:
            if card is None or card.status != CardStatus.EXCEPTION:
                raise ValidationError({"resolution": "There is no card waiting for approval on this exception."})
            if others_open.filter(card=card).exists():
                raise ValidationError({"resolution": "Another exception on this card is still open."})
        locked.resolution = resolution
        locked.resolution_note = _text(note)
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor
        locked.save()
        if card is not None and card.status == CardStatus.EXCEPTION:
            card.status = CardStatus.CHECKED if resolution == Resolution.RELEASE_APPROVED else CardStatus.REFUSED
            card.save()
        if resolution == Resolution.HANDED_OVER:
            student.status = StudentStatus.HANDED_OVER
            student.location = ""
            student.save()
        _refresh(student)
    return locked


# --- live figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventCounts:
    expected: int
    by_status: dict[str, int]
    open_exceptions: int

    @property
    def released(self) -> int:
        return self.by_status.get(StudentStatus.RELEASED, 0)

    @property
    def handed_over(self) -> int:
        return self.by_status.get(StudentStatus.HANDED_OVER, 0)

    @property
    def not_released(self) -> int:
        return self.expected - self.released - self.handed_over

    @property
    def waiting(self) -> int:
        """Students in the line: no card yet, a card started, or checked and waiting for a runner."""
        return sum(
            self.by_status.get(s, 0) for s in (StudentStatus.WAITING, StudentStatus.CARD_STARTED, StudentStatus.CHECKED)
        )

    @property
    def in_exception(self) -> int:
        return self.by_status.get(StudentStatus.EXCEPTION, 0)


def counts(event: ReunificationEvent) -> EventCounts:
    rows = EventStudent.objects.alive().filter(event=event).values_list("status").annotate(n=Count("pk"))
    by_status = {str(status): int(n) for status, n in rows}
    open_exceptions = ReunificationException.objects.alive().filter(event=event, resolved_at__isnull=True).count()
    return EventCounts(sum(by_status.values()), by_status, open_exceptions)


def not_released(event: ReunificationEvent) -> Any:
    """The expected students still at the site, by name."""
    return EventStudent.objects.alive().filter(event=event).exclude(status__in=GONE).order_by("search_name", "pk")


@dataclass(frozen=True)
class Reconciliation:
    """The accountant's check: every released student has exactly one released card, and no card is lost."""

    students_released: int
    cards_released: int
    cards_by_status: dict[str, int]
    #: Released students without a released card, and released cards whose student is not released.
    students_without_card: list[str] = field(default_factory=list)
    cards_without_release: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return (
            self.students_released == self.cards_released
            and not self.students_without_card
            and not self.cards_without_release
        )

    @property
    def outstanding(self) -> int:
        return sum(self.cards_by_status.get(s, 0) for s in ACTIVE_CARD if s != CardStatus.RELEASED)


def reconciliation(event: ReunificationEvent) -> Reconciliation:
    students = EventStudent.objects.alive().filter(event=event)
    cards = ReunificationCard.objects.alive().filter(event=event)
    by_status = {str(s): int(n) for s, n in cards.values_list("status").annotate(n=Count("pk"))}
    released_cards = cards.filter(status=CardStatus.RELEASED)
    lonely = (
        students.filter(status=StudentStatus.RELEASED)
        .exclude(pk__in=released_cards.values("event_student_id"))
        .values_list("name", flat=True)
    )
    stray = released_cards.exclude(event_student__status=StudentStatus.RELEASED).values_list("pk", flat=True)
    return Reconciliation(
        students_released=students.filter(status=StudentStatus.RELEASED).count(),
        cards_released=by_status.get(CardStatus.RELEASED, 0),
        cards_by_status=by_status,
        students_without_card=list(lonely[:50]),
        cards_without_release=[f"Card #{pk}" for pk in stray[:50]],
    )


def may(actor: Any, perm: str, event: ReunificationEvent) -> bool:
    """For pages: whether to offer a step in this event."""
    return has_perm(actor, perm) and in_event_scope(actor, perm, event)
