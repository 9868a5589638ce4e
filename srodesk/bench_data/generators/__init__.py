"""The built-in generators, in the order they run (each may use the ones before it)."""

from . import accounts, disclosures, incidents, officers, organizations, roster

# isort: split
# Drills come last: they use the schools, accounts and roster, and leave the earlier generators' draws as they were.
from . import drills

__all__ = ["accounts", "disclosures", "drills", "incidents", "officers", "organizations", "roster"]
