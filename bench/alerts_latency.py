"""Trigger-to-screen latency of live alerts: 1,000 screens on ``/alerts/stream/``, one lockdown, how long until
each screen has it.

    .venv/bin/python bench/alerts_latency.py                        # both set-ups, 1,000 screens, 3 alerts each
    .venv/bin/python bench/alerts_latency.py --clients 200 --alerts 1 --only one

Two set-ups, each with ``srodesk serve`` (gunicorn, gthread) exactly as deployed, one worker process per
server and enough threads for its screens:

- ``one``: one server, the in-process broadcaster; every screen on it.
- ``redis``: two servers with ``REDIS_URL``; half the screens on each; the alerts are started alternately on
  one and the other, so half the screens get each alert from the other process.

The harness builds a fresh database (a temporary SQLite file unless ``--database-url`` names an empty
PostgreSQL database): one district, one school and ``--clients`` staff members with a signed-in session
each. Every screen is an aiohttp connection to ``/alerts/stream/``. For each alert the harness arms a
lockdown for the school (its cancel window already over), takes the time, and asks the server to activate
it (``services.activate`` in the server process: recipients and deliveries written, live event published).
A screen's latency is the time from just before that request until its connection has read the event; so it
counts the whole path: the request, the database writes for every recipient, the publish (through Redis for
the second set-up), the fan-out and the socket. It prints p50/p95/p99 and the slowest, per set-up, the
number of screens that did not get an alert within 10 s, and how long until every live delivery was on
record as delivered. Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET_KEY = "alerts-bench-" + uuid.uuid4().hex
REDIS_URL = "redis://127.0.0.1:6379/0"


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "srodesk.config.settings"
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def build(clients: int) -> tuple[int, int, list[str]]:
    """Migrate, then a district, a school and ``clients`` staff with a session each: (district, school, cookies)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from srodesk.accounts.models import Role, RoleAssignment, User
    from srodesk.organizations.models import District, School

    call_command("migrate", verbosity=0, interactive=False)
    district = District.objects.create(name="Bench District", slug=f"bench-{uuid.uuid4().hex[:8]}", state="MI")
    school = School.objects.create(district=district, name="Bench High School")
    staff = Role.objects.get(slug="staff")
    users = User.objects.bulk_create(
        [
            User(username=f"bench-staff-{n:04d}", password="!", first_name="Staff", last_name=f"{n}")
            for n in range(clients)
        ]
    )
    users = list(User.objects.filter(username__startswith="bench-staff-").order_by("pk"))
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=staff, school=school) for u in users])
    store = SessionStore()
    expires = timezone.now() + dt.timedelta(hours=6)
    sessions = []
    for user in users:
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "srodesk.core.permissions.ScopedPermissionBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
    Session.objects.bulk_create(sessions)
    return district.pk, school.pk, [s.session_key for s in sessions]


def arm(district_id: int, school_id: int) -> int:
    """A lockdown for the school whose cancel window is over: the server activates it on request."""
    from django.utils import timezone

    from srodesk.alerts.choices import AlertStatus, SrpAction
    from srodesk.alerts.models import Alert

    now = timezone.now()
    alert = Alert.objects.create(
        district_id=district_id,
        action=SrpAction.LOCKDOWN,
        status=AlertStatus.ARMED,
        armed_at=now - dt.timedelta(seconds=10),
        deliver_at=now - dt.timedelta(seconds=1),
    )
    alert.schools.set([school_id])
    return alert.pk


def delivered(alert_id: int) -> int:
    from django.db import connections

    from srodesk.alerts.models import Delivery

    try:
        return Delivery.objects.filter(recipient__alert_id=alert_id, channel="live", status="delivered").count()
    finally:
        connections.close_all()


class Screen:
    def __init__(self, url: str, cookie: str) -> None:
        self.url = url
        self.cookie = cookie
        self.connected = asyncio.Event()
        self.received: dict[int, float] = {}
        self.waiters: dict[int, asyncio.Event] = {}
        self.error: str = ""

    def waiter(self, alert_id: int) -> asyncio.Event:
        return self.waiters.setdefault(alert_id, asyncio.Event())

    async def run(self, session: Any) -> None:
        headers = {"Cookie": f"sessionid={self.cookie}", "Accept": "text/event-stream"}
        try:
            async with session.get(f"{self.url}/alerts/stream/", headers=headers) as response:
                if response.status != 200:
                    self.error = f"HTTP {response.status}"
                    self.connected.set()
                    return
                kind = ""
                async for raw in response.content:
                    line = raw.decode().rstrip("\r\n")
                    if line == ": connected":
                        self.connected.set()
                    elif line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:") and kind == "alert":
                        now = time.monotonic()
                        alert_id = int(json.loads(line[5:])["id"])
                        self.received.setdefault(alert_id, now)
                        self.waiter(alert_id).set()
                    elif not line:
                        kind = ""
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            self.connected.set()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


