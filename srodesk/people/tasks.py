"""Background tasks of the people app."""

from __future__ import annotations

from pathlib import Path

from django_tasks import task

from srodesk.people.choices import ImportStatus
from srodesk.people.models import RosterImport


@task
def run_roster_import(import_id: int) -> None:
    """Run a queued roster import from its ``source_path``, as the user who queued it.

    Idempotent: an import that is no longer queued (running, succeeded, failed) is left alone.
    """
    from srodesk.people.roster import run_import

    roster_import = RosterImport.objects.select_related("district", "created_by").filter(pk=import_id).first()
    if roster_import is None or roster_import.status != ImportStatus.QUEUED:
        return
    run_import(
        district=roster_import.district,
        path=Path(roster_import.source_path),
        dry_run=roster_import.dry_run,
        actor=roster_import.created_by,
        roster_import=roster_import,
    )
