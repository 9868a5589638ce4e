"""``srodesk activate-due-alerts``: deliver every armed alert whose cancel window has passed.

The activation task scheduled for each alert's ``deliver_at`` normally does this; run this command every
minute from a scheduler as a safety net (or with ``--loop`` as a small service of its own).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from srodesk.alerts import services


class Command(BaseCommand):
    help = "Activate the armed alerts whose cancel window has passed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", type=float, default=0, metavar="SECONDS", help="Keep running, checking every SECONDS."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["loop"]
        if interval < 0:
            raise CommandError("--loop must be 0 (run once) or a number of seconds.")
        while True:
            done = services.activate_due()
            if done or not interval:
                self.stdout.write(f"Activated {len(done)} alert(s){': ' if done else '.'}{', '.join(map(str, done))}")
            if not interval:
                return
            time.sleep(interval)
