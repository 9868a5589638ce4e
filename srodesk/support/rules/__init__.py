"""State rule packs as data: mandated-report deadlines (REFERENCE.md §8) and default truancy thresholds."""

from .mandated_reports import PACKS, RulePack, pack_for

__all__ = ["PACKS", "RulePack", "pack_for"]
