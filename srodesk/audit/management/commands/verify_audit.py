from typing import Any

from django.core.management.base import BaseCommand, CommandError

from srodesk.audit.models import AuditEvent, ChainHead, verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain. Exits 0 when intact, 1 naming the first bad row otherwise."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="List every problem, not only the first.")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = []
        for problem in verify_chain():
            problems.append(problem)
            if not options["all"]:
                break
        if problems:
            for problem in problems:
                self.stderr.write(f"audit chain broken at {problem}")
            raise CommandError(f"audit chain verification failed: first bad {problems[0]}", returncode=1)
        head = ChainHead.objects.filter(pk=1).first()
        count = AuditEvent.objects.count()
        last = head.last_hash if head else "-"
        self.stdout.write(f"audit chain intact: {count} rows, head seq={head.last_seq if head else 0} hash={last}")
