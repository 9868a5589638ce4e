"""`srodesk generate-district`: a deterministic synthetic district for benchmarks and tests."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from srodesk.bench_data import PROFILES, GenerationError, generate
from srodesk.bench_data.check import problems
from srodesk.bench_data.timeline import Period

BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Build a deterministic synthetic district (organisations, accounts, ten school years of roster imports, "
        "other persons, vehicles, disclosures, law-enforcement records (incidents, arrests, searches, evidence "
        "with custody events, referrals), drills, threat-assessment teams and cases, and their audit rows) in the "
        "configured database."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--profile", choices=sorted(PROFILES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-check", action="store_true", help="Skip the consistency check of a sample.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        profile = PROFILES[options["profile"]]
        started = time.monotonic()
        tty = sys.stderr.isatty()
        last_line = [0.0]

        def progress(period: Period, done: int, total: int) -> None:
            if options["no_progress"]:
                return
            now = time.monotonic()
            if not tty and now - last_line[0] < 10 and done < total:
                return
            last_line[0] = now
            filled = BAR_WIDTH * done // total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            line = f"[{bar}] {100 * done // total:3d}% {period.label:<24} {now - started:6.0f}s"
            self.stderr.write(f"\r{line}" if tty else line, ending="" if tty and done < total else "\n")

        self.stdout.write(
            f"Generating the {profile.name} district (seed {options['seed']}): {profile.schools} schools, "
            f"{profile.students:,} students, {profile.staff:,} staff, {profile.years} school years"
        )
        try:
            result = generate(profile, options["seed"], progress=progress)
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(label) for label in result.counts)
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:<{width}}  {count:>10,}")
        self.stdout.write(f"  {'audit rows':<{width}}  {result.audit_rows:>10,}")
        self.stdout.write(f"{result.district.name} ({result.district.slug}) built in {result.seconds:.1f} s")
        if not options["no_check"]:
            found = list(problems(result.district, result.code))
            if found:
                for problem in found:
                    self.stderr.write(problem)
                raise CommandError(f"{len(found)} generated record(s) differ from what the services make")
            self.stdout.write("Consistency check of a sample of every record type: ok")
