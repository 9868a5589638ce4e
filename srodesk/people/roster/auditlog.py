"""Writing many change rows to the audit chain at once.

``AuditEvent.append`` locks the chain head, inserts one row and moves the head: three statements per
row. A roster import changes tens of thousands of records, so :class:`ChangeBatch` collects the same
rows the change hook would write (kind ``change``, action ``create``/``update``, the record's
``before``/``after`` snapshots, its scope, and the actor, request id and reason of the audit context)
and appends them in batches: lock the head once, chain the rows in memory (each row's ``prev_hash`` is
the previous row's hash), insert them with one prepared statement and move the head once. The chain is
the one ``AuditEvent.append`` would have built row by row, so ``srodesk verify-audit`` checks it the same way.

Hashes: ``AuditEvent.compute_hash`` round-trips ``before``/``after``/``detail`` through JSON to get their
canonical form. The snapshots queued here are already canonical (JSON types only), so the batch hashes
the same payload directly, and checks the first row of every flush against ``compute_hash`` (falling
back to it for the whole flush if they ever differ).

Use it inside the transaction that makes the changes, and flush it before anything else appends to the
chain (a ``save()`` of a record, ``AuditEvent.append``): those read the head from the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from srodesk.audit.models import AuditEvent, ChainHead
from srodesk.core.audit import current

from .rows import JsonText, RowInserter

COLUMNS = (*AuditEvent.HASHED_FIELDS, "hash")
_COLUMN = {name: i for i, name in enumerate(COLUMNS)}
_SEQ, _AT, _PREV, _HASH = _COLUMN["seq"], _COLUMN["at"], _COLUMN["prev_hash"], _COLUMN["hash"]


class ChangeBatch:
    """Change rows waiting to be appended to the audit chain, in order."""

    def __init__(self, *, actor: Any = None, detail: dict[str, Any] | None = None, size: int = 2000) -> None:
        ctx = current()
        actor = ctx.actor if actor is None else actor
        actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
        self.actor_id: int | None = actor_id
        self.actor_repr: str = getattr(actor, "username", "") if actor_id else ""
        self.request_id, self.ip, self.reason = ctx.request_id, ctx.ip, ctx.reason[:255]
        self.detail = json.loads(json.dumps(detail or {}))
        self.detail_text = JsonText(_dumps(self.detail))
        self.size = size
        self.pending: list[list[Any]] = []
        self.written = 0
        #: Whether the last flush hashed with the fast path (it always should; checked on its first row).
        self.fast = False
        self._types: dict[type[models.Model], int] = {}
        self._inserter: RowInserter | None = None
        missing = set(AuditEvent.HASHED_FIELDS) - set(COLUMNS)
        if missing:  # the audit model gained a hashed field this batch does not fill
            raise RuntimeError(f"ChangeBatch does not fill the hashed audit fields {sorted(missing)}")

    def change(
        self, instance: models.Model, *, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None
    ) -> None:
        """Queue the row the change hook writes for this save. ``before``/``after``: JSON-ready snapshots."""
        model = type(instance)
        content_type_id = self._types.get(model)
        if content_type_id is None:
            content_type_id = self._types[model] = ContentType.objects.get_for_model(model).pk
        scope = AuditEvent.scope_ids(instance)
        self.pending.append(
            [
                0,
                None,
                str(AuditEvent.Kind.CHANGE.value),
                str(action),
                self.actor_id,
                self.actor_repr,
                self.request_id,
                self.ip,
                self.reason,
                content_type_id,
                str(instance.pk),
                str(instance)[:200],
                scope["district_id"],
                scope["school_id"],
                scope["agency_id"],
                before,
                after,
                self.detail_text,
                "",
                "",
            ]
        )
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        """Append the queued rows to the chain."""
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        if self._inserter is None:
            self._inserter = RowInserter(AuditEvent, COLUMNS)
        with transaction.atomic():
            head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
            seq, prev_hash = head.last_seq, head.last_hash
            now = timezone.now()
            at_text = now.astimezone(dt.UTC).isoformat()
            fast = True
            for i, row in enumerate(rows):
                seq += 1
                row[_SEQ], row[_AT], row[_PREV] = seq, now, prev_hash
                if i == 0:
                    expected = self._model_hash(row)
                    fast = _hash(row, at_text, self.detail_text) == expected
                    row[_HASH] = prev_hash = expected
                elif fast:
                    row[_HASH] = prev_hash = _hash(row, at_text, self.detail_text)
                else:
                    row[_HASH] = prev_hash = self._model_hash(row)
            self.fast = fast
            self._inserter.insert(rows)
            ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev_hash)
        self.written += len(rows)

    def _model_hash(self, row: list[Any]) -> str:
        """``AuditEvent.compute_hash`` of the row (the reference the fast hash is checked against)."""
        fields = dict(zip(COLUMNS[:-1], row[:-1], strict=True))
        fields["detail"] = self.detail
        for name in ("before", "after"):
            if isinstance(fields[name], JsonText):
                fields[name] = json.loads(fields[name])
        return AuditEvent(**fields).compute_hash()


def _dumps(value: Any) -> str:
    """The serialization ``compute_hash`` uses (sorted keys, compact, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


#: Stand-ins for the snapshots in the hashed payload; a key followed by one of them occurs only once.
_STAND_INS = {"before": 0.25, "after": 0.5, "detail": 0.75}


def _hash(row: list[Any], at_text: str, detail_text: str) -> str:
    """The row's ``compute_hash``, serializing each snapshot once; the serialized snapshots replace the
    dicts in ``row`` so the insert stores them as they are."""
    content = dict(zip(COLUMNS[:-1], row[:-1], strict=True))
    content["at"] = at_text
    texts = {"detail": detail_text}
    for name in ("before", "after"):
        value = content[name]
        if value is not None:
            texts[name] = value if isinstance(value, JsonText) else JsonText(_dumps(value))
            row[_COLUMN[name]] = texts[name]
    for name in texts:
        content[name] = _STAND_INS[name]
    payload = _dumps(content)
    for name, text in texts.items():
        payload = payload.replace(f'"{name}":{_STAND_INS[name]}', f'"{name}":{text}', 1)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
