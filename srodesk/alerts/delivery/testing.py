"""Tools for the tests and the benchmark of live delivery: a server-sent-events client, sessions for it, and
app servers (gunicorn, through ``srodesk serve``) in their own processes.

The app servers load :data:`urlpatterns` below instead of the project's URL map: the project's, plus the
stream when the alerts app does not route it yet, plus ``POST /_alerts-test/activate/<pk>/`` which activates
an armed alert *in that process* (so that a test can start an alert on one server and watch it reach the
screens of another). That route answers only with the token the harness put in the server's environment
(``ALERTS_TEST_TRIGGER_TOKEN``); it exists only in servers started by :class:`AppServer`.
"""

from __future__ import annotations

import contextlib
import hmac
import http.client
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

TRIGGER_ENV = "ALERTS_TEST_TRIGGER_TOKEN"


# --- a session for a user -----------------------------------------------------------------------


def session_cookie(user: Any) -> str:
    """A signed-in session for ``user`` (in the database every server shares): the ``sessionid`` value."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return str(client.cookies[settings.SESSION_COOKIE_NAME].value)


# --- a server-sent-events client ------------------------------------------------------------------


@dataclass
class SseEvent:
    kind: str
    data: dict[str, Any]
    received: float


@dataclass
class SseClient:
    """Reads ``/alerts/stream/`` in a thread; events land in :attr:`events` as they arrive."""

    base_url: str
    session: str
    name: str = ""
    path: str = "/alerts/stream/"
    events: list[SseEvent] = field(default_factory=list)
    status: int | None = None
    content_type: str = ""

    def __post_init__(self) -> None:
        self._queue: queue.SimpleQueue[SseEvent] = queue.SimpleQueue()
        self._connected = threading.Event()
        self._done = threading.Event()
        self._sock: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name=f"sse-{self.name}", daemon=True)
        self.comments: list[str] = []
        self.error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> SseClient:
        self._thread.start()
        if not self._connected.wait(timeout):
            raise AssertionError(f"{self.name}: the stream did not open ({self.status}, {self.error})")
        if self.status != 200:
            raise AssertionError(f"{self.name}: the stream answered {self.status}")
        return self

    def _run(self) -> None:
        host_port = self.base_url.split("://", 1)[1].rstrip("/")
        host, _, port = host_port.partition(":")
        try:
            conn = http.client.HTTPConnection(host, int(port or 80), timeout=60)
            conn.connect()
            self._sock = conn.sock
            conn.request(
                "GET",
                self.path,
                headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.session}", "Accept": "text/event-stream"},
            )
            response = conn.getresponse()
            self.status = response.status
            self.content_type = response.getheader("Content-Type", "")
            if response.status != 200:
                self._connected.set()
                return
            kind, data = "message", []
            while True:
                raw = response.fp.readline()
                if not raw:
                    break
                line = raw.decode("utf-8").rstrip("\r\n")
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    if line[1:].strip() == "connected":
                        self._connected.set()
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
                elif line == "" and data:
                    event = SseEvent(kind, json.loads("\n".join(data)), time.monotonic())
                    self.events.append(event)
                    self._queue.put(event)
                    kind, data = "message", []
                elif line == "":
                    kind = "message"
        except (OSError, ValueError) as exc:
            if not self._done.is_set():
                self.error = exc
        finally:
            self._connected.set()

    def wait_for(self, kind: str, timeout: float = 10.0, **match: Any) -> SseEvent:
        """The next event of ``kind`` whose data has the ``match`` values; fails the test after ``timeout``."""
        for event in self.events:
            if event.kind == kind and all(event.data.get(k) == v for k, v in match.items()):
                return event
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.name}: no {kind} event {match} within {timeout} s: {self.events}")
            try:
                event = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            if event.kind == kind and all(event.data.get(k) == v for k, v in match.items()):
                return event

    def of_kind(self, kind: str) -> list[SseEvent]:
        return [e for e in self.events if e.kind == kind]

    def close(self) -> None:
        self._done.set()
        sock = self._sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._thread.join(timeout=5)


# --- app servers in their own processes -----------------------------------------------------------


@csrf_exempt
@require_POST
def trigger(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate armed alert ``pk`` in this process (test servers only, with the harness's token)."""
    expected = os.environ.get(TRIGGER_ENV, "")
    given = request.headers.get("X-Trigger-Token", "")
    if not expected or not hmac.compare_digest(expected, given):
        return HttpResponse(status=404)
    from srodesk.alerts import services
    from srodesk.alerts.models import Alert

    alert = Alert.objects.get(pk=pk)
    started = time.time()
    activated = services.activate(alert, now=max(timezone.now(), alert.deliver_at or timezone.now()))
    return JsonResponse({"activated": activated, "pid": os.getpid(), "seconds": time.time() - started})


def _urlpatterns() -> list[URLPattern | URLResolver]:
    from srodesk.config import urls as project

    patterns: list[URLPattern | URLResolver] = [path("_alerts-test/activate/<int:pk>/", trigger)]
    routed = any(getattr(p, "namespace", None) == "alerts" for p in project.urlpatterns)
    if not routed:
        patterns.append(path("alerts/", include("srodesk.alerts.delivery_urls")))
    return [*patterns, *project.urlpatterns]


def __getattr__(name: str) -> Any:
    # The URL map is built when a server asks for it, not when the tests import this module.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def stream_routed() -> bool:
    """Whether the project's own URL map has the stream (else tests use :data:`urlpatterns`)."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("alerts:alert_stream")
    except NoReverseMatch:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SETTINGS_MODULE = """
import os
from srodesk.config.settings import *  # noqa
ROOT_URLCONF = "srodesk.alerts.delivery.testing"
MFA_REQUIRED = False
ALERT_REDIS_CHANNEL = os.environ.get("ALERT_REDIS_CHANNEL", "srodesk:alerts")
ALERT_STREAM_HEARTBEAT_SECONDS = float(os.environ.get("ALERT_STREAM_HEARTBEAT_SECONDS", "15"))
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
"""


class AppServer:
    """``srodesk serve`` (gunicorn, gthread) in a process of its own, on a free port."""

    def __init__(
        self,
        *,
        database_url: str,
        secret_key: str,
        redis_url: str = "",
        threads: int = 32,
        extra_env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = os.urandom(16).hex()
        self._dir = tempfile.TemporaryDirectory(prefix="srodesk-alerts-server-")
        Path(self._dir.name, "alerts_test_settings.py").write_text(SETTINGS_MODULE)
        repo = Path(__file__).resolve().parents[3]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))},
            "PYTHONPATH": os.pathsep.join([self._dir.name, str(repo)]),
            "DJANGO_SETTINGS_MODULE": "alerts_test_settings",
            "SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "SECURE_COOKIES": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATIC_ROOT": self._dir.name,
            TRIGGER_ENV: self.token,
            **(extra_env or {}),
        }
        self._log = open(log or Path(self._dir.name, "server.log"), "wb")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "srodesk",
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                str(threads),
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server stopped: {self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not start within {timeout} s: {self.log_text()}")

    def trigger(self, alert_id: int) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - loopback test server
            f"{self.url}/_alerts-test/activate/{alert_id}/", method="POST", headers={"X-Trigger-Token": self.token}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            result: dict[str, Any] = json.loads(response.read())
            return result

    def log_text(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn: quick shutdown (open streams end at once)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()
        self._dir.cleanup()
