"""Background tasks of threat assessment."""

from __future__ import annotations

from django_tasks import task

from srodesk.core import audit

from . import services


@task
def send_threat_reminders(days: int = 2) -> dict[str, int]:
    """Email safety-plan owners and teams about what is due or overdue (idempotent per item and day)."""
    with audit.audit_context(reason="threat-assessment reminders"):
        result = services.send_reminders(days=days)
    return {"sent": result.sent, "skipped": result.skipped, "failed": result.failed}
