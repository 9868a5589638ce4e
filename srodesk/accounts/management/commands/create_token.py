"""``srodesk create-token USERNAME [--name NAME]``: issue an API token and print its key (once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from srodesk.accounts.models import User
from srodesk.accounts.services import issue_token
from srodesk.core.audit import audit_context


class Command(BaseCommand):
    help = "Create an API token for a user and print the token key. The key is shown only this once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The user the token acts as (with exactly their permissions).")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'CAD export'.")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        name: str = options["name"].strip()
        if len(name) > 100:
            raise CommandError("The token name is limited to 100 characters.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive; activate the account before issuing a token.")
        with audit_context(actor=user, reason="srodesk create-token"):
            token, key = issue_token(user, name=name, via="command")
        self.stdout.write(key)
        self.stderr.write(f"Token {token.prefix}… created for {user.username}. Store it now: it is not shown again.")
