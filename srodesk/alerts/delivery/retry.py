"""Sending email, SMS and webhook deliveries, and trying again when they fail.

A delivery is *due* when it is queued or failed and its ``next_attempt_at`` has come. :func:`send_due` claims
due deliveries (moving ``next_attempt_at`` a lease ahead, so two runners never send the same one and a
runner that dies leaves them due again), sends them through their provider outside any transaction, and
records every try as a :class:`DeliveryAttempt`:

- accepted → ``sent`` with ``sent_at``;
- refused → ``failed`` with ``failed_at`` and ``last_error``, and the next try after an exponential backoff
  (``ALERT_RETRY_BASE_SECONDS`` × 2^(tries − 1), at most ``ALERT_RETRY_MAX_DELAY_SECONDS``) until
  ``ALERT_RETRY_MAX_ATTEMPTS`` tries; after the last one ``next_attempt_at`` is cleared: given up, with the
  reason on record.

The first try happens right after the alert is delivered live; the later ones are run by the
``retry_alert_deliveries`` task (scheduled at the next due time when the task backend can defer) and by
``srodesk retry-alert-deliveries`` (run it every minute from the scheduler).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from ..choices import Channel, DeliveryStatus
from ..models import Alert, Delivery, DeliveryAttempt
from .providers import Outgoing, provider

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a claimed delivery is held by the runner sending it.
LEASE = dt.timedelta(minutes=5)
BATCH = 500
RETRY_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WEBHOOK)


def max_attempts() -> int:
    return max(int(getattr(settings, "ALERT_RETRY_MAX_ATTEMPTS", 5)), 1)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: base × 2^(attempts − 1), capped."""
    base = float(getattr(settings, "ALERT_RETRY_BASE_SECONDS", 30))
    cap = float(getattr(settings, "ALERT_RETRY_MAX_DELAY_SECONDS", 3600))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.failed

    def add(self, other: Summary) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.gave_up += other.gave_up


def _retrying(work: Callable[[], T]) -> T:
    """Run ``work``, again while the database is locked by another writer (SQLite)."""
    for attempt in range(40):
        try:
            return work()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 39 or connection.in_atomic_block:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")  # pragma: no cover


def claim(*, alert_id: int | None = None, now: dt.datetime | None = None, limit: int = BATCH) -> list[int]:
    """Take up to ``limit`` due deliveries for this runner; their ids."""
    now = now or timezone.now()

    def work() -> list[int]:
        with transaction.atomic():
            due = Delivery.objects.filter(
                channel__in=RETRY_CHANNELS,
                status__in=(DeliveryStatus.QUEUED, DeliveryStatus.FAILED),
                next_attempt_at__lte=now,
            )
            if alert_id is not None:
                due = due.filter(recipient__alert_id=alert_id)
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
            if ids:
                Delivery.objects.filter(pk__in=ids).update(next_attempt_at=timezone.now() + LEASE)
            return ids

    return _retrying(work)


def send(ids: list[int]) -> Summary:
    """Send the claimed deliveries ``ids``, alert by alert and channel by channel, and record each try."""
    rows = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("recipient__user", "recipient__school")
        .order_by("recipient__alert_id", "channel", "pk")
    )
    groups: dict[tuple[int, str], list[Delivery]] = defaultdict(list)
    for row in rows:
        groups[(row.recipient.alert_id, row.channel)].append(row)
    alerts = {a.pk: a for a in Alert.objects.filter(pk__in={k[0] for k in groups}).prefetch_related("schools")}
    summary = Summary()
    for (alert_id, channel), deliveries in groups.items():
        sender = provider(channel)
        if not sender.enabled():
            results: list[str | None] = [f"The {channel} channel is not configured." for _ in deliveries]
        else:
            outgoing = [
                Outgoing(
                    delivery_id=d.pk,
                    address=d.address,
                    user_id=d.recipient.user_id,
                    name=d.recipient.user.get_full_name() or d.recipient.user.username,
                    school=d.recipient.school.name if d.recipient.school else "",
                )
                for d in deliveries
            ]
            try:
                results = sender.send(alerts[alert_id], outgoing)
            except Exception as exc:  # a provider bug must not leave the deliveries claimed and unrecorded
                logger.exception("The %s provider failed", channel)
                results = [f"{type(exc).__name__}: {exc}" for _ in deliveries]
        summary.add(record(deliveries, results))
    return summary


def record(deliveries: list[Delivery], results: list[str | None]) -> Summary:
    """Write the outcome of one try of each delivery (``None``: accepted, else the reason it failed)."""
    if len(results) != len(deliveries):
        raise ValueError("one result per delivery")
    now = timezone.now()
    limit = max_attempts()
    summary = Summary()
    for delivery, error in zip(deliveries, results, strict=True):
        delivery.attempts += 1
        if error is None:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.next_attempt_at = None
            delivery.last_error = ""
            summary.sent += 1
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.failed_at = now
            delivery.last_error = error
            summary.failed += 1
            if delivery.attempts >= limit:
                delivery.next_attempt_at = None
                summary.gave_up += 1
                logger.warning(
                    "Gave up on %s delivery %s after %d tries: %s",
                    delivery.channel,
                    delivery.pk,
                    delivery.attempts,
                    error,
                )
            else:
                delivery.next_attempt_at = now + backoff(delivery.attempts)

    def work() -> None:
        with transaction.atomic():
            Delivery.objects.bulk_update(
                deliveries, ["status", "attempts", "sent_at", "failed_at", "next_attempt_at", "last_error"]
            )
            DeliveryAttempt.objects.bulk_create(
                [
                    DeliveryAttempt(delivery=d, ok=e is None, error=e or "")
                    for d, e in zip(deliveries, results, strict=True)
                ]
            )

    _retrying(work)
    retry_at = [d.next_attempt_at for d in deliveries if d.next_attempt_at is not None]
    if retry_at:
        schedule(min(retry_at))
    return summary


def schedule(when: dt.datetime) -> None:
    """Have the task worker retry at ``when``, when the task backend can defer (else the command does)."""
    from .tasks import retry_alert_deliveries

    try:
        if retry_alert_deliveries.get_backend().supports_defer:
            retry_alert_deliveries.using(run_after=when).enqueue()
    except Exception:
        logger.exception("Could not schedule the retry of alert deliveries; `srodesk retry-alert-deliveries` will")


def send_due(*, alert_id: int | None = None, now: dt.datetime | None = None) -> Summary:
    """Claim and send every due delivery (of one alert, or all), batch by batch."""
    summary = Summary()
    seen: set[int] = set()
    while True:
        ids = [i for i in claim(alert_id=alert_id, now=now) if i not in seen]
        if not ids:
            return summary
        seen.update(ids)
        summary.add(send(ids))
