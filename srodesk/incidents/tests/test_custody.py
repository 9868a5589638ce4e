"""The chain of custody: recording events, refusing bad transitions, and proving the chain intact."""

import datetime as dt
import hashlib
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.audit.models import AuditEvent, verify_chain
from srodesk.incidents import custody
from srodesk.incidents.models import CustodyEvent, EvidenceItem, EvidencePhoto
from srodesk.organizations.tests.factories import AgencyFactory

from .factories import EvidenceItemFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 10, 14, 10, 30, tzinfo=dt.UTC)


def make_user(username: str, role: str, **scope: Any) -> User:
    user = User.objects.create_user(username=username, password="unused-password-123")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role), **scope)
    return user


@pytest.fixture
def item() -> EvidenceItem:
    return EvidenceItemFactory(collected_at=T0)


@pytest.fixture
def officer(item: EvidenceItem) -> User:
    return make_user("officer", "sro", school=item.school)


def build_chain(item: EvidenceItem, user: User) -> list[CustodyEvent]:
    """Five events: collected, transferred, stored, checked out, checked in."""
    steps: list[tuple[str, dict[str, str]]] = [
        ("collected", {"location": "Main office", "to_party": "Ofc. Reyes"}),
        ("transferred", {"from_party": "Ofc. Reyes", "to_party": "Evidence tech Kim", "location": "Patrol car 12"}),
        ("stored", {"location": "Property room, bin 4"}),
        ("checked_out", {"to_party": "State crime lab", "reason": "Residue analysis"}),
        ("checked_in", {"from_party": "State crime lab", "location": "Property room, bin 4"}),
    ]
    return [
        custody.record_event(item, action, user, at=T0 + dt.timedelta(hours=i), **fields)
        for i, (action, fields) in enumerate(steps)
    ]


def chain_rows(item: EvidenceItem) -> list[tuple[int, str, str, str]]:
    return list(
        CustodyEvent.objects.filter(item=item)
        .order_by("sequence")
        .values_list("sequence", "action", "prev_hash", "hash")
    )


# --- recording -----------------------------------------------------------------------------------------


def test_a_chain_of_events_links_each_to_the_previous_and_verifies(item: EvidenceItem, officer: User) -> None:
    events = build_chain(item, officer)

    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == custody.GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert all(len(e.hash) == 64 and e.hash == custody.compute_hash(e) for e in events)
    assert len({e.hash for e in events}) == 5
    result = custody.verify_item(item)
    assert result == custody.VerifyResult(True, None, "", 5, item)
    assert str(result) == "Chain intact: 5 events"


def test_hash_is_sha256_of_the_canonical_json(item: EvidenceItem, officer: User) -> None:
    event = custody.record_event(item, "collected", officer, location="Main office")

    expected = (
        f'{{"action":"collected","at":"2026-10-14T10:30:00+00:00","by_id":{officer.pk},"from_party":"",'
        f'"item_id":{item.pk},"location":"Main office","prev_hash":"{"0" * 64}","reason":"","sequence":1,'
        '"to_party":""}'
    )
    assert custody.canonical_json(event) == expected
    assert event.hash == hashlib.sha256(expected.encode()).hexdigest()


def test_events_keep_the_item_status_and_location_current(item: EvidenceItem, officer: User) -> None:
    build_chain(item, officer)
    item.refresh_from_db()
    assert (item.status, item.current_location) == ("in_custody", "Property room, bin 4")

    custody.record_event(item, "checked_out", officer, to_party="Prosecutor", reason="Court exhibit")
    item.refresh_from_db()
    assert (item.status, item.current_location) == ("checked_out", "Property room, bin 4")

    custody.record_event(item, "checked_in", officer, location="Property room, bin 7")
    custody.record_event(item, "destroyed", officer, reason="Case closed; court order 26-114 to destroy.")
    item.refresh_from_db()
    assert (item.status, item.current_location) == ("destroyed", "Property room, bin 7")


def test_first_event_defaults_to_the_collection_time_and_later_ones_to_now(item: EvidenceItem, officer: User) -> None:
    first = custody.record_event(item, "collected", officer)
    before = timezone.now()
    second = custody.record_event(item, "stored", officer, location="Locker 2")

    assert first.at == T0
    assert before <= second.at <= timezone.now()
    assert first.by == officer


