"""Delivering an alert: its recipients and deliveries, the live event first, then email, SMS and webhooks.

:func:`dispatch` is called by ``services.activate`` once the alert is active and committed. It writes the
recipients and one delivery per channel and recipient in bulk; after that commits it publishes the live event
(every open screen in scope gets it at once) and hands email, SMS and webhooks to a small pool of sender
threads. Nothing on the live path waits for a mail server or an HTTP gateway: if they are down, the screens
still get the alert and the failures are retried (see :mod:`.retry`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ..choices import AlertStatus, Channel, DeliveryStatus
from ..models import Alert, Delivery, Recipient
from .broadcaster import Event, broadcaster
from .providers import PROVIDERS
from .recipients import resolve
from .retry import send_due

logger = logging.getLogger(__name__)

ALERT, ALL_CLEAR, ACK = "alert", "all_clear", "ack"


def _url(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def alert_data(alert: Alert, *, acknowledged_at: Any = None) -> dict[str, Any]:
    """What a screen shows of an active alert (``acknowledged_at``: the viewer's acknowledgement)."""
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "action": alert.action,
        "title": alert.title,
        "directive": alert.directive,
        "message": alert.message if alert.message != alert.directive else "",
        "drill": alert.is_drill,
        "schools": [s.name for s in sorted(alert.schools.all(), key=lambda s: (s.name, s.pk))],
        "activated_at": alert.activated_at.isoformat() if alert.activated_at else None,
        "ack_url": _url("alerts:alert_acknowledge", alert.pk),
        "url": _url("alerts:alert_detail", alert.pk),
        "acknowledged_at": acknowledged_at.isoformat() if acknowledged_at else None,
    }


def all_clear_data(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "title": alert.title,
        "drill": alert.is_drill,
        "message": alert.all_clear_message,
        "at": alert.all_clear_at.isoformat() if alert.all_clear_at else None,
        "url": _url("alerts:alert_detail", alert.pk),
    }


def event(kind: str, data: dict[str, Any], users: Iterable[int]) -> Event:
    return {"type": kind, "data": data, "users": sorted(set(users)), "published": time.time()}


# --- sender threads ---------------------------------------------------------------------------------

_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None
_futures: set[Future[Any]] = set()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            workers = max(int(getattr(settings, "ALERT_SENDER_THREADS", 4)), 1)
            _pool = (os.getpid(), ThreadPoolExecutor(max_workers=workers, thread_name_prefix="alerts-sender"))
        return _pool[1]


def _send_in_background(alert_id: int) -> None:
    def run() -> None:
        try:
            summary = send_due(alert_id=alert_id)
            logger.info("Alert %s: %d sent, %d failed", alert_id, summary.sent, summary.failed)
        except Exception:
            logger.exception("Sending the deliveries of alert %s failed; the retry command picks them up", alert_id)
        finally:
            connections.close_all()

    future = _executor().submit(run)
    with _pool_lock:
        _futures.add(future)
    future.add_done_callback(lambda f: _discard(f))


def _discard(future: Future[Any]) -> None:
    with _pool_lock:
        _futures.discard(future)


def wait_for_senders(timeout: float = 30.0) -> bool:
    """Wait until the sender threads are done with what was handed to them (tests, shutdown)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _pool_lock:
            pending = [f for f in _futures if not f.done()]
        if not pending:
            return True
        time.sleep(0.02)
    return False


# --- the entry points ------------------------------------------------------------------------------


def _deliveries(recipients: list[Recipient], now: Any) -> list[Delivery]:
    rows: list[Delivery] = []
    enabled = [p for p in PROVIDERS.values() if p.enabled()]
    for recipient in recipients:
        # Published already (see dispatch): on its way to every open screen.
        rows.append(Delivery(recipient=recipient, channel=Channel.LIVE, status=DeliveryStatus.SENT, sent_at=now))
        for sender in enabled:
            address = sender.address_for(recipient.user)
            if address:
                rows.append(Delivery(recipient=recipient, channel=sender.channel, address=address, next_attempt_at=now))
    return rows


def dispatch(alert: Alert) -> int:
    """Deliver an active alert to everyone it is for; the number of recipients.

    The recipients are committed and the live event published before anything else is written, so the
    screens are not kept waiting for the delivery rows; those follow (live ones ``sent``, the others queued
    for the sender threads). Idempotent: rows already written are kept, and a screen shows an alert once.
    """
    alert = Alert.objects.prefetch_related("schools").get(pk=alert.pk)
    if alert.status != AlertStatus.ACTIVE:
        logger.warning("Alert %s is %s: not delivered", alert.pk, alert.status)
        return 0
    alert_id = alert.pk
    with transaction.atomic():
        people = resolve(alert)
        known = set(Recipient.objects.filter(alert=alert).values_list("user_id", flat=True))
        missing = [Recipient(alert=alert, user_id=u, school_id=s) for u, s in people.items() if u not in known]
        if missing:
            Recipient.objects.bulk_create(missing, ignore_conflicts=True)
            known = set(Recipient.objects.filter(alert=alert).values_list("user_id", flat=True))
        payload = event(ALERT, alert_data(alert), known)
        transaction.on_commit(lambda: _publish(alert_id, payload))
    with transaction.atomic():
        recipients = list(Recipient.objects.filter(alert_id=alert_id).select_related("user"))
        Delivery.objects.bulk_create(_deliveries(recipients, timezone.now()), ignore_conflicts=True)
        transaction.on_commit(lambda: _send_in_background(alert_id))
    return len(recipients)


def _publish(alert_id: int, payload: Event) -> None:
    hub = broadcaster()
    hub.note((ALERT, alert_id))
    hub.publish(payload)


def publish_all_clear(alert: Alert) -> int:
    """Tell every recipient's screen that the alert has ended; how many recipients."""
    alert = Alert.objects.prefetch_related("schools").get(pk=alert.pk)
    users = list(Recipient.objects.filter(alert=alert).values_list("user_id", flat=True))
    hub = broadcaster()
    hub.note((ALL_CLEAR, alert.pk))
    hub.publish(event(ALL_CLEAR, all_clear_data(alert), users))
    return len(users)


def publish_ack(recipient: Recipient) -> None:
    """Tell the recipient's other screens that they have acknowledged the alert."""
    data = {
        "id": recipient.alert_id,
        "acknowledged_at": recipient.acknowledged_at.isoformat() if recipient.acknowledged_at else None,
    }
    hub = broadcaster()
    hub.note((ACK, recipient.alert_id, recipient.user_id))
    hub.publish(event(ACK, data, [recipient.user_id]))
