"""The chain of custody of evidence: recording custody events, photos, and proving the chain intact.

Each :class:`~srodesk.incidents.models.CustodyEvent` stores the SHA-256 of a canonical JSON of its
``HASHED_FIELDS``, which include the previous event's hash (``prev_hash``; the first event links to
:data:`GENESIS_HASH`). :func:`record_event` is the only writer: it locks the item row, appends the next
sequence number, keeps ``EvidenceItem.status`` and ``current_location`` in step, and writes an audit row
naming the event's sequence and hash into the hash-chained audit log.

:func:`verify_item` walks an item's events in order and reports the first bad one:

- an **altered** event: its content no longer matches its hash;
- a **removed** event: a gap in the sequence, or an event the audit log names that the chain no longer has;
- an **inserted** event: it does not link to the event before it, or the audit log never recorded it
  (an event forged with a correct hash, outside this module, is caught this way).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from srodesk.audit.models import AuditEvent
from srodesk.core import audit
from srodesk.core.permissions import perm_name, require

from .choices import CustodyAction, EvidenceStatus
from .models import CustodyEvent, EvidenceItem, EvidencePhoto

#: ``prev_hash`` of an item's first custody event.
GENESIS_HASH: Final = "0" * 64
#: How far ahead of the server clock an event's time may be (clock skew between devices).
FUTURE_TOLERANCE: Final = dt.timedelta(minutes=5)
#: Actions after which nothing more can happen to the item.
FINAL_ACTIONS: Final = frozenset({CustodyAction.RELEASED, CustodyAction.DESTROYED})
#: Actions that need a written reason.
REASON_REQUIRED: Final = frozenset({CustodyAction.RELEASED, CustodyAction.DESTROYED})
#: What may follow an item that is in the agency's custody.
IN_CUSTODY_NEXT: Final = (
    CustodyAction.TRANSFERRED,
    CustodyAction.STORED,
    CustodyAction.CHECKED_OUT,
    CustodyAction.RELEASED,
    CustodyAction.DESTROYED,
)
#: The item's status after each action.
STATUS_AFTER: Final[dict[str, str]] = {
    CustodyAction.COLLECTED: EvidenceStatus.IN_CUSTODY,
    CustodyAction.TRANSFERRED: EvidenceStatus.IN_CUSTODY,
    CustodyAction.STORED: EvidenceStatus.IN_CUSTODY,
    CustodyAction.CHECKED_OUT: EvidenceStatus.CHECKED_OUT,
    CustodyAction.CHECKED_IN: EvidenceStatus.IN_CUSTODY,
    CustodyAction.RELEASED: EvidenceStatus.RELEASED,
    CustodyAction.DESTROYED: EvidenceStatus.DESTROYED,
}
#: File types accepted as evidence photos (by extension).
PHOTO_EXTENSIONS: Final = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".tif", ".tiff"})
PHOTO_MAX_BYTES: Final = 25 * 1024 * 1024
CAPTION_MAX_LENGTH: Final = 200
#: Audit ``detail`` key naming the item of a custody event (the verifier looks the events up by it).
AUDIT_ITEM_KEY: Final = "item"


# --- hashing -------------------------------------------------------------------------------------------


def canonical_json(event: CustodyEvent) -> str:
    """The hashed content of an event: its ``HASHED_FIELDS`` as sorted, compact JSON (times in UTC)."""
    content: dict[str, Any] = {}
    for name in CustodyEvent.HASHED_FIELDS:
        value = getattr(event, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat()
        content[name] = value
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(event: CustodyEvent) -> str:
    return hashlib.sha256(canonical_json(event).encode("utf-8")).hexdigest()


# --- transitions ---------------------------------------------------------------------------------------


def next_actions(last_action: str | None) -> tuple[CustodyAction, ...]:
    """The actions that may follow ``last_action`` (``None``: the item has no custody event yet)."""
    if last_action is None:
        return (CustodyAction.COLLECTED,)
    if last_action in FINAL_ACTIONS:
        return ()
    if last_action == CustodyAction.CHECKED_OUT:
        return (CustodyAction.CHECKED_IN,)
    return IN_CUSTODY_NEXT


def last_event(item: EvidenceItem) -> CustodyEvent | None:
    return CustodyEvent.objects.filter(item_id=item.pk).order_by("-sequence").first()


def allowed_actions(item: EvidenceItem) -> tuple[CustodyAction, ...]:
    """The actions that may be recorded next for the item."""
    last = last_event(item)
    return next_actions(last.action if last is not None else None)


def _refusal(action: str, last: CustodyEvent | None) -> str:
    label = _label(action)
    if last is None:
        return f"The first custody event must be “{CustodyAction.COLLECTED.label}”, not “{label}”."
    if last.action in FINAL_ACTIONS:
        return f"The item was {_label(last.action).lower()} (event {last.sequence}): no custody event can follow."
    if action == CustodyAction.CHECKED_IN:
        return "Only an item that is checked out can be checked in."
    if last.action == CustodyAction.CHECKED_OUT:
        return f"The item is checked out (event {last.sequence}): check it in first."
    return f"“{label}” cannot follow “{_label(last.action)}”."


def _label(action: str) -> str:
    try:
        return str(CustodyAction(action).label)
    except ValueError:
        return action


# --- writing -------------------------------------------------------------------------------------------


def record_event(
    item: EvidenceItem,
    action: str,
    user: Any,
    *,
    at: dt.datetime | None = None,
    from_party: str = "",
    to_party: str = "",
    location: str = "",
    reason: str = "",
) -> CustodyEvent:
    """Append the next custody event of ``item`` and return it.

    ``at`` defaults to now (for the first, "collected" event: to the item's ``collected_at``). The user needs
    ``change`` on the item. Raises ``ValidationError`` (naming the field where there is one) for an action that
    cannot follow the item's last event, a release or destruction without a reason, a time before the last
    event or in the future; ``PermissionDenied`` outside the user's scope. Nothing is written in either case.
    """
    require(user, perm_name(EvidenceItem, "change"), item)
    if action not in CustodyAction.values:
        raise ValidationError({"action": f"“{action}” is not a custody action."})
    from_party, to_party, location, reason = (s.strip() for s in (from_party, to_party, location, reason))
    if action in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": f"Give the reason the item is {_label(action).lower()}."})
    try:
        with transaction.atomic(), audit.audit_context(actor=user):
            # The item row is the lock: a second writer waits here, then sees this event as the last one.
            locked = EvidenceItem.objects.select_for_update().get(pk=item.pk)
            if locked.deleted_at is not None:
                raise ValidationError("The item was deleted: no custody event can be recorded.")
            last = last_event(locked)
            if action not in next_actions(last.action if last is not None else None):
                raise ValidationError({"action": _refusal(action, last)})
            when = at or (locked.collected_at if last is None else timezone.now())
            _check_time(when, last)
            event = CustodyEvent(
                item=locked,
                sequence=(last.sequence + 1) if last is not None else 1,
                action=action,
                at=when,
                by=user if getattr(user, "is_authenticated", False) else None,
                from_party=from_party,
                to_party=to_party,
                location=location,
                reason=reason,
                prev_hash=last.hash if last is not None else GENESIS_HASH,
            )
            event.full_clean(
                exclude=["item", "by", "prev_hash", "hash"], validate_unique=False, validate_constraints=False
            )
            event.hash = compute_hash(event)
            event.save(force_insert=True)
            _update_item(locked, event)
            _audit_event(locked, event, user)
    except IntegrityError as exc:
        # Without row locks (SQLite), the sequence constraint refuses the second of two writers.
        raise ValidationError(
            "Another custody event was recorded for this item at the same moment. Reload and try again."
        ) from exc
    item.status, item.current_location = locked.status, locked.current_location
    return event


def _check_time(when: dt.datetime, last: CustodyEvent | None) -> None:
    if timezone.is_naive(when):
        raise ValidationError({"at": "Give the time with its time zone."})
    if when > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"at": "A custody event is recorded after it happens: the time is in the future."})
    if last is not None and when < last.at:
        raise ValidationError(
            {"at": f"The time is before the previous event (event {last.sequence}, {last.at:%Y-%m-%d %H:%M %Z})."}
        )


def _update_item(item: EvidenceItem, event: CustodyEvent) -> None:
    changed: list[str] = []
    status = STATUS_AFTER[event.action]
    if item.status != status:
        item.status = status
        changed.append("status")
    if event.location and item.current_location != event.location:
        item.current_location = event.location
        changed.append("current_location")
    if changed:
        item.save(update_fields=changed)


def _audit_event(item: EvidenceItem, event: CustodyEvent, actor: Any) -> None:
    AuditEvent.append(
        kind=AuditEvent.Kind.CHANGE,
        action=AuditEvent.Action.CREATE,
        actor=actor,
        content_type=ContentType.objects.get_for_model(CustodyEvent),
        object_id=str(event.pk),
        object_repr=str(event)[:200],
        after=audit.snapshot(event),
        detail={AUDIT_ITEM_KEY: item.pk, "sequence": event.sequence, "hash": event.hash},
        **AuditEvent.scope_ids(item),
    )


def add_photo(item: EvidenceItem, uploaded_file: Any, user: Any, caption: str = "") -> EvidencePhoto:
    """Store a photo of the item under its SHA-256 and write an audit row naming the hash."""
    require(user, perm_name(EvidenceItem, "change"), item)
    if item.deleted_at is not None:
        raise ValidationError("The item was deleted: no photo can be added.")
    name = PurePath(getattr(uploaded_file, "name", "") or "photo").name
    if PurePath(name).suffix.lower() not in PHOTO_EXTENSIONS:
        kinds = ", ".join(sorted(e.lstrip(".").upper() for e in PHOTO_EXTENSIONS))
        raise ValidationError({"file": f"Upload a photo ({kinds})."})
    size = int(getattr(uploaded_file, "size", 0) or 0)
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > PHOTO_MAX_BYTES:
        raise ValidationError({"file": f"The photo is larger than {PHOTO_MAX_BYTES // (1024 * 1024)} MB."})
    caption = caption.strip()
    if len(caption) > CAPTION_MAX_LENGTH:
        raise ValidationError({"caption": f"The caption is too long (at most {CAPTION_MAX_LENGTH} characters)."})
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    photo = EvidencePhoto(item=item, sha256=digest.hexdigest(), caption=caption, added_by=user)
    photo.file.save(name, uploaded_file, save=False)
    try:
        with transaction.atomic(), audit.audit_context(actor=user):
            photo.save(force_insert=True)
            _audit_photo(item, photo, name, size, user)
    except BaseException:
        photo.file.delete(save=False)
        raise
    return photo


def _audit_photo(item: EvidenceItem, photo: EvidencePhoto, name: str, size: int, actor: Any) -> None:
    AuditEvent.append(
        kind=AuditEvent.Kind.CHANGE,
        action=AuditEvent.Action.CREATE,
        actor=actor,
        content_type=ContentType.objects.get_for_model(EvidencePhoto),
        object_id=str(photo.pk),
        object_repr=str(photo)[:200],
        after=audit.snapshot(photo),
        detail={AUDIT_ITEM_KEY: item.pk, "sha256": photo.sha256, "name": name, "size": size},
        **AuditEvent.scope_ids(item),
    )


# --- verifying -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """Whether an item's chain is intact; if not, the first bad event's sequence number and why."""

    ok: bool
    first_bad_sequence: int | None = None
    reason: str = ""
    events: int = 0
    item: EvidenceItem | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"Chain intact: {self.events} event{'' if self.events == 1 else 's'}"
        return f"Broken at event {self.first_bad_sequence}: {self.reason}"


def _audited(item_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """For each item: sequence → hash of every custody event the audit log recorded."""
    ids = list(item_ids)
    result: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    if not ids:
        return result
    rows = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.CHANGE,
        action=AuditEvent.Action.CREATE,
        content_type=ContentType.objects.get_for_model(CustodyEvent),
        **{f"detail__{AUDIT_ITEM_KEY}__in": ids},
    ).values_list("detail", flat=True)
    for detail in rows:
        result.setdefault(int(detail[AUDIT_ITEM_KEY]), {})[int(detail["sequence"])] = str(detail["hash"])
    return result


def _verify(item: EvidenceItem, events: list[CustodyEvent], audited: dict[int, str]) -> VerifyResult:
    def broken(sequence: int, reason: str) -> VerifyResult:
        return VerifyResult(False, sequence, reason, len(events), item)

    expected, prev_hash = 1, GENESIS_HASH
    for event in events:
        if event.sequence > expected:
            missing = (
                f"event {expected}" if event.sequence == expected + 1 else f"events {expected}–{event.sequence - 1}"
            )
            return broken(expected, f"{missing} {'is' if event.sequence == expected + 1 else 'are'} missing (removed).")
        if event.sequence < expected:
            return broken(event.sequence, "the sequence number appears twice (an event was inserted).")
        if compute_hash(event) != event.hash:
            return broken(event.sequence, "its content does not match its hash (the event was altered).")
        if event.prev_hash != prev_hash:
            before = f"event {expected - 1}" if expected > 1 else "the start of the chain"
            return broken(event.sequence, f"it does not link to {before} (an event was inserted or removed).")
        recorded = audited.get(event.sequence)
        if recorded is None:
            return broken(event.sequence, "the audit log never recorded it (the event was inserted).")
        if recorded != event.hash:
            return broken(event.sequence, "it differs from the event the audit log recorded (the event was replaced).")
        expected, prev_hash = event.sequence + 1, event.hash
    later = sorted(seq for seq in audited if seq >= expected)
    if later:
        return broken(later[0], f"the audit log recorded event {later[0]}, but the chain ends before it (removed).")
    return VerifyResult(True, None, "", len(events), item)


def verify_item(item: EvidenceItem) -> VerifyResult:
    """Verify one item's chain of custody (two queries)."""
    events = list(CustodyEvent.objects.filter(item_id=item.pk).order_by("sequence", "pk"))
    return _verify(item, events, _audited([item.pk])[item.pk])


def verify_all(queryset: QuerySet[EvidenceItem], *, chunk_size: int = 500) -> Iterator[VerifyResult]:
    """Verify every item of ``queryset`` in chunks (a few queries per chunk), yielding one result per item."""
    chunk: list[EvidenceItem] = []
    for item in queryset.order_by("pk").iterator(chunk_size=chunk_size):
        chunk.append(item)
        if len(chunk) >= chunk_size:
            yield from _verify_chunk(chunk)
            chunk = []
    if chunk:
        yield from _verify_chunk(chunk)


def _verify_chunk(items: list[EvidenceItem]) -> Iterator[VerifyResult]:
    ids = [item.pk for item in items]
    events: dict[int, list[CustodyEvent]] = {pk: [] for pk in ids}
    for event in CustodyEvent.objects.filter(item_id__in=ids).order_by("item_id", "sequence", "pk"):
        events[event.item_id].append(event)
    audited = _audited(ids)
    for item in items:
        yield _verify(item, events[item.pk], audited[item.pk])
