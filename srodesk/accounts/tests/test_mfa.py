"""Multi-factor sign-in: verification, recovery codes, enrolment, lockout by codes and the API session rule."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from srodesk.accounts.api import VerifiedSessionAuthentication
from srodesk.accounts.forms import INVALID_CODE, THROTTLED_CODE
from srodesk.accounts.models import User
from srodesk.accounts.services import regenerate_recovery_codes
from srodesk.audit.models import AuditEvent

from .test_auth import PASSWORD, events, lock_text, make_user, post_login, signed_in_user_id

Action = AuditEvent.Action


@pytest.fixture(autouse=True)
def _no_otp_throttle(settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift + offset)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    good = {code_for(device, offset) for offset in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in good)


def enrol(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def verified_session(client: Client, user: User, device: TOTPDevice) -> None:
    assert post_login(client, user.username, PASSWORD).status_code == 302
    response = client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    assert response.status_code == 302


# --- verification -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_password_login_with_a_device_goes_to_verify(client: Client) -> None:
    user = make_user(role="sro")
    enrol(user)
    response = post_login(client, "alice", PASSWORD, next="/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:mfa_verify')}?next=%2Faccounts%2Fme%2F"
    assert signed_in_user_id(client) == str(user.pk)
    assert events(Action.LOGIN)[0].detail["next_step"] == "mfa_verify"
    response = client.get(reverse("accounts:profile"))
    assert response["Location"] == f"{reverse('accounts:mfa_verify')}?next=%2Faccounts%2Fme%2F"


@pytest.mark.django_db
def test_valid_totp_code_verifies_the_session(client: Client) -> None:
    user = make_user(role="sro")
    device = enrol(user)
    post_login(client, "alice", PASSWORD)
    response = client.post(reverse("accounts:mfa_verify"), {"code": code_for(device), "next": "/accounts/me/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert client.get(reverse("accounts:profile")).status_code == 200
    rows = events(Action.MFA_VERIFIED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert rows[0].detail["method"] == "totp"
    assert events(Action.MFA_FAILED) == []


@pytest.mark.django_db
def test_wrong_code_is_refused_and_audited(client: Client) -> None:
    user = make_user(role="sro")
    device = enrol(user)
    post_login(client, "alice", PASSWORD)
    response = client.post(reverse("accounts:mfa_verify"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert INVALID_CODE in response.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302
    rows = events(Action.MFA_FAILED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    user.refresh_from_db()
    assert user.failed_login_count == 1


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_account_four_do_not(client: Client) -> None:
    user = make_user(role="sro")
    device = enrol(user)
    post_login(client, "alice", PASSWORD)
    bad = wrong_code(device)
    for _ in range(4):
        assert client.post(reverse("accounts:mfa_verify"), {"code": bad}).status_code == 200
    user.refresh_from_db()
    assert user.failed_login_count == 4
    assert user.locked_until is None
    assert signed_in_user_id(client) == str(user.pk)

    response = client.post(reverse("accounts:mfa_verify"), {"code": bad})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user_id(client) is None
    user.refresh_from_db()
    assert user.is_locked
    assert len(events(Action.MFA_FAILED)) == 5
    lockouts = events(Action.LOCKOUT)
    assert len(lockouts) == 1
    assert lockouts[0].detail["factor"] == "otp"
    response = post_login(client, "alice", PASSWORD)
    assert lock_text() in response.content.decode()
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_password_success_does_not_reset_the_counter_before_the_second_factor(client: Client) -> None:
    user = make_user(role="sro")
    device = enrol(user)
    for _ in range(4):
        post_login(client, "alice", "wrong password 123")
    post_login(client, "alice", PASSWORD)
    user.refresh_from_db()
    assert user.failed_login_count == 4
    client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    user.refresh_from_db()
    assert user.failed_login_count == 0


@pytest.mark.django_db
def test_recovery_code_works_once_not_twice(client: Client) -> None:
    user = make_user(role="sro")
    enrol(user)
    codes = regenerate_recovery_codes(user)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    post_login(client, "alice", PASSWORD)
    response = client.post(reverse("accounts:mfa_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    verified = events(Action.MFA_VERIFIED)
    assert len(verified) == 1
    assert verified[0].detail["method"] == "recovery_code"
    assert verified[0].detail["recovery_codes_left"] == 9

    client.post(reverse("accounts:logout"))
    post_login(client, "alice", PASSWORD)
    response = client.post(reverse("accounts:mfa_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert INVALID_CODE in response.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert len(events(Action.MFA_VERIFIED)) == 1
    failed = events(Action.MFA_FAILED)
    assert len(failed) == 1
    assert failed[0].detail["method"] == "recovery_code"
    assert StaticToken.objects.filter(device__user=user).count() == 9


@pytest.mark.django_db
def test_a_user_with_a_device_must_verify_even_when_mfa_is_relaxed(client: Client, settings: Any) -> None:
    settings.MFA_REQUIRED = False
    user = make_user(role="analyst")
    enrol(user)
    post_login(client, "alice", PASSWORD)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))


# --- enrolment ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_forced_enrolment_flow(client: Client) -> None:
    user = make_user(role="sro")
    post_login(client, "alice", PASSWORD, next="/accounts/me/")
    response = client.get(reverse("accounts:mfa_setup"), {"next": "/accounts/me/"})
    assert response.status_code == 200
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    assert "<svg" in html
    assert 'aria-label="QR code to add SRO Desk to an authenticator app"' in html
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', html)
    assert secret is not None
    assert len(secret.group(1)) == 32

    again = client.get(reverse("accounts:mfa_setup")).content.decode()
    assert f'<code id="totp-secret">{secret.group(1)}</code>' in again
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = client.post(reverse("accounts:mfa_setup"), {"code": code_for(device), "next": "/accounts/me/"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:mfa_recovery_codes')}?next=%2Faccounts%2Fme%2F"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(reverse("accounts:profile")).status_code == 200

    page = client.get(response["Location"])
    assert page.status_code == 200
    tokens = list(
        StaticToken.objects.filter(device__user=user, device__name="recovery").values_list("token", flat=True)
    )
    assert len(tokens) == 10
    for token in tokens:
        assert f"<code>{token}</code>" in page.content.decode()
    shown_again = client.get(reverse("accounts:mfa_recovery_codes"))
    assert shown_again.status_code == 302

    enabled = events(Action.MFA_ENABLED)
    assert len(enabled) == 1
    assert enabled[0].actor_id == user.pk
    recovery = events(Action.RECOVERY_CODES)
    assert len(recovery) == 1
    assert recovery[0].detail["count"] == 10


@pytest.mark.django_db
def test_enrolment_rejects_a_wrong_code(client: Client) -> None:
    user = make_user(role="sro")
    client.force_login(user)
    client.get(reverse("accounts:mfa_setup"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:mfa_setup"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert INVALID_CODE in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert events(Action.MFA_ENABLED) == []
    assert client.get(reverse("accounts:profile")).status_code == 302


@pytest.mark.django_db
def test_setup_cannot_add_a_device_before_verifying_the_existing_one(client: Client) -> None:
    user = make_user(role="sro")
    enrol(user)
    post_login(client, "alice", PASSWORD)
    response = client.get(reverse("accounts:mfa_setup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_verify")
    assert TOTPDevice.objects.filter(user=user).count() == 1


# --- managing MFA from the account page ---------------------------------------------------------------
@pytest.mark.django_db
def test_regenerating_recovery_codes_replaces_the_old_ones(client: Client) -> None:
    user = make_user(role="sro")
    device = enrol(user)
    old = regenerate_recovery_codes(user)
    verified_session(client, user, device)
    response = client.post(reverse("accounts:mfa_recovery_regenerate"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_recovery_codes")
    new = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(old)
    assert StaticDevice.objects.filter(user=user).count() == 1
    assert len(events(Action.RECOVERY_CODES)) == 2
    html = client.get(response["Location"]).content.decode()
    assert all(f"<code>{code}</code>" in html for code in new)
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_mfa_cannot_be_turned_off_when_required(client: Client) -> None:
    user = make_user(role="sro")
    device = enrol(user)
    verified_session(client, user, device)
    assert reverse("accounts:mfa_disable") not in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("accounts:mfa_disable"), {"code": code_for(device, 1)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert events(Action.MFA_DISABLED) == []


@pytest.mark.django_db
def test_optional_mfa_can_be_turned_off_with_a_current_code(client: Client) -> None:
    user = make_user(role="analyst")
    device = enrol(user)
    regenerate_recovery_codes(user)
    verified_session(client, user, device)
    assert reverse("accounts:mfa_disable") in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("accounts:mfa_disable"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=user).count() == 1
    response = client.post(reverse("accounts:mfa_disable"), {"code": code_for(device, 1)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=user).count() == 0
    assert StaticDevice.objects.filter(user=user).count() == 0
    rows = events(Action.MFA_DISABLED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert client.get(reverse("accounts:profile")).status_code == 200


# --- the API's session authentication -----------------------------------------------------------------
class WhoAmI(APIView):
    authentication_classes = (VerifiedSessionAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        return Response({"username": request.user.username})


def _session_request(user: User, *, verified: bool) -> Any:
    request = APIRequestFactory().get("/api/v1/whoami/")
    request.session = SessionStore()
    user.is_verified = lambda: verified  # type: ignore[attr-defined]
    request.user = user
    return request


@pytest.mark.django_db
def test_verified_session_authentication_refuses_an_unverified_session() -> None:
    user = make_user(role="sro")
    enrol(user)
    response = WhoAmI.as_view()(_session_request(user, verified=False))
    assert response.status_code == 403
    assert "mfa_required" in str(response.data)


@pytest.mark.django_db
def test_verified_session_authentication_accepts_a_verified_session() -> None:
    user = make_user(role="sro")
    enrol(user)
    response = WhoAmI.as_view()(_session_request(user, verified=True))
    assert response.status_code == 200
    assert response.data == {"username": "alice"}


@pytest.mark.django_db
def test_verified_session_authentication_accepts_a_user_who_owes_nothing() -> None:
    user = make_user(role="analyst")
    response = WhoAmI.as_view()(_session_request(user, verified=False))
    assert response.status_code == 200


@pytest.mark.django_db
def test_api_root_with_a_verified_session(client: Client) -> None:
    user = make_user(role="sro")
    device = enrol(user)
    verified_session(client, user, device)
    assert client.get(reverse("api:api-root")).status_code == 200


@pytest.mark.django_db
def test_a_code_sent_during_the_throttle_delay_is_not_checked_or_counted(client: Client, settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = make_user(role="sro")
    device = enrol(user)
    post_login(client, "alice", PASSWORD)
    client.post(reverse("accounts:mfa_verify"), {"code": wrong_code(device)})
    response = client.post(reverse("accounts:mfa_verify"), {"code": code_for(device)})
    assert response.status_code == 200
    assert THROTTLED_CODE in response.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302
    user.refresh_from_db()
    assert user.failed_login_count == 1
    assert len(events(Action.MFA_FAILED)) == 1
    assert events(Action.MFA_VERIFIED) == []


@pytest.mark.django_db
def test_the_login_page_sends_a_half_signed_in_session_back_to_verify(client: Client) -> None:
    user = make_user(role="sro")
    enrol(user)
    post_login(client, "alice", PASSWORD)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_verify")


@pytest.mark.django_db
def test_enrolment_explains_a_malformed_code(client: Client) -> None:
    user = make_user(role="sro")
    client.force_login(user)
    response = client.post(reverse("accounts:mfa_setup"), {"code": "12ab56"})
    assert response.status_code == 200
    assert "Enter the 6 digits shown in your authenticator app." in response.content.decode()
    assert events(Action.MFA_FAILED) == []
