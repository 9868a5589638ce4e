"""Safety drills: what every school holds each school year, recorded through the drill services.

In the first week of each school year a principal of every school opens the school's compliance page and
schedules the suggested drills of its state rule pack at once (``drills.services.schedule_suggestions``:
one request, every drill ``scheduled`` at 10:00 in the school's time zone on the day the compliance
module suggests, audited with the reason "suggested drill schedule"). The pack is the one
``drills.compliance.evaluate`` applies (the district's partnership's drill rule set, its state, the
school's state); a district whose state has no pack gets a plausible default year (2 lockdown, 3 fire,
1 severe-weather shelter and 1 bus evacuation drill), scheduled one by one (``services.schedule``).

Each drill is then held on its day, or a school day or two from it (the day after a holiday when it
falls in a break), during instruction or, for the drill the law wants in unstructured time, at lunch,
and recorded as conducted the same day or the next (``services.conduct``: one update with the time,
headcount, people accounted for, time to complete, who ran and observed it, and the retention date
``services.retain_until_for`` sets), by the principal or, at a secondary school, by its officer.
Lockdown drills are often observed by law enforcement: the school's officer, else an officer of the
district's partnership agency. A few drills are cancelled the day before or that morning
(``services.cancel``: the reason in the notes and the audit row) and most of those are made up a week
or two later (``services.schedule``). Where the pack has a publication duty (Michigan), the principal
posts most drills on the school's website within a few school days and records it
(``services.publish``); some are late, a few never are. Drills after ``AS_OF`` stay scheduled.

Drill rows are inserted when their school year is over (or at the end), in their final state; their
audit rows are queued week by week, at the moment each step happened. Emergency plans are generated with
the alerts (:mod:`.alerts`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from srodesk.accounts.models import User
from srodesk.drills.choices import DrillStatus, DrillType, TimeOfDay
from srodesk.drills.compliance import (
    DEFAULT_FIRST_DAY,
    add_school_days,
    evaluate,
    first_day_of,
    partnership_for,
    rule_state,
    school_year_on,
)
from srodesk.drills.models import Drill, school_zone
from srodesk.drills.rules import RulePack, pack_for
from srodesk.drills.services import DEFAULT_DRILL_TIME
from srodesk.organizations.models import School

from ..simulation import Actor, Generator, Ids, LaterSteps, register, request_id
from ..timeline import WEEKS_PER_YEAR, Period, closed, open_after, open_before, year_start
from .accounts import Account, Accounts
from .organizations import Organizations
from .roster import Roster

#: The school year of a district whose state has no rule pack: drill type, how many.
DEFAULT_YEAR = (
    (DrillType.FIRE, 3),
    (DrillType.LOCKDOWN, 2),
    (DrillType.SHELTER_WEATHER, 1),
    (DrillType.BUS_EVACUATION, 1),
)
#: Share of scheduled drills cancelled, and of those made up later.
CANCELLED = 0.04
MADE_UP = 0.85
#: Share of drills held a school day or two from the scheduled one; recorded the next school day.
MOVED = 0.15
RECORDED_NEXT_DAY = 0.12
#: Share of conducted drills published on time and late (where the pack has a publication duty).
PUBLISHED = 0.97
PUBLISHED_LATE = 0.02
#: Time to complete (seconds) by drill type.
DURATIONS = {
    DrillType.FIRE: (110, 420),
    DrillType.LOCKDOWN: (300, 1200),
    DrillType.SECURE: (300, 900),
    DrillType.SHELTER_WEATHER: (240, 720),
    DrillType.SHELTER_HAZMAT: (240, 720),
    DrillType.EARTHQUAKE: (90, 300),
    DrillType.BUS_EVACUATION: (180, 480),
    DrillType.REUNIFICATION: (1800, 5400),
}
CANCEL_REASONS = (
    "Severe weather: students kept indoors all day.",
    "State testing moved to that day.",
    "Early dismissal for weather.",
    "Too many substitute teachers in the building that day.",
    "Power outage in the building.",
)
ISSUES = {
    DrillType.FIRE: (
        "The alarm was hard to hear in the gym annex.",
        "One class used the blocked north stairwell and had to turn back.",
        "Two students left the assembly area before the all-clear.",
    ),
    DrillType.LOCKDOWN: (
        "A classroom door on the second floor did not lock from the inside.",
        "Students were visible through the library windows.",
        "The announcement was not heard in the portable classrooms.",
    ),
    DrillType.SHELTER_WEATHER: (
        "The shelter area in the east hallway was crowded.",
        "Some classes went to the wrong shelter area.",
    ),
}
NOTES = (
    "Went well; staff knew their roles.",
    "Review the procedure with new staff at the next meeting.",
    "Head custodian to check the door hardware this week.",
    "Substitute teachers need the drill cards in the classroom folders.",
    "Debriefed with the safety team the same afternoon.",
)


@dataclass
class Site:
    """A school, with what its drills need: the pack's partnership, its accounts, its officers."""

    school: School
    secondary: bool
    admins: list[Account]
    officers: list[Account]
    agency_name: str


