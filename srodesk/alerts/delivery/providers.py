"""The channels beyond the screen: email over SMTP, SMS and webhooks over HTTP.

A provider takes a batch of :class:`Outgoing` messages (one alert, one channel) and answers, for each, ``None``
when the message was accepted or the reason it failed. It never raises for a delivery problem: the caller
records every answer as an attempt.

Settings (read when sending, with these defaults):

- ``ALERT_FROM_EMAIL`` (``DEFAULT_FROM_EMAIL``) and Django's ``EMAIL_*`` settings for email;
- ``ALERT_SMS_URL`` (empty: no SMS) and ``ALERT_SMS_TOKEN`` (sent as ``Authorization: Bearer``): each
  message is POSTed as JSON ``{"to", "message", "reference"}``;
- ``ALERT_WEBHOOK_URLS`` (empty: no webhooks): one POST per URL per alert, JSON with the alert and its
  recipients, header ``Idempotency-Key`` (a retry repeats it, so a receiver can drop duplicates);
- ``ALERT_HTTP_TIMEOUT`` (5 seconds) for both;
- ``ALERT_SITE_URL`` (empty): the address of SRO Desk, to link the alert from a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from ..choices import Channel
from ..models import Alert

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One delivery to send: its id, address and the person it is for."""

    delivery_id: int
    address: str
    user_id: int
    name: str
    school: str


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def webhook_urls() -> list[str]:
    value = setting("ALERT_WEBHOOK_URLS", [])
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    return [str(url) for url in value if url]


def alert_url(alert: Alert) -> str:
    base = str(setting("ALERT_SITE_URL", "") or "").rstrip("/")
    if not base:
        return ""
    try:
        return base + alert.get_absolute_url()
    except Exception:  # the alert pages are not routed in this installation
        return ""


def subject(alert: Alert) -> str:
    """``LOCKDOWN – Riverside High School``, with ``DRILL – `` in front of a drill."""
    schools = ", ".join(s.name for s in alert.schools.all().order_by("name", "pk"))
    prefix = "DRILL – " if alert.is_drill else ""
    return f"{prefix}{alert.title.upper()} – {schools}"


def text(alert: Alert) -> str:
    """The plain text of an alert, for an email body."""
    lines = []
    if alert.is_drill:
        lines += ["THIS IS A DRILL.", ""]
    lines.append(f"{alert.title.upper()}: {alert.directive}")
    if alert.message and alert.message != alert.directive:
        lines += ["", alert.message]
    lines += ["", "Schools: " + ", ".join(s.name for s in alert.schools.all().order_by("name", "pk"))]
    if alert.activated_at:
        lines.append(f"Started: {timezone.localtime(alert.activated_at):%Y-%m-%d %H:%M:%S %Z}")
    url = alert_url(alert)
    if url:
        lines += ["", f"Acknowledge and report: {url}"]
    return "\n".join(lines) + "\n"


def short_text(alert: Alert) -> str:
    """One line, for SMS."""
    prefix = "DRILL: " if alert.is_drill else ""
    schools = ", ".join(s.name for s in alert.schools.all().order_by("name", "pk"))
    return f"{prefix}{alert.title.upper()} at {schools}. {alert.directive}"[:320]


class Provider:
    channel: ClassVar[str]

    def enabled(self) -> bool:
        return True

    def address_for(self, user: Any) -> str:
        """The address of ``user`` on this channel ("" when they have none)."""
        raise NotImplementedError

    def send(self, alert: Alert, messages: Sequence[Outgoing]) -> list[str | None]:
        raise NotImplementedError


class EmailProvider(Provider):
    """Django's mail backend (SMTP in production), one message per recipient over one connection."""

    channel = Channel.EMAIL

    def address_for(self, user: Any) -> str:
        return str(user.email or "")

    def send(self, alert: Alert, messages: Sequence[Outgoing]) -> list[str | None]:
        if not messages:
            return []
        from_email = setting("ALERT_FROM_EMAIL", None) or settings.DEFAULT_FROM_EMAIL
        subject_line, body = subject(alert), text(alert)
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
        except Exception as exc:
            reason = describe(exc)
            return [reason for _ in messages]
        results: list[str | None] = []
        try:
            for message in messages:
                email = EmailMessage(subject_line, body, from_email, [message.address], connection=connection)
                try:
                    sent = email.send(fail_silently=False)
                except Exception as exc:
                    results.append(describe(exc))
                else:
                    results.append(None if sent else "The mail server accepted no recipient.")
        finally:
            with contextlib.suppress(Exception):  # the connection is gone already
                connection.close()
        return results


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000] or type(exc).__name__


def post_json(url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> str | None:
    """POST ``payload``; ``None`` on a 2xx answer, else why not."""
    if not url.startswith(("http://", "https://")):
        return f"Not an http(s) URL: {url}"
    body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    timeout = float(setting("ALERT_HTTP_TIMEOUT", 5))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code} from {url}"
    except Exception as exc:
        return f"{describe(exc)} ({url})"
    return None if 200 <= status < 300 else f"HTTP {status} from {url}"


class SmsProvider(Provider):
    """An SMS gateway over HTTP: one JSON POST per message to ``ALERT_SMS_URL``."""

    channel = Channel.SMS

    def enabled(self) -> bool:
        return bool(setting("ALERT_SMS_URL", ""))

    def address_for(self, user: Any) -> str:
        return str(getattr(user, "phone", "") or "").strip()

    def send(self, alert: Alert, messages: Sequence[Outgoing]) -> list[str | None]:
        url = str(setting("ALERT_SMS_URL", ""))
        token = str(setting("ALERT_SMS_TOKEN", "") or "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = short_text(alert)
        return [
            post_json(url, {"to": m.address, "message": body, "reference": f"delivery-{m.delivery_id}"}, headers)
            for m in messages
        ]


class WebhookProvider(Provider):
    """One POST per configured URL per alert, naming every recipient it covers."""

    channel = Channel.WEBHOOK

    def enabled(self) -> bool:
        return bool(webhook_urls())

    def address_for(self, user: Any) -> str:
        return ", ".join(webhook_urls())[:255]

    def send(self, alert: Alert, messages: Sequence[Outgoing]) -> list[str | None]:
        if not messages:
            return []
        payload = {
            "alert": alert_payload(alert),
            "recipients": [
                {"delivery": m.delivery_id, "user": m.user_id, "name": m.name, "school": m.school} for m in messages
            ],
        }
        batch = ",".join(str(m.delivery_id) for m in sorted(messages, key=lambda m: m.delivery_id))
        headers = {"Idempotency-Key": f"alert-{alert.pk}-{hashlib.sha256(batch.encode()).hexdigest()[:24]}"}
        errors = [error for url in webhook_urls() if (error := post_json(url, payload, headers))]
        reason = "; ".join(errors) if errors else None
        return [reason for _ in messages]


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The alert as data, for webhooks."""
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "action": alert.action,
        "title": alert.title,
        "directive": alert.directive,
        "message": alert.message,
        "drill": alert.is_drill,
        "status": alert.status,
        "district": alert.district_id,
        "schools": [{"id": s.pk, "name": s.name} for s in alert.schools.all().order_by("name", "pk")],
        "activated_at": alert.activated_at.isoformat() if alert.activated_at else None,
        "url": alert_url(alert),
    }


PROVIDERS: dict[str, Provider] = {
    Channel.EMAIL: EmailProvider(),
    Channel.SMS: SmsProvider(),
    Channel.WEBHOOK: WebhookProvider(),
}


def provider(channel: str) -> Provider:
    return PROVIDERS[channel]