async def scenario(
    name: str, servers: list[Any], cookies: list[str], ids: tuple[int, int], alerts: int
) -> dict[str, Any]:
    import aiohttp

    screens = [Screen(servers[n % len(servers)].url, cookie) for n, cookie in enumerate(cookies)]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = []
        started = time.monotonic()
        for batch in range(0, len(screens), 50):
            for screen in screens[batch : batch + 50]:
                tasks.append(asyncio.create_task(screen.run(session)))
            await asyncio.gather(*(s.connected.wait() for s in screens[batch : batch + 50]))
        connect_seconds = time.monotonic() - started
        failed = [s.error for s in screens if s.error]
        if failed:
            raise SystemExit(f"{name}: {len(failed)} screens did not connect: {failed[:3]}")
        await asyncio.sleep(1.0)
        latencies: list[float] = []
        missed = 0
        recorded: list[float] = []
        for n in range(alerts):
            alert_id = await asyncio.to_thread(arm, *ids)
            server = servers[n % len(servers)]
            t0 = time.monotonic()
            await asyncio.to_thread(server.trigger, alert_id)
            waits = [asyncio.wait_for(s.waiter(alert_id).wait(), timeout=10) for s in screens]
            results = await asyncio.gather(*waits, return_exceptions=True)
            missed += sum(1 for r in results if isinstance(r, Exception))
            latencies += [s.received[alert_id] - t0 for s in screens if alert_id in s.received]
            while await asyncio.to_thread(delivered, alert_id) < len(screens) and time.monotonic() - t0 < 30:
                await asyncio.sleep(0.05)
            recorded.append(time.monotonic() - t0)
            await asyncio.sleep(0.5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    ms = [x * 1000 for x in latencies]
    return {
        "setup": name,
        "screens": len(screens),
        "processes": len(servers),
        "alerts": alerts,
        "samples": len(ms),
        "missed": missed,
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "all_recorded_delivered_s": round(max(recorded), 2) if recorded else None,
        "connect_s": round(connect_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=3, help="alerts per set-up")
    parser.add_argument("--database-url", default="", help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument("--only", choices=["one", "redis"], default=None)
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory(prefix="srodesk-alerts-bench-")
    database_url = args.database_url or f"sqlite:///{workdir.name}/bench.sqlite3"
    setup_django(database_url)
    from srodesk.alerts.delivery.testing import AppServer

    print(f"Building {args.clients} staff members with sessions in {database_url} …", flush=True)
    district_id, school_id, cookies = build(args.clients)
    results = []
    setups = [("one", 1), ("redis", 2)] if args.only is None else [(args.only, 1 if args.only == "one" else 2)]
    for name, count in setups:
        threads = args.clients // count + 64
        env = {
            "ALERT_REDIS_CHANNEL": f"srodesk:bench:{uuid.uuid4().hex}",
            # gthread accepts at most --worker-connections (1000 by default): every open screen is one.
            "GUNICORN_CMD_ARGS": f"--worker-connections {threads + 256}",
        }
        servers = [
            AppServer(
                database_url=database_url,
                secret_key=SECRET_KEY,
                redis_url=args.redis_url if name == "redis" else "",
                threads=threads,
                extra_env=env,
            )
            for _ in range(count)
        ]
        try:
            for server in servers:
                server.wait_ready(timeout=60)
            print(
                f"{name}: {count} process(es), {threads} threads each; connecting {args.clients} screens …", flush=True
            )
            result = asyncio.run(scenario(name, servers, cookies, (district_id, school_id), args.alerts))
        finally:
            for server in servers:
                server.stop()
        results.append(result)
        print(json.dumps(result), flush=True)

    print()
    print("| Set-up | Processes | Screens | Alerts | p50 | p95 | p99 | Slowest | Missed | All on record as delivered |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['setup']} | {r['processes']} | {r['screens']} | {r['alerts']} | {r['p50_ms']} ms | {r['p95_ms']} ms "
            f"| {r['p99_ms']} ms | {r['max_ms']} ms | {r['missed']} | {r['all_recorded_delivered_s']} s |"
        )
    workdir.cleanup()


if __name__ == "__main__":
    main()
