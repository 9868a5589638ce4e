"""Recording that a live alert reached a screen, without a database connection per open screen.

A stream that has written an alert to its connection calls :func:`mark_delivered`; one thread per process
writes the marks in batches (the exact time each screen got it), so a thousand screens cost a few queries,
not a thousand connections. The live event goes out before the delivery rows are written, so a mark whose row
is not there yet is kept and tried again for up to :data:`WAIT_FOR_ROW` seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import threading
import time

from django.db import OperationalError, connections
from django.utils import timezone

from ..choices import Channel, DeliveryStatus
from ..models import Delivery

logger = logging.getLogger(__name__)

Mark = tuple[int, int, dt.datetime]  # alert id, user id, when

BATCH = 500
WAIT_FOR_ROW = 30.0


class _Marker:
    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Mark, float]] = queue.SimpleQueue()
        self._pending = 0
        self._lock = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="alerts-live-marker", daemon=True)
        self._thread.start()

    def add(self, mark: Mark) -> None:
        with self._lock:
            self._pending += 1
        self._queue.put((mark, time.monotonic() + WAIT_FOR_ROW))

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            time.sleep(0.02)  # let the other screens of the same alert join the batch
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            marks = [mark for mark, _ in batch]
            unmatched: list[Mark] = []
            for attempt in range(50):
                try:
                    unmatched = write(marks)
                    break
                except OperationalError as exc:  # a busy SQLite database: try again shortly
                    if attempt == 49:
                        logger.error("Could not record %d live deliveries: %s", len(batch), exc)
                    time.sleep(0.05)
                except Exception:
                    logger.exception("Could not record %d live deliveries", len(batch))
                    break
                finally:
                    connections.close_all()
            again = {id(m) for m in unmatched}
            now = time.monotonic()
            retry = [(m, deadline) for m, deadline in batch if id(m) in again and deadline > now]
            for item in retry:
                self._queue.put(item)
            if retry:
                time.sleep(0.05)
            with self._lock:
                self._pending -= len(batch) - len(retry)
                self._lock.notify_all()


def write(marks: list[Mark]) -> list[Mark]:
    """Set the live deliveries of ``marks`` delivered at their time (the first time counts).

    Returns the marks that found no live delivery, neither pending nor delivered already (not written yet).
    """
    first: dict[tuple[int, int], dt.datetime] = {}
    for alert_id, user_id, at in marks:
        key = (alert_id, user_id)
        if key not in first or at < first[key]:
            first[key] = at
    alert_ids = {a for a, _ in first}
    user_ids = {u for _, u in first}
    rows = list(
        Delivery.objects.filter(
            channel=Channel.LIVE,
            recipient__alert_id__in=alert_ids,
            recipient__user_id__in=user_ids,
        )
        .select_related("recipient")
        .only("pk", "status", "delivered_at", "recipient__alert_id", "recipient__user_id")
    )
    found: set[tuple[int, int]] = set()
    changed = []
    for row in rows:
        key = (row.recipient.alert_id, row.recipient.user_id)
        when = first.get(key)
        if when is None:
            continue
        found.add(key)
        if row.status == DeliveryStatus.DELIVERED:
            continue
        row.status = DeliveryStatus.DELIVERED
        row.delivered_at = when
        changed.append(row)
    if changed:
        Delivery.objects.bulk_update(changed, ["status", "delivered_at"], batch_size=BATCH)
    return [mark for mark in marks if (mark[0], mark[1]) not in found]


_lock = threading.Lock()
_marker: tuple[int, _Marker] | None = None


def _current() -> _Marker:
    global _marker
    with _lock:
        if _marker is None or _marker[0] != os.getpid():
            _marker = (os.getpid(), _Marker())
        return _marker[1]


def mark_delivered(alert_id: int, user_id: int, at: dt.datetime | None = None) -> None:
    """Record, soon, that ``user_id``'s screen got alert ``alert_id`` at ``at`` (now)."""
    _current().add((alert_id, user_id, at or timezone.now()))


def wait_idle(timeout: float = 10.0) -> bool:
    """Wait until every mark so far is written (tests, and a clean shutdown)."""
    return _current().wait_idle(timeout)
