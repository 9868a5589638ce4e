"""Live delivery end to end, on real servers: screens connected to ``/alerts/stream/`` get a lockdown the moment
it is activated (and only the screens in scope), acknowledgements are recorded, a mail outage does not slow
the screens, and with Redis two app processes each deliver an alert started on the other."""

from __future__ import annotations

import datetime as dt
import io
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from srodesk.accounts.models import User
from srodesk.alerts import services
from srodesk.alerts.choices import AlertStatus, Audience, Channel, DeliveryStatus
from srodesk.alerts.delivery import marks
from srodesk.alerts.delivery.dispatch import wait_for_senders
from srodesk.alerts.delivery.testing import AppServer, SseClient, session_cookie, stream_routed
from srodesk.alerts.models import Alert, Delivery, DeliveryAttempt, Recipient
from srodesk.core.testing.smtp import smtp_server

from .test_delivery import EVERYONE_AT_A, REDIS_URL, Scene, build_scene, make_alert

IN_SCOPE = ("staff_a", "admin_a", "sro_d", "supervisor")
OUT_OF_SCOPE = ("staff_b", "staff_c")


@pytest.fixture
def live(live_server: Any, settings: Any, transactional_db: None) -> Any:
    settings.MFA_REQUIRED = False
    settings.ALERT_STREAM_HEARTBEAT_SECONDS = 1
    settings.ALERT_SMS_URL = ""
    settings.ALERT_WEBHOOK_URLS = []
    if connection.vendor == "sqlite":
        # The in-memory test database locks whole tables between connections: no second reader in the
        # background (the bridge is tested on its own in test_delivery.py).
        settings.ALERT_DB_POLL_SECONDS = 0
    if not stream_routed():
        settings.ROOT_URLCONF = "srodesk.alerts.delivery.testing"
    return live_server


@pytest.fixture
def clients() -> Iterator[list[SseClient]]:
    opened: list[SseClient] = []
    yield opened
    for client in opened:
        client.close()


def connect(base_url: str, user: User, opened: list[SseClient]) -> SseClient:
    client = SseClient(base_url, session_cookie(user), name=user.username)
    opened.append(client)
    return client.start()


def armed_lockdown(scene: Scene, **kwargs: Any) -> Alert:
    return make_alert(scene, status=AlertStatus.ARMED, **kwargs)


