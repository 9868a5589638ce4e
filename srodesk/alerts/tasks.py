"""Background tasks of alerts: activation at the end of the cancel window."""

from __future__ import annotations

from django_tasks import task

from srodesk.core import audit

from . import services
from .models import Alert


@task
def activate_alert(alert_id: int) -> bool:
    """Deliver the alert if it is armed and due (idempotent: anything else is left as it is)."""
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return False
    with audit.audit_context(reason="alert activation"):
        return services.activate(alert)
