"""``srodesk send-threat-reminders``: reminder emails for safety-plan items and overdue case steps.

Run it daily from a scheduler (cron or a systemd timer). Running it again the same day sends nothing new.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from srodesk.core import audit
from srodesk.threats import services


class Command(BaseCommand):
    help = "Email owners of safety-plan items due soon or overdue, and teams about overdue case steps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=2, help="Remind about items due within this many days.")
        parser.add_argument(
            "--base-url", default=None, help="Start of the links in the emails (default: the SITE_URL setting)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 0:
            raise CommandError("--days must be 0 or more.")
        with audit.audit_context(reason="threat-assessment reminders"):
            result = services.send_reminders(days=options["days"], base_url=options["base_url"])
        self.stdout.write(f"Sent {result.sent}, already sent today {result.skipped}, failed {result.failed}.")
        if result.failed:
            raise CommandError(f"{result.failed} reminder(s) could not be sent; they will be retried on the next run.")
