"""Authentication rules: sign-in lockout, multi-factor enrolment and verification, recovery codes, API tokens.

Every event is written to the audit log through ``AuditEvent.record_auth``. Password and one-time-code
failures share one counter per account (``User.failed_login_count``): at ``LOGIN_FAILURE_LIMIT``
consecutive failures the account is locked for ``LOGIN_LOCKOUT_MINUTES``.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from srodesk.audit.models import AuditEvent

from .models import ApiToken, User

Action = AuditEvent.Action

RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_CODE_COUNT = 10

_REQUIRES_MFA_ATTR = "_srodesk_requires_mfa"
_HAS_DEVICE_ATTR = "_srodesk_has_mfa_device"
_TOTP_CODE = re.compile(r"^\d{6}$")


# --- per-request caches of the MFA facts of a user --------------------------------------------------
def user_requires_mfa(user: Any) -> bool:
    """``user.requires_mfa`` (a query), computed once per user object, i.e. once per request."""
    cached: bool | None = getattr(user, _REQUIRES_MFA_ATTR, None)
    if cached is None:
        cached = bool(user.requires_mfa)
        setattr(user, _REQUIRES_MFA_ATTR, cached)
    return cached


def user_has_mfa_device(user: Any) -> bool:
    """Whether the user has a confirmed authenticator (TOTP) device, computed once per user object."""
    cached: bool | None = getattr(user, _HAS_DEVICE_ATTR, None)
    if cached is None:
        cached = bool(user.has_mfa_device())
        setattr(user, _HAS_DEVICE_ATTR, cached)
    return cached


def forget_mfa_facts(user: Any) -> None:
    for attr in (_REQUIRES_MFA_ATTR, _HAS_DEVICE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def mfa_optional(user: Any) -> bool:
    """Whether the user may go without MFA (and so may turn it off)."""
    return not (settings.MFA_REQUIRED and user_requires_mfa(user))


# --- lockout ------------------------------------------------------------------------------------------
def lockout_delta() -> timedelta:
    return timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def register_failure(user: User, *, action: str, detail: dict[str, Any]) -> bool:
    """Count one failed factor for ``user``, audit it, and lock the account at the limit.

    Returns whether this failure locked the account. Safe under concurrency: the counter is
    incremented with ``F()`` while the row is held with ``select_for_update``.
    """
    limit = settings.LOGIN_FAILURE_LIMIT
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        row = User.objects.select_for_update().get(pk=user.pk)
        AuditEvent.record_auth(action=action, user=row, detail={**detail, "failures": row.failed_login_count})
        if row.failed_login_count < limit or row.is_locked:
            return False
        row.locked_until = timezone.now() + lockout_delta()
        row.save(update_fields=["locked_until"])
        AuditEvent.record_auth(
            action=Action.LOCKOUT,
            user=row,
            detail={
                "failures": row.failed_login_count,
                "minutes": settings.LOGIN_LOCKOUT_MINUTES,
                "until": row.locked_until.isoformat(),
                "factor": detail.get("factor", ""),
            },
        )
    user.failed_login_count = row.failed_login_count
    user.locked_until = row.locked_until
    return True


def reset_failures(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    user.failed_login_count = 0
    user.locked_until = None


def _unknown_key(username: str) -> str:
    digest = hashlib.sha256(username.casefold().encode("utf-8")).hexdigest()
    return f"srodesk:login-unknown:{digest}"


def _count_unknown_failure(username: str) -> bool:
    """Failures for a username that does not exist lock the same way, so the answers do not tell them apart."""
    key = _unknown_key(username)
    cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_MINUTES * 60)
        count = 1
    return int(count) >= settings.LOGIN_FAILURE_LIMIT


class LoginOutcome(enum.Enum):
    SIGNED_IN = "signed_in"
    INVALID = "invalid"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def attempt_login(request: HttpRequest, username: str, password: str) -> LoginResult:
    """Check a username and password, apply the lockout rules and sign the user in on success."""
    authenticated = authenticate(request, username=username, password=password)
    candidate = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    if candidate is None:
        locked = _count_unknown_failure(username)
        AuditEvent.record_auth(
            action=Action.LOGIN_FAILED, username=username, detail={"reason": "unknown_user", "factor": "password"}
        )
        return LoginResult(LoginOutcome.LOCKED if locked else LoginOutcome.INVALID)

    with transaction.atomic():
        row = User.objects.select_for_update().get(pk=candidate.pk)
        if row.is_locked:
            AuditEvent.record_auth(
                action=Action.LOGIN_FAILED, user=row, detail={"reason": "locked", "factor": "password"}
            )
            return LoginResult(LoginOutcome.LOCKED, row)
        if row.locked_until is not None:
            reset_failures(row)
        if authenticated is None or authenticated.pk != row.pk:
            reason = "bad_password" if row.is_active else "inactive"
            locked = register_failure(row, action=Action.LOGIN_FAILED, detail={"reason": reason, "factor": "password"})
            return LoginResult(LoginOutcome.LOCKED if locked else LoginOutcome.INVALID, row)

    user = authenticated
    has_device = user_has_mfa_device(user)
    if not has_device:
        reset_failures(user)
    login(request, user)
    if has_device:
        next_step = "mfa_verify"
    elif settings.MFA_REQUIRED and user_requires_mfa(user):
        next_step = "mfa_setup"
    else:
        next_step = ""
    AuditEvent.record_auth(action=Action.LOGIN, user=user, detail={"factor": "password", "next_step": next_step})
    return LoginResult(LoginOutcome.SIGNED_IN, user)


def sign_out(request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        AuditEvent.record_auth(action=Action.LOGOUT, user=user)
    logout(request)


# --- second factor ------------------------------------------------------------------------------------
def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]+", "", code).lower()


class VerifyOutcome(enum.Enum):
    VERIFIED = "verified"
    INVALID = "invalid"
    THROTTLED = "throttled"
    LOCKED = "locked"


@dataclass(frozen=True)
class VerifyResult:
    outcome: VerifyOutcome
    method: str = ""
    recovery_codes_left: int | None = None


def _mark_verified(request: HttpRequest, device: Device) -> None:
    django_otp.login(request, device)
    request.session.cycle_key()


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count())


def verify_second_factor(request: HttpRequest, user: User, code: str) -> VerifyResult:
    """Check a 6-digit authenticator code or a recovery code for a signed-in but not yet verified session."""
    token = normalise_code(code)
    is_totp = bool(_TOTP_CODE.match(token))
    method = "totp" if is_totp else "recovery_code"
    if User.objects.filter(pk=user.pk, locked_until__gt=timezone.now()).exists():
        AuditEvent.record_auth(action=Action.MFA_FAILED, user=user, detail={"method": method, "reason": "locked"})
        logout(request)
        return VerifyResult(VerifyOutcome.LOCKED, method)
    model: type[Device] = TOTPDevice if is_totp else StaticDevice
    devices: list[Device] = list(model.objects.devices_for_user(user, confirmed=True))
    if not token or len(token) > 16:
        devices = []
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        return VerifyResult(VerifyOutcome.THROTTLED, method)
    for device in devices:
        verified = django_otp.verify_token(user, device.persistent_id, token)
        if verified is not None:
            reset_failures(user)
            _mark_verified(request, verified)
            left = recovery_codes_left(user) if not is_totp else None
            detail: dict[str, Any] = {"method": method, "device": verified.name}
            if left is not None:
                detail["recovery_codes_left"] = left
            AuditEvent.record_auth(action=Action.MFA_VERIFIED, user=user, detail=detail)
            return VerifyResult(VerifyOutcome.VERIFIED, method, left)
    locked = register_failure(user, action=Action.MFA_FAILED, detail={"method": method, "factor": "otp"})
    if locked:
        logout(request)
        return VerifyResult(VerifyOutcome.LOCKED, method)
    return VerifyResult(VerifyOutcome.INVALID, method)


# --- enrolment ----------------------------------------------------------------------------------------
def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (the same one on every reload until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret people type into an authenticator app when they cannot scan the code."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def qr_svg(data: str, *, label: str) -> str:
    """An inline SVG QR code (no raster library needed)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    element = image._img
    element.set("role", "img")
    element.set("aria-label", label)
    element.set("class", "qr-code")
    element.set("width", "240")
    element.set("height", "240")
    element.set("style", "background:#fff;max-width:100%;height:auto")
    return str(image.to_string(encoding="unicode"))


