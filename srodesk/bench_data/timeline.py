"""The district's calendar: ten school years of weekly periods, ending at a fixed moment.

Everything happens at a time derived from the seed and this calendar, never from the clock, so the same
seed builds the same district on any day. Each school year runs from mid-August for 42 weeks; the
roster is imported every Monday at 02:00 (the first import of a year brings the new cohort and the
promotions); people work Monday to Friday during school hours. The first period is the set-up week
before the district went live, when the platform administrator created the organisations and accounts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TZ = ZoneInfo("America/Detroit")
#: The district as of this moment (a Friday evening in the eleventh week of the 2026–27 school year).
AS_OF = dt.datetime(2026, 11, 13, 18, 0, tzinfo=TZ)
WEEKS_PER_YEAR = 42


@dataclass(frozen=True)
class Period:
    """One week of the district's life."""

    index: int
    #: school year, 0 = the go-live year.
    year: int
    #: week of the school year; -1 is the set-up week before go-live.
    week: int
    start: dt.datetime
    end: dt.datetime

    @property
    def setup(self) -> bool:
        return self.week < 0

    @property
    def first_of_year(self) -> bool:
        return self.week == 0

    @property
    def import_at(self) -> dt.datetime:
        """Monday 02:00 local: the weekly roster import."""
        return self.start.replace(hour=2)

    @property
    def label(self) -> str:
        if self.setup:
            return "set-up week"
        return f"{school_year_label(self.first_calendar_year)} week {self.week + 1}"

    @property
    def first_calendar_year(self) -> int:
        return self.start.year if self.start.month >= 7 else self.start.year - 1

    def days(self) -> list[dt.date]:
        """The working days (Monday to Friday) of the week that lie before ``AS_OF``."""
        first = self.start.date()
        return [first + dt.timedelta(days=i) for i in range(5) if _at(first + dt.timedelta(days=i), 7, 0) < self.end]

    def work_time(self, rng: random.Random) -> dt.datetime:
        """A moment during school hours (07:30–16:30) on one of the week's working days, in UTC."""
        days = self.days()
        day = days[rng.randrange(len(days))]
        minute = 7 * 60 + 30 + rng.randrange(9 * 60)
        moment = _at(day, minute // 60, minute % 60) + dt.timedelta(
            seconds=rng.randrange(60), microseconds=rng.randrange(10**6)
        )
        return min(moment, self.end - dt.timedelta(seconds=1)).astimezone(dt.UTC)

    @property
    def share(self) -> float:
        """The part of a full working week this period covers (the week in progress at ``AS_OF``)."""
        return len(self.days()) / 5


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def school_year_label(first_calendar_year: int) -> str:
    return f"{first_calendar_year}–{(first_calendar_year + 1) % 100:02d}"


def year_start(calendar_year: int) -> dt.date:
    """The Monday of the first week of the school year (on or after 14 August)."""
    day = dt.date(calendar_year, 8, 14)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def periods(years: int) -> list[Period]:
    """The set-up week, then every school week of ``years`` school years up to ``AS_OF``."""
    last_year = AS_OF.year if AS_OF.month >= 8 else AS_OF.year - 1
    first_year = last_year - years + 1
    go_live = year_start(first_year)
    setup_start = _at(go_live - dt.timedelta(days=7), 0, 0)
    result = [Period(0, 0, -1, setup_start, _at(go_live, 0, 0))]
    for year in range(years):
        monday = year_start(first_year + year)
        for week in range(WEEKS_PER_YEAR):
            start = _at(monday + dt.timedelta(weeks=week), 0, 0)
            if start.replace(hour=2) >= AS_OF:
                break
            end = min(_at(monday + dt.timedelta(weeks=week + 1), 0, 0), AS_OF)
            result.append(Period(len(result), year, week, start, end))
    return result


def first_import_of_year(all_periods: list[Period], year: int) -> Period:
    return next(p for p in all_periods if p.year == year and p.week == 0)


# --- school days ------------------------------------------------------------------------------------
def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def closed(day: dt.date) -> bool:
    """No school: weekends, Labor Day, Thanksgiving (Wednesday to Friday), the winter break, Martin Luther
    King Jr. Day, Presidents' Day, the spring break (the week of the first Monday of April), Memorial Day."""
    if day.weekday() >= 5:
        return True
    year = day.year
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    spring = _nth_weekday(year, 4, 0, 1)
    memorial = _nth_weekday(year, 5, 0, 5) if _nth_weekday(year, 5, 0, 5).month == 5 else _nth_weekday(year, 5, 0, 4)
    return (
        day == _nth_weekday(year, 9, 0, 1)
        or thanksgiving - dt.timedelta(days=1) <= day <= thanksgiving + dt.timedelta(days=1)
        or (day.month == 12 and day.day >= 22)
        or (day.month == 1 and day.day <= 2)
        or day in (_nth_weekday(year, 1, 0, 3), _nth_weekday(year, 2, 0, 3), memorial)
        or spring <= day <= spring + dt.timedelta(days=4)
    )


def open_after(day: dt.date) -> dt.date:
    """The next school day after ``day``."""
    day += dt.timedelta(days=1)
    while closed(day):
        day += dt.timedelta(days=1)
    return day


def open_before(day: dt.date) -> dt.date:
    """The last school day before ``day``."""
    day -= dt.timedelta(days=1)
    while closed(day):
        day -= dt.timedelta(days=1)
    return day


def open_on(day: dt.date) -> dt.date:
    """``day`` if school is open then, else the next school day."""
    while closed(day):
        day += dt.timedelta(days=1)
    return day
