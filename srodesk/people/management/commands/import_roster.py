from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from srodesk.organizations.models import District
from srodesk.people.choices import ImportStatus
from srodesk.people.roster import run_import
from srodesk.people.roster.services import OUTCOMES


class Command(BaseCommand):
    help = (
        "Import a OneRoster CSV 1.1/1.2 exchange (a ZIP or a folder with manifest.csv) into a district. "
        "A run with any error changes nothing and lists every error; --dry-run only reports what would change."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="The ZIP file or folder of the exchange.")
        parser.add_argument("--district", required=True, help="The district's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument(
            "--user", help="Run as this SRO Desk user (needs people.add_rosterimport); the system by default."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        district = District.objects.filter(slug=options["district"], deleted_at__isnull=True).first()
        if district is None:
            raise CommandError(f"no district with the slug {options['district']!r}")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {options['user']!r}")
        result = run_import(district=district, path=path, dry_run=options["dry_run"], actor=actor)
        heading = (
            f"Roster import #{result.pk}: OneRoster {result.oneroster_version or '?'} {result.mode or ''}".rstrip()
        )
        self.stdout.write(heading + (" (dry run: nothing was changed)" if result.dry_run else ""))
        if result.summary:
            width = max(len(name) for name in result.summary)
            self.stdout.write(f"{'file':<{width}}  {'rows':>8}  " + "  ".join(f"{o:>11}" for o in OUTCOMES))
            for name, counts in result.summary.items():
                cells = "  ".join(f"{counts.get(o, 0):>11}" for o in OUTCOMES)
                self.stdout.write(f"{name:<{width}}  {counts.get('rows', 0):>8}  {cells}")
        if result.status != ImportStatus.SUCCEEDED:
            for error in result.errors:
                self.stderr.write(
                    f"{error['file']}:{error['row']}:{error['column']}: {error['value']} — {error['reason']}"
                )
            raise CommandError(f"the import failed with {len(result.errors)} error(s); nothing was changed")
