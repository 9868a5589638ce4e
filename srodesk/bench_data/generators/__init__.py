"""The built-in generators, in the order they run (each may use the ones before it)."""

from . import accounts, disclosures, incidents, officers, organizations, roster

__all__ = ["accounts", "disclosures", "incidents", "officers", "organizations", "roster"]
