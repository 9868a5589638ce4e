"""``srodesk export-nibrs --agency ORI --month YYYY-MM --format xml|flat -o FILE [--final] [--user USERNAME]``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from srodesk.accounts.models import User
from srodesk.core.audit import audit_context
from srodesk.incidents.nibrs import export
from srodesk.incidents.nibrs.reports import MonthError, parse_month
from srodesk.organizations.models import Agency


class Command(BaseCommand):
    help = (
        "Write an agency's NIBRS submission for a month: XML (IEPD 2019.1, a ZIP of one document per report) "
        "or the fixed-length flat file. --final marks the reports as sent, so that later changes go as R "
        "(replace) and voids as D. Without --user the export is made as the operator and logged as such."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agency", required=True, metavar="ORI", help="The agency's ORI, e.g. MI1234500.")
        parser.add_argument("--month", required=True, metavar="YYYY-MM")
        parser.add_argument("--format", choices=export.FORMATS, default="xml", dest="fmt")
        parser.add_argument("-o", "--output", required=True, metavar="FILE")
        parser.add_argument("--final", action="store_true", help="A submission to the state program, not a preview.")
        parser.add_argument("--user", help="Make the export as this user (their permissions apply and are logged).")

    def handle(self, *args: Any, **options: Any) -> None:
        ori = options["agency"].strip().upper()
        agency = Agency.objects.alive().filter(ori=ori).first()
        if agency is None:
            raise CommandError(f"No agency with ORI {ori}.")
        try:
            month = parse_month(options["month"])
        except MonthError as exc:
            raise CommandError(str(exc)) from exc
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']}.")
        target = Path(options["output"])
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        try:
            with audit_context(actor=user, reason="export-nibrs command"):
                content, submission = export.build_export(agency, month, options["fmt"], user, options["final"])
        except PermissionDenied as exc:
            raise CommandError(f"{options['user']} may not make this export: {exc}") from exc
        except export.ExportError as exc:
            raise CommandError(str(exc)) from exc
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".nibrs-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, target)
        kind = "final submission" if submission.final else "preview"
        count = submission.report_count
        self.stdout.write(
            f"NIBRS {kind} for {agency.ori} {month:%Y-%m}: {count} report{'s' if count != 1 else ''} "
            f"written to {target} (SHA-256 {submission.sha256})."
        )
        errors = submission.summary.get("error_count", 0)
        if errors:
            left_out = len(submission.summary.get("excluded", []))
            note = f"; {left_out} incident(s) left out" if submission.final else ""
            self.stdout.write(f"{errors} edit error(s){note}. See the NIBRS page for each incident's errors.")
