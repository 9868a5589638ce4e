"""Mandated-report deadlines as pure functions of a rule pack and the report's times.

No database, no clock: callers pass ``now``. Durations are absolute hours (a 48-hour deadline across a
daylight-saving change is still 48 real hours).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .rules.mandated_reports import RulePack

INITIAL, WRITTEN = "initial", "written"


@dataclass(frozen=True)
class ReportTimes:
    suspected_at: dt.datetime | None
    information_received_at: dt.datetime | None
    oral_reported_at: dt.datetime | None = None
    oral_report_channel: str = ""
    written_filed_at: dt.datetime | None = None

    def start(self, clock_start: str) -> dt.datetime | None:
        """The moment a clock starting at ``clock_start`` started (``None``: not yet)."""
        if clock_start == "suspicion":
            return self.suspected_at
        if clock_start == "oral_report":
            return self.oral_reported_at
        if clock_start == "information_received":
            return self.information_received_at or self.suspected_at
        raise ValueError(f"unknown clock start {clock_start!r}")


@dataclass(frozen=True)
class Deadline:
    kind: str
    clock_start: str
    started_at: dt.datetime
    due_at: dt.datetime
    immediate: bool
    met_at: dt.datetime | None

    @property
    def window(self) -> dt.timedelta:
        return self.due_at.astimezone(dt.UTC) - self.started_at.astimezone(dt.UTC)

    @property
    def met(self) -> bool:
        return self.met_at is not None

    @property
    def met_late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at

    def time_left(self, now: dt.datetime) -> dt.timedelta:
        """Negative once overdue."""
        return self.due_at.astimezone(dt.UTC) - now.astimezone(dt.UTC)

    def overdue(self, now: dt.datetime) -> bool:
        return self.met_at is None and now > self.due_at

    def percent_elapsed(self, now: dt.datetime) -> float:
        seconds = self.window.total_seconds()
        if seconds <= 0:
            return 100.0
        return max(0.0, (now.astimezone(dt.UTC) - self.started_at.astimezone(dt.UTC)).total_seconds() * 100 / seconds)


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """``hours`` real hours after ``start`` (aware arithmetic in one zone would add wall-clock hours)."""
    return (start.astimezone(dt.UTC) + dt.timedelta(hours=hours)).astimezone(start.tzinfo)


def initial_deadline(pack: RulePack, times: ReportTimes) -> Deadline | None:
    """When the first (oral) report is due; ``None`` until its clock has started."""
    start = times.start(pack.initial_clock_start)
    if start is None:
        return None
    hours = pack.immediate_sla_hours if pack.initial_hours is None else pack.initial_hours
    return Deadline(
        kind=INITIAL,
        clock_start=pack.initial_clock_start,
        started_at=start,
        due_at=add_hours(start, hours),
        immediate=pack.initial_hours is None,
        met_at=times.oral_reported_at,
    )


def written_deadline(pack: RulePack, times: ReportTimes) -> Deadline | None:
    """When the written report is due; ``None`` when none is required or its clock has not started."""
    if pack.written_hours is None:
        return None
    if pack.written_only_after_phone and (times.oral_reported_at is None or times.oral_report_channel != "phone"):
        return None
    start = times.start(pack.written_clock_start)
    if start is None:
        return None
    return Deadline(
        kind=WRITTEN,
        clock_start=pack.written_clock_start,
        started_at=start,
        due_at=add_hours(start, pack.written_hours),
        immediate=False,
        met_at=times.written_filed_at,
    )


def deadlines(pack: RulePack, times: ReportTimes) -> list[Deadline]:
    return [d for d in (initial_deadline(pack, times), written_deadline(pack, times)) if d is not None]


def thresholds_crossed(deadline: Deadline, now: dt.datetime, thresholds: tuple[int, ...]) -> list[int]:
    """The escalation thresholds (percent of the window) reached by ``now`` for an unmet deadline."""
    if deadline.met:
        return []
    elapsed = deadline.percent_elapsed(now)
    crossed = []
    for threshold in sorted(thresholds):
        if threshold >= 100:
            if now > deadline.due_at:
                crossed.append(threshold)
        elif elapsed >= threshold:
            crossed.append(threshold)
    return crossed


def describe(delta: dt.timedelta) -> str:
    """``35 h 05 min`` (``4 d 2 h`` from 72 hours on): the absolute value; callers say "left" or "overdue"."""
    seconds = abs(int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours >= 72:
        return f"{hours // 24} d {hours % 24} h"
    return f"{hours} h {minutes:02d} min"
