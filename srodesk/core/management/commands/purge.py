from typing import Any

from django.core.management.base import BaseCommand

from srodesk.core.retention import purge_expired


class Command(BaseCommand):
    help = "Hard-delete records past their retention date or soft-delete grace period (legal holds are kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be purged; change nothing.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        result = purge_expired(dry_run=options["dry_run"], batch_size=options["batch_size"])
        verb = "would purge" if options["dry_run"] else "purged"
        for label, count in sorted(result.purged.items()):
            self.stdout.write(f"{label}: {verb} {count}")
        for label, count in sorted(result.kept.items()):
            self.stdout.write(f"{label}: kept {count} still referenced by other records")
        self.stdout.write(f"{verb} {result.total} record(s) in total")
