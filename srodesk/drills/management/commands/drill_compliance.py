"""Print the drill compliance of every school (or one district's), for a scheduler or a report.

    srodesk drill_compliance [--district SLUG] [--as-of YYYY-MM-DD] [--fail-on at_risk|non_compliant]

With ``--fail-on`` the command exits with status 1 when any school is at that status or worse.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from srodesk.drills.compliance import AT_RISK, NON_COMPLIANT, STATUS_LABELS, evaluate, partnership_for
from srodesk.drills.queries import today_at
from srodesk.organizations.models import School

_SEVERITY = {"on_track": 0, AT_RISK: 1, NON_COMPLIANT: 2}


class Command(BaseCommand):
    help = "Print each school's drill compliance: its status and what is missing by when."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", help="Only this district (its slug).")
        parser.add_argument("--as-of", help="Judge on this day (YYYY-MM-DD); each school's today by default.")
        parser.add_argument("--fail-on", choices=[AT_RISK, NON_COMPLIANT], help="Exit 1 at this status or worse.")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of {options['as_of']!r} is not a date (YYYY-MM-DD).") from exc
        schools = School.objects.alive().select_related("district").order_by("district__name", "name")
        if options["district"]:
            schools = schools.filter(district__slug=options["district"], district__deleted_at__isnull=True)
            if not schools.exists():
                raise CommandError(f"No district {options['district']!r} with schools.")
        worst = 0
        for school in schools:
            result = evaluate(school, as_of=as_of or today_at(school), partnership=partnership_for(school))
            worst = max(worst, _SEVERITY[result.status])
            pack = result.pack.name if result.pack else f"no rule pack for {result.state or 'its state'}"
            self.stdout.write(
                f"{school.district.name} / {school.name}: {STATUS_LABELS[result.status]} "
                f"({pack}, {result.year.label}, as of {result.as_of.isoformat()})"
            )
            for row in result.requirements:
                if row.status != "on_track":
                    self.stdout.write(f"  - {STATUS_LABELS[row.status]}: {row.rule}. {row.message}")
                    for item in row.items:
                        self.stdout.write(f"      {item}")
        if options["fail_on"] and worst >= _SEVERITY[options["fail_on"]]:
            raise SystemExit(1)
