"""Threat assessment: every school's team, and the CSTAG cases it works, through the threat services.

In the first week of the first school year the principal of every school creates the school's
threat-assessment team (the generic record page: ``Team`` "<school> threat assessment team") and puts
its members on it one request at a time (``threats.services.add_team_member``): the school's
administrators (administrator), its counsellors and school psychologists (mental-health professional)
and, at a middle or high school, its School Resource Officer (law enforcement).

From the second week on, a team member takes in threats reported about the students enrolled at the
school at the time (the generic record page: ``ThreatCase``, with the reporter, how and when it was
reported, the exact words, the targets), about 3 a year per 1,000 students at an elementary school, 6 at
a high school and 8 at a middle school. The team then follows CSTAG, each step one request of the
service that writes it, with its ``CaseEvent`` (``services.record_interview``: the student and the
recipient, sometimes a witness, the same day; ``classify``: within the day, about 75 % transient, 20 %
serious substantive, 5 % very serious substantive; ``record_protective_action``: for a substantive
threat the intended victim, the victim's parents and the student's parents notified, and for a very
serious one law enforcement consulted (by the team's officer when it has one) and a mental-health
assessment; ``complete_safety_evaluation``; ``add_plan_item`` / ``complete_plan_item`` and
``add_monitoring_entry`` (follow-ups and a review of the plan after its last item); sometimes
``record_discipline``) and closes the case (``close_case``) once ``closure_problems`` is empty: a
transient threat within a few school days, a serious one within weeks. Every step after ``AS_OF`` never
happens: the case stays where it had got to. The threat services write no reason on their audit rows.

Case rows (and their parts and events) are inserted in the week the case is opened, in their final
state; their audit rows are queued week by week, at the moment each step happened. USSS theme findings
and people added to a single case are not generated.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

from srodesk.accounts.models import User
from srodesk.organizations.choices import SchoolLevel
from srodesk.people.roster.rows import light_instance
from srodesk.threats.choices import (
    CaseStatus,
    Classification,
    DisciplineAction,
    HowReported,
    InterviewSubject,
    MonitoringKind,
    ProtectiveActionKind,
    TeamRole,
)
from srodesk.threats.models import (
    CaseEvent,
    DisciplineRecord,
    Interview,
    MonitoringEntry,
    ProtectiveAction,
    SafetyPlanItem,
    Team,
    TeamMember,
    ThreatCase,
)

from ..simulation import Actor, Generator, LaterSteps, Rows, Saves, register, request_id
from ..timeline import AS_OF, Period, open_before, open_on
from .accounts import Account, Accounts
from .officers import weekly
from .organizations import Organizations
from .roster import Adult, AtSchool, Kid

#: Cases a school year per 1,000 students, by the school's level.
RATES: dict[str, float] = {SchoolLevel.ELEMENTARY: 3.0, SchoolLevel.MIDDLE: 8.0, SchoolLevel.HIGH: 6.0}
#: Classification, weight.
CLASSIFICATIONS = (
    (Classification.TRANSIENT, 75),
    (Classification.SERIOUS, 20),
    (Classification.VERY_SERIOUS, 5),
)
HOW = (
    (HowReported.IN_PERSON, 45), (HowReported.OBSERVED, 20), (HowReported.TIP_LINE, 10),
    (HowReported.SOCIAL_MEDIA, 10), (HowReported.EMAIL, 8), (HowReported.PHONE, 7),
)  # fmt: skip
PLACES = ("Cafeteria", "Main hallway", "Classroom", "Gym", "Bus loop", "Playground", "Library", "Online")
#: (exact words, the target: "student" or "teacher").
THREATS = (
    ('"I\'m going to punch you in the face after school."', "student"),
    ('"You better watch out tomorrow."', "student"),
    ('"If you say that again I\'ll kill you."', "student"),
    ('Made a finger-gun gesture at a classmate and said "bang".', "student"),
    ("\"I'm going to bring my dad's gun and shoot everyone who laughed at me.\"", "student"),
    ('Posted a picture of a knife with the caption "tomorrow".', "student"),
    ('"I\'ll get you at recess."', "student"),
    ('Told the teacher "you\'ll be sorry" after being sent out of class.', "teacher"),
    ('Wrote "everyone in this class will die" on a desk.', "student"),
    ('"I\'m going to beat him up when he gets off the bus."', "student"),
)
CONTEXTS = (
    "Ongoing conflict over a social-media post.",
    "The students had argued in the previous class period.",
    "The student says he was being teased for weeks.",
    "No prior conflict known between the students.",
    "Said during a game of basketball that got heated.",
    "",
)
REASONING = (
    "The student explained it was said in anger during a game and apologised to the classmate; both shook "
    "hands with the counselor present. No intent to harm remains.",
    "A figure of speech: the student clarified what was meant, the recipient was not afraid and the two "
    "agreed to keep apart. Parents informed.",
    "The student retracted the statement and apologised; no plan, no access to weapons, no history of "
    "violence. Resolved.",
    "Joke in poor taste; the student understood how it was heard and apologised to the class.",
)
SERIOUS_REASONING = (
    "Intent to harm the classmate cannot be ruled out: the student repeated the threat to a witness.",
    "The student describes a plan to fight the recipient after school; no weapon involved.",
)
VERY_SERIOUS_REASONING = (
    "Threat to shoot with a named firearm at home; the student could not explain it away.",
    "Threat to kill with a weapon, repeated online; access to a weapon is unclear.",
)
PLAN_ACTIONS = (
    "Daily check-in with the counselor for two weeks",
    "Separate schedules: no shared classes or lunch period with the recipient",
    "Weekly meeting with the school psychologist",
    "Parent conference and a behaviour contract",
    "Escort between classes for the first week back",
    "Backpack check at arrival each morning",
)
FOLLOW_UPS = (
    "Checked in with the student: no further conflict reported.",
    "Spoke with the recipient, who feels safe at school.",
    "Teachers report the student is calm and attending class.",
    "Parent called: the student is doing well at home.",
)
CLOSURES = {
    Classification.TRANSIENT: (
        "Resolved as transient: apology made, no further incidents.",
        "Transient threat resolved; students reconciled, parents informed.",
    ),
    Classification.SERIOUS: (
        "Protective actions complete; no further threats. Case closed after follow-up.",
        "Notifications made, plan followed, no further concerns from staff.",
    ),
    Classification.VERY_SERIOUS: (
        "Safety evaluation complete and the safety plan reviewed; the team no longer sees a risk of harm.",
        "Safety plan carried out; monitoring ends with no further threats.",
    ),
}
ANSWERS = {
    "what_happened": ("We were arguing in the hallway.", "He got mad during the game.", "It was about a post."),
    "meaning": ("I was angry, I didn't mean it.", "I wanted them to stop.", "I don't know."),
    "weapons": ("No.", "Says no access; parents to confirm.", "No weapons at home."),
    "plans": ("Stay away from him.", "Go to class.", "Nothing."),
}
#: (discipline, days) for the discipline records.
DISCIPLINE = (
    (DisciplineAction.CONFERENCE, None, 40),
    (DisciplineAction.DETENTION, None, 20),
    (DisciplineAction.IN_SCHOOL_SUSPENSION, 1, 20),
    (DisciplineAction.OUT_OF_SCHOOL_SUSPENSION, 3, 20),
)
ORDER: tuple[type[models.Model], ...] = (
    Team,
    TeamMember,
    ThreatCase,
    Interview,
    ProtectiveAction,
    SafetyPlanItem,
    MonitoringEntry,
    DisciplineRecord,
    CaseEvent,
)


def pick(rng: Any, weighted: tuple[tuple[Any, ...], ...]) -> Any:
    entry = rng.choices(weighted, weights=[w[-1] for w in weighted])[0]
    return entry[0] if len(entry) == 2 else entry[:-1]


@dataclass
class Member:
    actor: Actor
    team_role: str
    #: the account's role (school_admin, counselor, bit_member, sro).
    role: str


@dataclass
class Site:
    school_id: int
    district_id: int
    level: str
    name: str
    principal: Account | None
    team: dict[str, Any] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)

    def of(self, *roles: str) -> list[Member]:
        return [m for m in self.members if m.role in roles]


class Life:
    """One case's steps, in time order; once a step falls after ``AS_OF`` no later step happens."""

    def __init__(self, start: dt.datetime) -> None:
        self.clock = start
        self.stopped = False

    def at(self, moment: dt.datetime) -> dt.datetime | None:
        if self.stopped or moment >= AS_OF:
            self.stopped = True
            return None
        self.clock = max(moment, self.clock + dt.timedelta(seconds=1))
        return self.clock


