"""The `srodesk` command: Django's management commands with SRO Desk's settings.

`srodesk serve`, `srodesk demo`, `srodesk verify-audit`, `srodesk create-token USERNAME` …
Hyphenated names map to the underscored management commands (`verify-audit` → `verify_audit`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srodesk.config.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "srodesk"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
