"""State drill rule packs, as data (REFERENCE.md §4.3).

A pack holds the drill requirements of one state for a set of school levels, from an effective date.
A change in the law is a new pack with its own ``effective_from``, never an edit of an old one: a school
year is judged by the pack in force on its first day. The packs themselves are in :mod:`.packs`.

A requirement counts drills of some types that meet its conditions (during unstructured time, observed
by law enforcement, with the fire department, through secondary exits) inside a window of the school
year, and asks for at least ``min_count`` of them:

- no window: the whole school year;
- ``by=(12, 1)``: on or before the first 1 December of the school year;
- ``after=(1, 1)``: on or after the first 1 January of the school year;
- ``month=3``: in the (first) March of the school year;
- ``within_days_of_start=90``: no later than 90 days after the first day;
- ``each="month"`` / ``each="quarter"`` / ``each="semester"``: repeated in every month, quarter or
  semester of the school year (quarters and semesters split the first to the last day of instruction
  evenly).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..choices import DrillType

#: Every school level a pack may name (organizations.SchoolLevel).
ELEMENTARY, MIDDLE, HIGH = "elementary", "middle", "high"
ALL_LEVELS = frozenset({ELEMENTARY, MIDDLE, HIGH})
#: Schools whose level spans several (K-12) or is unknown are judged by the strictest level's pack.
LEVEL_FALLBACK = {"k12": ELEMENTARY, "other": ELEMENTARY, "": ELEMENTARY}
BASELINE = dt.date(2000, 1, 1)
EACH_PERIODS = {"month": 0, "quarter": 4, "semester": 2}


@dataclass(frozen=True)
class Requirement:
    key: str
    #: The drill noun, singular and plural: "fire drill" / "fire drills".
    noun: str
    plural: str
    min_count: int
    #: Drill types that count; empty means any type.
    drill_types: tuple[str, ...] = ()
    by: tuple[int, int] | None = None
    after: tuple[int, int] | None = None
    month: int | None = None
    within_days_of_start: int | None = None
    each: str | None = None
    unstructured: bool = False
    law_enforcement_observed: bool = False
    fire_department: bool = False
    secondary_egress: bool = False
    citation: str = ""
    note: str = ""

    def describe(self) -> str:
        """The rule in words, e.g. "3 fire drills by December 1"."""
        count = f"{self.min_count} {self.noun if self.min_count == 1 else self.plural}"
        if self.by:
            return f"{count} by {_month_day(self.by)}"
        if self.after:
            return f"{count} on or after {_month_day(self.after)}"
        if self.month:
            return f"{count} in {dt.date(2001, self.month, 1):%B}"
        if self.within_days_of_start:
            return f"{count} within {self.within_days_of_start} days of the first day"
        if self.each:
            return f"{count} each {self.each}"
        return f"{count} per school year"


@dataclass(frozen=True)
class Duty:
    """A duty the pack names beside the counts: publication, retention, filing, review."""

    key: str
    text: str
    citation: str = ""
    #: A yearly date by which it is due (month, day), when it has one.
    due: tuple[int, int] | None = None


@dataclass(frozen=True)
class RulePack:
    state: str
    name: str
    effective_from: dt.date
    levels: frozenset[str]
    source: str
    requirements: tuple[Requirement, ...]
    duties: tuple[Duty, ...] = ()
    #: Each conducted drill is to be published within this many school days (None: no such duty).
    publish_within_school_days: int | None = None
    #: Drill records are kept this many years.
    retain_years: int | None = None
    confidence: str = "verified"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def slug(self) -> str:
        levels = "-".join(sorted(self.levels)) if self.levels != ALL_LEVELS else "all"
        return f"{self.state}-{levels}-{self.effective_from.isoformat()}"


def _month_day(md: tuple[int, int]) -> str:
    return f"{dt.date(2001, md[0], md[1]):%B} {md[1]}"


FIRE = (DrillType.FIRE.value,)


def all_packs() -> dict[str, tuple[RulePack, ...]]:
    from .packs import PACKS

    return PACKS


def pack_for(state: str, level: str, on: dt.date) -> RulePack | None:
    """The pack of ``state`` for a school ``level`` in force on ``on`` (the school year's first day)."""
    level = LEVEL_FALLBACK.get(level, level)
    candidates = [p for p in all_packs().get(state.upper(), ()) if level in p.levels and p.effective_from <= on]
    if not candidates:
        return None
    return max(candidates, key=lambda p: p.effective_from)


def states() -> list[str]:
    return sorted(all_packs())
