"""Sign-in, lockout, sign-out, idle lock, forced MFA enrolment, password change and the account page."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from srodesk.accounts.forms import ACCOUNT_LOCKED, INVALID_CREDENTIALS
from srodesk.accounts.middleware import LAST_ACTIVITY_SESSION_KEY
from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.accounts.services import register_failure
from srodesk.audit.models import AuditEvent
from srodesk.organizations.models import District, School

PASSWORD = "correct horse battery staple 42"
Action = AuditEvent.Action


def make_district(slug: str = "riverside") -> District:
    district: District = District.objects.create(name=f"{slug.title()} Public Schools", slug=slug, state="MI")
    return district


def make_user(username: str = "alice", *, role: str | None = None, **extra: Any) -> User:
    """A user with an optional role: platform-wide for ``platform_admin``, district-wide for ``analyst``,
    at a school for the others."""
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name="Alice", last_name="Adams", **extra
    )
    if role == "platform_admin":
        RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=role))
    elif role is not None:
        district = make_district(f"{username}-district")
        role_obj = Role.objects.get(slug=role)
        if role == "analyst":
            RoleAssignment.objects.create(user=user, role=role_obj, district=district)
        else:
            school = School.objects.create(district=district, name=f"{username.title()} High School")
            RoleAssignment.objects.create(user=user, role=role_obj, school=school)
    return user


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def post_login(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def lock_text() -> str:
    return ACCOUNT_LOCKED.format(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


# --- sign-in page -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_login_page_shows_the_banner(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="banner-login"' in html
    assert settings.LOGIN_BANNER in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.django_db
def test_login_success_goes_to_safe_next_and_is_audited_once(client: Client) -> None:
    user = make_user(role="analyst")
    response = post_login(client, "alice", PASSWORD, next="/accounts/me/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/me/"
    assert signed_in_user_id(client) == str(user.pk)
    rows = events(Action.LOGIN)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert rows[0].actor_repr == "alice"
    assert rows[0].kind == AuditEvent.Kind.AUTH
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.AUTH).count() == 1


@pytest.mark.django_db
def test_login_ignores_an_offsite_next(client: Client) -> None:
    make_user(role="analyst")
    response = post_login(client, "alice", PASSWORD, next="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")


@pytest.mark.django_db
def test_wrong_password_gives_generic_message_keeps_username_and_counts(client: Client) -> None:
    user = make_user()
    response = post_login(client, "alice", "wrong password 123")
    assert response.status_code == 200
    html = response.content.decode()
    assert INVALID_CREDENTIALS in html
    assert 'value="alice"' in html
    assert signed_in_user_id(client) is None
    user.refresh_from_db()
    assert user.failed_login_count == 1
    assert user.locked_until is None
    rows = events(Action.LOGIN_FAILED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert rows[0].actor_repr == "alice"
    assert rows[0].detail["reason"] == "bad_password"


@pytest.mark.django_db
def test_unknown_username_gets_the_same_message_and_is_audited(client: Client) -> None:
    make_user()
    response = post_login(client, "ghost", "whatever password 1")
    assert response.status_code == 200
    html = response.content.decode()
    assert INVALID_CREDENTIALS in html
    assert 'value="ghost"' in html
    rows = events(Action.LOGIN_FAILED)
    assert len(rows) == 1
    assert rows[0].actor_id is None
    assert rows[0].actor_repr == "ghost"
    assert rows[0].detail["reason"] == "unknown_user"


@pytest.mark.django_db
def test_lockout_after_exactly_five_failures_not_four(client: Client) -> None:
    assert settings.LOGIN_FAILURE_LIMIT == 5
    user = make_user()
    for _ in range(4):
        response = post_login(client, "alice", "wrong password 123")
        assert INVALID_CREDENTIALS in response.content.decode()
    user.refresh_from_db()
    assert user.failed_login_count == 4
    assert user.locked_until is None
    assert events(Action.LOCKOUT) == []

    before = timezone.now()
    response = post_login(client, "alice", "wrong password 123")
    html = response.content.decode()
    assert lock_text() in html
    assert INVALID_CREDENTIALS not in html
    user.refresh_from_db()
    assert user.failed_login_count == 5
    assert user.locked_until is not None
    expected = before + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    assert abs((user.locked_until - expected).total_seconds()) < 5
    lockouts = events(Action.LOCKOUT)
    assert len(lockouts) == 1
    assert lockouts[0].actor_id == user.pk
    assert lockouts[0].detail["failures"] == 5
    assert len(events(Action.LOGIN_FAILED)) == 5


@pytest.mark.django_db
def test_correct_password_is_refused_while_locked(client: Client) -> None:
    user = make_user()
    for _ in range(5):
        post_login(client, "alice", "wrong password 123")
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert lock_text() in response.content.decode()
    assert signed_in_user_id(client) is None
    assert events(Action.LOGIN) == []
    refused = events(Action.LOGIN_FAILED)[-1]
    assert refused.detail["reason"] == "locked"
    assert refused.actor_id == user.pk
    assert len(events(Action.LOCKOUT)) == 1


@pytest.mark.django_db
def test_account_unlocks_after_the_lock_period(client: Client) -> None:
    user = make_user(role="analyst")
    for _ in range(5):
        post_login(client, "alice", "wrong password 123")
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)
    user.refresh_from_db()
    assert user.failed_login_count == 0
    assert user.locked_until is None


@pytest.mark.django_db
def test_a_failure_after_the_lock_expired_starts_a_new_count(client: Client) -> None:
    user = make_user()
    for _ in range(5):
        post_login(client, "alice", "wrong password 123")
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    response = post_login(client, "alice", "wrong password 123")
    assert INVALID_CREDENTIALS in response.content.decode()
    user.refresh_from_db()
    assert user.failed_login_count == 1
    assert user.locked_until is None
    assert len(events(Action.LOCKOUT)) == 1


@pytest.mark.django_db
def test_success_resets_the_failure_counter(client: Client) -> None:
    user = make_user(role="analyst")
    for _ in range(3):
        post_login(client, "alice", "wrong password 123")
    user.refresh_from_db()
    assert user.failed_login_count == 3
    post_login(client, "alice", PASSWORD)
    user.refresh_from_db()
    assert user.failed_login_count == 0


@pytest.mark.django_db
def test_failures_are_counted_in_the_database_not_from_a_stale_object() -> None:
    user = make_user()
    stale = User.objects.get(pk=user.pk)
    results = [
        register_failure(User.objects.get(pk=user.pk) if i % 2 else stale, action=Action.LOGIN_FAILED, detail={})
        for i in range(5)
    ]
    assert results == [False, False, False, False, True]
    user.refresh_from_db()
    assert user.failed_login_count == 5
    assert user.is_locked


@pytest.mark.django_db
def test_unknown_usernames_lock_the_same_way(client: Client) -> None:
    for _ in range(4):
        assert INVALID_CREDENTIALS in post_login(client, "nobody", "whatever password 1").content.decode()
    assert lock_text() in post_login(client, "nobody", "whatever password 1").content.decode()
    assert len(events(Action.LOGIN_FAILED)) == 5
    assert events(Action.LOCKOUT) == []


@pytest.mark.django_db
def test_inactive_user_cannot_sign_in(client: Client) -> None:
    make_user(is_active=False)
    response = post_login(client, "alice", PASSWORD)
    assert INVALID_CREDENTIALS in response.content.decode()
    assert signed_in_user_id(client) is None
    assert events(Action.LOGIN_FAILED)[0].detail["reason"] == "inactive"


# --- sign-out -----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_logout_is_post_only_and_audited(client: Client) -> None:
    user = make_user(role="analyst")
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(client) == str(user.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user_id(client) is None
    rows = events(Action.LOGOUT)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk


# --- idle lock ----------------------------------------------------------------------------------------
def _age_session(client: Client, minutes: float) -> None:
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = time.time() - minutes * 60
    session.save()


@pytest.mark.django_db
def test_idle_lock_after_31_minutes(client: Client) -> None:
    assert settings.IDLE_LOCK_MINUTES == 30
    user = make_user(role="analyst")
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    _age_session(client, 31)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Faccounts%2Fme%2F"
    assert signed_in_user_id(client) is None
    rows = events(Action.IDLE_LOCK)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    page = client.get(response["Location"])
    assert "Your session was locked after 30 minutes without activity. Sign in again." in page.content.decode()


@pytest.mark.django_db
def test_no_idle_lock_after_29_minutes(client: Client) -> None:
    user = make_user(role="analyst")
    client.force_login(user)
    client.get(reverse("accounts:profile"))
    _age_session(client, 29)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert signed_in_user_id(client) == str(user.pk)
    assert events(Action.IDLE_LOCK) == []
    assert client.session[LAST_ACTIVITY_SESSION_KEY] > time.time() - 5


@pytest.mark.django_db
def test_idle_lock_on_the_api_answers_json_401(client: Client) -> None:
    user = make_user(role="analyst")
    client.force_login(user)
    client.get(reverse("accounts:profile"))
    _age_session(client, 31)
    response = client.get(reverse("api:api-root"))
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "session_locked"
    assert len(events(Action.IDLE_LOCK)) == 1


@pytest.mark.django_db
def test_static_and_healthz_do_not_touch_the_idle_clock(client: Client) -> None:
    user = make_user(role="analyst")
    client.force_login(user)
    client.get(reverse("accounts:profile"))
    _age_session(client, 31)
    client.get("/healthz")
    client.get("/static/srodesk/app.css")
    assert events(Action.IDLE_LOCK) == []
    assert signed_in_user_id(client) == str(user.pk)


# --- forced MFA enrolment -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_personal_data_role_is_sent_to_mfa_setup(client: Client) -> None:
    user = make_user(role="sro")
    assert user.requires_mfa
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_setup")
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:mfa_setup')}?next=%2Faccounts%2Fme%2F"
    assert events(Action.LOGIN)[0].detail["next_step"] == "mfa_setup"


@pytest.mark.django_db
def test_analyst_only_user_is_not_sent_to_mfa_setup(client: Client) -> None:
    user = make_user(role="analyst")
    assert not user.requires_mfa
    post_login(client, "alice", PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_demo_mode_lets_users_without_a_device_through(client: Client, settings: Any) -> None:
    settings.MFA_REQUIRED = False
    make_user(role="sro")
    response = post_login(client, "alice", PASSWORD, next="/accounts/me/")
    assert response["Location"] == "/accounts/me/"
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_api_answers_json_403_while_mfa_is_owed(client: Client) -> None:
    user = make_user(role="sro")
    client.force_login(user)
    response = client.get(reverse("api:api-root"))
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error["field"] is None
    assert error["code"] == "mfa_required"


@pytest.mark.django_db
def test_htmx_requests_get_a_client_side_redirect(client: Client) -> None:
    user = make_user(role="sro")
    client.force_login(user)
    response = client.get(reverse("accounts:profile"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:mfa_setup"))


# --- password change ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_password_change_is_audited(client: Client) -> None:
    user = make_user(role="analyst")
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    new = "a much longer new passphrase 7"
    response = client.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.check_password(new)
    rows = events(Action.PASSWORD_CHANGED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_password_change_enforces_the_validators(client: Client) -> None:
    user = make_user(role="analyst")
    client.force_login(user)
    url = reverse("accounts:password_change")
    for weak in ("short1!", "password12345"):
        response = client.post(url, {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
        assert response.status_code == 200
    html = response.content.decode()
    assert "too common" in html
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert events(Action.PASSWORD_CHANGED) == []


# --- account page -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_profile_lists_name_roles_mfa_and_links(client: Client) -> None:
    user = make_user(role="analyst")
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Alice Adams" in html
    assert "Oversight / analyst" in html
    assert "Alice-District Public Schools" in html
    assert reverse("accounts:mfa_setup") in html
    assert reverse("accounts:password_change") in html


@pytest.mark.django_db
def test_profile_hides_deleted_role_assignments(client: Client) -> None:
    user = make_user(role="analyst")
    RoleAssignment.objects.filter(user=user).update(deleted_at=timezone.now())
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Oversight / analyst" not in html
    assert "You hold no role yet" in html
