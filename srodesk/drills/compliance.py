"""Drill compliance of a school for a school year, as of a date.

For each requirement of the school's rule pack (see :mod:`.rules`): how many drills were conducted in
its window, how many are scheduled, what is missing and by when, and a status:

- **on track**: met, or the missing drills are scheduled in the window, or there is time and the school
  keeps pace;
- **at risk**: drills are missing and not scheduled, and the deadline is near (``AT_RISK_DAYS``), or
  the school is behind an even pace through the window, or too few school days remain;
- **non-compliant**: the window closed with drills missing (or a publication was late or is overdue).

The school year starts on the partnership's first day (month and day) and instruction ends on
``LAST_DAY_OF_INSTRUCTION`` (or the day before the next year starts, when that is earlier). School days
are Monday to Friday: no holiday calendar is applied.

Then a suggested schedule: the missing drills spread evenly over the school days left in each window,
the tightest deadline first, one drill a day, a suggestion reused when it can serve several requirements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .choices import DrillStatus, DrillType, TimeOfDay
from .rules import EACH_PERIODS, Requirement, RulePack, pack_for

ON_TRACK, AT_RISK, NON_COMPLIANT = "on_track", "at_risk", "non_compliant"
STATUS_LABELS = {ON_TRACK: "On track", AT_RISK: "At risk", NON_COMPLIANT: "Non-compliant"}
_SEVERITY = {ON_TRACK: 0, AT_RISK: 1, NON_COMPLIANT: 2}
#: A missing, unscheduled drill whose deadline is closer than this is at risk.
AT_RISK_DAYS = 21
#: A publication due within this many school days is at risk.
PUBLICATION_WARNING_SCHOOL_DAYS = 5
LAST_DAY_OF_INSTRUCTION = (6, 15)
DEFAULT_FIRST_DAY = (8, 15)


@dataclass(frozen=True)
class SchoolYear:
    start_year: int
    first_day: dt.date
    last_day: dt.date

    @property
    def label(self) -> str:
        return f"{self.start_year}–{self.start_year + 1}"

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class DrillFact:
    """What compliance needs to know of one drill (built from a Drill or a plain dict in tests)."""

    pk: int | None
    drill_type: str
    status: str
    day: dt.date
    unstructured: bool = False
    law_enforcement_observed: bool = False
    fire_department: bool = False
    secondary_egress: bool = False
    published_on: dt.date | None = None


@dataclass
class Suggestion:
    day: dt.date
    drill_type: str | None
    unstructured: bool = False
    law_enforcement_observed: bool = False
    fire_department: bool = False
    secondary_egress: bool = False
    serves: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        name = DrillType(self.drill_type).label if self.drill_type else "Any drill"
        extras = [
            text
            for flag, text in (
                (self.unstructured, "during lunch or recess"),
                (self.law_enforcement_observed, "observed by law enforcement"),
                (self.fire_department, "with the fire department"),
                (self.secondary_egress, "using secondary exits"),
            )
            if flag
        ]
        return f"{name} drill" + (f", {', '.join(extras)}" if extras else "")


@dataclass
class RequirementStatus:
    key: str
    rule: str
    citation: str
    status: str
    required: int
    done: int
    scheduled: int
    window_start: dt.date
    window_end: dt.date
    message: str
    note: str = ""
    suggested: list[dt.date] = field(default_factory=list)
    items: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(0, self.required - self.done)

    @property
    def met(self) -> bool:
        return self.done >= self.required

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class SchoolCompliance:
    school: Any
    year: SchoolYear
    as_of: dt.date
    state: str
    level: str
    pack: RulePack | None
    requirements: list[RequirementStatus] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    duties: list[tuple[str, str, dt.date | None]] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.requirements:
            return ON_TRACK
        return max((r.status for r in self.requirements), key=_SEVERITY.__getitem__)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUS_LABELS, 0)
        for req in self.requirements:
            out[req.status] += 1
        return out


# --- the calendar -------------------------------------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> dt.date:
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def school_year(first_day_md: tuple[int, int], *, start_year: int) -> SchoolYear:
    first = _safe_date(start_year, *first_day_md)
    next_first = _safe_date(start_year + 1, *first_day_md)
    last = min(_safe_date(start_year + 1, *LAST_DAY_OF_INSTRUCTION), next_first - dt.timedelta(days=1))
    return SchoolYear(start_year, first, last)


def school_year_on(first_day_md: tuple[int, int], day: dt.date) -> SchoolYear:
    """The school year a day belongs to (summer belongs to the year that ended)."""
    start = day.year if day >= _safe_date(day.year, *first_day_md) else day.year - 1
    return school_year(first_day_md, start_year=start)


def is_school_day(day: dt.date) -> bool:
    return day.weekday() < 5


def school_days(start: dt.date, end: dt.date) -> list[dt.date]:
    days = []
    day = start
    while day <= end:
        if is_school_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def add_school_days(day: dt.date, count: int) -> dt.date:
    """The date ``count`` school days after ``day``."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_school_day(day):
            count -= 1
    return day


