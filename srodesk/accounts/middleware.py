"""Session rules: the idle lock and the multi-factor requirement.

:func:`pending_mfa_step` is the one place that decides whether a signed-in session still owes a
second factor; the middleware and the API's session authentication both ask it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context
from srodesk.core.middleware import client_ip

from .services import user_has_mfa_device, user_requires_mfa

LAST_ACTIVITY_SESSION_KEY = "srodesk_last_activity"
ACTIVITY_RESOLUTION_SECONDS = 60
MFA_VERIFY = "accounts:mfa_verify"
MFA_SETUP = "accounts:mfa_setup"

_EXEMPT_URL_NAMES = ("accounts:login", "accounts:logout", MFA_VERIFY, MFA_SETUP)


def _is_exempt_asset(path: str) -> bool:
    static_url = settings.STATIC_URL or "/static/"
    return path.startswith((static_url, "/healthz"))


def _is_api(path: str) -> bool:
    return path.startswith("/api/")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def api_error(status: int, code: str, reason: str) -> JsonResponse:
    return JsonResponse({"errors": [{"field": None, "code": code, "reason": reason}]}, status=status)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _is_htmx(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method != "GET":
        return url
    return f"{url}?{urlencode({'next': request.get_full_path()})}"


def pending_mfa_step(request: HttpRequest) -> str | None:
    """The MFA step the session still owes (``"accounts:mfa_verify"`` / ``"accounts:mfa_setup"``), or None.

    - a user with a confirmed authenticator must verify it in every session;
    - a user whose roles require MFA and who has no authenticator must set one up, unless MFA is
      relaxed (``MFA_REQUIRED`` off, demo mode);
    - everyone else owes nothing.
    """
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    is_verified = getattr(user, "is_verified", None)
    if callable(is_verified) and is_verified():
        return None
    if user_has_mfa_device(user):
        return MFA_VERIFY
    if settings.MFA_REQUIRED and user_requires_mfa(user):
        return MFA_SETUP
    return None


class IdleSessionLockMiddleware:
    """Signs a session out after ``IDLE_LOCK_MINUTES`` without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_exempt_asset(request.path_info) or not hasattr(request, "session"):
            return self.get_response(request)
        user: Any = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_SESSION_KEY)
            limit = settings.IDLE_LOCK_MINUTES * 60
            if isinstance(last, int | float) and now - last > limit:
                return self._lock(request, user, idle_seconds=int(now - last))
            # Written at most once a minute, so a busy session is not saved on every request.
            # An open alert screen reconnecting its stream is not activity.
            active = request.path_info != "/alerts/stream/"
            if active and (not isinstance(last, int | float) or now - last >= ACTIVITY_RESOLUTION_SECONDS):
                request.session[LAST_ACTIVITY_SESSION_KEY] = int(now)
        return self.get_response(request)

    def _lock(self, request: HttpRequest, user: Any, *, idle_seconds: int) -> HttpResponse:
        minutes = settings.IDLE_LOCK_MINUTES
        with audit_context(actor=user, request_id=getattr(request, "request_id", ""), ip=client_ip(request)):
            AuditEvent.record_auth(
                action=AuditEvent.Action.IDLE_LOCK,
                user=user,
                detail={"idle_seconds": idle_seconds, "limit_minutes": minutes},
            )
        logout(request)
        text = f"Your session was locked after {minutes} minutes without activity. Sign in again."
        if _is_api(request.path_info):
            return api_error(401, "session_locked", text)
        login_url = reverse("accounts:login")
        response = _redirect(request, _with_next(login_url, request))
        # The message middleware runs after this one, so the message is stored here directly.
        storage = default_storage(request)
        storage.add(messages.WARNING, text)
        storage.update(response)
        return response


class MFARequiredMiddleware:
    """Holds a signed-in session at the MFA steps until :func:`pending_mfa_step` says it owes nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt_paths: frozenset[str] | None = None

    def _exempt(self, request: HttpRequest) -> bool:
        if _is_exempt_asset(request.path_info):
            return True
        if self._exempt_paths is None:
            self._exempt_paths = frozenset(reverse(name) for name in _EXEMPT_URL_NAMES)
        return request.path in self._exempt_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._exempt(request):
            return self.get_response(request)
        step = pending_mfa_step(request)
        if step is None:
            return self.get_response(request)
        if _is_api(request.path_info):
            reason = (
                "Verify this session with your authenticator first."
                if step == MFA_VERIFY
                else "Set up multi-factor sign-in first."
            )
            return api_error(403, "mfa_required", reason)
        return _redirect(request, _with_next(reverse(step), request))
