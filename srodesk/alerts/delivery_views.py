"""``/alerts/stream/``: the signed-in person's alerts as server-sent events.

On connect the stream sends every active alert the person is a recipient of, then each new alert, all-clear
and acknowledgement as it happens, with a comment line every ``ALERT_STREAM_HEARTBEAT_SECONDS`` (15) so that
proxies keep the connection and a closed screen is noticed. Writing an alert to the connection records the
live delivery as delivered.

An open stream holds a server thread and no database connection. Every ``ALERT_STREAM_RECHECK_SECONDS``
(300) it checks that the session is still signed in, and ends when it is not.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from .choices import AlertStatus
from .delivery.broadcaster import Event, RedisBroadcaster, Subscription, broadcaster
from .delivery.dispatch import ALERT, alert_data
from .delivery.marks import mark_delivered
from .models import Recipient


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def active_alerts(user_id: int) -> list[dict[str, Any]]:
    """The active alerts ``user_id`` is a recipient of, as the stream sends them (oldest first)."""
    recipients = (
        Recipient.objects.filter(user_id=user_id, alert__status=AlertStatus.ACTIVE, alert__deleted_at__isnull=True)
        .select_related("alert")
        .prefetch_related("alert__schools")
        .order_by("alert__activated_at", "alert_id")
    )
    return [alert_data(r.alert, acknowledged_at=r.acknowledged_at) for r in recipients]


def sse(kind: str, data: dict[str, Any]) -> bytes:
    """One server-sent event (the data is one line of JSON)."""
    body = json.dumps(data, separators=(",", ":"))
    return f"id: {kind}-{data.get('id', '')}\nevent: {kind}\ndata: {body}\n\n".encode()


def _still_signed_in(session_key: str | None, user_id: int, auth_hash: str | None) -> bool:
    if not session_key:
        return False
    engine: Any = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    try:
        session = engine(session_key).load()
    finally:
        connections.close_all()
    if str(session.get(SESSION_KEY, "")) != str(user_id):
        return False
    return auth_hash is None or session.get(HASH_SESSION_KEY) == auth_hash


def _stream(
    subscription: Subscription,
    user_id: int,
    initial: list[dict[str, Any]],
    session_key: str | None,
    auth_hash: str | None,
) -> Iterator[bytes]:
    heartbeat = max(_setting("ALERT_STREAM_HEARTBEAT_SECONDS", 15), 0.05)
    recheck = _setting("ALERT_STREAM_RECHECK_SECONDS", 300)
    try:
        # Nothing below needs the database connection the request opened: give it back.
        connections.close_all()
        # Reconnect after 1–4 s, spread so that a restart does not bring every screen back at once.
        yield f"retry: {random.randint(1000, 4000)}\n: connected\n\n".encode()  # noqa: S311
        for data in initial:
            yield sse(ALERT, data)
            mark_delivered(int(data["id"]), user_id, timezone.now())
        sent = {int(data["id"]) for data in initial}
        checked = time.monotonic()
        while True:
            item: Event | None = subscription.get(timeout=heartbeat)
            if recheck > 0 and time.monotonic() - checked >= recheck:
                checked = time.monotonic()
                if not _still_signed_in(session_key, user_id, auth_hash):
                    yield b"event: signed_out\ndata: {}\n\n"
                    return
            if item is None:
                yield b": ping\n\n"
                continue
            kind, data = str(item.get("type", "")), dict(item.get("data") or {})
            if kind == ALERT and int(data["id"]) in sent:
                continue  # already on this screen (sent on connect)
            yield sse(kind, data)
            if kind == ALERT:
                sent.add(int(data["id"]))
                mark_delivered(int(data["id"]), user_id, timezone.now())
    finally:
        subscription.close()


@require_GET
def alert_stream(request: HttpRequest) -> HttpResponseBase:
    user: Any = request.user
    if not user.is_authenticated:
        return HttpResponse("Sign in to receive alerts.", status=401, content_type="text/plain")
    hub = broadcaster()
    if isinstance(hub, RedisBroadcaster):
        hub.wait_ready(timeout=2.0)
    # Subscribe before reading the active alerts, so an alert started in between is not missed.
    subscription = hub.subscribe(user.pk)
    try:
        initial = active_alerts(user.pk)
    except BaseException:
        subscription.close()
        raise
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    auth_hash = session.get(HASH_SESSION_KEY) if session is not None else None
    if session is not None and session.get(BACKEND_SESSION_KEY) is None:
        auth_hash = None
    response = StreamingHttpResponse(
        _stream(subscription, user.pk, initial, session_key, auth_hash), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    # A connection closed before the stream started never runs the generator's cleanup: the response does it.
    response._resource_closers.append(subscription.close)  # type: ignore[attr-defined]
    return response
