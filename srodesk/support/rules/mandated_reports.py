"""Mandated child-abuse/neglect report rules per state, as data (REFERENCE.md §8).

Each state has one or more packs, each with the date from which it applies; :func:`pack_for` picks the
latest pack in force on a given day. A change in the law is a new pack with its effective date, never an
edit of an old one, so reports made under the old rule keep their old deadlines.

``initial_hours=None`` means "immediately": it is tracked as a service level of ``immediate_sla_hours``
with escalation, never as a grace period. ``written_hours=None`` means the state asks for no written
follow-up. ``written_only_after_phone``: the written report is due only when the oral report was made by
telephone (Pennsylvania: an electronic report is already written).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Escalation thresholds, in percent of a deadline's window; 100 = overdue.
DEFAULT_ESCALATION = (50, 90, 100)
#: The service level for "immediately" (REFERENCE.md §8: alert at once, escalate within 1–2 hours).
IMMEDIATE_SLA_HOURS = 2
BASELINE = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class RulePack:
    state: str
    effective_from: dt.date
    statute: str
    initial_hours: int | None
    initial_clock_start: str
    written_hours: int | None
    written_clock_start: str
    written_form: str = ""
    written_only_after_phone: bool = False
    non_delegable: bool = True
    recipients: tuple[str, ...] = ("cps", "law_enforcement")
    immediate_sla_hours: int = IMMEDIATE_SLA_HOURS
    escalation: tuple[int, ...] = DEFAULT_ESCALATION
    confidence: str = "verified"

    @property
    def initial_is_immediate(self) -> bool:
        return self.initial_hours is None


PACKS: dict[str, tuple[RulePack, ...]] = {
    "CA": (
        RulePack(
            state="CA",
            effective_from=BASELINE,
            statute="Cal. Penal Code § 11166",
            initial_hours=None,
            initial_clock_start="information_received",
            written_hours=36,
            written_clock_start="information_received",
            written_form="SS 8572",
            recipients=("cps", "law_enforcement"),
        ),
    ),
    "NY": (
        RulePack(
            state="NY",
            effective_from=BASELINE,
            statute="N.Y. Social Services Law § 415",
            initial_hours=None,
            initial_clock_start="suspicion",
            written_hours=48,
            written_clock_start="oral_report",
            written_form="LDSS-2221A",
            recipients=("cps",),
        ),
    ),
    "PA": (
        RulePack(
            state="PA",
            effective_from=dt.date(2014, 12, 31),
            statute="23 Pa.C.S. Chapter 63",
            initial_hours=None,
            initial_clock_start="suspicion",
            written_hours=48,
            written_clock_start="oral_report",
            written_form="CY-47",
            written_only_after_phone=True,
            recipients=("cps",),
        ),
    ),
    "TX": (
        RulePack(
            state="TX",
            effective_from=BASELINE,
            statute="Tex. Fam. Code § 261.101",
            initial_hours=48,
            initial_clock_start="suspicion",
            written_hours=None,
            written_clock_start="oral_report",
            non_delegable=True,
            recipients=("cps", "law_enforcement"),
        ),
    ),
    "MI": (
        RulePack(
            state="MI",
            effective_from=BASELINE,
            statute="MCL 722.623",
            initial_hours=None,
            initial_clock_start="suspicion",
            written_hours=72,
            written_clock_start="oral_report",
            written_form="DHHS-3200",
            recipients=("cps",),
            confidence="recall - verify",
        ),
    ),
    "IL": (
        RulePack(
            state="IL",
            effective_from=BASELINE,
            statute="325 ILCS 5",
            initial_hours=None,
            initial_clock_start="suspicion",
            written_hours=48,
            written_clock_start="oral_report",
            recipients=("cps",),
            confidence="recall - verify",
        ),
    ),
}


def pack_for(state: str, on: dt.date) -> RulePack | None:
    """The pack of ``state`` in force on ``on`` (``None`` when SRO Desk ships no rule for the state)."""
    in_force = [p for p in PACKS.get(state.upper(), ()) if p.effective_from <= on]
    return max(in_force, key=lambda p: p.effective_from) if in_force else None
