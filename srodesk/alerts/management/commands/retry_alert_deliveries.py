"""`srodesk retry-alert-deliveries`: try again the alert emails, SMS and webhooks that failed and are due.

Run it every minute from the scheduler (cron or a systemd timer); it is safe to run beside the task worker.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from srodesk.alerts.delivery.retry import send_due
from srodesk.core.audit import audit_context


class Command(BaseCommand):
    help = "Send the alert deliveries (email, SMS, webhook) that are due: first tries left behind and retries."

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(reason="alert delivery retry"):
            summary = send_due()
        self.stdout.write(
            f"{summary.attempted} tried: {summary.sent} sent, {summary.failed} failed ({summary.gave_up} given up)."
        )
