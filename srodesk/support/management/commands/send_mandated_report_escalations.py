"""``srodesk send-mandated-report-escalations``: email reporters (and administrators) whose mandated-report
deadlines reached an escalation threshold. Run it from a scheduler every few minutes; each threshold is
emailed once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from srodesk.core.audit import audit_context
from srodesk.support.services import send_escalations


class Command(BaseCommand):
    help = "Send the mandated-report deadline escalation emails that are due (each threshold once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help="Evaluate the deadlines at this ISO time instead of now (for checks).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {options['now']!r} is not an ISO date and time") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a time zone offset, e.g. 2026-03-02T09:00:00+00:00")
        with audit_context(reason="mandated-report escalation"):
            sent = send_escalations(now=now)
        for item in sent:
            self.stdout.write(
                f"report {item.report_id} {item.deadline} {item.threshold}%: {', '.join(item.recipients)}"
            )
        self.stdout.write(f"{len(sent)} escalation email(s) sent.")
