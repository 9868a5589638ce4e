"""Appending many rows to the audit chain at once, each at its own moment.

``AuditEvent.append`` locks the chain head, inserts one row and moves the head, and stamps the row with
the clock. A generated history needs the rows of ten years, each stamped when it happened, so
:class:`ChainWriter` holds the head for the whole run, chains the rows in memory (each row's
``prev_hash`` is the previous row's ``hash``), inserts them with one prepared statement per batch and
moves the head once at the end. The hash is ``AuditEvent.compute_hash``'s: the same canonical JSON of
the same fields, with the ``before``/``after``/``detail`` snapshots serialized once. The first row of
every batch is checked against ``compute_hash`` itself, and ``verify_chain`` reads the result like any
other chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from srodesk.audit.models import AuditEvent, ChainHead
from srodesk.people.roster.rows import JsonText, RowInserter

COLUMNS = (*AuditEvent.HASHED_FIELDS, "hash")
COLUMN = {name: i for i, name in enumerate(COLUMNS)}
SEQ, AT, PREV, HASH = COLUMN["seq"], COLUMN["at"], COLUMN["prev_hash"], COLUMN["hash"]
SNAPSHOTS = ("before", "after", "detail")
_SNAPSHOT_INDEXES = tuple(COLUMN[name] for name in SNAPSHOTS)
#: Stand-ins for the snapshots in the hashed payload: a key followed by one of them occurs once only.
_STAND_INS = {"before": 0.25, "after": 0.5, "detail": 0.75}
BATCH = 5000


class ChainMismatchError(RuntimeError):
    """The fast hash disagrees with ``AuditEvent.compute_hash``: the audit model changed."""


def dumps(value: Any) -> JsonText:
    """The serialization ``compute_hash`` uses (sorted keys, compact, UTF-8), kept as stored text."""
    return JsonText(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


def new_row() -> list[Any]:
    return [None] * len(COLUMNS)


def row_hash(row: Sequence[Any]) -> str:
    """``compute_hash`` of a row whose snapshots are JSON text (``None`` for an empty ``before``/``after``)."""
    content = {name: row[i] for i, name in enumerate(COLUMNS[:-1])}
    at: dt.datetime = content["at"]
    content["at"] = at.astimezone(dt.UTC).isoformat()
    texts: dict[str, str] = {}
    for name in SNAPSHOTS:
        value = content[name]
        if value is not None:
            texts[name] = value
            content[name] = _STAND_INS[name]
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for name, text in texts.items():
        payload = payload.replace(f'"{name}":{_STAND_INS[name]}', f'"{name}":{text}', 1)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def model_hash(row: Sequence[Any]) -> str:
    """The reference: ``AuditEvent.compute_hash`` of the same row."""
    fields = {name: row[i] for i, name in enumerate(COLUMNS[:-1])}
    for name in SNAPSHOTS:
        if fields[name] is not None:
            fields[name] = json.loads(fields[name])
    return AuditEvent(**fields).compute_hash()


class ChainWriter:
    """The chain from its current head on; use inside one transaction, then :meth:`close`."""

    def __init__(self) -> None:
        missing = set(AuditEvent.HASHED_FIELDS) - set(COLUMNS)
        if missing:
            raise ChainMismatchError(f"the audit model gained hashed fields this writer does not fill: {missing}")
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
        self.seq: int = head.last_seq
        self.prev_hash: str = head.last_hash
        self.written = 0

    def write(self, rows: list[list[Any]]) -> None:
        """Chain and insert rows (snapshots as JSON text), in the order given."""
        inserter = RowInserter(AuditEvent, COLUMNS)  # per call: its converters memoise the values they see
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            for i, row in enumerate(chunk):
                self.seq += 1
                row[SEQ], row[PREV] = self.seq, self.prev_hash
                digest = row_hash(row)
                if i == 0 and digest != model_hash(row):
                    raise ChainMismatchError(f"row seq={self.seq}: the fast hash differs from compute_hash")
                row[HASH] = self.prev_hash = digest
            inserter.insert(chunk)
            self.written += len(chunk)

    def close(self) -> None:
        """Move the chain head to the last row written."""
        ChainHead.objects.filter(pk=1).update(last_seq=self.seq, last_hash=self.prev_hash)
