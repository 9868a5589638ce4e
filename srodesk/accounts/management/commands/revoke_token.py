"""``srodesk revoke-token PREFIX [--user USERNAME]``: revoke an API token by the first characters of its key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from srodesk.accounts.models import ApiToken
from srodesk.accounts.services import revoke_token
from srodesk.core.audit import audit_context


class Command(BaseCommand):
    help = "Revoke an API token, named by its prefix (the first 8 characters of the key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The token prefix, as shown on the account page.")
        parser.add_argument("--user", default="", help="The token's user, when two tokens share a prefix.")

    def handle(self, *args: Any, **options: Any) -> None:
        prefix: str = options["prefix"].strip().rstrip("…")
        if len(prefix) < ApiToken.PREFIX_LENGTH:
            raise CommandError(f"Give the full {ApiToken.PREFIX_LENGTH}-character prefix.")
        tokens = ApiToken.objects.select_related("user").filter(
            prefix=prefix[: ApiToken.PREFIX_LENGTH], revoked_at__isnull=True
        )
        if options["user"]:
            tokens = tokens.filter(user__username=options["user"])
        found = list(tokens)
        if not found:
            raise CommandError(f"No active token with prefix {prefix!r}.")
        if len(found) > 1:
            owners = ", ".join(sorted(t.user.username for t in found))
            raise CommandError(f"{len(found)} active tokens share prefix {prefix!r} ({owners}); add --user USERNAME.")
        token = found[0]
        with audit_context(actor=token.user, reason="srodesk revoke-token"):
            revoke_token(token, actor=token.user, via="command")
        self.stdout.write(f"Token {token.prefix}… of {token.user.username} is revoked.")
