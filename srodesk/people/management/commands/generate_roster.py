from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from srodesk.people.roster.generate import generate


class Command(BaseCommand):
    help = (
        "Write a synthetic, deterministic OneRoster CSV exchange (a folder, or a ZIP when OUT ends with .zip) "
        "for tests, demos and benchmarks."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        # --version is the OneRoster version here, not the program's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("out", help="Folder or .zip to write.")
        parser.add_argument("--students", type=int, default=200)
        parser.add_argument("--schools", type=int, default=3)
        parser.add_argument("--version", dest="oneroster_version", choices=("1.1", "1.2"), default="1.2")
        parser.add_argument("--delta", action="store_true", help="A delta set against the bulk set of the same seed.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--quirks",
            action="store_true",
            help="Also 1.0 demographics headers, M/D/YYYY dates, optional columns left out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = generate(
                Path(options["out"]),
                students=options["students"],
                schools=options["schools"],
                version=options["oneroster_version"],
                delta=options["delta"],
                seed=options["seed"],
                quirks=options["quirks"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        kind = "delta" if result.delta else "bulk"
        self.stdout.write(f"OneRoster {result.version} {kind} set written to {result.path}")
        for name, count in sorted(result.rows.items()):
            self.stdout.write(f"  {name}: {count} rows")
