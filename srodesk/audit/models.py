"""The append-only, hash-chained audit log: changes, accesses, authentication and disclosures.

Every row stores the SHA-256 of its own content and the previous row's hash, and a one-row chain head
stores the last sequence number and hash, so `srodesk verify-audit` detects a row that was edited,
deleted (anywhere, including at the end) or inserted. Rows refuse update and delete through the ORM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.utils import timezone

from srodesk.core.audit import current, to_json_value

GENESIS_HASH = "0" * 64


class AuditImmutableError(Exception):
    """Raised on any attempt to change or remove an audit row through the ORM."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit rows cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit rows cannot be deleted.")

    def for_object(self, obj: models.Model) -> AuditQuerySet:
        ct = ContentType.objects.get_for_model(type(obj))
        return self.filter(content_type=ct, object_id=str(obj.pk))


class ChainHead(models.Model):
    """The end of the chain: the last row's sequence number and hash (a single row, pk=1)."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return f"audit chain head at seq={self.last_seq}"


def _canonical(value: Any) -> Any:
    """JSON as it will read back from the database (so the hash is stable across the round trip)."""
    return json.loads(json.dumps(to_json_value(value), sort_keys=True))


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        CHANGE = "change", "Change"
        ACCESS = "access", "Access"
        AUTH = "auth", "Authentication"
        DISCLOSURE = "disclosure", "Disclosure"
        SYSTEM = "system", "System"

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        RESTORE = "restore", "Restored"
        PURGE = "purge", "Purged"
        VIEW = "view", "Viewed"
        LIST = "list", "Listed"
        EXPORT = "export", "Exported"
        PRINT = "print", "Printed"
        HISTORY = "history", "Viewed history"
        LOGIN = "login", "Signed in"
        LOGOUT = "logout", "Signed out"
        LOGIN_FAILED = "login_failed", "Sign-in failed"
        LOCKOUT = "lockout", "Account locked"
        IDLE_LOCK = "idle_lock", "Session locked after inactivity"
        MFA_ENABLED = "mfa_enabled", "MFA enabled"
        MFA_DISABLED = "mfa_disabled", "MFA disabled"
        MFA_VERIFIED = "mfa_verified", "MFA verified"
        MFA_FAILED = "mfa_failed", "MFA code rejected"
        RECOVERY_CODES = "recovery_codes", "Recovery codes generated"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        COMMAND = "command", "Command run"

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(editable=False, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, editable=False)
    action = models.CharField(max_length=24, choices=Action.choices, editable=False)
    actor_id = models.BigIntegerField(null=True, blank=True, editable=False, db_index=True)
    actor_repr = models.CharField(max_length=150, blank=True, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    ip = models.CharField(max_length=45, blank=True, editable=False)
    reason = models.CharField(max_length=255, blank=True, editable=False)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    object_repr = models.CharField(max_length=200, blank=True, editable=False)
    district_id = models.BigIntegerField(null=True, blank=True, editable=False)
    school_id = models.BigIntegerField(null=True, blank=True, editable=False)
    agency_id = models.BigIntegerField(null=True, blank=True, editable=False)
    before = models.JSONField(null=True, blank=True, editable=False)
    after = models.JSONField(null=True, blank=True, editable=False)
    detail = models.JSONField(default=dict, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditQuerySet.as_manager()

    HASHED_FIELDS: ClassVar[tuple[str, ...]] = (
        "seq",
        "at",
        "kind",
        "action",
        "actor_id",
        "actor_repr",
        "request_id",
        "ip",
        "reason",
        "content_type_id",
        "object_id",
        "object_repr",
        "district_id",
        "school_id",
        "agency_id",
        "before",
        "after",
        "detail",
        "prev_hash",
    )

    class Meta:
        ordering = ("-seq",)
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_event_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_repr or 'system'} {self.action} {self.object_repr}"

    # --- immutability ---------------------------------------------------------------------------
    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("Audit rows cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit rows cannot be deleted.")

    # --- hashing --------------------------------------------------------------------------------
    def hash_payload(self, **overrides: Any) -> str:
        """The canonical JSON the row's hash is taken of (``overrides`` replace field values)."""
        content = {name: getattr(self, name) for name in self.HASHED_FIELDS}
        content.update(overrides)
        at: dt.datetime = content["at"]
        content["at"] = at.astimezone(dt.UTC).isoformat()
        for name in ("before", "after", "detail"):
            content[name] = _canonical(content[name])
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.hash_payload().encode("utf-8")).hexdigest()

    # --- writers --------------------------------------------------------------------------------
    @classmethod
    def append(cls, *, kind: str, action: str, actor: Any = None, **fields: Any) -> AuditEvent:
        """Append one row to the chain (inside the caller's transaction, holding the chain head)."""
        ctx = current()
        if actor is None:
            actor = ctx.actor
        actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
        fields.setdefault("actor_repr", getattr(actor, "username", "") if actor_id else fields.get("actor_repr", ""))
        fields.setdefault("request_id", ctx.request_id)
        fields.setdefault("ip", ctx.ip)
        fields.setdefault("reason", ctx.reason[:255])
        for name in ("before", "after"):
            if fields.get(name) is not None:
                fields[name] = _canonical(fields[name])
        fields["detail"] = _canonical(fields.get("detail") or {})
        if kind == cls.Kind.ACCESS:
            chained = cls._append_in_one_statement(
                kind=kind, action=action, actor_id=actor_id, at=timezone.now(), **fields
            )
            if chained is not None:
                return chained
        with transaction.atomic():
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
            event = cls(
                seq=head.last_seq + 1,
                at=timezone.now(),
                kind=kind,
                action=action,
                actor_id=actor_id,
                prev_hash=head.last_hash,
                **fields,
            )
            event.hash = event.compute_hash()
            event.save(force_insert=True)
            ChainHead.objects.filter(pk=1).update(last_seq=event.seq, last_hash=event.hash)
        return event

    @classmethod
    def _append_in_one_statement(cls, **fields: Any) -> AuditEvent | None:
        """PostgreSQL: lock the chain head, insert the row and move the head in one statement.

        The database computes the row's hash from the canonical payload built here, with the sequence
        number and previous hash it reads under the head's row lock, so the head is held for one
        statement instead of four round trips. An access row is written by every view of a student:
        under load the pages no longer queue on the head. ``None`` when this path does not apply (another
        database, no head yet); the caller then appends row by row.
        """
        db = router.db_for_write(cls)
        conn = connections[db]
        if conn.vendor != "postgresql":
            return None
        token = secrets.token_hex(16)
        seq_mark, prev_mark = f"seq-{token}", f"prev-{token}"
        event = cls(seq=0, prev_hash="", **fields)
        payload = event.hash_payload(seq=seq_mark, prev_hash=prev_mark)
        head_part, found_prev, rest = payload.partition(prev_mark)
        middle, found_seq, tail = rest.partition(f'"{seq_mark}"')
        if not found_prev or not found_seq or token in head_part + middle + tail:
            return None
        qn = conn.ops.quote_name
        columns, values = [], []
        for field in cls._meta.concrete_fields:
            if field.primary_key or field.attname in {"seq", "prev_hash", "hash"}:
                continue
            columns.append(qn(field.column))
            values.append(field.get_db_prep_save(getattr(event, field.attname), conn))
        head_table = qn(ChainHead._meta.db_table)
        sql = (
            f"WITH head AS (SELECT last_seq + 1 AS seq, last_hash AS prev_hash FROM {head_table} "  # noqa: S608 - names from the models' metadata, values as parameters
            "WHERE id = 1 FOR UPDATE), "
            "nxt AS (SELECT seq, prev_hash, encode(sha256(convert_to("
            "%s || prev_hash || %s || seq::text || %s, 'UTF8')), 'hex') AS hash FROM head), "
            f"moved AS (UPDATE {head_table} SET last_seq = nxt.seq, last_hash = nxt.hash FROM nxt "
            f"WHERE {head_table}.id = 1 RETURNING 1) "
            f"INSERT INTO {qn(cls._meta.db_table)} ({', '.join(columns)}, seq, prev_hash, hash) "
            f"SELECT {', '.join(['%s'] * len(values))}, nxt.seq, nxt.prev_hash, nxt.hash FROM nxt, moved "
            "RETURNING id, seq, prev_hash, hash"
        )
        with conn.cursor() as cursor:
            cursor.execute(sql, [head_part, middle, tail, *values])
            row = cursor.fetchone()
        if row is None:
            return None
        event.pk, event.seq, event.prev_hash, event.hash = row
        event._state.adding = False
        event._state.db = db
        return event

    @classmethod
    def scope_ids(cls, instance: models.Model) -> dict[str, int | None]:
        paths: dict[str, str | None] = getattr(instance, "scope_paths", {})
        ids: dict[str, int | None] = {}
        for scope in ("district", "school", "agency"):
            path = paths.get(scope)
            if path == "pk":
                ids[f"{scope}_id"] = instance.pk
            elif path and "__" not in path:
                ids[f"{scope}_id"] = getattr(instance, f"{path}_id", None)
            else:
                ids[f"{scope}_id"] = None
        return ids

    @classmethod
    def record_change(
        cls, instance: models.Model, *, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> AuditEvent:
        return cls.append(
            kind=cls.Kind.CHANGE,
            action=action,
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=str(instance.pk),
            object_repr=str(instance)[:200],
            before=before,
            after=after,
            **cls.scope_ids(instance),
        )

    @classmethod
    def record_access(
        cls,
        *,
        action: str,
        model: type[models.Model],
        objects: Iterable[models.Model] = (),
        actor: Any = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """One access row: a single object (view/print/history) or many (list/export, ids in detail)."""
        objs = list(objects)
        single = objs[0] if len(objs) == 1 and action in {"view", "print", "history"} else None
        extra: dict[str, Any] = dict(detail or {})
        if single is None:
            extra["object_ids"] = [o.pk for o in objs]
            extra["count"] = len(objs)
        return cls.append(
            kind=cls.Kind.ACCESS,
            action=action,
            actor=actor,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(single.pk) if single is not None else "",
            object_repr=str(single)[:200] if single is not None else "",
            detail=extra,
            **(cls.scope_ids(single) if single is not None else {}),
        )

    @classmethod
    def record_auth(
        cls, *, action: str, user: Any = None, username: str = "", detail: dict[str, Any] | None = None
    ) -> AuditEvent:
        return cls.append(
            kind=cls.Kind.AUTH,
            action=action,
            actor=user,
            actor_repr=(getattr(user, "username", "") or username)[:150],
            detail=detail or {},
        )


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"row seq={self.seq}" if self.seq is not None else "chain head"
        return f"{where}: {self.message}"


def verify_chain(*, chunk_size: int = 2000) -> Iterator[ChainProblem]:
    """Walk the chain in order; yield each problem found (the first one is the first bad row).

    Rows appended while the walk runs are walked too: the head is read after the walk, and if it has
    moved on and the rows it names exist, the walk continues from where it stopped (a few rounds).
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last_seq, last_hash = 0, GENESIS_HASH
    head = None
    for _round in range(5):
        rows = AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq").iterator(chunk_size=chunk_size)
        for row in rows:
            if row.seq != expected_seq:
                yield ChainProblem(
                    row.seq, f"expected seq={expected_seq}: rows {expected_seq}..{row.seq - 1} were deleted"
                )
            if row.prev_hash != prev_hash:
                yield ChainProblem(
                    row.seq, "does not link to the previous row (a row was inserted or deleted before it)"
                )
            if row.compute_hash() != row.hash:
                yield ChainProblem(row.seq, "content does not match its hash (the row was edited)")
            expected_seq = row.seq + 1
            prev_hash = row.hash
            last_seq, last_hash = row.seq, row.hash
        head = ChainHead.objects.filter(pk=1).first()
        if head is None or head.last_seq <= last_seq or not AuditEvent.objects.filter(seq__gt=last_seq).exists():
            break
    if head is None:
        if last_seq:
            yield ChainProblem(None, "is missing while the log has rows")
        return
    if head.last_seq != last_seq or head.last_hash != last_hash:
        yield ChainProblem(
            None,
            f"records seq={head.last_seq}, but the log ends at seq={last_seq} (rows were removed or added at the end)",
        )