def test_each_event_writes_an_audit_row_and_keeps_the_audit_chain_intact(item: EvidenceItem, officer: User) -> None:
    events = build_chain(item, officer)

    rows = AuditEvent.objects.filter(object_id__in=[str(e.pk) for e in events], content_type__model="custodyevent")
    assert rows.count() == 5
    row = rows.get(object_id=str(events[2].pk))
    assert (row.kind, row.action, row.actor_id) == ("change", "create", officer.pk)
    assert (row.school_id, row.district_id, row.agency_id) == (item.school_id, item.district_id, item.agency_id)
    assert row.detail == {"item": item.pk, "sequence": 3, "hash": events[2].hash}
    assert row.after["location"] == "Property room, bin 4"
    # The item's status change is audited as a change of the item.
    item_changes = AuditEvent.objects.for_object(item).filter(kind="change", action="update").order_by("seq")
    assert [(r.after["status"], r.after["current_location"]) for r in item_changes] == [
        ("in_custody", "Main office"),
        ("in_custody", "Patrol car 12"),
        ("in_custody", "Property room, bin 4"),
        ("checked_out", "Property room, bin 4"),
        ("in_custody", "Property room, bin 4"),
    ]
    assert list(verify_chain()) == []


# --- refused transitions: nothing is written ---------------------------------------------------------------


