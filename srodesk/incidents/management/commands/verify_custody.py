from typing import Any

from django.core.management.base import BaseCommand, CommandError

from srodesk.incidents.custody import verify_all
from srodesk.incidents.models import EvidenceItem
from srodesk.organizations.models import Agency


class Command(BaseCommand):
    help = (
        "Verify the chain of custody of evidence items. Prints a line per broken item naming its first bad "
        "event; exits 0 when every chain is intact, 1 otherwise."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--item", metavar="NUMBER", help="Only the item with this number (e.g. E2026-000012).")
        parser.add_argument("--agency", metavar="ORI", help="Only the items of the agency with this ORI.")

    def handle(self, *args: Any, **options: Any) -> None:
        items = EvidenceItem.objects.select_related("agency")
        if options["agency"]:
            agency = Agency.objects.filter(ori__iexact=options["agency"].strip(), deleted_at__isnull=True).first()
            if agency is None:
                raise CommandError(f"no agency with ORI {options['agency']!r}", returncode=2)
            items = items.filter(agency=agency)
        if options["item"]:
            items = items.filter(number__iexact=options["item"].strip())
            if not items.exists():
                raise CommandError(f"no evidence item numbered {options['item']!r}", returncode=2)
        checked = broken = 0
        for result in verify_all(items):
            checked += 1
            if not result.ok:
                broken += 1
                self.stdout.write(f"{self.label(result.item)}: {result}")
        if broken:
            raise CommandError(f"custody verification failed: {broken} of {checked} items broken", returncode=1)
        self.stdout.write(f"custody chains intact: {checked} item{'' if checked == 1 else 's'}")

    @staticmethod
    def label(item: EvidenceItem | None) -> str:
        if item is None:
            return "unknown item"
        return f"{item.agency.ori} evidence item {item.number or f'id={item.pk}'}"