def confirm_totp_device(
    request: HttpRequest, user: User, device: TOTPDevice, code: str
) -> tuple[VerifyOutcome, list[str]]:
    """Confirm a new authenticator with one of its codes; returns the new recovery codes on success."""
    if device.user_id != user.pk or device.confirmed:
        return VerifyOutcome.INVALID, []
    if not device.verify_is_allowed()[0]:
        return VerifyOutcome.THROTTLED, []
    token = normalise_code(code)
    if not _TOTP_CODE.match(token) or django_otp.verify_token(user, device.persistent_id, token) is None:
        AuditEvent.record_auth(action=Action.MFA_FAILED, user=user, detail={"method": "totp", "step": "setup"})
        return VerifyOutcome.INVALID, []
    with transaction.atomic():
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        AuditEvent.record_auth(action=Action.MFA_ENABLED, user=user, detail={"device": device.name})
        codes = regenerate_recovery_codes(user)
    reset_failures(user)
    forget_mfa_facts(user)
    _mark_verified(request, device)
    return VerifyOutcome.VERIFIED, codes


def regenerate_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones (returned once, to be shown once)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes: list[str] = []
        while len(codes) < RECOVERY_CODE_COUNT:
            candidate = StaticToken.random_token()
            if candidate not in codes:
                codes.append(candidate)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        device.throttle_reset(commit=False)
        device.confirmed = True
        device.save()
        AuditEvent.record_auth(action=Action.RECOVERY_CODES, user=user, detail={"count": len(codes)})
    return codes


def disable_mfa(user: User) -> None:
    with transaction.atomic():
        devices = TOTPDevice.objects.filter(user=user).count()
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        AuditEvent.record_auth(action=Action.MFA_DISABLED, user=user, detail={"devices_removed": devices})
    forget_mfa_facts(user)


def check_current_code(user: User, code: str) -> bool:
    """Whether ``code`` is a valid current authenticator code of the user (for confirming sensitive changes)."""
    token = normalise_code(code)
    if not _TOTP_CODE.match(token):
        return False
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if django_otp.verify_token(user, device.persistent_id, token) is not None:
            return True
    return False


# --- API tokens ---------------------------------------------------------------------------------------
def issue_token(user: User, *, name: str = "", via: str = "command") -> tuple[ApiToken, str]:
    """Create a token for ``user``; the key is returned once and never stored or logged."""
    with transaction.atomic():
        token, key = ApiToken.issue(user, name=name)
        AuditEvent.record_auth(
            action=Action.TOKEN_CREATED, user=user, detail={"prefix": token.prefix, "name": name, "via": via}
        )
    return token, key


def revoke_token(token: ApiToken, *, actor: Any, via: str) -> bool:
    """Revoke a token; returns False when it already was."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not updated:
            return False
        token.refresh_from_db(fields=["revoked_at"])
        AuditEvent.record_auth(
            action=Action.TOKEN_REVOKED,
            user=actor,
            detail={"prefix": token.prefix, "name": token.name, "token_user": token.user.username, "via": via},
        )
    return True
