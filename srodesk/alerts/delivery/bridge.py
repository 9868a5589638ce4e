"""Without Redis: alerts started in another process still reach the screens of this one.

The local broadcaster only hears what this process publishes, but an alert is often activated elsewhere: by
the task worker at the end of the cancel window, by ``srodesk activate-due-alerts``, or by another worker
process of the web server. When ``REDIS_URL`` is not set, each web process that has open screens therefore
looks at the database every ``ALERT_DB_POLL_SECONDS`` (1 s; 0 turns it off) for alerts activated or ended, and
acknowledgements given, since it last looked, and hands what it finds to its own screens. What this process
published itself is skipped; a screen shows an alert once whichever way it came.

So with one process a screen gets an alert at once, and with several (no Redis) within about a second.
``REDIS_URL`` makes it immediate everywhere.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Hashable

from django.db import connections
from django.utils import timezone

from ..choices import AlertStatus
from ..models import Alert, Recipient
from .broadcaster import LocalBroadcaster

logger = logging.getLogger(__name__)

#: How far back each look reaches beyond the previous one (commits land after their timestamps).
OVERLAP = dt.timedelta(seconds=10)
FORGET_AFTER = 120.0


class DatabaseBridge:
    def __init__(self, hub: LocalBroadcaster, interval: float) -> None:
        self.hub = hub
        self.interval = interval
        self.since = timezone.now()
        self._seen: dict[Hashable, float] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alerts-db-bridge", daemon=True)
        self._thread.start()

    def seen(self, key: Hashable) -> bool:
        """Note ``key`` as delivered here; whether it already was."""
        with self._lock:
            known = key in self._seen
            self._seen[key] = time.monotonic()
            return known

    def _forget_old(self) -> None:
        limit = time.monotonic() - FORGET_AFTER
        with self._lock:
            for key in [k for k, at in self._seen.items() if at < limit]:
                del self._seen[key]

    def _run(self) -> None:
        while not self._stopping.wait(self.interval):
            if self.hub.connections() == 0:
                self.since = timezone.now()
                continue
            try:
                self.poll()
            except Exception:
                logger.exception("Looking for alerts started in other processes failed")
            finally:
                connections.close_all()
            self._forget_old()

    def poll(self) -> int:
        """Deliver what other processes started since the last look; how many events."""
        from .dispatch import ACK, ALERT, ALL_CLEAR, alert_data, all_clear_data, event

        started = timezone.now()
        after = self.since - OVERLAP
        count = 0
        active = Alert.objects.filter(status=AlertStatus.ACTIVE, activated_at__gt=after).prefetch_related("schools")
        for alert in active:
            if self.seen((ALERT, alert.pk)):
                continue
            users = list(Recipient.objects.filter(alert=alert).values_list("user_id", flat=True))
            self.hub.deliver(event(ALERT, alert_data(alert), users))
            count += 1
        ended = Alert.objects.filter(status=AlertStatus.ALL_CLEAR, all_clear_at__gt=after)
        for alert in ended:
            if self.seen((ALL_CLEAR, alert.pk)):
                continue
            users = list(Recipient.objects.filter(alert=alert).values_list("user_id", flat=True))
            self.hub.deliver(event(ALL_CLEAR, all_clear_data(alert), users))
            count += 1
        acks = Recipient.objects.filter(
            alert__status__in=(AlertStatus.ACTIVE, AlertStatus.ALL_CLEAR), acknowledged_at__gt=after
        ).values_list("alert_id", "user_id", "acknowledged_at")
        for alert_id, user_id, at in acks:
            if self.seen((ACK, alert_id, user_id)):
                continue
            self.hub.deliver(event(ACK, {"id": alert_id, "acknowledged_at": at.isoformat() if at else None}, [user_id]))
            count += 1
        self.since = started
        return count

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