@dataclass
class Plan:
    """One drill of a school year: its row (inserted at the end) and its state as the services hold it."""

    site: Site
    values: dict[str, Any]
    year: int
    pack: RulePack | None
    #: The last day of the school weeks of its year.
    last_day: dt.date
    steps: list[str] = field(default_factory=list)


@register
class Drills(Generator):
    name = "drills"
    writes = ("drills.Drill",)

    def plan(self) -> None:
        self.steps = LaterSteps()
        self.rows: list[dict[str, Any]] = []
        self.ids = Ids(self.sim.sink, Drill)
        self.sites: list[Site] = []
        self.names: dict[int, str] = {}
        self.badges: dict[int, int] = {}
        self.partnership: Any = None
        self.students: dict[int, int] = defaultdict(int)
        self.pool_year = -1
        self.pool_cursor = 0
        self.staff: dict[int, list[Any]] = defaultdict(list)
        self.staff_cursor = 0
        self.now_week = (0, 0)
        #: The last school day (the Friday of the last week) of each school year, ahead of ``AS_OF`` or not.
        self.last_days = {
            p.year: year_start(p.first_calendar_year) + dt.timedelta(weeks=WEEKS_PER_YEAR - 1, days=4)
            for p in self.sim.periods
            if p.first_of_year
        }

    def later(self, at: dt.datetime, step: Callable[[], None]) -> bool:
        """Run ``step`` in the week of ``at``; ``False`` if that is after ``AS_OF`` (it never happens)."""
        return self.steps.add(at, step)

    def week(self, period: Period) -> None:
        self.steps.start_week(period)
        if period.setup:
            return
        if not self.sites:
            self.prepare()
        self.refresh(period)
        self.steps.run_due()
        if period.first_of_year:
            # Every step of the drills of past years is done: they go in as they ended.
            self.insert()
            for site in self.sites:
                self.schedule_year(period, site)

    def finish(self) -> None:
        self.steps.run_all()  # nothing is queued after AS_OF; kept for safety
        self.insert()
        self.sim.sink.flush()

    def insert(self) -> None:
        rows, self.rows = self.rows, []
        rows.sort(key=lambda row: row["id"])
        self.sim.sink.insert(Drill, rows)

    def prepare(self) -> None:
        sim = self.sim
        org = sim.get(Organizations).org
        accounts = sim.get(Accounts)
        schools = {s.pk: s for s in School.objects.filter(district_id=org.district_id).select_related("district")}
        first = schools[org.schools[0].pk]
        self.partnership = partnership_for(first)
        agencies = {a.pk: a.name for a in org.agencies}
        partner_agency = self.partnership.agency_id if self.partnership is not None else None
        for info in org.schools:
            own = accounts.at_school("sro", info.pk)
            agency = own[0].agency_id if own else partner_agency
            officers = own or [a for a in accounts.by_role["sro"] if a.agency_id == partner_agency]
            self.sites.append(
                Site(
                    school=schools[info.pk],
                    secondary=bool(own),
                    admins=accounts.at_school("school_admin", info.pk),
                    officers=officers,
                    agency_name=agencies.get(agency or 0, ""),
                )
            )
        people = [a.actor.id for a in accounts.accounts if a.actor.id is not None]
        self.names = {
            pk: f"{given} {family}"
            for pk, given, family in User.objects.filter(pk__in=people).values_list("pk", "first_name", "last_name")
        }
        for account in sorted(accounts.by_role["sro"], key=lambda a: a.actor.id or 0):
            self.badges[account.actor.id or 0] = self.rng.randrange(1000, 10000)

    def refresh(self, period: Period) -> None:
        """The students and staff of every school this week (for the drills' headcounts)."""
        roster = self.sim.get(Roster)
        if period.year != self.pool_year:
            self.pool_year, self.pool_cursor, self.students = period.year, 0, defaultdict(int)
        for kid in roster.enrolled[self.pool_cursor :]:
            self.students[kid.school_in(period.year, roster.last_year)] += 1
        self.pool_cursor = len(roster.enrolled)
        for adult in roster.hired[self.staff_cursor :]:
            for school in adult.schools:
                self.staff[school].append(adult)
        self.staff_cursor = len(roster.hired)
        self.now_week = (period.year, period.week)

    # --- the school year -----------------------------------------------------------------------------
    def schedule_year(self, period: Period, site: Site) -> None:
        """The principal schedules the year's drills in its first week."""
        if not site.admins:
            return
        rng, zone = self.rng, school_zone(site.school)
        first_md = first_day_of(self.partnership) if self.partnership is not None else DEFAULT_FIRST_DAY
        days = [d for d in period.days() if d.weekday() > 0 and school_year_on(first_md, d).start_year == d.year]
        if not days:
            return
        day = days[rng.randrange(len(days))]
        minute = 7 * 60 + 30 + rng.randrange(9 * 60)
        at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=zone)
        at = (at + dt.timedelta(microseconds=rng.randrange(10**6))).astimezone(dt.UTC)
        if at >= period.end:
            return
        principal = site.admins[0] if rng.random() < 0.75 else site.admins[rng.randrange(len(site.admins))]
        result = evaluate(site.school, as_of=day, drills=[], partnership=self.partnership)
        year = result.year
        last_day = min(self.last_days[period.year], year.last_day)
        request = request_id(rng)
        if result.pack is not None:
            for i, suggestion in enumerate(result.suggestions):
                values = self.new(
                    site,
                    at + dt.timedelta(milliseconds=11 * i + rng.randrange(8)),
                    principal.actor,
                    drill_type=suggestion.drill_type or DrillType.FIRE,
                    scheduled_for=dt.datetime.combine(suggestion.day, DEFAULT_DRILL_TIME, tzinfo=zone),
                    time_of_day=TimeOfDay.UNSTRUCTURED if suggestion.unstructured else TimeOfDay.INSTRUCTION,
                    law_enforcement_observed=suggestion.law_enforcement_observed,
                    law_enforcement_agency="Local police (to be confirmed)"
                    if suggestion.law_enforcement_observed
                    else "",
                    fire_department_participated=suggestion.fire_department,
                    secondary_egress=suggestion.secondary_egress,
                )
                drill = Plan(site, values, period.year, result.pack, last_day)
                self.created(drill, principal.actor, request, "suggested drill schedule")
                self.fate(drill, principal)
            return
        # No pack for the state: the principal plans a plausible year, one drill at a time.
        for i, (when, drill_type) in enumerate(self.default_year(day, last_day)):
            moment = at + dt.timedelta(seconds=40 * i + rng.randrange(30), microseconds=rng.randrange(10**6))
            values = self.new(
                site,
                moment,
                principal.actor,
                drill_type=drill_type,
                scheduled_for=dt.datetime.combine(when, dt.time(rng.choice((9, 10, 13)), 0), tzinfo=zone),
            )
            drill = Plan(site, values, period.year, None, last_day)
            self.created(drill, principal.actor, request_id(rng), "drill scheduled")
            self.fate(drill, principal)

    def default_year(self, today: dt.date, last_day: dt.date) -> list[tuple[dt.date, str]]:
        """The default drills spread over the open days of the year, a fire drill first."""
        rng = self.rng
        types = [str(t) for t, count in DEFAULT_YEAR for _ in range(count)]
        first, rest = types[0], types[1:]
        rng.shuffle(rest)
        start = today + dt.timedelta(days=14)
        open_days = [d for d in _days(start, last_day - dt.timedelta(days=14)) if not closed(d)]
        if not open_days:
            return []
        plan = []
        for i, drill_type in enumerate([first, *rest]):
            index = (2 * i + 1) * len(open_days) // (2 * len(types)) + rng.randrange(-4, 5)
            plan.append((open_days[max(0, min(index, len(open_days) - 1))], drill_type))
        return sorted(plan)

    # --- the drill's life ----------------------------------------------------------------------------
    def new(self, site: Site, at: dt.datetime, actor: Actor, **fields: Any) -> dict[str, Any]:
        school = site.school
        values = self.sim.sink.defaults(Drill)
        values.update(
            id=self.ids.take(),
            district_id=school.district_id,
            school_id=school.pk,
            status=DrillStatus.SCHEDULED,
            created_at=at,
            updated_at=at,
            created_by_id=actor.id,
            updated_by_id=actor.id,
        )
        values.update(fields)
        return values

    def log(
        self, drill: Plan, at: dt.datetime, actor: Actor, request: str, reason: str, before: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The change hook's row of the drill's save at ``at``; returns the snapshot."""
        moment = at + dt.timedelta(milliseconds=4)
        return self.sim.sink.saved(
            Drill, drill.values, at=moment, actor=actor, request_id=request, before=before, reason=reason
        )

    def created(self, drill: Plan, actor: Actor, request: str, reason: str) -> None:
        """The create row (``scheduled_for`` as the caller gave it, in the school's zone); then the row as
        it is read back (timestamps in UTC), which every later step starts from."""
        self.log(drill, drill.values["created_at"], actor, request, reason, None)
        drill.values["scheduled_for"] = drill.values["scheduled_for"].astimezone(dt.UTC)
        drill.steps.append("scheduled")
        self.rows.append(drill.values)

    def saved(self, drill: Plan, at: dt.datetime, actor: Actor, reason: str, changes: dict[str, Any]) -> None:
        """A later save (``services.conduct``/``cancel``/``publish``): one update row of its own request."""
        before = self.sim.sink.snapshot(Drill, drill.values)
        drill.values.update(changes, updated_at=at, updated_by_id=actor.id)
        self.log(drill, at, actor, request_id(self.rng), reason, before)

    def fate(self, drill: Plan, principal: Account, *, cancellable: bool = True) -> None:
        """Queue what happens to a scheduled drill: cancelled (and perhaps made up), or held and recorded.
        Steps after ``AS_OF`` never happen: the drill stays as it was."""
        rng = self.rng
        zone = school_zone(drill.site.school)
        day = drill.values["scheduled_for"].astimezone(zone).date()
        created = drill.values["created_at"]
        if day > drill.last_day:
            return  # beyond the school weeks: stays scheduled
        if cancellable and rng.random() < CANCELLED:
            at = _moment(open_before(day), zone, 13 * 60, 16 * 60, rng)
            if rng.random() < 0.5 or at <= created:
                at = _moment(day, zone, 7 * 60, 9 * 60, rng)
            self.later(at, lambda: self.cancel(drill, at, principal))
            return
        held = day
        while closed(held):
            held += dt.timedelta(days=1)
        if rng.random() < MOVED:
            moved = held
            for _ in range(rng.randrange(1, 3)):
                moved = open_after(moved) if rng.random() < 0.7 else open_before(moved)
            if moved.month == held.month and moved > created.astimezone(zone).date():
                held = moved
        if held > drill.last_day:
            return
        if drill.values["time_of_day"] == TimeOfDay.UNSTRUCTURED:
            conducted = _moment(held, zone, 11 * 60 + 15, 12 * 60 + 40, rng, whole=True)
        else:
            conducted = _moment(held, zone, 8 * 60 + 30, 14 * 60 + 45, rng, whole=True)
        low, high = DURATIONS.get(DrillType(drill.values["drill_type"]), (180, 600))
        duration = rng.randrange(low, high)
        if rng.random() < RECORDED_NEXT_DAY and open_after(held) <= drill.last_day:
            recorded = _moment(open_after(held), zone, 7 * 60 + 30, 16 * 60, rng)
        else:
            end = conducted + dt.timedelta(seconds=duration)
            recorded = end + dt.timedelta(minutes=rng.randrange(5, 150), seconds=rng.randrange(60))
            recorded += dt.timedelta(microseconds=rng.randrange(10**6))
        site = drill.site
        recorder = principal
        if site.secondary and site.officers and rng.random() < 0.3:
            recorder = site.officers[rng.randrange(len(site.officers))]
        self.later(recorded, lambda: self.conduct(drill, recorded, recorder, conducted, duration))

    def conduct(self, drill: Plan, at: dt.datetime, recorder: Account, conducted: dt.datetime, duration: int) -> None:
        """``services.conduct``: the counts and observations, and the retention date."""
        rng, site = self.rng, drill.site
        drill_type = DrillType(drill.values["drill_type"])
        school = site.school.pk
        students = self.students.get(school, 0)
        staff = sum(1 for a in self.staff.get(school, ()) if a.left is None or a.left > self.now_week)
        present = round(students * rng.uniform(0.9, 0.97)) + round(staff * rng.uniform(0.9, 1.0))
        missing = 0 if present == 0 or rng.random() < 0.9 else rng.randrange(1, 4)
        admin = site.admins[rng.randrange(len(site.admins))] if site.admins else recorder
        changes: dict[str, Any] = {
            "status": DrillStatus.CONDUCTED,
            "conducted_at": conducted,
            "conducted_by": f"{self.names.get(admin.actor.id or 0, admin.actor.username)}, Principal",
            "duration_seconds": duration,
            "participants_count": present or None,
            "headcount": present or None,
            "accounted_for": max(present - missing, 0) if present else None,
        }
        directors = self.sim.get(Accounts).by_role["safety_director"]
        if directors and rng.random() < 0.2:
            director = directors[rng.randrange(len(directors))].actor
            changes["observed_by"] = f"{self.names.get(director.id or 0, director.username)}, District Safety Director"
        lockdown = drill_type in (DrillType.LOCKDOWN, DrillType.SECURE)
        chance = (0.6 if site.secondary else 0.35) if lockdown else (0.15 if site.secondary else 0.04)
        if site.officers and site.agency_name and (drill.values["law_enforcement_observed"] or rng.random() < chance):
            officer = site.officers[rng.randrange(len(site.officers))].actor
            name = self.names.get(officer.id or 0, officer.username)
            changes.update(
                law_enforcement_observed=True,
                law_enforcement_agency=site.agency_name,
                law_enforcement_officer=f"Ofc. {name}, badge {self.badges.get(officer.id or 0, 0)}",
            )
        if drill_type == DrillType.FIRE:
            if rng.random() < 0.1:
                changes["fire_department_participated"] = True
            if rng.random() < 0.25:
                changes["secondary_egress"] = True
        issues = ISSUES.get(drill_type, ())
        if missing:
            changes["issues_found"] = f"{missing} not accounted for at first count; found within minutes."
        elif issues and rng.random() < 0.2:
            changes["issues_found"] = rng.choice(issues)
        if rng.random() < 0.3:
            changes["after_action_notes"] = rng.choice(NOTES)
        changes["retain_until"] = self.retain_until(drill, conducted)
        self.saved(drill, at, recorder.actor, "drill conducted", changes)
        drill.steps.append("conducted")
        self.publication(drill, conducted, at)

    def retain_until(self, drill: Plan, conducted: dt.datetime) -> dt.date | None:
        """``services.retain_until_for``: the longer of the pack's and the partnership's retention."""
        school = drill.site.school
        day = conducted.astimezone(school_zone(school)).date()
        years = [int(self.partnership.retention_operational_years)] if self.partnership is not None else []
        pack = pack_for(rule_state(school, self.partnership), str(school.level), day)
        if pack is not None and pack.retain_years:
            years.append(pack.retain_years)
        if not years:
            return None
        keep = max(years)
        try:
            return day.replace(year=day.year + keep)
        except ValueError:  # 29 February
            return day.replace(year=day.year + keep, day=28)

    def publication(self, drill: Plan, conducted: dt.datetime, recorded: dt.datetime) -> None:
        """``services.publish``: the principal posts the drill on the school's website, and records it
        (counted in school days from the drill, after it was recorded)."""
        pack, rng = drill.pack, self.rng
        if pack is None or not pack.publish_within_school_days or not drill.site.admins:
            return
        zone = school_zone(drill.site.school)
        draw = rng.random()
        within = pack.publish_within_school_days
        if draw < PUBLISHED:
            wait = rng.randrange(1, min(12, within) + 1)
        elif draw < PUBLISHED + PUBLISHED_LATE:
            wait = within + rng.randrange(1, 11)
        else:
            return
        day = add_school_days(conducted.astimezone(zone).date(), wait)
        while closed(day):
            day += dt.timedelta(days=1)
        if day > drill.last_day:
            day = drill.last_day
        at = _moment(day, zone, 7 * 60 + 30, 16 * 60 + 30, rng)
        if at <= recorded:
            at = recorded + dt.timedelta(minutes=rng.randrange(5, 60), microseconds=rng.randrange(10**6))
        admin = drill.site.admins[rng.randrange(len(drill.site.admins))]

        def publish() -> None:
            if drill.steps[-1] != "conducted":
                return
            self.saved(drill, at, admin.actor, "drill published", {"published_at": at - dt.timedelta(milliseconds=2)})
            drill.steps.append("published")

        self.later(at, publish)

    def cancel(self, drill: Plan, at: dt.datetime, principal: Account) -> None:
        """``services.cancel``, and often a make-up drill scheduled right after (``services.schedule``)."""
        rng = self.rng
        reason = rng.choice(CANCEL_REASONS)
        notes = f"{drill.values['after_action_notes']}\nCancelled: {reason}".strip()
        self.saved(drill, at, principal.actor, reason, {"status": DrillStatus.CANCELLED, "after_action_notes": notes})
        drill.steps.append("cancelled")
        if rng.random() >= MADE_UP:
            return
        zone = school_zone(drill.site.school)
        day = drill.values["scheduled_for"].astimezone(zone).date()
        for _ in range(rng.randrange(4, 11)):
            day = open_after(day)
        if day > drill.last_day:
            return
        hour = rng.choice((9, 10, 13))
        values = self.new(
            drill.site,
            at + dt.timedelta(minutes=rng.randrange(1, 5), microseconds=rng.randrange(10**6)),
            principal.actor,
            drill_type=drill.values["drill_type"],
            scheduled_for=dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zone),
            time_of_day=drill.values["time_of_day"],
            law_enforcement_observed=drill.values["law_enforcement_observed"],
            law_enforcement_agency=drill.values["law_enforcement_agency"],
            fire_department_participated=drill.values["fire_department_participated"],
            secondary_egress=drill.values["secondary_egress"],
        )
        makeup = Plan(drill.site, values, drill.year, drill.pack, drill.last_day)
        self.created(makeup, principal.actor, request_id(rng), "drill scheduled")
        self.fate(makeup, principal, cancellable=False)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _moment(day: dt.date, zone: Any, start: int, end: int, rng: Any, *, whole: bool = False) -> dt.datetime:
    """A moment between ``start`` and ``end`` (minutes after midnight) of ``day`` in ``zone``, in UTC; on the
    minute when ``whole`` (a time someone typed)."""
    minute = start + rng.randrange(end - start)
    moment = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=zone)
    if not whole:
        moment += dt.timedelta(seconds=rng.randrange(60), microseconds=rng.randrange(10**6))
    return moment.astimezone(dt.UTC)
