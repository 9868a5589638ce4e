"""Background tasks of student support."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task

from srodesk.core.audit import audit_context

from .choices import ImportStatus
from .models import AttendanceImport


@task
def run_attendance_import(import_id: int) -> None:
    """Apply a queued attendance import as the user who uploaded it (idempotent: only a queued import runs)."""
    from .services import import_attendance

    attendance_import = AttendanceImport.objects.select_related("created_by").filter(pk=import_id).first()
    if attendance_import is None or attendance_import.status != ImportStatus.QUEUED:
        return
    content = Path(attendance_import.source_path).read_bytes()
    import_attendance(actor=attendance_import.created_by, attendance_import=attendance_import, content=content)


@task
def send_mandated_report_escalations() -> int:
    """The escalation run as a task (the ``send-mandated-report-escalations`` command does the same)."""
    from .services import send_escalations

    with audit_context(reason="mandated-report escalation"):
        return len(send_escalations())
