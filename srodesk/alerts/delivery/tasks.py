"""Background work of alert delivery."""

from __future__ import annotations

from django_tasks import task

from srodesk.core.audit import audit_context


@task
def retry_alert_deliveries() -> int:
    """Try again every email, SMS and webhook delivery that is due; how many were tried."""
    from .retry import send_due

    with audit_context(reason="alert delivery retry"):
        return send_due().attempted
