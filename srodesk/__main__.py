"""The `srodesk` command: Django's management commands with SRO Desk's settings.

`srodesk serve`, `srodesk demo`, `srodesk verify-audit`, `srodesk create-token USERNAME` …
Hyphenated names map to the underscored management commands (`verify-audit` → `verify_audit`).
"""

from __future__ import annotations

import os
import sys


def command_args(argv: list[str]) -> list[str]:
    """``srodesk verify-audit …`` → ``srodesk verify_audit …`` (also after ``help``)."""
    args = ["srodesk", *argv[1:]]
    for i in (1, 2):
        if len(args) > i and not args[i].startswith("-") and (i == 1 or args[1] == "help"):
            args[i] = args[i].replace("-", "_")
    return args


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srodesk.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_args(list(sys.argv if argv is None else argv)))


if __name__ == "__main__":
    main()
