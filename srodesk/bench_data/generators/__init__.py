"""The built-in generators, in the order they run (each may use the ones before it)."""

from . import accounts, disclosures, incidents, officers, organizations, roster

# isort: split
# Drills come last: they use the schools, accounts and roster, and leave the earlier generators' draws as they were.
from . import drills

# isort: split
# Threat assessment after the drills, for the same reason (it also uses the drills' school calendar).
from . import threats

__all__ = ["accounts", "disclosures", "drills", "incidents", "officers", "organizations", "roster", "threats"]
