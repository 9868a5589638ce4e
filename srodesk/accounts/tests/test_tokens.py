"""API tokens: authentication, revocation, the create-token and revoke-token commands, the account page."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from srodesk.accounts.api import ApiTokenAuthentication
from srodesk.accounts.models import ApiToken, User
from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context, current

from .test_auth import events, make_user

Action = AuditEvent.Action


class WhoAmI(APIView):
    authentication_classes = (ApiTokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    def get(self, request: Request) -> Response:
        return Response({"username": request.user.username, "actor": getattr(current().actor, "username", None)})


def call(header: str | None) -> Response:
    factory = APIRequestFactory()
    request = factory.get("/api/v1/whoami/", HTTP_AUTHORIZATION=header) if header else factory.get("/api/v1/whoami/")
    with audit_context():
        response: Response = WhoAmI.as_view()(request)
    return response


def create_token(*args: str) -> str:
    out = StringIO()
    call_command("create_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- authentication -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_valid_token_authenticates_as_its_user_and_binds_the_actor() -> None:
    user = make_user(role="sro")
    token, key = ApiToken.issue(user)
    response = call(f"Token {key}")
    assert response.status_code == 200
    assert response.data == {"username": "alice", "actor": "alice"}
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_a_revoked_token_is_refused_with_401() -> None:
    user = make_user()
    token, key = ApiToken.issue(user)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = call(f"Token {key}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_a_wrong_token_is_refused_with_401() -> None:
    user = make_user()
    _, key = ApiToken.issue(user)
    assert call(f"Token {key[:-1]}x" if not key.endswith("x") else f"Token {key[:-1]}y").status_code == 401
    assert call("Token").status_code == 401
    assert call("Token a b").status_code == 401


@pytest.mark.django_db
def test_no_header_is_not_authenticated_and_names_the_scheme() -> None:
    make_user()
    response = call(None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_a_token_of_an_inactive_user_is_refused() -> None:
    user = make_user()
    _, key = ApiToken.issue(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert call(f"Token {key}").status_code == 401


@pytest.mark.django_db
def test_last_used_is_written_at_most_once_a_minute() -> None:
    user = make_user()
    token, key = ApiToken.issue(user)
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    call(f"Token {key}")
    token.refresh_from_db()
    assert token.last_used_at == recent
    old = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    call(f"Token {key}")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > recent


@pytest.mark.django_db
def test_a_token_reaches_a_real_endpoint_with_exactly_its_users_permissions(client: Client) -> None:
    admin = make_user("root", role="platform_admin")
    officer = make_user("officer", role="sro")
    _, admin_key = ApiToken.issue(admin)
    _, officer_key = ApiToken.issue(officer)
    url = reverse("api:accounts-roleassignment-list")
    response = client.get(url, headers={"Authorization": f"Token {admin_key}"})
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert client.get(url, headers={"Authorization": f"Token {officer_key}"}).status_code == 403
    assert client.get(url, headers={"Authorization": "Token not-a-real-key"}).status_code == 401
    assert client.get(url).status_code == 401


# --- create-token / revoke-token ----------------------------------------------------------------------
@pytest.mark.django_db
def test_create_token_prints_only_a_key_that_authenticates() -> None:
    user = make_user(role="sro")
    output = create_token("alice", "--name", "CAD export")
    key = output.strip()
    assert output == f"{key}\n"
    assert len(key) >= 40
    response = call(f"Token {key}")
    assert response.status_code == 200
    assert response.data["username"] == "alice"
    token = ApiToken.objects.get(user=user)
    assert token.name == "CAD export"
    assert token.prefix == key[:8]
    rows = events(Action.TOKEN_CREATED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert rows[0].detail["prefix"] == key[:8]
    assert key not in str(rows[0].detail)
    assert not AuditEvent.objects.filter(detail__icontains=key).exists()


@pytest.mark.django_db
def test_create_token_refuses_unknown_and_inactive_users() -> None:
    make_user("bob", is_active=False)
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        create_token("ghost")
    with pytest.raises(CommandError, match="inactive"):
        create_token("bob")
    assert ApiToken.objects.count() == 0
    assert events(Action.TOKEN_CREATED) == []


@pytest.mark.django_db
def test_revoke_token_command() -> None:
    user = make_user()
    key = create_token("alice").strip()
    out = StringIO()
    # "--": a prefix may begin with "-" (the key is URL-safe base64), which would read as an option.
    call_command("revoke_token", "--", key[:8], stdout=out)
    assert "revoked" in out.getvalue()
    assert ApiToken.objects.get(user=user).revoked_at is not None
    rows = events(Action.TOKEN_REVOKED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert rows[0].detail["prefix"] == key[:8]
    assert call(f"Token {key}").status_code == 401
    with pytest.raises(CommandError, match="No active token"):
        call_command("revoke_token", "--", key[:8], stdout=StringIO())


# --- the account page ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_account_page_lists_and_revokes_own_tokens_only(client: Client) -> None:
    user = make_user(role="analyst")
    other = make_user("bob", role="analyst")
    mine, key = ApiToken.issue(user, name="laptop script")
    theirs, _ = ApiToken.issue(other, name="bob's")
    client.force_login(user)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f"{mine.prefix}…" in html
    assert "laptop script" in html
    assert theirs.prefix not in html

    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.get(reverse("accounts:token_revoke", args=[mine.pk])).status_code == 405

    response = client.post(reverse("accounts:token_revoke", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    rows = events(Action.TOKEN_REVOKED)
    assert len(rows) == 1
    assert rows[0].actor_id == user.pk
    assert rows[0].detail["via"] == "profile"
    assert call(f"Token {key}").status_code == 401
