"""OneRoster CSV 1.1 / 1.2 roster import (REFERENCE.md §5): reader, validation, services and a generator.

``run_import(district=..., path=..., dry_run=..., actor=...)`` is the entry point; see docs/roster-import.md.
"""

from .services import run_import

__all__ = ["run_import"]
