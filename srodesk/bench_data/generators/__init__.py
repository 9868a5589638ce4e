"""The built-in generators, in the order they run (each may use the ones before it)."""

from . import accounts, disclosures, incidents, officers, organizations, roster

# isort: split
# Drills come last: they use the schools, accounts and roster, and leave the earlier generators' draws as they were.
from . import drills

# isort: split
# Threat assessment after the drills, for the same reason (it also uses the drills' school calendar).
from . import threats

# isort: split
# Alerts and emergency plans after threat assessment, for the same reason.
from . import alerts

# isort: split
# Reunification after the alerts: it follows their evacuations.
from . import reunification

# isort: split
# Student support after the reunifications, for the same reason.
from . import support

__all__ = [
    "accounts",
    "alerts",
    "disclosures",
    "drills",
    "incidents",
    "officers",
    "organizations",
    "reunification",
    "roster",
    "support",
    "threats",
]