def state(item: EvidenceItem) -> tuple[Any, ...]:
    fresh = EvidenceItem.objects.get(pk=item.pk)
    return (
        tuple(chain_rows(item)),
        fresh.status,
        fresh.current_location,
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(
    ("history", "action", "fields", "field", "message"),
    [
        ([], "stored", {}, "action", "The first custody event must be “Collected”, not “Stored”."),
        ([], "checked_in", {}, "action", "The first custody event must be “Collected”, not “Checked in”."),
        (["collected"], "collected", {}, "action", "“Collected” cannot follow “Collected”."),
        (["collected"], "checked_in", {}, "action", "Only an item that is checked out can be checked in."),
        (["collected", "stored"], "checked_in", {}, "action", "Only an item that is checked out can be checked in."),
        (
            ["collected", "checked_out"],
            "transferred",
            {},
            "action",
            "The item is checked out (event 2): check it in first.",
        ),
        (
            ["collected", "released"],
            "stored",
            {},
            "action",
            "The item was released to owner (event 2): no custody event can follow.",
        ),
        (
            ["collected", "destroyed"],
            "checked_out",
            {},
            "action",
            "The item was destroyed (event 2): no custody event can follow.",
        ),
        (["collected"], "released", {"reason": "   "}, "reason", "Give the reason the item is released to owner."),
        (["collected"], "destroyed", {}, "reason", "Give the reason the item is destroyed."),
        (["collected"], "lost", {}, "action", "“lost” is not a custody action."),
        (["collected"], "stored", {"location": "x" * 201}, "location", None),
    ],
    ids=[
        "first-not-collected",
        "first-check-in",
        "collected-twice",
        "check-in-never-out",
        "check-in-after-store",
        "transfer-while-out",
        "after-release",
        "after-destroy",
        "release-blank-reason",
        "destroy-no-reason",
        "unknown-action",
        "location-too-long",
    ],
)
def test_invalid_events_are_refused_and_nothing_is_written(
    item: EvidenceItem,
    officer: User,
    history: list[str],
    action: str,
    fields: dict[str, str],
    field: str,
    message: str | None,
) -> None:
    for i, step in enumerate(history):
        custody.record_event(item, step, officer, at=T0 + dt.timedelta(minutes=i), reason="Owner collected it.")
    before = state(item)

    with pytest.raises(ValidationError) as excinfo:
        custody.record_event(item, action, officer, **fields)

    assert list(excinfo.value.message_dict) == [field]
    if message is not None:
        assert excinfo.value.message_dict[field] == [message]
    assert state(item) == before


def test_times_must_follow_the_previous_event_and_not_be_in_the_future(item: EvidenceItem, officer: User) -> None:
    custody.record_event(item, "collected", officer, at=T0)
    before = state(item)

    with pytest.raises(ValidationError) as earlier:
        custody.record_event(item, "stored", officer, at=T0 - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as future:
        custody.record_event(item, "stored", officer, at=timezone.now() + dt.timedelta(hours=1))

    assert earlier.value.message_dict["at"] == [
        "The time is before the previous event (event 1, 2026-10-14 10:30 UTC)."
    ]
    assert future.value.message_dict["at"] == [
        "A custody event is recorded after it happens: the time is in the future."
    ]
    assert state(item) == before


def test_out_of_scope_and_read_only_users_cannot_record(item: EvidenceItem) -> None:
    other_school_sro = make_user("elsewhere", "sro", school=EvidenceItemFactory().school)
    clerk = make_user("clerk", "records_clerk", agency=item.agency)  # sees the item, may not change it
    before = state(item)

    for user in (other_school_sro, clerk):
        with pytest.raises(PermissionDenied):
            custody.record_event(item, "collected", user)
    assert state(item) == before


def test_a_deleted_item_takes_no_event(item: EvidenceItem, officer: User) -> None:
    custody.record_event(item, "collected", officer)
    EvidenceItem.objects.filter(pk=item.pk).update(deleted_at=timezone.now())
    before = state(item)

    with pytest.raises(ValidationError, match="The item was deleted"):
        custody.record_event(item, "stored", officer, location="Locker")
    assert state(item) == before


def test_allowed_actions_follow_the_last_event(item: EvidenceItem, officer: User) -> None:
    assert custody.allowed_actions(item) == ("collected",)
    custody.record_event(item, "collected", officer)
    assert custody.allowed_actions(item) == ("transferred", "stored", "checked_out", "released", "destroyed")
    custody.record_event(item, "checked_out", officer, to_party="Lab")
    assert custody.allowed_actions(item) == ("checked_in",)
    custody.record_event(item, "checked_in", officer)
    custody.record_event(item, "released", officer, reason="Returned to owner after case closed.")
    assert custody.allowed_actions(item) == ()


# --- the sequence cannot fork ----------------------------------------------------------------------------


def test_the_sequence_is_unique_per_item(item: EvidenceItem, officer: User) -> None:
    first = custody.record_event(item, "collected", officer)

    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyEvent.objects.create(item=item, sequence=1, action="stored", at=T0, prev_hash=first.hash, hash="f" * 64)
    assert CustodyEvent.objects.filter(item=item).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_events_queue_on_the_item_lock_and_never_fork() -> None:
    item = EvidenceItemFactory(collected_at=T0)
    user = User.objects.create_superuser(username="root", password="unused-password-123")
    custody.record_event(item, "collected", user)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            custody.record_event(item, "transferred", user, to_party=f"Officer {n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [row[0] for row in chain_rows(item)] == [1, 2, 3, 4, 5, 6, 7]
    assert custody.verify_item(item).ok


# --- tampering is detected ---------------------------------------------------------------------------------


@pytest.fixture
def chain(item: EvidenceItem, officer: User) -> list[CustodyEvent]:
    return build_chain(item, officer)


def tamper(event: CustodyEvent, **values: Any) -> None:
    """Change stored columns directly, bypassing the custody service."""
    CustodyEvent.objects.filter(pk=event.pk).update(**values)


@pytest.mark.parametrize(
    "field",
    [*CustodyEvent.HASHED_FIELDS, "hash"],
)
def test_altering_any_hashed_field_is_detected_at_that_event(
    item: EvidenceItem, chain: list[CustodyEvent], field: str
) -> None:
    other_item = EvidenceItemFactory()
    other_user = User.objects.create_user(username="someone-else")
    new_values: dict[str, Any] = {
        "item_id": other_item.pk,
        "sequence": 99,
        "action": "transferred",
        "at": T0 + dt.timedelta(hours=2, seconds=1),
        "by_id": other_user.pk,
        "from_party": "Nobody",
        "to_party": "Nobody",
        "location": "Trunk of a private car",
        "reason": "Forged",
        "prev_hash": "a" * 64,
        "hash": "b" * 64,
    }
    tamper(chain[2], **{field: new_values[field]})

    result = custody.verify_item(item)

    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert str(result).startswith("Broken at event 3: ")


def test_an_altered_event_names_the_alteration(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    tamper(chain[2], location="Officer's desk drawer")

    assert custody.verify_item(item) == custody.VerifyResult(
        False, 3, "its content does not match its hash (the event was altered).", 5, item
    )


def test_an_altered_and_rehashed_chain_is_detected_through_the_audit_log(
    item: EvidenceItem, chain: list[CustodyEvent]
) -> None:
    prev_hash = chain[1].hash
    for event in CustodyEvent.objects.filter(item=item, sequence__gte=3).order_by("sequence"):
        if event.sequence == 3:
            event.location = "Officer's desk drawer"
        event.prev_hash = prev_hash
        event.hash = custody.compute_hash(event)
        tamper(event, location=event.location, prev_hash=event.prev_hash, hash=event.hash)
        prev_hash = event.hash

    result = custody.verify_item(item)

    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert result.reason == "it differs from the event the audit log recorded (the event was replaced)."


def test_deleting_a_middle_event_is_detected(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    CustodyEvent.objects.filter(pk=chain[2].pk).delete()

    assert custody.verify_item(item) == custody.VerifyResult(False, 3, "event 3 is missing (removed).", 4, item)


def test_deleting_a_middle_event_and_renumbering_is_detected(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    CustodyEvent.objects.filter(pk=chain[2].pk).delete()
    for event in chain[3:]:
        tamper(event, sequence=event.sequence - 1)

    result = custody.verify_item(item)

    assert (result.ok, result.first_bad_sequence) == (False, 3)


def test_deleting_the_last_event_is_detected(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    CustodyEvent.objects.filter(pk=chain[4].pk).delete()

    result = custody.verify_item(item)

    assert (result.ok, result.first_bad_sequence) == (False, 5)
    assert result.reason == "the audit log recorded event 5, but the chain ends before it (removed)."


def test_inserting_a_forged_event_with_a_valid_hash_is_detected(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    forged = CustodyEvent(
        item=item,
        sequence=6,
        action="released",
        at=T0 + dt.timedelta(hours=6),
        reason="Forged",
        prev_hash=chain[4].hash,
    )
    forged.hash = custody.compute_hash(forged)
    forged.save()

    assert custody.verify_item(item) == custody.VerifyResult(
        False, 6, "the audit log never recorded it (the event was inserted).", 6, item
    )


def test_inserting_an_event_in_the_middle_is_detected(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    for event in reversed(chain[2:]):
        tamper(event, sequence=event.sequence + 1)
    forged = CustodyEvent(
        item=item, sequence=3, action="stored", at=T0 + dt.timedelta(hours=1, minutes=30), prev_hash=chain[1].hash
    )
    forged.hash = custody.compute_hash(forged)
    forged.save()

    result = custody.verify_item(item)

    assert (result.ok, result.first_bad_sequence) == (False, 3)
    assert "inserted" in result.reason or "replaced" in result.reason


def test_an_event_that_does_not_link_is_detected(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    forged = CustodyEvent(item=item, sequence=6, action="stored", at=T0 + dt.timedelta(hours=6), prev_hash="c" * 64)
    forged.hash = custody.compute_hash(forged)
    forged.save()

    assert custody.verify_item(item) == custody.VerifyResult(
        False, 6, "it does not link to event 5 (an event was inserted or removed).", 6, item
    )


def test_an_item_without_events_verifies_and_verify_all_reports_each_item(
    item: EvidenceItem, chain: list[CustodyEvent]
) -> None:
    empty = EvidenceItemFactory()
    broken_item = EvidenceItemFactory(agency=item.agency)
    root = User.objects.create_superuser(username="root", password="unused-password-123")
    broken_events = build_chain(broken_item, root)
    tamper(broken_events[0], reason="changed")

    results = {r.item.pk: r for r in custody.verify_all(EvidenceItem.objects.all(), chunk_size=2)}

    assert (results[item.pk].ok, results[item.pk].events) == (True, 5)
    assert results[empty.pk] == custody.VerifyResult(True, None, "", 0, empty)
    assert str(results[empty.pk]) == "Chain intact: 0 events"
    assert (results[broken_item.pk].ok, results[broken_item.pk].first_bad_sequence) == (False, 1)


# --- the command -------------------------------------------------------------------------------------------


def run_verify(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_custody", *args, stdout=out, stderr=StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_command_exits_0_when_every_chain_is_intact(item: EvidenceItem, chain: list[CustodyEvent]) -> None:
    EvidenceItemFactory(agency=item.agency)

    assert run_verify() == (0, "custody chains intact: 2 items\n")
    assert run_verify("--item", item.number) == (0, "custody chains intact: 1 item\n")


def test_command_names_each_broken_item_and_its_first_bad_event(
    item: EvidenceItem, chain: list[CustodyEvent], officer: User
) -> None:
    other = EvidenceItemFactory(school=item.school, district=item.district, agency=item.agency)
    other_chain = build_chain(other, officer)
    intact_elsewhere = EvidenceItemFactory()
    build_chain(intact_elsewhere, User.objects.create_superuser(username="root", password="unused-password-123"))
    CustodyEvent.objects.filter(pk=chain[1].pk).delete()
    tamper(other_chain[3], reason="Changed afterwards")

    code, output = run_verify()

    assert code == 1
    assert output.splitlines() == [
        f"{item.agency.ori} evidence item {item.number}: Broken at event 2: event 2 is missing (removed).",
        f"{other.agency.ori} evidence item {other.number}: Broken at event 4: "
        "its content does not match its hash (the event was altered).",
        "custody verification failed: 2 of 3 items broken",
    ]
    # Narrowed to one agency or one item.
    assert run_verify("--agency", intact_elsewhere.agency.ori)[0] == 0
    code, output = run_verify("--item", other.number)
    assert code == 1
    assert output.splitlines()[0].startswith(f"{other.agency.ori} evidence item {other.number}: Broken at event 4")
    assert len(output.splitlines()) == 2


def test_command_refuses_an_unknown_item_or_agency(item: EvidenceItem) -> None:
    assert run_verify("--item", "E1999-000001") == (2, "no evidence item numbered 'E1999-000001'")
    assert run_verify("--agency", "XX0000000") == (2, "no agency with ORI 'XX0000000'")
    assert AgencyFactory().pk  # an agency with no items verifies as empty
    assert run_verify("--agency", AgencyFactory().ori) == (0, "custody chains intact: 0 items\n")


# --- photos ------------------------------------------------------------------------------------------------


def test_add_photo_stores_the_file_under_its_sha256_and_audits_it(item: EvidenceItem, officer: User) -> None:
    content = b"\xff\xd8\xff\xe0 fake jpeg bytes"
    upload = SimpleUploadedFile("vape.jpg", content, content_type="image/jpeg")

    photo = custody.add_photo(item, upload, officer, "  Front pocket  ")

    digest = hashlib.sha256(content).hexdigest()
    assert (photo.sha256, photo.caption, photo.added_by, photo.item) == (digest, "Front pocket", officer, item)
    assert photo.file.name == f"incidents/{digest[:2]}/{digest}/vape.jpg"
    with photo.file.open("rb") as stored:
        assert stored.read() == content
    row = AuditEvent.objects.get(content_type__model="evidencephoto", object_id=str(photo.pk))
    assert row.detail == {"item": item.pk, "sha256": digest, "name": "vape.jpg", "size": len(content)}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"text", "Upload a photo"),
        ("empty.png", b"", "The file is empty."),
    ],
)
def test_add_photo_refuses_other_files(
    item: EvidenceItem, officer: User, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        custody.add_photo(item, SimpleUploadedFile(name, content), officer, "")

    assert message in excinfo.value.message_dict["file"][0]
    assert EvidencePhoto.objects.count() == 0


def test_add_photo_out_of_scope_is_refused(item: EvidenceItem) -> None:
    stranger = make_user("stranger", "sro", school=EvidenceItemFactory().school)

    with pytest.raises(PermissionDenied):
        custody.add_photo(item, SimpleUploadedFile("a.jpg", b"jpeg"), stranger, "")
    assert EvidencePhoto.objects.count() == 0