def acknowledge(base_url: str, alert: Alert, user: User) -> None:
    """Acknowledge the way the banner does: POST to the alert's acknowledge URL with the session."""
    import http.client

    host, port = base_url.split("://", 1)[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    token = uuid.uuid4().hex
    conn.request(
        "POST",
        reverse("alerts:alert_acknowledge", args=[alert.pk]),
        headers={
            "Cookie": f"sessionid={session_cookie(user)}; csrftoken={token}",
            "X-CSRFToken": token,
            "Accept": "application/json",
        },
    )
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200, body


def test_lockdown_reaches_every_screen_in_scope_and_no_other(live: Any, clients: list[SseClient]) -> None:
    scene = build_scene()
    screens = {name: connect(live.url, scene[name], clients) for name in (*IN_SCOPE, *OUT_OF_SCOPE)}
    assert screens["staff_a"].content_type == "text/event-stream"
    alert = armed_lockdown(scene)

    started = time.monotonic()
    assert services.activate(alert) is True
    for name in IN_SCOPE:
        event = screens[name].wait_for("alert", timeout=5, id=alert.pk)
        assert event.data["title"] == "Lockdown"
        assert event.data["directive"] == "Locks, lights, out of sight."
        assert event.data["schools"] == ["Riverside High School"]
        assert event.data["drill"] is False
        assert event.data["ack_url"] == f"/alerts/{alert.pk}/acknowledge/"
        assert event.data["acknowledged_at"] is None
        assert event.received - started < 2.0, f"{name} got the lockdown after {event.received - started:.2f} s"
    time.sleep(0.5)
    for name in OUT_OF_SCOPE:
        assert screens[name].of_kind("alert") == [], f"{name} is out of scope"

    # Every screen that got it is on record as delivered, with the time.
    assert marks.wait_idle()
    alert.refresh_from_db()
    live_rows = Delivery.objects.filter(recipient__alert=alert, channel=Channel.LIVE).select_related("recipient")
    delivered = {d.recipient.user_id: d for d in live_rows if d.status == DeliveryStatus.DELIVERED}
    assert set(delivered) == scene.ids(*IN_SCOPE)
    for delivery in delivered.values():
        assert delivery.delivered_at is not None
        assert alert.activated_at is not None
        assert alert.activated_at <= delivery.delivered_at <= timezone.now()
    not_connected = set(EVERYONE_AT_A) - set(IN_SCOPE)
    assert {d.recipient.user_id for d in live_rows if d.status == DeliveryStatus.SENT} == scene.ids(*not_connected)
    assert not Recipient.objects.filter(alert=alert, user__username__in=OUT_OF_SCOPE).exists()

    # The staff member acknowledges from the banner; their screens hear it, no one else's.
    acknowledge(live.url, alert, scene["staff_a"])
    recipient = Recipient.objects.get(alert=alert, user=scene["staff_a"])
    assert recipient.acknowledged_at is not None
    ack = screens["staff_a"].wait_for("ack", timeout=5, id=alert.pk)
    assert ack.data["acknowledged_at"] == recipient.acknowledged_at.isoformat()
    time.sleep(0.3)
    for name in ("admin_a", "sro_d", "supervisor", *OUT_OF_SCOPE):
        assert screens[name].of_kind("ack") == []
    assert Recipient.objects.filter(alert=alert, acknowledged_at__isnull=False).count() == 1

    # A screen that opens now gets the active alert at once, with its own acknowledgement.
    late = connect(live.url, scene["staff_a"], clients)
    on_connect = late.wait_for("alert", timeout=5, id=alert.pk)
    assert on_connect.data["acknowledged_at"] == recipient.acknowledged_at.isoformat()
    late_admin = connect(live.url, scene["admin_a"], clients)
    assert late_admin.wait_for("alert", timeout=5, id=alert.pk).data["acknowledged_at"] is None
    late_outsider = connect(live.url, scene["staff_b"], clients)
    time.sleep(0.3)
    assert late_outsider.of_kind("alert") == []

    # All clear reaches every screen in scope.
    boss = User.objects.create_superuser("chief", "chief@example.org", "x")
    services.all_clear(alert, boss, "Resume normal operations.")
    for name in IN_SCOPE:
        cleared = screens[name].wait_for("all_clear", timeout=5, id=alert.pk)
        assert cleared.data["message"] == "Resume normal operations."
    for name in OUT_OF_SCOPE:
        assert screens[name].of_kind("all_clear") == []

    # Heartbeats keep the connections open.
    assert "ping" in screens["staff_b"].comments


def test_stream_needs_a_signed_in_person(live: Any) -> None:
    client = SseClient(live.url, "not-a-session", name="anonymous")
    with pytest.raises(AssertionError, match=r"answered (302|401)"):
        client.start()
    client.close()


def test_mail_outage_does_not_delay_the_screens_and_is_retried(
    live: Any, clients: list[SseClient], settings: Any
) -> None:
    settings.ALERT_RETRY_BASE_SECONDS = 1
    settings.ALERT_RETRY_MAX_ATTEMPTS = 5
    scene = build_scene()
    with smtp_server() as server:
        for key, value in server.settings.items():
            setattr(settings, key, value)
        server.stop()  # the mail server is down when the alert starts
        screens = {name: connect(live.url, scene[name], clients) for name in ("admin_a", "staff_a")}
        alert = armed_lockdown(scene, audience=Audience.ADMINISTRATORS)

        started = time.monotonic()
        services.activate(alert)
        got = screens["admin_a"].wait_for("alert", timeout=5, id=alert.pk)
        assert got.received - started < 1.0, f"live delivery took {got.received - started:.2f} s"
        assert wait_for_senders()
        assert marks.wait_idle()

        emails = Delivery.objects.filter(recipient__alert=alert, channel=Channel.EMAIL).order_by("address")
        assert list(emails.values_list("address", flat=True)) == ["admin.a@example.org", "safety.d@example.org"]
        for email in emails:
            assert email.status == DeliveryStatus.FAILED
            assert email.attempts == 1
            assert "ConnectionRefusedError" in email.last_error
            assert email.next_attempt_at == email.failed_at + dt.timedelta(seconds=1)
        live_row = Delivery.objects.get(recipient__alert=alert, recipient__user=scene["admin_a"], channel=Channel.LIVE)
        assert live_row.status == DeliveryStatus.DELIVERED
        assert screens["staff_a"].of_kind("alert") == []  # the audience is the administrators

        # The mail server is back; the retry (scheduler command) sends what failed.
        server.start()
        time.sleep(1.1)
        out = io.StringIO()
        call_command("retry_alert_deliveries", stdout=out)
        assert out.getvalue().strip() == "2 tried: 2 sent, 0 failed (0 given up)."
        messages = server.wait_for(2)

    assert sorted(m["To"] for m in messages) == ["admin.a@example.org", "safety.d@example.org"]
    assert {m["Subject"] for m in messages} == {"LOCKDOWN – Riverside High School"}
    for email in emails.all():
        assert (email.status, email.attempts, email.next_attempt_at) == (DeliveryStatus.SENT, 2, None)
        assert email.sent_at is not None
        tries = DeliveryAttempt.objects.filter(delivery=email).order_by("at", "pk")
        assert [(t.ok, "ConnectionRefusedError" in t.error) for t in tries] == [(False, True), (True, False)]


# --- two app processes, Redis between them -----------------------------------------------------------


def _needs_shared_services() -> str:
    """The database URL the app servers share with the test (PostgreSQL), or skip when a service is absent."""
    if connection.vendor != "postgresql":
        pytest.skip("two app processes share the test database only on PostgreSQL (the PostgreSQL pass runs it)")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def two_servers(settings: Any, transactional_db: None) -> Iterator[tuple[AppServer, AppServer]]:
    database_url = _needs_shared_services()
    env = {"ALERT_REDIS_CHANNEL": f"srodesk:test:{uuid.uuid4().hex}", "ALERT_STREAM_HEARTBEAT_SECONDS": "1"}
    servers = [
        AppServer(database_url=database_url, secret_key=settings.SECRET_KEY, redis_url=REDIS_URL, extra_env=env)
        for _ in range(2)
    ]
    try:
        for server in servers:
            server.wait_ready()
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()


def test_two_processes_each_deliver_an_alert_started_on_the_other(
    two_servers: tuple[AppServer, AppServer], clients: list[SseClient]
) -> None:
    one, two = two_servers
    scene = build_scene(emails=False)
    on_one = connect(one.url, scene["staff_a"], clients)
    on_two = connect(two.url, scene["admin_a"], clients)
    outsider = connect(two.url, scene["staff_b"], clients)

    first = armed_lockdown(scene)
    result = one.trigger(first.pk)
    assert result["activated"] is True
    assert on_two.wait_for("alert", timeout=5, id=first.pk).data["title"] == "Lockdown"
    assert on_one.wait_for("alert", timeout=5, id=first.pk).data["title"] == "Lockdown"

    second = armed_lockdown(scene, drill=True)
    other = two.trigger(second.pk)
    assert other["activated"] is True
    assert other["pid"] != result["pid"]
    assert on_one.wait_for("alert", timeout=5, id=second.pk).data["drill"] is True
    assert on_two.wait_for("alert", timeout=5, id=second.pk).data["drill"] is True
    time.sleep(0.3)
    assert outsider.of_kind("alert") == []

    # Each process recorded the screens it served.
    deadline = time.monotonic() + 10
    wanted = {(first.pk, scene["staff_a"].pk), (first.pk, scene["admin_a"].pk)}
    wanted |= {(second.pk, scene["staff_a"].pk), (second.pk, scene["admin_a"].pk)}
    while True:
        rows = set(
            Delivery.objects.filter(channel=Channel.LIVE, status=DeliveryStatus.DELIVERED).values_list(
                "recipient__alert_id", "recipient__user_id"
            )
        )
        if rows >= wanted or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert rows == wanted