@register
class Threats(AtSchool, Saves, Generator):
    name = "threats"
    writes = tuple(m._meta.label for m in ORDER)

    def plan(self) -> None:
        self.records = Rows(self.sim.sink, ORDER)
        self.steps = LaterSteps()
        self.sites: list[Site] = []
        self.start_pools()

    def week(self, period: Period) -> None:
        self.steps.start_week(period)
        self.steps.run_due()
        if period.setup:
            return
        self.refresh(period)
        if not self.sites:
            self.form_teams(period)
        else:
            rng = self.rng
            for site in self.sites:
                times, _ = self.pools.get(site.school_id, ([], []))
                students = bisect.bisect_right(times, period.start)
                rate = RATES.get(site.level, 5.0) * students / 1000
                moments = sorted(period.work_time(rng) for _ in range(weekly(rng, rate, period.share)))
                for at in moments:
                    self.case(site, at)
        self.records.insert()

    def finish(self) -> None:
        self.steps.run_all()
        self.records.insert()
        self.sim.sink.flush()

    def event(self, case: dict[str, Any], kind: str, at: dt.datetime, actor: Actor, summary: str = "") -> None:
        self.records.new(
            CaseEvent,
            at,
            actor,
            case_id=case["id"],
            kind=kind,
            at=at + dt.timedelta(milliseconds=6),
            actor_id=actor.id,
            summary=summary[:300],
        )

    # --- the teams -------------------------------------------------------------------------------------------
    def form_teams(self, period: Period) -> None:
        """The principal of every school creates its team and puts the team's members on it."""
        sim, rng = self.sim, self.rng
        org = sim.get(Organizations).org
        accounts = sim.get(Accounts)
        ids = [a.actor.id for a in accounts.accounts if a.actor.id is not None]
        names = {
            pk: (first, last)
            for pk, first, last in User.objects.filter(pk__in=ids).values_list("pk", "first_name", "last_name")
        }
        roles = (
            ("school_admin", TeamRole.ADMINISTRATOR),
            ("counselor", TeamRole.MENTAL_HEALTH),
            ("bit_member", TeamRole.MENTAL_HEALTH),
            ("sro", TeamRole.LAW_ENFORCEMENT),
        )
        for info in org.schools:
            admins = accounts.at_school("school_admin", info.pk)
            site = Site(info.pk, org.district_id, str(info.level), info.name, admins[0] if admins else None)
            self.sites.append(site)
            if site.principal is None:
                continue
            principal = site.principal.actor
            at = period.work_time(rng)
            site.team = self.created(
                Team,
                at,
                principal,
                request_id(rng),
                district_id=org.district_id,
                school_id=info.pk,
                name=f"{info.name} threat assessment team",
            )
            team = light_instance(Team, site.team)
            for role, team_role in roles:
                for account in accounts.at_school(role, info.pk):
                    at += dt.timedelta(seconds=rng.randrange(20, 90), microseconds=rng.randrange(10**6))
                    pk = account.actor.id or 0
                    first, last = names.get(pk, ("", ""))
                    user = light_instance(
                        User, {"id": pk, "username": account.actor.username, "first_name": first, "last_name": last}
                    )
                    self.created(
                        TeamMember,
                        at,
                        principal,
                        request_id(rng),
                        related={"team": team, "user": user},
                        team_id=site.team["id"],
                        user_id=pk,
                        team_role=str(team_role),
                    )
                    site.members.append(Member(account.actor, str(team_role), role))

    # --- a case ---------------------------------------------------------------------------------------------
    def case(self, site: Site, at: dt.datetime) -> None:
        rng = self.rng
        kid = self.student(site.school_id, at)
        intake = site.of("school_admin", "counselor", "bit_member")
        if kid is None or not site.team or not intake:
            return
        zone = timezone.get_current_timezone()
        taker = rng.choice(intake)
        words, target = rng.choice(THREATS)
        recipient = self.student(site.school_id, at, avoid=(kid,) if kid else ())
        staff = self.staff.get(site.school_id, [])
        teacher = staff[rng.randrange(len(staff))] if staff else None
        how = str(pick(rng, HOW))
        anonymous = how == HowReported.TIP_LINE and rng.random() < 0.7
        reporter = "" if anonymous else f"{teacher.given} {teacher.family}" if teacher else "Classroom teacher"
        reported = _typed(at - dt.timedelta(minutes=rng.randrange(15, 180)), zone)
        occurred = reported.date() if rng.random() < 0.85 else open_before(reported.date())
        if target == "teacher":
            targets = f"{teacher.given} {teacher.family}, teacher" if teacher else "A teacher"
        else:
            targets = f"{recipient.given} {recipient.family.name}, a classmate" if recipient else "A classmate"
        case = self.created(
            ThreatCase,
            at,
            taker.actor,
            request_id(rng),
            district_id=site.district_id,
            school_id=site.school_id,
            team_id=site.team["id"],
            student_id=kid.pk,
            reported_at=reported,
            occurred_on=occurred,
            reporter_name=reporter,
            reporter_anonymous=anonymous,
            how_reported=how,
            location="Online" if how == HowReported.SOCIAL_MEDIA else rng.choice(PLACES),
            exact_words=words,
            targets=targets,
            context=rng.choice(CONTEXTS),
            special_education="Student has an IEP; case manager informed." if rng.random() < 0.12 else "",
        )
        case["reported_at"] = reported.astimezone(dt.UTC)  # as read back by every later step
        life = Life(at)
        self.evaluate(site, case, life, kid, recipient, teacher, taker)

    def step(self, life: Life, moment: dt.datetime) -> dt.datetime | None:
        return life.at(moment + dt.timedelta(microseconds=self.rng.randrange(10**6)))

    def evaluate(
        self,
        site: Site,
        case: dict[str, Any],
        life: Life,
        kid: Kid,
        recipient: Kid | None,
        teacher: Adult | None,
        taker: Member,
    ) -> None:
        """Step 1 (interviews) and the classification, then the response it calls for."""
        rng = self.rng
        zone = timezone.get_current_timezone()
        interviewers = site.of("school_admin", "counselor", "bit_member")
        people = [(InterviewSubject.STUDENT, f"{kid.given} {kid.family.name}")]
        if recipient is not None:
            people.append((InterviewSubject.RECIPIENT, f"{recipient.given} {recipient.family.name}"))
        if teacher is not None and rng.random() < 0.4:
            people.append((InterviewSubject.WITNESS, f"{teacher.given} {teacher.family}"))
        for subject, person in people:
            moment = self.step(life, life.clock + dt.timedelta(minutes=rng.randrange(15, 90)))
            if moment is None:
                return
            by = rng.choice(interviewers)
            answers = {key: rng.choice(options) for key, options in ANSWERS.items() if rng.random() < 0.8}
            answers["what_happened"] = answers.get("what_happened") or rng.choice(ANSWERS["what_happened"])
            self.created(
                Interview,
                moment,
                by.actor,
                request_id(rng),
                case_id=case["id"],
                subject=str(subject),
                person_name=person,
                interviewed_at=_typed(moment - dt.timedelta(minutes=rng.randrange(5, 30)), zone),
                interviewer_id=by.actor.id,
                answers=answers,
            )
            self.event(case, CaseEvent.Kind.INTERVIEW, moment, by.actor, str(InterviewSubject(subject).label))
        classification = pick(rng, CLASSIFICATIONS)
        moment = self.step(life, life.clock + dt.timedelta(minutes=rng.randrange(10, 240)))
        if moment is None:
            return
        lead = site.of("school_admin") or interviewers
        leader = rng.choice(lead)
        reasoning = {
            Classification.TRANSIENT: REASONING,
            Classification.SERIOUS: SERIOUS_REASONING,
            Classification.VERY_SERIOUS: VERY_SERIOUS_REASONING,
        }[classification]
        self.updated(
            ThreatCase,
            case,
            moment,
            leader.actor,
            request_id(rng),
            {
                "classification": str(classification),
                "classification_reasoning": rng.choice(reasoning),
                "classified_at": moment - dt.timedelta(milliseconds=1),
                "classified_by_id": leader.actor.id,
            },
        )
        self.event(case, CaseEvent.Kind.CLASSIFIED, moment, leader.actor, str(Classification(classification).label))
        if classification == Classification.TRANSIENT:
            if rng.random() < 0.25:
                self.discipline(site, case, life, transient=True)
            days = rng.choice((0, 0, 1, 2, 3, 5))
            self.close(site, case, life, classification, days)
            return
        self.respond(site, case, life, classification)

    def action(self, case: dict[str, Any], life: Life, who: Member, kind: str, *, hours: tuple[int, int]) -> bool:
        rng = self.rng
        moment = self.step(life, life.clock + dt.timedelta(minutes=rng.randrange(hours[0] * 60, hours[1] * 60 + 30)))
        if moment is None:
            return False
        zone = timezone.get_current_timezone()
        self.created(
            ProtectiveAction,
            moment,
            who.actor,
            request_id(rng),
            case_id=case["id"],
            kind=kind,
            taken_at=_typed(moment - dt.timedelta(minutes=rng.randrange(5, 60)), zone),
            taken_by_id=who.actor.id,
        )
        self.event(case, CaseEvent.Kind.PROTECTIVE_ACTION, moment, who.actor, str(ProtectiveActionKind(kind).label))
        return True

    def respond(self, site: Site, case: dict[str, Any], life: Life, classification: str) -> None:
        """Steps 3 to 5: notifications, the safety evaluation, the safety plan and its monitoring."""
        rng = self.rng
        staff = site.of("school_admin", "counselor", "bit_member")
        admins = site.of("school_admin") or staff
        for kind in (
            ProtectiveActionKind.STUDENT_PARENTS_NOTIFIED,
            ProtectiveActionKind.VICTIM_NOTIFIED,
            ProtectiveActionKind.VICTIM_PARENTS_NOTIFIED,
        ):
            if not self.action(case, life, rng.choice(admins), str(kind), hours=(0, 3)):
                return
        very = classification == Classification.VERY_SERIOUS
        if very:
            officer = site.of("sro") or admins
            clinicians = site.of("bit_member", "counselor") or staff
            if not self.action(
                case, life, rng.choice(officer), str(ProtectiveActionKind.LAW_ENFORCEMENT_CONSULTED), hours=(0, 4)
            ):
                return
            if rng.random() < 0.5 and not self.action(
                case, life, rng.choice(admins), str(ProtectiveActionKind.PLACEMENT_PENDING_EVALUATION), hours=(0, 4)
            ):
                return
            if not self.action(
                case, life, rng.choice(clinicians), str(ProtectiveActionKind.MENTAL_HEALTH_ASSESSMENT), hours=(18, 48)
            ):
                return
            moment = self.step(life, life.clock + dt.timedelta(hours=rng.randrange(2, 20)))
            if moment is None:
                return
            by = rng.choice(admins)
            self.updated(
                ThreatCase,
                case,
                moment,
                by.actor,
                request_id(rng),
                {
                    "safety_evaluation_at": moment - dt.timedelta(milliseconds=1),
                    "safety_evaluation_summary": "Law enforcement and the mental-health assessment find no "
                    "immediate access to weapons; the student is to return with a safety plan.",
                },
            )
            self.event(case, CaseEvent.Kind.SAFETY_EVALUATION, moment, by.actor)
        weeks = rng.randrange(4, 9) if very else rng.randrange(1, 4)
        if very or rng.random() < 0.6:
            if not self.safety_plan(site, case, life, weeks, items=rng.randrange(2, 4) if very else 1):
                return
        elif rng.random() < 0.5:
            moment = self.step(life, life.clock + dt.timedelta(days=rng.randrange(2, 6)))
            if moment is None or not self.monitoring(case, moment, rng.choice(staff), MonitoringKind.FOLLOW_UP):
                return
        if rng.random() < 0.6 and not self.discipline(site, case, life, transient=False):
            return
        self.close(site, case, life, classification, 2)

    def monitoring(self, case: dict[str, Any], moment: dt.datetime, by: Member, kind: str) -> bool:
        rng = self.rng
        notes = rng.choice(FOLLOW_UPS)
        if kind == MonitoringKind.PLAN_REVIEW:
            notes = "Safety plan reviewed with the team: " + notes[0].lower() + notes[1:]
        self.created(
            MonitoringEntry,
            moment,
            by.actor,
            request_id(rng),
            case_id=case["id"],
            kind=str(kind),
            noted_at=moment - dt.timedelta(milliseconds=1),
            author_id=by.actor.id,
            notes=notes,
        )
        self.event(case, CaseEvent.Kind.MONITORING, moment, by.actor, str(MonitoringKind(kind).label))
        return True

    def safety_plan(self, site: Site, case: dict[str, Any], life: Life, weeks: int, items: int) -> bool:
        """The plan's items, follow-ups over ``weeks``, the items done and a review after the last item."""
        rng = self.rng
        staff = site.of("school_admin", "counselor", "bit_member")
        owners = site.of("school_admin", "counselor", "bit_member", "sro")
        zone = timezone.get_current_timezone()
        plan = []
        for action in rng.sample(PLAN_ACTIONS, items):
            moment = self.step(life, life.clock + dt.timedelta(minutes=rng.randrange(10, 120)))
            if moment is None:
                return False
            by, owner = rng.choice(staff), rng.choice(owners)
            due_on = open_on(moment.astimezone(zone).date() + dt.timedelta(days=rng.randrange(5, 7 * weeks + 1)))
            values = self.created(
                SafetyPlanItem,
                moment,
                by.actor,
                request_id(rng),
                case_id=case["id"],
                action=action,
                owner_id=owner.actor.id,
                due_on=due_on,
            )
            self.event(case, CaseEvent.Kind.PLAN_ITEM, moment, by.actor, action)
            plan.append((values, owner))
        review = self.step(life, life.clock + dt.timedelta(hours=rng.randrange(1, 30)))
        if review is None or not self.monitoring(case, review, rng.choice(staff), MonitoringKind.PLAN_REVIEW):
            return False
        for _ in range(weeks):
            moment = self.step(life, life.clock + dt.timedelta(days=rng.randrange(4, 9)))
            if moment is None or not self.monitoring(case, moment, rng.choice(staff), MonitoringKind.FOLLOW_UP):
                return False
        for values, owner in sorted(plan, key=lambda p: p[0]["due_on"]):
            if rng.random() < 0.1:
                continue  # never marked done
            moment = self.step(life, life.clock + dt.timedelta(hours=rng.randrange(1, 48)))
            if moment is None:
                return False
            done = {"done_at": moment - dt.timedelta(milliseconds=1)}
            self.updated(SafetyPlanItem, values, moment, owner.actor, request_id(rng), done)
            self.event(case, CaseEvent.Kind.PLAN_ITEM_DONE, moment, owner.actor, values["action"])
        moment = self.step(life, life.clock + dt.timedelta(hours=rng.randrange(2, 72)))
        return moment is not None and self.monitoring(case, moment, rng.choice(staff), MonitoringKind.PLAN_REVIEW)

    def discipline(self, site: Site, case: dict[str, Any], life: Life, *, transient: bool) -> bool:
        rng = self.rng
        admins = site.of("school_admin")
        if not admins:
            return True
        moment = self.step(life, life.clock + dt.timedelta(hours=rng.randrange(1, 24)))
        if moment is None:
            return False
        action, days = (DisciplineAction.CONFERENCE, None) if transient else pick(rng, DISCIPLINE)
        by = rng.choice(admins)
        self.created(
            DisciplineRecord,
            moment,
            by.actor,
            request_id(rng),
            case_id=case["id"],
            action=str(action),
            days=days,
            decided_on=moment.astimezone(timezone.get_current_timezone()).date(),
            decided_by_id=by.actor.id,
        )
        self.event(case, CaseEvent.Kind.DISCIPLINE, moment, by.actor, str(DisciplineAction(action).label))
        return True

    def close(self, site: Site, case: dict[str, Any], life: Life, classification: str, days: int) -> None:
        """``services.close_case`` on a school day ``days`` after the last step."""
        rng = self.rng
        zone = timezone.get_current_timezone()
        day = life.clock.astimezone(zone).date() + dt.timedelta(days=days)
        day = open_on(day)
        minute = 8 * 60 + rng.randrange(8 * 60)
        wanted = dt.datetime.combine(day, dt.time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=zone)
        moment = self.step(life, max(wanted.astimezone(dt.UTC), life.clock + dt.timedelta(minutes=30)))
        if moment is None:
            return
        by = rng.choice(site.of("school_admin") or site.members)
        self.updated(
            ThreatCase,
            case,
            moment,
            by.actor,
            request_id(rng),
            {
                "status": str(CaseStatus.CLOSED),
                "closed_at": moment - dt.timedelta(milliseconds=1),
                "closed_by_id": by.actor.id,
                "closure_summary": rng.choice(CLOSURES[Classification(classification)]),
            },
        )
        self.event(case, CaseEvent.Kind.CLOSED, moment, by.actor)


def _typed(moment: dt.datetime, zone: Any) -> dt.datetime:
    """A time as typed in a form (to the minute, in the current time zone)."""
    return moment.astimezone(zone).replace(second=0, microsecond=0)