def _occurrence(year: SchoolYear, month: int, day: int) -> dt.date:
    """The first month/day on or after the first day of the school year."""
    candidate = _safe_date(year.start_year, month, day)
    return candidate if candidate >= year.first_day else _safe_date(year.start_year + 1, month, day)


def windows(req: Requirement, year: SchoolYear) -> list[tuple[str, str, dt.date, dt.date]]:
    """(key, rule text, start, end) of each window the requirement is checked in."""
    first, last = year.first_day, year.last_day
    if req.by:
        return [(req.key, req.describe(), first, _occurrence(year, *req.by))]
    if req.after:
        return [(req.key, req.describe(), _occurrence(year, *req.after), last)]
    if req.month:
        start = _occurrence(year, req.month, 1)
        end = _safe_date(start.year, start.month, 31)
        return [(req.key, req.describe(), max(start, first), min(end, last))]
    if req.within_days_of_start:
        return [(req.key, req.describe(), first, first + dt.timedelta(days=req.within_days_of_start))]
    if req.each == "month":
        out = []
        start = first
        while start <= last:
            end = min(_safe_date(start.year, start.month, 31), last)
            out.append((f"{req.key}-{start:%Y-%m}", f"{req.describe()}: {start:%B %Y}", start, end))
            start = end + dt.timedelta(days=1)
        return out
    if req.each in EACH_PERIODS:
        parts = EACH_PERIODS[req.each]
        total = (last - first).days + 1
        out = []
        for i in range(parts):
            start = first + dt.timedelta(days=i * total // parts)
            end = first + dt.timedelta(days=(i + 1) * total // parts - 1)
            out.append((f"{req.key}-{i + 1}", f"{req.describe()}: {req.each} {i + 1}", start, end))
        return out
    return [(req.key, req.describe(), first, last)]


# --- facts --------------------------------------------------------------------------------------------


def fact_of(drill: Any, school: Any) -> DrillFact | None:
    day = drill.local_date(school)
    if day is None:
        return None
    published = drill.published_at.astimezone(_zone(school)).date() if drill.published_at else None
    return DrillFact(
        pk=drill.pk,
        drill_type=drill.drill_type,
        status=drill.status,
        day=day,
        unstructured=drill.time_of_day == TimeOfDay.UNSTRUCTURED,
        law_enforcement_observed=drill.law_enforcement_observed,
        fire_department=drill.fire_department_participated,
        secondary_egress=drill.secondary_egress,
        published_on=published,
    )


def _zone(school: Any) -> Any:
    from .models import school_zone

    return school_zone(school)


def _matches(req: Requirement, fact: DrillFact | Suggestion) -> bool:
    if req.drill_types and fact.drill_type not in req.drill_types:
        return False
    return not (
        (req.unstructured and not fact.unstructured)
        or (req.law_enforcement_observed and not fact.law_enforcement_observed)
        or (req.fire_department and not getattr(fact, "fire_department", False))
        or (req.secondary_egress and not fact.secondary_egress)
    )


# --- evaluation ---------------------------------------------------------------------------------------


def partnership_for(school: Any) -> Any:
    """The partnership whose rules the school follows: the district's, one naming a drill rule set first."""
    from srodesk.organizations.models import Partnership

    rows = list(Partnership.objects.alive().filter(district_id=school.district_id).order_by("pk"))
    named = [p for p in rows if p.drill_rule_set != "OTHER"]
    return (named or rows or [None])[0]


def rule_state(school: Any, partnership: Any) -> str:
    """The state whose pack applies: the partnership's drill rule set, else its state, else the school's."""
    if partnership is not None and partnership.drill_rule_set != "OTHER":
        return str(partnership.drill_rule_set)
    if partnership is not None and partnership.state:
        return str(partnership.state)
    return str(school.state or school.district.state)


def first_day_of(partnership: Any) -> tuple[int, int]:
    if partnership is None:
        return DEFAULT_FIRST_DAY
    return (partnership.school_year_start_month, partnership.school_year_start_day)


def year_of(partnership: Any, *, as_of: dt.date, start_year: int | None = None) -> SchoolYear:
    """The school year evaluated: the one starting in ``start_year``, or the one containing ``as_of``."""
    first_md = first_day_of(partnership)
    return school_year(first_md, start_year=start_year) if start_year else school_year_on(first_md, as_of)


def evaluate(
    school: Any,
    *,
    as_of: dt.date,
    start_year: int | None = None,
    drills: Iterable[Any] | None = None,
    partnership: Any = "lookup",
) -> SchoolCompliance:
    """The school's compliance for the school year containing ``as_of`` (or starting in ``start_year``).

    ``drills`` may be given (already fetched, e.g. for a whole district); otherwise the school's alive
    drills are read. Drills recorded for after ``as_of`` do not count as conducted.
    """
    if partnership == "lookup":
        partnership = partnership_for(school)
    year = year_of(partnership, as_of=as_of, start_year=start_year)
    state = rule_state(school, partnership)
    level = str(school.level or "")
    pack = pack_for(state, level, year.first_day)
    result = SchoolCompliance(school=school, year=year, as_of=as_of, state=state, level=level, pack=pack)
    if pack is None:
        return result
    if drills is None:
        drills = school.drills.filter(deleted_at__isnull=True)
    facts = [f for f in (fact_of(d, school) for d in drills) if f is not None and year.contains(f.day)]
    conducted = [f for f in facts if f.status == DrillStatus.CONDUCTED and f.day <= as_of]
    planned = [f for f in facts if f.status == DrillStatus.SCHEDULED and f.day >= as_of]

    rows: list[tuple[Requirement, RequirementStatus]] = []
    for req in pack.requirements:
        for key, rule, start, end in windows(req, year):
            rows.append((req, _check(req, key, rule, start, end, as_of, conducted, planned)))
    result.requirements = [row for _, row in rows]
    result.suggestions = _suggest(rows, as_of, conducted, planned)
    if pack.publish_within_school_days:
        result.requirements.append(_publication(pack, as_of, conducted))
    for duty in pack.duties:
        due = _occurrence(year, *duty.due) if duty.due else None
        result.duties.append((duty.text, duty.citation, due))
    return result


def _check(
    req: Requirement,
    key: str,
    rule: str,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    conducted: Sequence[DrillFact],
    planned: Sequence[DrillFact],
) -> RequirementStatus:
    done = sum(1 for f in conducted if start <= f.day <= end and _matches(req, f))
    scheduled = sum(1 for f in planned if max(start, as_of) <= f.day <= end and _matches(req, f))
    missing = max(0, req.min_count - done)
    row = RequirementStatus(
        key=key,
        rule=rule,
        citation=req.citation,
        status=ON_TRACK,
        required=req.min_count,
        done=done,
        scheduled=scheduled,
        window_start=start,
        window_end=end,
        message="",
        note=req.note,
    )
    if missing == 0:
        row.message = f"Met: {done} of {req.min_count}."
        return row
    if as_of > end:
        row.status = NON_COMPLIANT
        row.message = f"Missed: {done} of {req.min_count} {req.plural} by {end.isoformat()}."
        return row
    noun = req.noun if missing == 1 else req.plural
    when = f"by {end.isoformat()}" if as_of >= start else f"between {start.isoformat()} and {end.isoformat()}"
    row.message = f"{missing} more {noun} {when}"
    uncovered = missing - scheduled
    if scheduled:
        row.message += f" ({scheduled} scheduled)"
    row.message += "."
    if uncovered <= 0 or (as_of < start and len(school_days(start, end)) >= uncovered):
        return row
    total = (end - start).days + 1
    elapsed = min(max((as_of - start).days, 0), total)
    expected = req.min_count * elapsed // total
    days_left = school_days(max(as_of, start), end)
    if done + scheduled < expected or (end - as_of).days < AT_RISK_DAYS or len(days_left) < uncovered:
        row.status = AT_RISK
    return row


def _suggest(
    rows: list[tuple[Requirement, RequirementStatus]],
    as_of: dt.date,
    conducted: Sequence[DrillFact],
    planned: Sequence[DrillFact],
) -> list[Suggestion]:
    suggestions: list[Suggestion] = []
    taken = {f.day for f in planned}
    ordered = sorted(rows, key=lambda r: (r[1].window_end, -r[1].window_start.toordinal(), r[1].key))
    for req, row in ordered:
        if row.status == NON_COMPLIANT or row.met:
            continue
        need = row.missing - row.scheduled
        start = max(row.window_start, as_of + dt.timedelta(days=1))
        in_window = [s for s in suggestions if start <= s.day <= row.window_end]
        # A suggestion already made for another requirement serves this one too when it matches.
        for s in in_window:
            if need <= 0:
                break
            if _matches(req, s):
                s.serves.append(row.key)
                row.suggested.append(s.day)
                need -= 1
        # Or when it can be made to match (the right type, plus this requirement's conditions).
        for s in in_window:
            if need <= 0:
                break
            if row.key in s.serves or (req.drill_types and s.drill_type not in req.drill_types):
                continue
            if s.drill_type is None and req.drill_types:
                continue
            s.unstructured |= req.unstructured
            s.law_enforcement_observed |= req.law_enforcement_observed
            s.fire_department |= req.fire_department
            s.secondary_egress |= req.secondary_egress
            s.serves.append(row.key)
            row.suggested.append(s.day)
            need -= 1
        if need <= 0:
            row.suggested.sort()
            continue
        free = [d for d in school_days(start, row.window_end) if d not in taken]
        today_free = is_school_day(as_of) and as_of not in taken
        if len(free) < need and row.window_start <= as_of <= row.window_end and today_free:
            free.insert(0, as_of)  # the deadline is close: today still counts
        anchors = [f.day for f in (*conducted, *planned) if _matches(req, f)]
        anchors += [s.day for s in suggestions if _matches(req, s)]
        edges = (start - dt.timedelta(days=1), row.window_end + dt.timedelta(days=1))
        if row.status == AT_RISK and free:
            # Behind: the first drill as soon as possible, the rest spread after it.
            days = [free[0], *_spread(free[1:], need - 1, [*anchors, free[0]], *edges)]
        else:
            days = _spread(free, need, anchors, *edges)
        for day in days:
            taken.add(day)
            suggestion = Suggestion(
                day=day,
                drill_type=req.drill_types[0] if req.drill_types else None,
                unstructured=req.unstructured,
                law_enforcement_observed=req.law_enforcement_observed,
                fire_department=req.fire_department,
                secondary_egress=req.secondary_egress,
                serves=[row.key],
            )
            suggestions.append(suggestion)
            row.suggested.append(day)
        row.suggested.sort()
        if len(free) < need:
            row.message += f" Only {len(free)} free school days remain in the window."
    return sorted(suggestions, key=lambda s: s.day)


def _spread(days: list[dt.date], count: int, anchors: list[dt.date], before: dt.date, after: dt.date) -> list[dt.date]:
    """``count`` of ``days``, each as far as possible from the drills already there (``anchors``) and
    from the window's edges (``before`` and ``after``): drills spaced evenly through the window."""
    chosen: list[dt.date] = []
    fixed = [before, after, *(a for a in anchors if before <= a <= after)]
    candidates = list(days)
    for _ in range(min(count, len(candidates))):
        points = fixed + chosen
        best = max(candidates, key=lambda d: (min(abs((d - p).days) for p in points), -d.toordinal()))
        chosen.append(best)
        candidates.remove(best)
    return sorted(chosen)


def _publication(pack: RulePack, as_of: dt.date, conducted: Sequence[DrillFact]) -> RequirementStatus:
    within = pack.publish_within_school_days or 0
    status = ON_TRACK
    items: list[str] = []
    published = 0
    for fact in sorted(conducted, key=lambda f: f.day):
        due = add_school_days(fact.day, within)
        name = f"the {fact.day.isoformat()} {DrillType(fact.drill_type).label.lower()} drill"
        if fact.published_on is not None:
            published += 1
            if fact.published_on > due:
                status = NON_COMPLIANT
                items.append(f"{name[:1].upper()}{name[1:]} was published late (due by {due.isoformat()}).")
            continue
        if as_of > due:
            status = NON_COMPLIANT
            items.append(f"Publish {name}: it was due by {due.isoformat()}.")
        else:
            left = len(school_days(as_of + dt.timedelta(days=1), due))
            if left <= PUBLICATION_WARNING_SCHOOL_DAYS and status == ON_TRACK:
                status = AT_RISK
            items.append(f"Publish {name} by {due.isoformat()}.")
    total = len(conducted)
    first_day = min((f.day for f in conducted), default=as_of)
    return RequirementStatus(
        key="publication",
        rule=f"Publish each drill within {within} school days",
        citation=pack.source,
        status=status,
        required=total,
        done=published,
        scheduled=0,
        window_start=first_day,
        window_end=as_of,
        message=f"{published} of {total} conducted drills published." if total else "No drill to publish yet.",
        items=items,
    )
