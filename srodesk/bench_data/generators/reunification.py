"""Reunification after an evacuation, through the reunification services (Standard Reunification Method).

About one evacuation in three cannot end with the students back in the building: half an hour to an hour
after the alert, one of the school's administrators or its officer, or a district safety director, starts a
reunification at the school's reunification site for that school, linked to the alert
(``reunification.services.start_event``: the event's create row, then every student enrolled and active at
the school that moment expected there, ``EventStudent``, written in bulk with the rows of the change batch,
2,000 a flush, naming the event). Over the next two hours the students' guardians arrive, and each pickup is
one card through the four steps, each a request of its own with its change rows (``issue_card`` by a
greeter; ``check_card``: photo ID, the guardian on the roster; ``bring_student`` by a runner; ``release``:
the student agrees), and the expected student's status follows the card. About 2 % of the adults are not on
the student's list (an *unauthorised adult* exception: the card waits until the parent is reached by phone,
release approved, or is refused and a guardian comes later); about 1 % of the students are injured (handed
over to EMS) and 1 % missing at first (found and back in the assembly area). The roster carries no custody
restriction, so no card is held for one. About 2 % of the students are not collected before the event is
closed (``close_event``, with a note). A step at or after ``AS_OF`` never happens.

Event rows (students, cards, exceptions) are inserted in the week the event starts, in their final state;
their audit rows are queued week by week, at the moment each step happened.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from srodesk.people.models import Student, fold
from srodesk.people.roster.rows import light_instance
from srodesk.reunification.choices import CardStatus, EventStatus, ExceptionKind, IdType, Resolution, StudentStatus
from srodesk.reunification.models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException

from ..names import FAMILY, GIVEN, phone
from ..simulation import Actor, Generator, LaterSteps, Rows, Saves, register, request_id
from ..timeline import AS_OF, Period
from .alerts import Alerts, Person, Started
from .roster import Adult, AtSchool, Kid, Roster
from .threats import Life

#: Share of evacuations followed by a reunification.
REUNIFIED = 0.3
UNAUTHORISED = 0.02
INJURED = 0.01
MISSING = 0.01
NOT_COLLECTED = 0.02
#: Of unauthorised adults, the share whose card is approved once a parent is reached by phone.
APPROVED = 0.6
#: The changes' batch size of ``ChangeBatch`` (the expected students' create rows share a flush's time).
FLUSH = 2000
SITES = (
    ("Community Church", "Fellowship hall"),
    ("Recreation Center", "Gymnasium"),
    ("Public Library", "Meeting room"),
    ("Middle School stadium", "Home bleachers"),
)
RELATIONSHIPS = {
    "parent": ("Mother", "Father", "Parent"),
    "guardian": ("Guardian",),
    "relative": ("Grandmother", "Aunt"),
}
OTHERS = ("Neighbor", "Family friend", "Babysitter")
CLOSING = (
    "Every student released or handed over; the remaining students were taken home by district buses.",
    "Site closed; the cards were reconciled with the district office.",
)
ORDER: tuple[type[models.Model], ...] = (ReunificationEvent, EventStudent, ReunificationCard, ReunificationException)


@register
class Reunifications(AtSchool, Saves, Generator):
    name = "reunification"
    writes = (*(m._meta.label for m in ORDER), "reunification.ReunificationEvent_schools")

    def plan(self) -> None:
        self.records = Rows(self.sim.sink, ORDER)
        self.steps = LaterSteps()
        self.cursor = 0
        #: The events' schools, and the open exception of each card held for an unauthorised adult.
        self.links: list[tuple[int, int]] = []
        self.open_exceptions: dict[int, dict[str, Any]] = {}
        self.start_pools()

    def week(self, period: Period) -> None:
        self.steps.start_week(period)
        self.steps.run_due()
        if period.setup:
            return
        self.refresh(period)
        alerts = self.sim.get(Alerts)
        for started in alerts.evacuations[self.cursor :]:
            if self.rng.random() < REUNIFIED:
                self.event(alerts, started)
        self.cursor = len(alerts.evacuations)
        self.insert()

    def finish(self) -> None:
        self.steps.run_all()
        self.insert()
        self.sim.sink.flush()

    def insert(self) -> None:
        self.records.insert()
        self.sim.sink.link(ReunificationEvent._meta.get_field("schools"), self.links)
        self.links = []

    # --- an event --------------------------------------------------------------------------------------
    def event(self, alerts: Alerts, started: Started) -> None:
        """``start_event`` at a reunification site, the pickups of the afternoon and the close."""
        rng = self.rng
        site = next(s for s in alerts.sites if s.school_id in started.school_ids)
        people = site.people + alerts.district
        leads = [p for p in people if p.may(ReunificationEvent, "add") and p.may(ReunificationEvent, "close")]
        workers = [p for p in people if p.may(ReunificationCard, "add")]
        resolvers = [p for p in leads if p.may(ReunificationException, "resolve")]
        at = started.values["activated_at"] + dt.timedelta(minutes=rng.uniform(30, 60))
        if not leads or not workers or not resolvers or at >= AS_OF:
            return
        lead = rng.choice(leads)
        place, area = rng.choice(SITES)
        request = request_id(rng)
        event = self.created(
            ReunificationEvent,
            at,
            lead.actor,
            request,
            district_id=site.district_id,
            alert_id=started.values["id"],
            site_name=f"{site.name.split(' ')[0]} {place}",
            site_address=f"{rng.randrange(100, 9000)} Main Street",
            assembly_area=area,
            status=str(EventStatus.OPEN),
            started_at=at - dt.timedelta(microseconds=300),
            started_by_id=lead.actor.id,
        )
        self.links.append((event["id"], site.school_id))
        last = at
        for kid, student in self.expected(event, site.school_id, lead.actor, request, at):
            life = Life(at + dt.timedelta(minutes=rng.uniform(10, 150)))
            self.pickup(kid, student, life, workers, resolvers)
            last = max(last, life.clock)
        closing = last + dt.timedelta(minutes=rng.uniform(10, 30))
        if closing < AS_OF:
            self.updated(
                ReunificationEvent,
                event,
                closing,
                lead.actor,
                request_id(rng),
                {
                    "status": str(EventStatus.CLOSED),
                    "closed_at": closing - dt.timedelta(microseconds=400),
                    "closed_by_id": lead.actor.id,
                    "closing_note": rng.choice(CLOSING),
                },
            )

    def expected(
        self, event: dict[str, Any], school: int, actor: Actor, request: str, at: dt.datetime
    ) -> list[tuple[Kid, dict[str, Any]]]:
        """``_snapshot_students``: the school's active students, written in bulk, and the change batch's rows."""
        roster = self.sim.get(Roster)
        times, kids = self.pools.get(school, ([], []))
        now = at + dt.timedelta(milliseconds=40)
        chosen = []
        for moment, kid in zip(times, kids, strict=True):
            if moment <= at and self.active(kid):
                state = roster.student_values(kid, self.pool_year, True, now)
                chosen.append((state["family_name"], state["given_name"], kid.pk, kid, light_instance(Student, state)))
        chosen.sort(key=lambda row: row[:3])
        result = []
        for i, (_, _, _, kid, student) in enumerate(chosen):
            name = student.display_name
            values = self.records.new(
                EventStudent,
                now,
                actor,
                district_id=event["district_id"],
                event_id=event["id"],
                student_id=kid.pk,
                school_id=school,
                name=name,
                search_name=fold(" ".join(p for p in (*student.name_parts(), name) if p)),
                grade=student.grade,
                status=str(StudentStatus.WAITING),
                location=event["assembly_area"],
            )
            flushed = now + dt.timedelta(milliseconds=60 + 50 * (i // FLUSH))
            self.logged(EventStudent, values, flushed, actor, request, detail={"reunification_event": event["id"]})
            result.append((kid, values))
        return result

    # --- one student's pickup --------------------------------------------------------------------------
    def after(self, life: Life, seconds: float) -> dt.datetime | None:
        """The moment of the next step, ``seconds`` after the last; ``None`` once a step falls after ``AS_OF``."""
        return life.at(life.clock + dt.timedelta(seconds=seconds))

    def pickup(
        self, kid: Kid, student: dict[str, Any], life: Life, workers: list[Person], resolvers: list[Person]
    ) -> None:
        """The student's exceptions and cards until released, handed over, or left waiting at the close."""
        rng = self.rng
        guardians = [g for g in kid.family.guardians if g.pk]
        draw = rng.random()
        if draw < INJURED:
            self.diverted(student, life, workers, resolvers, ExceptionKind.INJURED_STUDENT)
            return
        if draw < INJURED + MISSING and not self.diverted(
            student, life, workers, resolvers, ExceptionKind.MISSING_STUDENT
        ):
            return
        if not guardians or rng.random() < NOT_COLLECTED:
            return
        if rng.random() < UNAUTHORISED:
            other = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            card = self.card(student, life, workers, other, rng.choice(OTHERS), phone(rng))
            if card is None or not self.check(student, card, life, workers, None):
                return
            approved = rng.random() < APPROVED
            if not self.resolve(student, card, life, resolvers, approved) or not approved:
                self.after(life, rng.uniform(600, 3600))
                self.collect(student, life, workers, rng.choice(guardians))
                return
            self.finish_card(student, card, life, workers)
            return
        self.collect(student, life, workers, rng.choice(guardians))

    def collect(self, student: dict[str, Any], life: Life, workers: list[Person], guardian: Adult) -> None:
        """A guardian on the roster comes: card, check, runner, release."""
        rng = self.rng
        relationship = rng.choice(RELATIONSHIPS.get(guardian.role, ("Parent",)))
        card = self.card(student, life, workers, f"{guardian.given} {guardian.family}", relationship, guardian.phone)
        if card is not None and self.check(student, card, life, workers, guardian.pk):
            self.finish_card(student, card, life, workers)

    def card(
        self, student: dict[str, Any], life: Life, workers: list[Person], adult: str, relationship: str, phone_: str
    ) -> dict[str, Any] | None:
        """``issue_card`` (greeter) and the student's status: card started."""
        at = self.after(life, self.rng.uniform(0, 60))
        if at is None:
            return None
        greeter = self.rng.choice(workers).actor
        request = request_id(self.rng)
        card = self.created(
            ReunificationCard,
            at,
            greeter,
            request,
            related=_named(student),
            event_id=student["event_id"],
            event_student_id=student["id"],
            district_id=student["district_id"],
            adult_name=adult,
            relationship=relationship,
            phone=phone_,
            status=str(CardStatus.ISSUED),
            issued_at=at - dt.timedelta(microseconds=500),
            issued_by_id=greeter.id,
        )
        self.refresh_status(student, StudentStatus.CARD_STARTED, at, greeter, request)
        return card

    def check(
        self, student: dict[str, Any], card: dict[str, Any], life: Life, workers: list[Person], guardian: int | None
    ) -> bool:
        """``check_card``: the ID seen and the adult matched to the roster, or not on the list (an exception)."""
        rng = self.rng
        at = self.after(life, rng.uniform(60, 300))
        if at is None:
            return False
        checker = rng.choice(workers).actor
        request = request_id(rng)
        changes: dict[str, Any] = {
            "guardian_id": guardian,
            "id_type": str(rng.choice((IdType.DRIVER_LICENSE,) * 8 + (IdType.STATE_ID, IdType.PASSPORT))),
            "id_last4": f"{rng.randrange(10000):04d}",
            "checked_at": at - dt.timedelta(microseconds=500),
            "checked_by_id": checker.id,
            "custody_finding": "",
        }
        status = CardStatus.CHECKED if guardian is not None else CardStatus.EXCEPTION
        self.updated(
            ReunificationCard, card, at, checker, request, {"status": str(status), **changes}, related=_named(student)
        )
        if guardian is not None:
            self.refresh_status(student, StudentStatus.CHECKED, at, checker, request)
            return True
        note = (
            f"{card['adult_name']} ({card['relationship']}) is not on {student['name']}'s list of guardians "
            "and emergency contacts."
        )
        exception = self.exception(student, card, at, checker, request, ExceptionKind.UNAUTHORISED_ADULT, note)
        self.open_exceptions[card["id"]] = exception
        self.refresh_status(student, StudentStatus.EXCEPTION, at, checker, request)
        return True

    def finish_card(self, student: dict[str, Any], card: dict[str, Any], life: Life, workers: list[Person]) -> None:
        """``bring_student`` (runner) and ``release`` (the student agrees)."""
        rng = self.rng
        at = self.after(life, rng.uniform(180, 1200))
        if at is None:
            return
        runner = rng.choice(workers).actor
        brought = at - dt.timedelta(microseconds=500)
        self.updated(
            ReunificationCard,
            card,
            at,
            runner,
            request_id(rng),
            {"status": str(CardStatus.BROUGHT), "brought_at": brought, "brought_by_id": runner.id},
            related=_named(student),
        )
        at = self.after(life, rng.uniform(30, 180))
        if at is None:
            return
        releaser = rng.choice(workers).actor
        request = request_id(rng)
        now = at - dt.timedelta(microseconds=500)
        self.updated(
            ReunificationCard,
            card,
            at,
            releaser,
            request,
            {
                "status": str(CardStatus.RELEASED),
                "student_agreed": True,
                "released_at": now,
                "released_by_id": releaser.id,
            },
            related=_named(student),
        )
        self.updated(
            EventStudent,
            student,
            at + dt.timedelta(milliseconds=2),
            releaser,
            request,
            {"status": str(StudentStatus.RELEASED), "released_at": now, "location": ""},
        )

    def exception(
        self,
        student: dict[str, Any],
        card: dict[str, Any] | None,
        at: dt.datetime,
        actor: Actor,
        request: str,
        kind: str,
        note: str,
    ) -> dict[str, Any]:
        """``_new_exception``."""
        return self.created(
            ReunificationException,
            at + dt.timedelta(milliseconds=1),
            actor,
            request,
            related=_named(student),
            event_id=student["event_id"],
            event_student_id=student["id"],
            district_id=student["district_id"],
            card_id=card["id"] if card is not None else None,
            kind=str(kind),
            note=note,
            raised_at=at,
            raised_by_id=actor.id,
        )

    def diverted(
        self, student: dict[str, Any], life: Life, workers: list[Person], resolvers: list[Person], kind: str
    ) -> bool:
        """``raise_exception`` for an injured student (handed over to EMS) or a missing one (found; back in the
        assembly area); ``True`` when the student is back in the line."""
        rng = self.rng
        at = self.after(life, rng.uniform(0, 600))
        if at is None:
            return False
        by = rng.choice(workers).actor
        request = request_id(rng)
        if kind == ExceptionKind.INJURED_STUDENT:
            note = (
                f"{student['name']} hurt an ankle during the evacuation; with the school nurse in the first-aid tent."
            )
        else:
            note = f"{student['name']} was not with the class at the assembly area; staff are searching."
        exception = self.exception(student, None, at, by, request, kind, note)
        self.refresh_status(student, StudentStatus.EXCEPTION, at, by, request)
        at = self.after(life, rng.uniform(300, 2400))
        if at is None:
            return False
        resolver = rng.choice(resolvers).actor
        request = request_id(rng)
        handed = kind == ExceptionKind.INJURED_STUDENT
        resolution = Resolution.HANDED_OVER if handed else Resolution.RETURNED_TO_WAITING
        summary = (
            "Taken to the hospital by EMS; parents informed."
            if handed
            else "Found in the restroom; back with the class."
        )
        self.resolved(exception, student, at, resolver, request, resolution, summary)
        if handed:
            self.updated(
                EventStudent,
                student,
                at + dt.timedelta(milliseconds=2),
                resolver,
                request,
                {"status": str(StudentStatus.HANDED_OVER), "location": ""},
            )
            return False
        self.refresh_status(student, StudentStatus.WAITING, at, resolver, request)
        return True

    def resolve(
        self, student: dict[str, Any], card: dict[str, Any], life: Life, resolvers: list[Person], approved: bool
    ) -> bool:
        """``resolve_exception`` of an unauthorised adult: a parent reached by phone approves, or not."""
        rng = self.rng
        at = self.after(life, rng.uniform(300, 1800))
        if at is None:
            return False
        exception = self.open_exceptions.pop(card["id"])
        resolver = rng.choice(resolvers).actor
        request = request_id(rng)
        resolution = Resolution.RELEASE_APPROVED if approved else Resolution.RETURNED_TO_WAITING
        summary = (
            "Parent reached by phone and confirmed the pickup; ID matches."
            if approved
            else "Parent could not be reached; the student waits for a guardian."
        )
        self.resolved(exception, student, at, resolver, request, resolution, summary)
        status = CardStatus.CHECKED if approved else CardStatus.REFUSED
        self.updated(
            ReunificationCard,
            card,
            at + dt.timedelta(milliseconds=1),
            resolver,
            request,
            {"status": str(status)},
            related=_named(student),
        )
        student_status = StudentStatus.CHECKED if approved else StudentStatus.WAITING
        self.refresh_status(student, student_status, at + dt.timedelta(milliseconds=2), resolver, request)
        return True

    def resolved(
        self,
        exception: dict[str, Any],
        student: dict[str, Any],
        at: dt.datetime,
        resolver: Actor,
        request: str,
        resolution: str,
        summary: str,
    ) -> None:
        """``services.resolve_exception``'s save of the exception."""
        changes = {
            "resolution": str(resolution),
            "resolution_note": summary,
            "resolved_at": at - dt.timedelta(microseconds=500),
            "resolved_by_id": resolver.id,
        }
        self.updated(ReunificationException, exception, at, resolver, request, changes, related=_named(student))

    def refresh_status(self, student: dict[str, Any], status: str, at: dt.datetime, actor: Actor, request: str) -> None:
        """``services._refresh``: the expected student's status follows its card and exceptions."""
        if student["status"] != status:
            self.updated(
                EventStudent, student, at + dt.timedelta(milliseconds=2), actor, request, {"status": str(status)}
            )


def _named(student: dict[str, Any]) -> dict[str, Any]:
    """The expected student a card's or an exception's ``str()`` names."""
    return {"event_student": light_instance(EventStudent, {"id": student["id"], "name": student["name"]})}
