"""The delivery engine: who an alert is for, the deliveries written, email over a real SMTP server, SMS and
webhooks over a real HTTP server, retries with backoff, and the broadcasters (local and Redis)."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.roles import sync_roles
from srodesk.alerts.choices import AlertKind, AlertStatus, Audience, Channel, DeliveryStatus, SrpAction
from srodesk.alerts.delivery import dispatch, marks, publish_ack, publish_all_clear
from srodesk.alerts.delivery.bridge import DatabaseBridge
from srodesk.alerts.delivery.broadcaster import LocalBroadcaster, RedisBroadcaster, broadcaster
from srodesk.alerts.delivery.dispatch import wait_for_senders
from srodesk.alerts.delivery.marks import mark_delivered
from srodesk.alerts.delivery.marks import write as write_marks
from srodesk.alerts.delivery.recipients import resolve
from srodesk.alerts.delivery.retry import backoff, send_due
from srodesk.alerts.models import Alert, Delivery, DeliveryAttempt, Recipient
from srodesk.core.testing.smtp import smtp_server
from srodesk.organizations.models import School
from srodesk.organizations.tests.factories import AgencyFactory, DistrictFactory, PartnershipFactory, SchoolFactory

REDIS_URL = "redis://127.0.0.1:6379/0"


# --- the scene: two districts, their schools and agencies, and people in every kind of role -------------


@dataclass
class Scene:
    school_a: School
    school_b: School
    school_c: School
    district: Any
    agency: Any
    users: dict[str, User]

    def __getitem__(self, name: str) -> User:
        return self.users[name]

    def ids(self, *names: str) -> set[int]:
        return {self.users[n].pk for n in names}


#: name → (role, scope: "a", "b", "c" (schools), "district", "agency", "other_agency", "platform")
PEOPLE = {
    "staff_a": ("staff", "a"),
    "admin_a": ("school_admin", "a"),
    "counselor_a": ("counselor", "a"),
    "sro_d": ("sro", "district"),
    "safety_d": ("safety_director", "district"),
    "supervisor": ("sro_supervisor", "agency"),
    "clerk": ("records_clerk", "agency"),
    "staff_b": ("staff", "b"),
    "staff_c": ("staff", "c"),
    "supervisor_other": ("sro_supervisor", "other_agency"),
    "analyst_d": ("analyst", "district"),
    "platform": ("platform_admin", "platform"),
}
#: Everyone an alert for school A reaches (audience "everyone").
EVERYONE_AT_A = ("staff_a", "admin_a", "counselor_a", "sro_d", "safety_d", "supervisor", "clerk")


def build_scene(*, emails: bool = True) -> Scene:
    sync_roles()
    district = DistrictFactory(name="Riverside Public Schools")
    school_a = SchoolFactory(district=district, name="Riverside High School")
    school_b = SchoolFactory(district=district, name="Oak Middle School")
    agency = AgencyFactory(name="Riverside Police")
    PartnershipFactory(agency=agency, district=district)
    other = DistrictFactory(name="Lakeview Schools")
    school_c = SchoolFactory(district=other, name="Lakeview High School")
    other_agency = AgencyFactory(name="Lakeview Police")
    PartnershipFactory(agency=other_agency, district=other)
    scopes = {
        "a": {"school": school_a},
        "b": {"school": school_b},
        "c": {"school": school_c},
        "district": {"district": district},
        "agency": {"agency": agency},
        "other_agency": {"agency": other_agency},
        "platform": {},
    }
    users = {}
    for n, (name, (slug, scope)) in enumerate(PEOPLE.items()):
        user = User.objects.create_user(
            username=name,
            email=f"{name.replace('_', '.')}@example.org" if emails else "",
            first_name=name.split("_")[0].title(),
            last_name=f"Person{n}",
            phone=f"+1555000{n:04d}",
        )
        RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=slug), **scopes[scope])
        users[name] = user
    return Scene(school_a, school_b, school_c, district, agency, users)


def make_alert(
    scene: Scene,
    *,
    schools: list[School] | None = None,
    action: str = SrpAction.LOCKDOWN,
    kind: str = AlertKind.SRP,
    audience: str = Audience.EVERYONE,
    drill: bool = False,
    status: str = AlertStatus.ACTIVE,
    message: str = "",
    agency: Any = None,
) -> Alert:
    now = timezone.now()
    alert = Alert.objects.create(
        district=scene.district,
        agency=agency,
        kind=kind,
        action=action if kind == AlertKind.SRP else "",
        audience=audience,
        is_drill=drill,
        message=message,
        status=status,
        armed_at=now - dt.timedelta(seconds=11),
        deliver_at=now - dt.timedelta(seconds=1),
        activated_at=now if status == AlertStatus.ACTIVE else None,
    )
    alert.schools.set(schools or [scene.school_a])
    return alert


@pytest.fixture
def scene(transactional_db: None) -> Scene:
    return build_scene()


@pytest.fixture(autouse=True)
def _no_bridge_thread(settings: Any) -> None:
    """The bridge (a look at the database every second) is tested on its own, one poll at a time."""
    settings.ALERT_DB_POLL_SECONDS = 0


@pytest.fixture
def fast_retries(settings: Any) -> Any:
    settings.ALERT_RETRY_BASE_SECONDS = 30
    settings.ALERT_RETRY_MAX_DELAY_SECONDS = 3600
    settings.ALERT_RETRY_MAX_ATTEMPTS = 3
    return settings


# --- recipients ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience.EVERYONE, EVERYONE_AT_A),
        (Audience.ADMINISTRATORS, ("admin_a", "safety_d")),
        (Audience.SROS, ("sro_d", "supervisor")),
        (Audience.AGENCY, ("sro_d", "supervisor", "clerk")),
    ],
)
def test_recipients_by_audience(scene: Scene, audience: str, expected: tuple[str, ...]) -> None:
    alert = make_alert(scene, audience=audience)
    people = resolve(alert)
    assert set(people) == scene.ids(*expected)
    # Never: another school of the district, another district, another agency, analysts, the platform.
    assert not set(people) & scene.ids("staff_b", "staff_c", "supervisor_other", "analyst_d", "platform")


def test_recipient_school_and_inactive_or_removed_people(scene: Scene) -> None:
    alert = make_alert(scene, schools=[scene.school_a, scene.school_b])
    people = resolve(alert)
    assert people[scene["staff_a"].pk] == scene.school_a.pk
    assert people[scene["staff_b"].pk] == scene.school_b.pk
    assert people[scene["sro_d"].pk] is None
    assert people[scene["supervisor"].pk] is None

    User.objects.filter(pk=scene["staff_a"].pk).update(is_active=False)
    RoleAssignment.objects.filter(user=scene["admin_a"]).update(deleted_at=timezone.now())
    people = resolve(alert)
    assert scene["staff_a"].pk not in people
    assert scene["admin_a"].pk not in people


def test_agency_of_the_alert_only(scene: Scene) -> None:
    second = AgencyFactory(name="County Sheriff")
    PartnershipFactory(agency=second, district=scene.district)
    deputy = User.objects.create_user(username="deputy")
    RoleAssignment.objects.create(user=deputy, role=Role.objects.get(slug="sro_supervisor"), agency=second)

    no_agency = make_alert(scene)
    assert deputy.pk in resolve(no_agency)  # no agency named: every agency serving the district
    named = make_alert(scene, agency=scene.agency)
    assert deputy.pk not in resolve(named)
    assert scene["supervisor"].pk in resolve(named)


# --- dispatch: rows, idempotency, live event ---------------------------------------------------------


def test_dispatch_writes_recipients_and_deliveries(scene: Scene, settings: Any) -> None:
    settings.ALERT_SMS_URL = ""
    settings.ALERT_WEBHOOK_URLS = []
    with smtp_server() as server:
        for key, value in server.settings.items():
            setattr(settings, key, value)
        alert = make_alert(scene)
        subscription = broadcaster().subscribe(scene["staff_a"].pk)
        outsider = broadcaster().subscribe(scene["staff_b"].pk)
        try:
            assert dispatch(alert) == len(EVERYONE_AT_A)
            event = subscription.get(timeout=5)
            assert outsider.get(timeout=0.2) is None
        finally:
            subscription.close()
            outsider.close()
        assert wait_for_senders()
        server.wait_for(len(EVERYONE_AT_A))

    assert event is not None
    assert event["type"] == "alert"
    assert event["data"]["id"] == alert.pk
    assert event["data"]["title"] == "Lockdown"
    assert event["data"]["directive"] == "Locks, lights, out of sight."
    assert event["data"]["schools"] == ["Riverside High School"]
    assert event["data"]["drill"] is False
    assert event["data"]["ack_url"] == f"/alerts/{alert.pk}/acknowledge/"
    assert set(event["users"]) == scene.ids(*EVERYONE_AT_A)

    recipients = Recipient.objects.filter(alert=alert)
    assert set(recipients.values_list("user_id", flat=True)) == scene.ids(*EVERYONE_AT_A)
    live = Delivery.objects.filter(recipient__alert=alert, channel=Channel.LIVE)
    assert live.count() == len(EVERYONE_AT_A)
    assert set(live.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    email = Delivery.objects.filter(recipient__alert=alert, channel=Channel.EMAIL)
    assert sorted(email.values_list("address", flat=True)) == sorted(
        f"{n.replace('_', '.')}@example.org" for n in EVERYONE_AT_A
    )
    assert set(email.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    assert not Delivery.objects.filter(channel__in=[Channel.SMS, Channel.WEBHOOK]).exists()

    # Again: nothing doubles.
    with smtp_server() as server:
        for key, value in server.settings.items():
            setattr(settings, key, value)
        assert dispatch(alert) == len(EVERYONE_AT_A)
        assert wait_for_senders()
        assert server.messages == []
    assert Recipient.objects.filter(alert=alert).count() == len(EVERYONE_AT_A)
    assert Delivery.objects.filter(recipient__alert=alert).count() == 2 * len(EVERYONE_AT_A)


def test_dispatch_ignores_an_alert_that_is_not_active(scene: Scene) -> None:
    for status in (AlertStatus.ARMED, AlertStatus.CANCELLED, AlertStatus.ALL_CLEAR):
        alert = make_alert(scene, status=status)
        assert dispatch(alert) == 0
        assert not Recipient.objects.filter(alert=alert).exists()


def test_all_clear_and_ack_reach_the_right_screens(scene: Scene) -> None:
    alert = make_alert(scene, drill=True)
    Recipient.objects.create(alert=alert, user=scene["staff_a"], school=scene.school_a)
    Recipient.objects.create(alert=alert, user=scene["admin_a"], school=scene.school_a)
    hub = broadcaster()
    staff, admin, outsider = (hub.subscribe(scene[n].pk) for n in ("staff_a", "admin_a", "staff_b"))
    try:
        Alert.objects.filter(pk=alert.pk).update(
            status=AlertStatus.ALL_CLEAR, all_clear_at=timezone.now(), all_clear_message="Resume classes."
        )
        assert publish_all_clear(alert) == 2
        for subscription in (staff, admin):
            cleared = subscription.get(timeout=5)
            assert cleared is not None
            assert cleared["type"] == "all_clear"
            assert cleared["data"]["message"] == "Resume classes."
            assert cleared["data"]["drill"] is True
        recipient = Recipient.objects.get(alert=alert, user=scene["staff_a"])
        recipient.acknowledged_at = timezone.now()
        recipient.save()
        publish_ack(recipient)
        ack = staff.get(timeout=5)
        assert ack is not None
        assert ack["type"] == "ack"
        assert ack["data"] == {"id": alert.pk, "acknowledged_at": recipient.acknowledged_at.isoformat()}
        assert admin.get(timeout=0.2) is None
        assert outsider.get(timeout=0.2) is None
    finally:
        for subscription in (staff, admin, outsider):
            subscription.close()


def test_live_marks_keep_the_first_time(scene: Scene) -> None:
    alert = make_alert(scene)
    recipient = Recipient.objects.create(alert=alert, user=scene["staff_a"])
    delivery = Delivery.objects.create(recipient=recipient, channel=Channel.LIVE, status=DeliveryStatus.SENT)
    first = timezone.now()
    later = first + dt.timedelta(seconds=3)
    assert write_marks([(alert.pk, scene["staff_a"].pk, later), (alert.pk, scene["staff_a"].pk, first)]) == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.delivered_at) == (DeliveryStatus.DELIVERED, first)
    assert write_marks([(alert.pk, scene["staff_a"].pk, later)]) == []  # another screen later changes nothing
    delivery.refresh_from_db()
    assert delivery.delivered_at == first
    # A screen that got the alert before its delivery row was written: kept for another try.
    pending = (alert.pk, scene["admin_a"].pk, later)
    assert write_marks([pending]) == [pending]
    Delivery.objects.create(
        recipient=Recipient.objects.create(alert=alert, user=scene["admin_a"]), channel=Channel.LIVE, status="sent"
    )
    assert marks.wait_idle()
    mark_delivered(*pending)
    assert marks.wait_idle()
    assert Delivery.objects.get(recipient__user=scene["admin_a"]).delivered_at == later


# --- email over a real SMTP server -------------------------------------------------------------------


def test_email_of_a_drill_arrives_with_exact_recipients_and_subject(scene: Scene, settings: Any) -> None:
    settings.ALERT_FROM_EMAIL = "alerts@riverside.example.org"
    settings.ALERT_SITE_URL = "https://srodesk.riverside.example.org"
    with smtp_server() as server:
        for key, value in server.settings.items():
            setattr(settings, key, value)
        alert = make_alert(scene, audience=Audience.ADMINISTRATORS, drill=True, message="Drill for the fall term.")
        dispatch(alert)
        assert wait_for_senders()
        messages = server.wait_for(2)
    assert len(messages) == 2
    assert sorted(rcpts[0] for _, rcpts in server.envelopes) == ["admin.a@example.org", "safety.d@example.org"]
    assert {sender for sender, _ in server.envelopes} == {"alerts@riverside.example.org"}
    for message in messages:
        assert message["Subject"] == "DRILL – LOCKDOWN – Riverside High School"
        assert message["From"] == "alerts@riverside.example.org"
        body = message.get_content().replace("\r\n", "\n")
        assert body.startswith(
            "THIS IS A DRILL.\n\nLOCKDOWN: Locks, lights, out of sight.\n\nDrill for the fall term.\n"
        )
        assert f"https://srodesk.riverside.example.org/alerts/{alert.pk}/" in body
    assert sorted(m["To"] for m in messages) == ["admin.a@example.org", "safety.d@example.org"]
    attempts = DeliveryAttempt.objects.filter(delivery__recipient__alert=alert)
    assert list(attempts.values_list("ok", flat=True)) == [True, True]


def test_email_retries_with_backoff_then_gives_up(scene: Scene, fast_retries: Any) -> None:
    with smtp_server() as server:
        for key, value in server.settings.items():
            setattr(fast_retries, key, value)
        server.stop()
        alert = make_alert(scene, audience=Audience.SROS)
        dispatch(alert)
        assert wait_for_senders()
        emails = Delivery.objects.filter(recipient__alert=alert, channel=Channel.EMAIL).order_by("pk")
        assert emails.count() == 2
        for email in emails:
            assert email.status == DeliveryStatus.FAILED
            assert email.attempts == 1
            assert "ConnectionRefusedError" in email.last_error
            assert email.next_attempt_at == email.failed_at + dt.timedelta(seconds=30)

        first_failed = emails[0].failed_at
        assert send_due().attempted == 0  # not due yet
        second = send_due(now=first_failed + dt.timedelta(seconds=31))
        assert (second.sent, second.failed, second.gave_up) == (0, 2, 0)
        for email in emails.all():
            assert email.attempts == 2
            assert email.next_attempt_at == email.failed_at + dt.timedelta(seconds=60)
        third = send_due(now=timezone.now() + dt.timedelta(seconds=61))
        assert (third.sent, third.failed, third.gave_up) == (0, 2, 2)
        for email in emails.all():
            assert email.status == DeliveryStatus.FAILED
            assert email.attempts == 3
            assert email.next_attempt_at is None
            assert "ConnectionRefusedError" in email.last_error
            tries = list(email.tries.values_list("ok", flat=True))
            assert tries == [False, False, False]
        assert send_due(now=timezone.now() + dt.timedelta(days=1)).attempted == 0  # given up for good


def test_backoff_doubles_up_to_the_cap(settings: Any) -> None:
    settings.ALERT_RETRY_BASE_SECONDS = 30
    settings.ALERT_RETRY_MAX_DELAY_SECONDS = 200
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 200, 200]


def test_retry_command_reports_what_it_did(scene: Scene, fast_retries: Any) -> None:
    with smtp_server() as server:
        for key, value in server.settings.items():
            setattr(fast_retries, key, value)
        server.stop()
        alert = make_alert(scene, audience=Audience.ADMINISTRATORS)
        dispatch(alert)
        assert wait_for_senders()
        out = io.StringIO()
        call_command("retry_alert_deliveries", stdout=out)
        assert out.getvalue().strip() == "0 tried: 0 sent, 0 failed (0 given up)."
        server.start()
        Delivery.objects.filter(recipient__alert=alert, channel=Channel.EMAIL).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )
        out = io.StringIO()
        call_command("retry_alert_deliveries", stdout=out)
        assert out.getvalue().strip() == "2 tried: 2 sent, 0 failed (0 given up)."
        server.wait_for(2)


# --- SMS and webhooks over a real HTTP server -----------------------------------------------------------


class _Receiver(http.server.BaseHTTPRequestHandler):
    status = 200
    received: list[tuple[str, dict[str, str], Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        self.received.append((self.path, dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_sms_and_webhook_over_http(scene: Scene, settings: Any, receiver: Any) -> None:
    url, handler = receiver
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERT_SMS_URL = f"{url}/sms"
    settings.ALERT_SMS_TOKEN = "sms-secret"
    settings.ALERT_WEBHOOK_URLS = [f"{url}/hook-1", f"{url}/hook-2"]
    alert = make_alert(scene, audience=Audience.SROS, action=SrpAction.EVACUATE)
    Alert.objects.filter(pk=alert.pk).update(location="the football field")
    alert.refresh_from_db()
    dispatch(alert)
    assert wait_for_senders()

    sms = sorted((b for p, _, b in handler.received if p == "/sms"), key=lambda b: b["to"])
    phones = sorted((scene["sro_d"].phone, scene["supervisor"].phone))
    assert [b["to"] for b in sms] == phones
    assert {b["message"] for b in sms} == {"EVACUATE at Riverside High School. Evacuate to the football field."}
    sms_headers = [h for p, h, _ in handler.received if p == "/sms"]
    assert {h["Authorization"] for h in sms_headers} == {"Bearer sms-secret"}

    hooks = [(p, h, b) for p, h, b in handler.received if p.startswith("/hook")]
    assert sorted(p for p, _, _ in hooks) == ["/hook-1", "/hook-2"]
    for _, headers, body in hooks:
        assert body["alert"]["id"] == alert.pk
        assert body["alert"]["directive"] == "Evacuate to the football field."
        assert body["alert"]["schools"] == [{"id": scene.school_a.pk, "name": "Riverside High School"}]
        assert sorted(r["user"] for r in body["recipients"]) == sorted(scene.ids("sro_d", "supervisor"))
        assert headers["Idempotency-Key"].startswith(f"alert-{alert.pk}-")
    deliveries = Delivery.objects.filter(recipient__alert=alert, channel__in=[Channel.SMS, Channel.WEBHOOK])
    assert deliveries.count() == 4
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_http_failure_is_recorded_with_the_reason(scene: Scene, settings: Any, receiver: Any) -> None:
    url, handler = receiver
    handler.status = 503
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERT_SMS_URL = f"{url}/sms"
    settings.ALERT_WEBHOOK_URLS = []
    alert = make_alert(scene, audience=Audience.ADMINISTRATORS)
    dispatch(alert)
    assert wait_for_senders()
    sms = Delivery.objects.filter(recipient__alert=alert, channel=Channel.SMS)
    assert sms.count() == 2
    for delivery in sms:
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.last_error == f"HTTP 503 from {url}/sms"
        assert list(delivery.tries.values_list("ok", "error")) == [(False, f"HTTP 503 from {url}/sms")]


# --- broadcasters ------------------------------------------------------------------------------------


def test_local_broadcaster_fans_out_to_every_connection_of_each_user() -> None:
    hub = LocalBroadcaster()
    one, two, other = hub.subscribe(1), hub.subscribe(1), hub.subscribe(2)
    assert hub.connections() == 3
    assert hub.deliver({"type": "alert", "data": {"id": 9}, "users": [1, 3]}) == 2
    assert one.get(0.1) == two.get(0.1) == {"type": "alert", "data": {"id": 9}, "users": [1, 3]}
    assert other.get(0.05) is None
    two.close()
    assert hub.connections(1) == 1
    one.close()
    other.close()
    assert hub.connections() == 0


def test_local_broadcaster_is_thread_safe() -> None:
    hub = LocalBroadcaster()
    subs = [hub.subscribe(n % 10) for n in range(200)]

    def publish(start: int) -> None:
        for n in range(start, start + 50):
            hub.publish({"type": "alert", "data": {"id": n}, "users": list(range(10))})

    threads = [threading.Thread(target=publish, args=(k * 50,)) for k in range(4)]
    churn = [hub.subscribe(99) for _ in range(100)]
    for thread in threads:
        thread.start()
    for sub in churn:
        sub.close()
    for thread in threads:
        thread.join()
    for sub in subs:
        got = []
        while (event := sub.get(0.001)) is not None:
            got.append(event["data"]["id"])
        assert sorted(got) == list(range(200))


def _redis_or_skip() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")


def test_redis_broadcaster_reaches_every_process() -> None:
    _redis_or_skip()
    channel = f"srodesk:test:{uuid.uuid4().hex}"
    first, second = RedisBroadcaster(REDIS_URL, channel), RedisBroadcaster(REDIS_URL, channel)
    try:
        assert first.wait_ready()
        assert second.wait_ready()
        on_first, on_second, elsewhere = first.subscribe(5), second.subscribe(5), second.subscribe(6)
        first.publish({"type": "alert", "data": {"id": 1}, "users": [5]})
        assert on_first.get(5) == {"type": "alert", "data": {"id": 1}, "users": [5]}
        assert on_second.get(5) == {"type": "alert", "data": {"id": 1}, "users": [5]}
        second.publish({"type": "all_clear", "data": {"id": 1}, "users": [5, 6]})
        assert on_first.get(5)["type"] == "all_clear"  # type: ignore[index]
        assert on_second.get(5)["type"] == "all_clear"  # type: ignore[index]
        assert elsewhere.get(5)["type"] == "all_clear"  # type: ignore[index]
        assert on_first.get(0.2) is None  # each event once
    finally:
        first.close()
        second.close()


def test_broadcaster_follows_the_setting(settings: Any) -> None:
    settings.REDIS_URL = ""
    assert type(broadcaster()) is LocalBroadcaster
    assert broadcaster() is broadcaster()
    assert broadcaster().bridge is None
    settings.ALERT_DB_POLL_SECONDS = 30
    with_bridge = broadcaster()
    assert isinstance(with_bridge.bridge, DatabaseBridge)
    settings.ALERT_DB_POLL_SECONDS = 0
    assert broadcaster() is not with_bridge


def test_bridge_delivers_what_another_process_started(scene: Scene) -> None:
    hub = LocalBroadcaster()
    bridge = DatabaseBridge(hub, interval=3600)  # polled by hand below
    hub.bridge = bridge
    staff, outsider = hub.subscribe(scene["staff_a"].pk), hub.subscribe(scene["staff_b"].pk)
    try:
        # Written by "another process": rows only, nothing published here.
        alert = make_alert(scene)
        Recipient.objects.create(alert=alert, user=scene["staff_a"], school=scene.school_a)
        published_here = make_alert(scene)
        Recipient.objects.create(alert=published_here, user=scene["staff_a"], school=scene.school_a)
        hub.note(("alert", published_here.pk))

        assert bridge.poll() == 1
        got = staff.get(1)
        assert got is not None
        assert (got["type"], got["data"]["id"], got["data"]["title"]) == ("alert", alert.pk, "Lockdown")
        assert staff.get(0.05) is None
        assert outsider.get(0.05) is None
        assert bridge.poll() == 0  # once

        at = timezone.now()
        Recipient.objects.filter(alert=alert, user=scene["staff_a"]).update(acknowledged_at=at)
        Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.ALL_CLEAR, all_clear_at=at)
        assert bridge.poll() == 2
        kinds = {staff.get(1)["type"], staff.get(1)["type"]}  # type: ignore[index]
        assert kinds == {"all_clear", "ack"}
        assert outsider.get(0.05) is None
        assert bridge.poll() == 0
    finally:
        staff.close()
        outsider.close()
        bridge.stop()
