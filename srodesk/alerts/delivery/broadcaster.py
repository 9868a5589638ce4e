"""Fan-out of live events to the open screens.

Every open ``/alerts/stream/`` connection holds a :class:`Subscription` (a queue) for its user. A published
event names the users it is for; the broadcaster puts it on the queue of each of their connections.

- :class:`LocalBroadcaster`: one process. Thread-safe; publishing never blocks on a slow screen.
- :class:`RedisBroadcaster`: every app process (``REDIS_URL`` set). ``publish`` goes to a Redis pub/sub
  channel; each process runs one listener thread that hands what it hears to its own local broadcaster, so an
  alert started in one process reaches the screens connected to every other. When Redis cannot be reached,
  the event is still delivered to the screens of this process and the error is logged.

:func:`broadcaster` returns the one broadcaster of the current process (created again after a fork).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Hashable, Iterable
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL = "srodesk:alerts"

Event = dict[str, Any]


class Subscription:
    """The events for one open connection of one user."""

    def __init__(self, owner: LocalBroadcaster, user_id: int) -> None:
        self.owner = owner
        self.user_id = user_id
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.closed = False

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def get(self, timeout: float) -> Event | None:
        """The next event, or ``None`` after ``timeout`` seconds without one."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.owner.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalBroadcaster:
    """Per-user subscriptions in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[int, list[Subscription]] = {}
        #: Without Redis: the look at the database for what other processes published (see bridge.py).
        self.bridge: Any = None

    def note(self, key: Hashable) -> None:
        """Remember that this process publishes ``key`` itself (the bridge then skips it)."""
        if self.bridge is not None:
            self.bridge.seen(key)

    def subscribe(self, user_id: int) -> Subscription:
        subscription = Subscription(self, user_id)
        with self._lock:
            self._subscriptions.setdefault(user_id, []).append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            current = self._subscriptions.get(subscription.user_id, [])
            remaining = [s for s in current if s is not subscription]
            if remaining:
                self._subscriptions[subscription.user_id] = remaining
            else:
                self._subscriptions.pop(subscription.user_id, None)

    def connections(self, user_id: int | None = None) -> int:
        with self._lock:
            if user_id is not None:
                return len(self._subscriptions.get(user_id, ()))
            return sum(len(subs) for subs in self._subscriptions.values())

    def deliver(self, event: Event) -> int:
        """Queue ``event`` for every connection of its users (``event["users"]``); how many were reached."""
        users: Iterable[int] = event.get("users", ())
        with self._lock:
            targets = [sub for user_id in users for sub in self._subscriptions.get(int(user_id), ())]
        for subscription in targets:
            subscription.put(event)
        return len(targets)

    def publish(self, event: Event) -> None:
        self.deliver(event)

    def close(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()


class RedisBroadcaster(LocalBroadcaster):
    """Local fan-out fed by a Redis pub/sub channel shared by every app process."""

    def __init__(self, url: str, channel: str = DEFAULT_CHANNEL) -> None:
        super().__init__()
        import redis

        self.url = url
        self.channel = channel
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="alerts-redis-listener", daemon=True)
        self._listener.start()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Whether the listener is subscribed (events published before that reach only this process)."""
        return self._ready.wait(timeout)

    def publish(self, event: Event) -> None:
        if not self._ready.is_set():
            # Not subscribed yet (or reconnecting): this process's screens would not hear it from Redis.
            self.deliver(event)
        try:
            self._client.publish(self.channel, json.dumps(event, separators=(",", ":")))
        except Exception:
            logger.exception("Redis publish failed: the alert reaches only the screens of this process")
            if self._ready.is_set():
                self.deliver(event)

    def _listen(self) -> None:
        import redis

        delay = 0.5
        while not self._stopping.is_set():
            pubsub = None
            try:
                listener = redis.Redis.from_url(self.url, socket_connect_timeout=5, health_check_interval=30)
                pubsub = listener.pubsub()  # type: ignore[no-untyped-call,unused-ignore]
                pubsub.subscribe(self.channel)
                while not self._stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message.get("type") == "subscribe":
                        self._ready.set()
                        delay = 0.5
                    if message.get("type") != "message":
                        continue
                    try:
                        event = json.loads(message["data"])
                    except (TypeError, ValueError):
                        logger.warning("Ignored a malformed live event on %s", self.channel)
                        continue
                    self.deliver(event)
            except Exception:
                self._ready.clear()
                if self._stopping.is_set():
                    break
                logger.exception("Lost the Redis channel %s; reconnecting in %.1f s", self.channel, delay)
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):  # closing a broken connection
                        pubsub.close()

    def close(self) -> None:
        super().close()
        self._stopping.set()
        self._listener.join(timeout=3)
        self._client.close()


_lock = threading.Lock()
_current: tuple[tuple[int, str, float], LocalBroadcaster] | None = None


def broadcaster() -> LocalBroadcaster:
    """The broadcaster of this process: Redis-backed when ``REDIS_URL`` is set, else local (with the bridge)."""
    global _current
    url = str(getattr(settings, "REDIS_URL", "") or "")
    interval = 0.0 if url else float(getattr(settings, "ALERT_DB_POLL_SECONDS", 1.0))
    key = (os.getpid(), url, interval)
    current = _current
    if current is not None and current[0] == key:
        return current[1]
    with _lock:
        current = _current
        if current is not None and current[0] == key:
            return current[1]
        if current is not None and current[0][0] == key[0]:
            current[1].close()
        instance: LocalBroadcaster
        if url:
            channel = str(getattr(settings, "ALERT_REDIS_CHANNEL", DEFAULT_CHANNEL))
            instance = RedisBroadcaster(url, channel)
        else:
            instance = LocalBroadcaster()
            if interval > 0:
                from .bridge import DatabaseBridge

                instance.bridge = DatabaseBridge(instance, interval)
        _current = (key, instance)
        return instance
