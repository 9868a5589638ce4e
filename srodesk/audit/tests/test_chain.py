"""The hash chain: verify-audit passes on an intact log and names the first bad row otherwise."""

from io import StringIO

import pytest
from django.contrib.admin.sites import site
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory

from srodesk.audit.models import AuditEvent, AuditImmutableError, ChainHead, verify_chain
from srodesk.core.audit import audit_context
from srodesk.organizations.tests.factories import DistrictFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def make_rows(n: int = 5) -> list[AuditEvent]:
    district = DistrictFactory()
    for i in range(n - 1):
        SchoolFactory(district=district, name=f"School {i}")
    return list(AuditEvent.objects.order_by("seq"))


def run_verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), str(exc)
    return 0, out.getvalue(), err.getvalue()


def sql(statement: str, params: list[object]) -> None:
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=connection.ops.quote_name(table)), params)


def test_intact_chain_verifies() -> None:
    rows = make_rows(5)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == "0" * 64
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, 5))
    code, out, _ = run_verify()
    assert code == 0
    assert out.startswith("audit chain intact: 5 rows, head seq=5")


def test_edited_row_is_detected() -> None:
    rows = make_rows(5)
    sql("UPDATE {table} SET object_repr = %s WHERE seq = %s", ["Forged name", rows[2].seq])
    code, _, message = run_verify()
    assert code == 1
    assert "row seq=3: content does not match its hash (the row was edited)" in message


def test_edited_json_field_is_detected() -> None:
    rows = make_rows(4)
    sql("UPDATE {table} SET after = %s WHERE seq = %s", ['{"name": "other"}', rows[1].seq])
    problems = list(verify_chain())
    assert problems[0].seq == 2
    assert "edited" in problems[0].message


def test_deleted_row_is_detected() -> None:
    rows = make_rows(5)
    sql("DELETE FROM {table} WHERE seq = %s", [rows[1].seq])
    code, _, message = run_verify()
    assert code == 1
    assert "row seq=3: expected seq=2: rows 2..2 were deleted" in message


def test_deleted_last_row_is_detected_by_the_head() -> None:
    rows = make_rows(5)
    sql("DELETE FROM {table} WHERE seq = %s", [rows[-1].seq])
    code, _, message = run_verify()
    assert code == 1
    assert "chain head: records seq=5, but the log ends at seq=4" in message


def test_inserted_row_is_detected() -> None:
    rows = make_rows(5)
    # Make room after row 2 and insert a forged row 3 that links to row 2 correctly.
    sql("UPDATE {table} SET seq = seq + 100 WHERE seq > %s", [2])
    forged = AuditEvent(
        seq=3, at=rows[2].at, kind="change", action="update", actor_repr="intruder", prev_hash=rows[1].hash, detail={}
    )
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)
    problems = list(verify_chain())
    assert problems[0].seq == 103
    assert "expected seq=4" in problems[0].message
    assert any(p.seq == 103 and "does not link" in p.message for p in problems)


def test_orm_refuses_update_and_delete() -> None:
    rows = make_rows(2)
    row = rows[0]
    original = row.object_repr
    row.object_repr = "changed"
    with pytest.raises(AuditImmutableError):
        row.save()
    with pytest.raises(AuditImmutableError):
        row.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=row.pk).update(object_repr="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=row.pk).object_repr == original
    code, _, _ = run_verify()
    assert code == 0


def test_admin_is_read_only() -> None:
    admin = site._registry[AuditEvent]
    request = RequestFactory().get("/")
    assert admin.has_add_permission(request) is False
    assert admin.has_change_permission(request) is False
    assert admin.has_delete_permission(request) is False


def test_change_rows_carry_actor_reason_and_diff() -> None:
    district = DistrictFactory()
    with audit_context(reason="renamed after merger", request_id="req-123456"):
        district.name = "New Name"
        district.save()
    event = AuditEvent.objects.filter(action="update").get()
    assert event.reason == "renamed after merger"
    assert event.request_id == "req-123456"
    assert event.before["name"] != "New Name"
    assert event.after["name"] == "New Name"
    assert event.district_id == district.pk


def test_saving_without_changes_writes_nothing() -> None:
    district = DistrictFactory()
    before = AuditEvent.objects.count()
    district.save()
    assert AuditEvent.objects.count() == before


def test_head_tracks_last_row() -> None:
    rows = make_rows(3)
    head = ChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (rows[-1].seq, rows[-1].hash)


def test_account_changes_are_audited_without_secrets() -> None:
    from srodesk.accounts.models import User

    user = User.objects.create_user(username="alex", password="a-long-password-123")
    created = AuditEvent.objects.filter(action="create", object_id=str(user.pk)).get()
    assert "password" not in created.after
    user.is_active = False
    user.set_password("another-long-password-456")
    user.save()
    event = AuditEvent.objects.filter(action="update", object_id=str(user.pk)).get()
    assert event.before["is_active"] is True
    assert event.after["is_active"] is False
    assert "password" not in event.after
