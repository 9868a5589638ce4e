"""NIBRS export benchmark: time one month's export of one agency on the data of the configured database.

    SECRET_KEY=dev .venv/bin/python bench/nibrs_export.py
    SECRET_KEY=dev DATABASE_URL=postgres://postgres@127.0.0.1:5432/srodesk_bench \\
        .venv/bin/python bench/nibrs_export.py --agency MI1234500 --month 2026-10 --format flat

Without --agency, the agency with the most approved or closed incidents; without --month, its busiest month.
The export runs as a preview does (selection, edits, writing every report, XML schema validation, the
submission row and the audit row), inside a transaction that is rolled back, so the database is left as it
was. Prints the seconds and the report count; the target is 5 s for a
month of a large district.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 5.0


class _Rollback(Exception):
    pass


def busiest(agency_ori: str | None, month: str | None) -> tuple[Any, str]:
    from django.db.models import Count
    from django.db.models.functions import Coalesce, TruncMonth

    from srodesk.incidents.models import Incident
    from srodesk.incidents.nibrs.reports import EXPORTED_STATUSES
    from srodesk.organizations.models import Agency

    exported = Incident.objects.filter(status__in=EXPORTED_STATUSES, deleted_at__isnull=True)
    if agency_ori:
        agency = Agency.objects.alive().get(ori=agency_ori)
    else:
        top = exported.values("agency").annotate(n=Count("pk")).order_by("-n").first()
        if top is None:
            raise SystemExit("No approved or closed incident in this database: generate a district first.")
        agency = Agency.objects.get(pk=top["agency"])
    if month:
        return agency, month
    row = (
        exported.filter(agency=agency)
        .annotate(m=TruncMonth(Coalesce("occurred_at", "reported_at")))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return agency, (f"{row['m']:%Y-%m}" if row and row["m"] else "2026-10")


def measure(agency: Any, month: str, fmt: str = "xml") -> tuple[float, int, int]:
    """(seconds, reports, edit errors) of one preview export, rolled back afterwards."""
    from django.db import transaction

    from srodesk.incidents.nibrs import export

    result: dict[str, int] = {}
    start = time.perf_counter()
    try:
        with transaction.atomic():
            _, submission = export.build_export(agency, month, fmt, None, final=False)
            result["reports"] = submission.report_count
            result["errors"] = int(submission.summary.get("error_count", 0))
            raise _Rollback
    except _Rollback:
        pass
    except export.ExportError as exc:
        print(f"No export: {exc}")
    return time.perf_counter() - start, result.get("reports", 0), result.get("errors", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agency", metavar="ORI")
    parser.add_argument("--month", metavar="YYYY-MM")
    parser.add_argument("--format", choices=("xml", "flat"), default="xml", dest="fmt")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest is reported")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srodesk.config.settings")
    import django

    django.setup()
    agency, month = busiest(args.agency, args.month)
    runs = [measure(agency, month, args.fmt) for _ in range(max(1, args.repeat))]
    seconds, reports, errors = min(runs)
    verdict = "within" if seconds <= TARGET_SECONDS else "OVER"
    print(f"NIBRS {args.fmt} export {agency.ori} {month}: {seconds:.2f} s, {reports} reports, {errors} edit errors")
    print(f"{verdict} the {TARGET_SECONDS:.0f} s target (fastest of {len(runs)})")


if __name__ == "__main__":
    main()
