"""Alerts, their delivery, acknowledgements and accountability reports, and every school's emergency plans.

**Alerts** go through the alert services (``alerts.services``) and the delivery engine (``alerts.delivery``).
Someone allowed to start an alert at every school it names arms it (``services.arm``: the create row and the
``alert.armed`` row of one request, the recipients the audience has then); about 3 % are cancelled a few
seconds later, within the cancel window (``services.cancel``: an update row and ``alert.cancelled``), and are
never delivered. The others are activated when the window ends (``services.activate``: an update row and
``alert.activated``), mostly by the activation task (no actor, reason "alert activation"), sometimes by the
initiator's countdown page (the page's actor and request); then the delivery engine writes one ``Recipient``
per person of the audience (``delivery.recipients``: the roles held at the alert's schools, at its district
and at its agency, or every agency serving the district when it names none) and one ``Delivery`` per
recipient and channel: ``live`` (sent at once; delivered when one of the person's screens gets it: about
60 % at once, others when they open SRO Desk while the alert is active) and ``email`` (every account has an
address; the district has no SMS gateway and no webhooks). Emails are sent in batches of 500, each try a
``DeliveryAttempt``: most are accepted at the first try; about 2 % of alerts meet a mail server that refuses
connections and about 0.5 % of messages a full mailbox, and those are tried again after the engine's backoff
(30 s, 60 s …) until accepted, or given up after the fifth try. Recipients who may see the alert acknowledge
it (``services.acknowledge``: an ``alert.acknowledged`` row each): about 85 % of the people at its schools,
half of the district's and of the alert's agency's (an alert started at a school names no agency when
several serve the district: their people receive it but may not open it). At the alert's school, the
accounts allowed to report (the staff) report their room a few minutes in, most of them in a lockdown,
evacuation or shelter, fewer in a secure or hold (``services.report_accountability``: the change hook's create
row and the service's own change row with the students named): present, sometimes a missing, extra or
injured student, rarely a call for help. The alert ends with an all-clear (``services.all_clear``: an update
row and ``alert.all_clear``) by its initiator or another person allowed to end it, within minutes to an hour
or two.

Rates, a school year: at every school a few holds (1.5 at an elementary, 2.5 at a middle and 3 at a high
school) and secures (1, 1.2, 1.5), a lockdown every other year (0.5; 0.7 at a high school), a shelter
(0.2: severe weather) and an evacuation (0.12) now and then, each started by one of the school's
administrators or its officer for that school alone, audience everyone. District-wide, a safety director
sends 2 advisories to everyone and 2 to the administrators, and 2 to everyone at a few neighbouring schools
(2 to 4); the agencies' SRO supervisors send 3 BOLOs to the SROs of every school. Advisories and BOLOs end
within hours. A step at or after ``AS_OF`` never happens: the alert stays active.

**Emergency plans** have no service: the generic record pages. In the first week of the first school year a
principal of every school draws its plan on the campus map (``EmergencyPlan``: the main building; a high
school also its athletic complex): evacuation routes, the assembly area, the reunification site; every school
year after, a principal reviews it in the first month (an update of ``reviewed_on``/``reviewed_by``, now and
then a moved assembly area or a note). Plan rows are inserted at the end, in their final state.

Alert rows (recipients, deliveries, attempts, reports) are inserted in the week the alert starts, in their
final state; their audit rows are queued week by week, at the moment each step happened. The page views of
the alert (the access rows of the "Report my room" roster) are not generated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from django.db import models

from srodesk.accounts.models import User
from srodesk.accounts.roles import BY_SLUG
from srodesk.alerts.choices import AlertKind, AlertStatus, Audience, Channel, DeliveryStatus, SrpAction
from srodesk.alerts.delivery.recipients import AUDIENCE_ROLES, NEVER
from srodesk.alerts.delivery.retry import BATCH, backoff, max_attempts
from srodesk.alerts.models import AccountabilityReport, Alert, Delivery, DeliveryAttempt, Recipient
from srodesk.alerts.services import cancel_window
from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import Grant
from srodesk.drills.choices import FeatureKind, MapKind
from srodesk.drills.models import EmergencyPlan
from srodesk.organizations.choices import SchoolLevel
from srodesk.organizations.models import School
from srodesk.people.roster.rows import light_instance

from ..simulation import SYSTEM, Actor, Generator, Ids, LaterSteps, Rows, Saves, register, request_id
from ..timeline import AS_OF, TZ, Period, closed
from .accounts import Account, Accounts
from .officers import weekly
from .organizations import Organizations
from .roster import AtSchool

#: SRP alerts a school year at one school, by action and the school's level.
SRP_RATES: dict[str, dict[str, float]] = {
    SrpAction.HOLD: {SchoolLevel.ELEMENTARY: 1.5, SchoolLevel.MIDDLE: 2.5, SchoolLevel.HIGH: 3.0},
    SrpAction.SECURE: {SchoolLevel.ELEMENTARY: 1.0, SchoolLevel.MIDDLE: 1.2, SchoolLevel.HIGH: 1.5},
    SrpAction.LOCKDOWN: {SchoolLevel.ELEMENTARY: 0.5, SchoolLevel.MIDDLE: 0.5, SchoolLevel.HIGH: 0.7},
    SrpAction.SHELTER: {SchoolLevel.ELEMENTARY: 0.2, SchoolLevel.MIDDLE: 0.2, SchoolLevel.HIGH: 0.2},
    SrpAction.EVACUATE: {SchoolLevel.ELEMENTARY: 0.12, SchoolLevel.MIDDLE: 0.12, SchoolLevel.HIGH: 0.12},
}
#: District alerts a school year: (kind, audience, who sends it, how many schools (0: all), rate).
DISTRICT_RATES = (
    (AlertKind.ADVISORY, Audience.EVERYONE, "safety_director", 0, 2.0),
    (AlertKind.ADVISORY, Audience.ADMINISTRATORS, "safety_director", 0, 2.0),
    (AlertKind.ADVISORY, Audience.EVERYONE, "safety_director", 4, 2.0),
    (AlertKind.BOLO, Audience.SROS, "sro_supervisor", 0, 3.0),
)
#: Minutes from activation to the all-clear, by SRP action or alert kind.
DURATIONS: dict[str, tuple[int, int]] = {
    SrpAction.HOLD: (3, 25),
    SrpAction.SECURE: (15, 90),
    SrpAction.LOCKDOWN: (15, 120),
    SrpAction.SHELTER: (15, 60),
    SrpAction.EVACUATE: (30, 150),
    AlertKind.ADVISORY: (60, 480),
    AlertKind.BOLO: (120, 720),
}
CANCELLED = 0.03
#: Share of activations by the initiator's countdown page (the others by the activation task).
PAGE_ACTIVATION = 0.25
#: Share of recipients with a screen open when the alert goes out.
SCREEN_OPEN = 0.6
#: Share of recipients who acknowledge: at the alert's schools, at the district, at its agency.
ACKNOWLEDGE = {"school": 0.85, "district": 0.5, "agency": 0.5}
#: Share of alerts whose first email try meets a mail server refusing connections; of single messages refused.
SERVER_DOWN = 0.02
MAILBOX_FULL = 0.005
SERVER_ERROR = "ConnectionRefusedError: [Errno 111] Connection refused"
#: Seconds an SMTP message takes (a batch of 500 is sent one message after another).
SMTP_SECONDS = 0.02
#: Share of the school's staff accounts that report a room, by SRP action.
REPORTING = {
    SrpAction.HOLD: 0.3,
    SrpAction.SECURE: 0.5,
    SrpAction.LOCKDOWN: 0.9,
    SrpAction.SHELTER: 0.85,
    SrpAction.EVACUATE: 0.9,
}
AREAS = (
    *(f"Room {n}" for n in (101, 104, 108, 112, 115, 120, 203, 207, 211, 214, 218, 222)),
    "Gym", "Library", "Cafeteria", "Music room", "Art room", "Main office", "Science lab", "Portable 2",
)  # fmt: skip
REPORT_NOTES = ("", "", "", "All students accounted for.", "Door locked, lights off.", "One student with the nurse.")
HOLD_DETAILS = ("", "", "Medical emergency in the main hallway.", "Maintenance in the east hallway.")
SECURE_DETAILS = ("", "Police activity in the neighbourhood.", "A loose dog on the playground.")
LOCKDOWN_DETAILS = ("", "Report of a person with a weapon near the campus.", "Unknown adult in the building.")
SHELTERS = (("Tornado warning", "Drop, cover and hold in the interior hallways"), ("Hazmat spill", "Seal the room"))
EVACUATIONS = ("the football field", "the north parking lot", "the church across the street", "the bus loop")
EVACUATE_DETAILS = ("Gas smell in the east wing.", "Fire alarm: smoke in the kitchen.", "Water main break.")
ADVISORIES = (
    "Severe thunderstorm warning this afternoon: keep students indoors at dismissal.",
    "Early dismissal at 1:00 pm because of the winter storm; buses run two hours early.",
    "Road closure on Main Street: buses use the detour.",
    "Power outage in the area: expect the phones to be down for an hour.",
    "Air-quality alert: no outdoor recess today.",
)
ADMIN_ADVISORIES = (
    "Threat posted on social media, being investigated by police: stay alert at arrival and dismissal.",
    "Reminder: visitor sign-in is required at every entrance this week.",
    "Police report a phone scam targeting parents; refer calls to the district office.",
)
BOLOS = (
    "BOLO: silver sedan seen circling school zones this morning; note the plate and call dispatch.",
    "BOLO: missing 15-year-old, last seen near the high school; photo at dispatch.",
    "BOLO: adult male, red jacket, trying school doors on the east side; do not approach.",
    "BOLO: non-custodial parent may attempt a pickup; court order on file at the office.",
)
ALL_CLEARS = ("", "", "Resume the normal schedule.", "All clear: classes continue.", "Thank you, all accounted for.")
EMAIL_ERROR = "SMTPRecipientsRefused: {{'{address}': (452, b'4.2.2 Mailbox full')}}"
ORDER: tuple[type[models.Model], ...] = (Alert, Recipient, Delivery, DeliveryAttempt, AccountabilityReport)
#: Buildings of a school's emergency plans: every school's main building, and a high school's athletic complex.
BUILDINGS = ("Main building", "Athletic complex")
PLAN_NOTES = (
    "Staff assignments reviewed with the building leadership team.",
    "Assembly area moved away from the bus loop.",
    "Evacuation route from the east wing updated after the renovation.",
    "Reunification site agreement renewed.",
)


@dataclass
class Person:
    """An account that may receive alerts: where its role is held and what the policy lets it do."""

    account: Account
    #: "school", "district" or "agency".
    scope: str
    email: str
    name: str

    @property
    def actor(self) -> Actor:
        return self.account.actor

    @property
    def agency_id(self) -> int | None:
        """The agency of an agency role (an officer's school role names the agency only for the roster)."""
        return self.account.agency_id if self.scope == "agency" else None

    def may(self, model: type[models.Model], action: str) -> bool:
        """Whether the role's grant allows ``action`` on ``model`` (in the role's own scope)."""
        return _grant(self.account.role).allows(model, action)


@cache
def _grant(role: str) -> Grant:
    """The permissions of a role of the catalogue, as the policy engine reads them."""
    return Grant(frozenset(BY_SLUG[role].permissions))


@dataclass
class Site:
    """A school, with its people (the accounts assigned there) by what they may do in an alert."""

    school_id: int
    district_id: int
    level: str
    name: str
    people: list[Person]
    #: who may start and end an alert there, and who reports a room.
    leads: list[Person]
    reporters: list[Person]


@dataclass
class Plan:
    """A school's emergency plan for one building: its row (inserted at the end) and its review month."""

    values: dict[str, Any]
    principals: list[Person]
    review_week: int = -1


@dataclass
class Started:
    """An alert as its steps left it: what the reunification generator needs of an evacuation."""

    values: dict[str, Any]
    school_ids: list[int]
    lead: Person


@register
class Alerts(AtSchool, Saves, Generator):
    name = "alerts"
    writes = (*(m._meta.label for m in ORDER), "alerts.Alert_schools", "drills.EmergencyPlan")

    def plan(self) -> None:
        self.records = Rows(self.sim.sink, ORDER)
        for model in (Recipient, Delivery, DeliveryAttempt):
            self.records.ids[model] = Ids(self.sim.sink, model, chunk=2048)
        self.links: dict[Any, list[tuple[int, int]]] = defaultdict(list)
        self.steps = LaterSteps()
        self.sites: list[Site] = []
        self.district: list[Person] = []
        self.agencies: dict[int, list[Person]] = defaultdict(list)
        self.plans: list[Plan] = []
        self.plan_ids = Ids(self.sim.sink, EmergencyPlan)
        self.audiences: dict[tuple[tuple[int, ...], str, int | None], list[tuple[Person, int | None]]] = {}
        #: Evacuations delivered (for the reunification events that may follow).
        self.evacuations: list[Started] = []
        self.titles: dict[tuple[str, str, bool], str] = {}
        self.serving: list[int] = []
        self.boundaries: dict[int, Any] = {}
        self.start_pools()

    def week(self, period: Period) -> None:
        self.steps.start_week(period)
        self.steps.run_due()
        if period.setup:
            return
        if not self.sites:
            self.prepare()
        self.refresh(period)
        if period.first_of_year:
            if period.year == 0:
                self.draw_plans(period)
            for plan in self.plans:
                plan.review_week = self.rng.randrange(1, 5)
        for plan in self.plans:
            if period.year > 0 and plan.review_week == period.week:
                self.review(plan, period)
        self.alerts(period)
        self.insert()

    def finish(self) -> None:
        self.steps.run_all()
        self.insert()
        plans = sorted((plan.values for plan in self.plans), key=lambda row: row["id"])
        self.sim.sink.insert(EmergencyPlan, plans)
        self.sim.sink.flush()

    def insert(self) -> None:
        self.records.insert()
        for field_, pairs in self.links.items():
            self.sim.sink.link(field_, pairs)
        self.links = defaultdict(list)

    # --- who is where --------------------------------------------------------------------------------
    def prepare(self) -> None:
        sim = self.sim
        org = sim.get(Organizations).org
        accounts = sim.get(Accounts).accounts
        ids = [a.actor.id for a in accounts if a.actor.id is not None]
        users = {
            pk: (email, f"{first} {last}")
            for pk, email, first, last in User.objects.filter(pk__in=ids).values_list(
                "pk", "email", "first_name", "last_name"
            )
        }
        by_school: dict[int, list[Person]] = defaultdict(list)
        for account in sorted(accounts, key=lambda a: a.actor.id or 0):
            if account.role in NEVER or account.actor.id is None:
                continue
            scope = "school" if account.school_id is not None else BY_SLUG[account.role].scope_kinds[0]
            email, name = users[account.actor.id]
            person = Person(account, scope, email, name)
            if scope == "school":
                by_school[account.school_id or 0].append(person)
            elif scope == "district":
                self.district.append(person)
            elif scope == "agency" and account.agency_id is not None:
                self.agencies[account.agency_id].append(person)
        for info in org.schools:
            people = by_school.get(info.pk, [])
            self.sites.append(
                Site(
                    school_id=info.pk,
                    district_id=org.district_id,
                    level=str(info.level),
                    name=info.name,
                    people=people,
                    leads=[p for p in people if p.may(Alert, "add")],
                    reporters=[p for p in people if p.may(AccountabilityReport, "add")],
                )
            )
        self.serving = [agency.pk for agency in org.agencies]
        self.boundaries = dict(School.objects.filter(district_id=org.district_id).values_list("pk", "campus_boundary"))

    def audience(self, school_ids: list[int], audience: str, agency_id: int | None) -> list[tuple[Person, int | None]]:
        """``delivery.recipients.resolve_for``: (person, the school of the alert they are at), by user id."""
        key = (tuple(school_ids), audience, agency_id)
        found = self.audiences.get(key)
        if found is not None:
            return found
        roles = AUDIENCE_ROLES.get(audience, frozenset())
        chosen = set(school_ids)
        agencies = [agency_id] if agency_id is not None else self.serving
        people: list[tuple[Person, int | None]] = [
            (p, site.school_id) for site in self.sites if site.school_id in chosen for p in site.people
        ]
        people += [(p, None) for p in self.district]
        people += [(p, None) for agency in agencies for p in self.agencies.get(agency, [])]
        found = sorted(
            ((p, school) for p, school in people if roles is None or p.account.role in roles),
            key=lambda pair: pair[0].actor.id or 0,
        )
        self.audiences[key] = found
        return found

    def sees(self, person: Person, alert: dict[str, Any]) -> bool:
        """Whether ``person`` may see the alert (and so acknowledge it): a view grant in its scope."""
        if not person.may(Alert, "view"):
            return False
        return person.scope != "agency" or person.agency_id == alert["agency_id"]

    # --- the week's alerts ---------------------------------------------------------------------------
    def alerts(self, period: Period) -> None:
        rng = self.rng
        planned: list[tuple[dt.datetime, int, Callable[[dt.datetime], None]]] = []
        for site in self.sites:
            for action, rates in SRP_RATES.items():
                for _ in range(weekly(rng, rates.get(site.level, 0.0), period.share)):
                    at = period.work_time(rng)
                    planned.append((at, len(planned), partial(self.srp, site, action)))
        for kind, audience, role, size, rate in DISTRICT_RATES:
            for _ in range(weekly(rng, rate, period.share)):
                at = period.work_time(rng)
                planned.append((at, len(planned), partial(self.district_alert, kind, audience, role, size)))
        for at, _, make in sorted(planned, key=lambda p: (p[0], p[1])):
            if not closed(at.astimezone(TZ).date()):
                make(at)

    def srp(self, site: Site, action: str, at: dt.datetime) -> None:
        rng = self.rng
        if not site.leads:
            return
        lead = rng.choice(site.leads)
        fields: dict[str, Any] = {"kind": AlertKind.SRP, "action": action, "audience": Audience.EVERYONE}
        if action == SrpAction.HOLD:
            fields["message"] = rng.choice(HOLD_DETAILS)
        elif action == SrpAction.SECURE:
            fields["message"] = rng.choice(SECURE_DETAILS)
        elif action == SrpAction.LOCKDOWN:
            fields["message"] = rng.choice(LOCKDOWN_DETAILS)
        elif action == SrpAction.SHELTER:
            fields["hazard"], fields["strategy"] = rng.choice(SHELTERS)
        else:
            fields["location"] = rng.choice(EVACUATIONS)
            fields["message"] = rng.choice(EVACUATE_DETAILS)
        started = self.start(at, lead, [site.school_id], fields)
        if started is not None and action == SrpAction.EVACUATE and started.values["activated_at"] is not None:
            self.evacuations.append(started)

    def district_alert(self, kind: str, audience: str, role: str, size: int, at: dt.datetime) -> None:
        rng = self.rng
        if role == "sro_supervisor":
            senders = [p for agency in self.serving for p in self.agencies.get(agency, []) if p.account.role == role]
        else:
            senders = [p for p in self.district if p.account.role == role]
        if not senders:
            return
        lead = rng.choice(senders)
        schools = sorted(s.school_id for s in self.sites)
        if size:
            first = rng.randrange(len(schools))
            schools = sorted(
                schools[(first + i) % len(schools)] for i in range(min(rng.randrange(2, size + 1), len(schools)))
            )
        texts = (
            BOLOS if kind == AlertKind.BOLO else ADMIN_ADVISORIES if audience == Audience.ADMINISTRATORS else ADVISORIES
        )
        fields = {"kind": kind, "audience": audience, "message": rng.choice(texts)}
        self.start(at, lead, schools, fields)

    def agency_for(self, lead: Person) -> int | None:
        """``services._agency_for`` with no agency chosen: the initiator's own agency, or the only one serving."""
        if lead.agency_id is not None:
            return lead.agency_id
        return self.serving[0] if len(self.serving) == 1 else None

    # --- one alert -----------------------------------------------------------------------------------
    def audit(
        self,
        alert: dict[str, Any],
        schools: list[int],
        event: str,
        at: dt.datetime,
        actor: Actor,
        request: str,
        *,
        reason: str = "",
        action: str = AuditEvent.Action.UPDATE,
        **detail: Any,
    ) -> None:
        """``services._audit``: the explicit row of a step of the alert."""
        sink = self.sim.sink
        row = {
            "event": f"alert.{event}",
            "status": alert["status"],
            "is_drill": alert["is_drill"],
            "schools": schools,
            **detail,
        }
        repr_ = self.title(alert)
        district, school, agency = alert["district_id"], schools[0] if len(schools) == 1 else None, alert["agency_id"]
        self.steps.add(
            at,
            lambda: sink.event(
                at=at,
                kind=AuditEvent.Kind.SYSTEM,
                action=action,
                actor=actor,
                request_id=request,
                reason=reason,
                detail=row,
                model=Alert,
                object_id=alert["id"],
                object_repr=repr_,
                district_id=district,
                school_id=school,
                agency_id=agency,
            ),
        )

    def title(self, alert: dict[str, Any]) -> str:
        """``str()`` of the alert (its title, DRILL in front of a drill)."""
        key = (alert["kind"], alert["action"], alert["is_drill"])
        found = self.titles.get(key)
        if found is None:
            found = self.titles[key] = str(
                light_instance(Alert, dict(zip(("kind", "action", "is_drill"), key, strict=True)))
            )
        return found

    def start(self, at: dt.datetime, lead: Person, schools: list[int], fields: dict[str, Any]) -> Started | None:
        """``services.arm``, then the cancel or the activation, the delivery, the reports and the all-clear."""
        rng = self.rng
        agency = self.agency_for(lead)
        people = self.audience(schools, fields["audience"], agency)
        values = self.records.new(
            Alert,
            at + dt.timedelta(microseconds=rng.randrange(200, 900)),
            lead.actor,
            district_id=self.sites[0].district_id,
            agency_id=agency,
            status=str(AlertStatus.ARMED),
            initiated_by_id=lead.actor.id,
            armed_at=at,
            deliver_at=at + cancel_window(),
            **{name: str(value) for name, value in fields.items()},
        )
        self.links[Alert._meta.get_field("schools")] += [(values["id"], pk) for pk in schools]
        request = request_id(rng)
        created = values["created_at"]
        self.logged(Alert, values, created, lead.actor, request)
        self.audit(
            values,
            schools,
            "armed",
            created + dt.timedelta(milliseconds=5),
            lead.actor,
            request,
            action=AuditEvent.Action.CREATE,
            deliver_at=values["deliver_at"].isoformat(),
            action_taken=values["action"],
            kind=values["kind"],
            audience=values["audience"],
            recipients=len(people),
        )
        if rng.random() < CANCELLED:
            self.cancel(values, schools, lead)
            return None
        started = Started(values, schools, lead)
        if self.activate(values, schools, lead):
            self.deliver(started, people)
        return started

    def cancel(self, values: dict[str, Any], schools: list[int], lead: Person) -> None:
        """``services.cancel`` a few seconds after the start, within the cancel window."""
        rng = self.rng
        now = values["armed_at"] + dt.timedelta(seconds=rng.uniform(2, 8))
        if now >= AS_OF:
            return
        request = request_id(rng)
        changes = {"status": str(AlertStatus.CANCELLED), "cancelled_at": now, "cancelled_by_id": lead.actor.id}
        self.updated(Alert, values, now, lead.actor, request, changes)
        self.audit(
            values,
            schools,
            "cancelled",
            now + dt.timedelta(milliseconds=5),
            lead.actor,
            request,
            seconds_before_delivery=(values["deliver_at"] - now).total_seconds(),
        )

    def activate(self, values: dict[str, Any], schools: list[int], lead: Person) -> bool:
        """``services.activate`` at the end of the window: by the task, or by the initiator's countdown page."""
        rng = self.rng
        page = rng.random() < PAGE_ACTIVATION
        now = values["deliver_at"] + dt.timedelta(seconds=rng.uniform(0.05, 1.0) if page else rng.uniform(0.2, 2.5))
        if now >= AS_OF:
            return False
        actor, reason = (lead.actor, "") if page else (SYSTEM, "alert activation")
        request = request_id(rng)
        changes = {"status": str(AlertStatus.ACTIVE), "activated_at": now}
        self.updated(Alert, values, now, actor, request, changes, audit_reason=reason)
        recipients = len(self.audience(schools, values["audience"], values["agency_id"]))
        self.audit(
            values,
            schools,
            "activated",
            now + dt.timedelta(milliseconds=5),
            actor,
            request,
            reason=reason,
            recipients=recipients,
            deliver_at=values["deliver_at"].isoformat(),
        )
        return True

    def deliver(self, started: Started, people: list[tuple[Person, int | None]]) -> None:
        """The delivery engine's rows, the acknowledgements, the room reports and the all-clear."""
        rng, values = self.rng, started.values
        activated: dt.datetime = values["activated_at"]
        low, high = DURATIONS[values["action"] or values["kind"]]
        ended = activated + dt.timedelta(minutes=rng.uniform(low, high))
        ending = ended if ended < AS_OF else None
        # dispatch: the recipients (committed with the activation), then one delivery per channel.
        dispatched = activated + dt.timedelta(milliseconds=rng.uniform(20, 80) + 0.05 * len(people))
        emails: list[dict[str, Any]] = []
        for person, school in people:
            recipient = self.records.new(
                Recipient, activated, SYSTEM, alert_id=values["id"], user_id=person.actor.id, school_id=school
            )
            live = self.records.new(
                Delivery,
                dispatched,
                SYSTEM,
                recipient_id=recipient["id"],
                channel=str(Channel.LIVE),
                status=str(DeliveryStatus.SENT),
                queued_at=dispatched,
                sent_at=dispatched,
            )
            emails.append(
                self.records.new(
                    Delivery,
                    dispatched,
                    SYSTEM,
                    recipient_id=recipient["id"],
                    channel=str(Channel.EMAIL),
                    address=person.email,
                    queued_at=dispatched,
                    next_attempt_at=dispatched,
                )
            )
            self.seen(started, person, recipient, live, ending)
        self.send(emails, dispatched)
        if values["kind"] == AlertKind.SRP:
            for site in self.sites:
                if site.school_id in started.school_ids:
                    self.reports(values, site, activated)
        if ending is not None:
            self.end(started, ending)

    def seen(
        self,
        started: Started,
        person: Person,
        recipient: dict[str, Any],
        live: dict[str, Any],
        ending: dt.datetime | None,
    ) -> None:
        """When the person's screen got the alert (live delivery marked delivered) and when they acknowledged it."""
        rng, alert, schools = self.rng, started.values, started.school_ids
        activated: dt.datetime = alert["activated_at"]
        active_until = ending or AS_OF
        shown: dt.datetime | None = None
        if person is started.lead or rng.random() < SCREEN_OPEN:  # the initiator is on the alert's page
            shown = live["sent_at"] + dt.timedelta(seconds=rng.uniform(0.1, 1.5))
        acknowledged: dt.datetime | None = None
        if self.sees(person, alert) and rng.random() < ACKNOWLEDGE[person.scope]:
            if shown is not None:
                acknowledged = shown + dt.timedelta(seconds=rng.uniform(3, 120))
            else:
                # Opened from the email: the page's banner shows the alert while it is active.
                acknowledged = activated + dt.timedelta(minutes=rng.uniform(1, 45))
                if acknowledged < active_until:
                    shown = acknowledged - dt.timedelta(seconds=rng.uniform(2, 10))
        elif shown is None and rng.random() < 0.3:
            opened = activated + dt.timedelta(minutes=rng.uniform(1, 60))
            shown = opened if opened < active_until else None
        if shown is not None and shown < AS_OF:
            live.update(status=str(DeliveryStatus.DELIVERED), delivered_at=shown)
        if acknowledged is None or acknowledged >= AS_OF:
            return
        recipient["acknowledged_at"] = acknowledged
        status = AlertStatus.ALL_CLEAR if ending is not None and acknowledged > ending else AlertStatus.ACTIVE
        self.audit(
            {**alert, "status": str(status)},
            schools,
            "acknowledged",
            acknowledged + dt.timedelta(milliseconds=2),
            person.actor,
            request_id(rng),
            recipient=recipient["id"],
        )

    def send(self, emails: list[dict[str, Any]], dispatched: dt.datetime) -> None:
        """The sender threads and the retries: batches of 500 due deliveries, each try an attempt."""
        rng = self.rng
        down = rng.random() < SERVER_DOWN
        clock = dispatched + dt.timedelta(seconds=rng.uniform(0.2, 1.0))
        due = emails
        while due:
            failed: list[dict[str, Any]] = []
            for start in range(0, len(due), BATCH):
                batch = due[start : start + BATCH]
                now = clock + dt.timedelta(seconds=0.01 if down else SMTP_SECONDS * len(batch))
                if now >= AS_OF:
                    return
                for delivery in batch:
                    if down:
                        error = SERVER_ERROR
                    elif rng.random() < MAILBOX_FULL * (1 if delivery["attempts"] == 0 else 40):
                        error = EMAIL_ERROR.format(address=delivery["address"])
                    else:
                        error = ""
                    self.attempt(delivery, now, error)
                    if error and delivery["next_attempt_at"] is not None:
                        failed.append(delivery)
                clock = now + dt.timedelta(milliseconds=50)
            down = False
            if not failed:
                return
            retry = min(d["next_attempt_at"] for d in failed)
            clock = max(clock, retry + dt.timedelta(seconds=rng.uniform(0.5, 3)))
            due = sorted(failed, key=lambda d: (d["next_attempt_at"], d["id"]))

    def attempt(self, delivery: dict[str, Any], now: dt.datetime, error: str) -> None:
        """``retry.record`` of one try."""
        delivery["attempts"] += 1
        if not error:
            delivery.update(status=str(DeliveryStatus.SENT), sent_at=now, next_attempt_at=None, last_error="")
        else:
            delivery.update(status=str(DeliveryStatus.FAILED), failed_at=now, last_error=error)
            gave_up = delivery["attempts"] >= max_attempts()
            delivery["next_attempt_at"] = None if gave_up else now + backoff(delivery["attempts"])
        at = now + dt.timedelta(milliseconds=3)
        self.records.new(DeliveryAttempt, at, SYSTEM, delivery_id=delivery["id"], at=at, ok=not error, error=error)

    def reports(self, alert: dict[str, Any], site: Site, activated: dt.datetime) -> None:
        """Staff report their room a few minutes in (``services.report_accountability``)."""
        rng = self.rng
        share = REPORTING.get(alert["action"], 0.0)
        areas = rng.sample(AREAS, len(site.reporters))
        for reporter, area in zip(site.reporters, areas, strict=True):
            if rng.random() >= share:
                continue
            at = activated + dt.timedelta(minutes=rng.uniform(1, 12))
            if at >= AS_OF:
                continue
            lists: dict[str, list[int]] = {"missing": [], "extra": [], "injured": []}
            for name, chance in (("missing", 0.08), ("extra", 0.1), ("injured", 0.01)):
                kid = self.student(site.school_id, at) if rng.random() < chance else None
                if kid is not None and self.active(kid) and all(kid.pk not in ids for ids in lists.values()):
                    lists[name].append(kid.pk)
            present = rng.randrange(14, 27) if site.level == SchoolLevel.ELEMENTARY else rng.randrange(16, 32)
            fields = {
                "alert_id": alert["id"],
                "district_id": site.district_id,
                "school_id": site.school_id,
                "reporter_id": reporter.actor.id,
                "area": area,
                "reported_at": at,
                "present_count": present + len(lists["extra"]),
                "adults_present": 1 if rng.random() < 0.8 else 2,
                "needs_help": rng.random() < 0.02 or bool(lists["injured"]),
                "notes": rng.choice(REPORT_NOTES),
            }
            request = request_id(rng)
            report = self.created(AccountabilityReport, at, reporter.actor, request, **fields)
            for name, ids in lists.items():
                self.links[AccountabilityReport._meta.get_field(name)] += [(report["id"], pk) for pk in ids]
            self.reported(
                report, reporter.actor, request, {"event": "accountability.reported", "alert": alert["id"], **lists}
            )

    def reported(self, report: dict[str, Any], actor: Actor, request: str, detail: dict[str, Any]) -> None:
        """The service's own row after the change hook's: the students the report names."""
        sink = self.sim.sink
        moment = report["reported_at"] + dt.timedelta(milliseconds=5)
        self.steps.add(
            moment,
            lambda: sink.event(
                at=moment,
                kind=AuditEvent.Kind.CHANGE,
                action=AuditEvent.Action.CREATE,
                actor=actor,
                request_id=request,
                detail=detail,
                model=AccountabilityReport,
                object_id=report["id"],
                object_repr=f"{report['area']}: {report['present_count']} present",
                district_id=report["district_id"],
                school_id=report["school_id"],
            ),
        )

    def end(self, started: Started, at: dt.datetime) -> None:
        """``services.all_clear`` by the initiator or another person allowed to end it."""
        rng, values = self.rng, started.values
        site = next((s for s in self.sites if [s.school_id] == started.school_ids), None)
        actor = started.lead
        if site is not None and site.leads and rng.random() < 0.3:
            actor = rng.choice(site.leads)
        request = request_id(rng)
        message = rng.choice(ALL_CLEARS)
        changes = {
            "status": str(AlertStatus.ALL_CLEAR),
            "all_clear_at": at,
            "all_clear_by_id": actor.actor.id,
            "all_clear_message": message,
        }
        self.updated(Alert, values, at, actor.actor, request, changes)
        self.audit(
            values,
            started.school_ids,
            "all_clear",
            at + dt.timedelta(milliseconds=5),
            actor.actor,
            request,
            message=message,
        )

    # --- emergency plans -----------------------------------------------------------------------------
    def draw_plans(self, period: Period) -> None:
        """A principal of every school draws its plans on the campus map (the generic record page)."""
        rng, sink = self.rng, self.sim.sink
        for site in self.sites:
            principals = [p for p in site.people if p.may(EmergencyPlan, "add")]
            if not principals:
                continue
            corner = _corner(self.boundaries.get(site.school_id))
            lon, lat = corner or (-83.9 + rng.random(), 42.2 + rng.random() / 2)
            buildings = BUILDINGS if site.level == SchoolLevel.HIGH else BUILDINGS[:1]
            at = period.work_time(rng)
            by = rng.choice(principals)
            for i, building in enumerate(buildings):
                at += dt.timedelta(minutes=rng.uniform(5, 40))
                values = sink.defaults(EmergencyPlan)
                values.update(
                    id=self.plan_ids.take(),
                    district_id=site.district_id,
                    school_id=site.school_id,
                    building=building,
                    map_kind=str(MapKind.CAMPUS),
                    features=_features(lon + 0.002 * i, lat, rng.random() < 0.5),
                    reviewed_on=at.astimezone(TZ).date(),
                    reviewed_by=f"{by.name}, Principal",
                    created_at=at,
                    updated_at=at,
                    created_by_id=by.actor.id,
                    updated_by_id=by.actor.id,
                )
                plan = Plan(values, principals)
                self.plans.append(plan)
                self.logged(EmergencyPlan, values, at, by.actor, request_id(rng))

    def review(self, plan: Plan, period: Period) -> None:
        """The yearly review: the date and the reviewer, now and then a moved assembly area or a note."""
        rng, values = self.rng, plan.values
        at = period.work_time(rng)
        by = rng.choice(plan.principals)
        changes: dict[str, Any] = {"reviewed_on": at.astimezone(TZ).date(), "reviewed_by": f"{by.name}, Principal"}
        if rng.random() < 0.25:
            changes["notes"] = rng.choice(PLAN_NOTES)
        if rng.random() < 0.15:
            features = values["features"]["features"]
            lon, lat = features[0]["geometry"]["coordinates"][0]
            changes["features"] = _features(lon, lat + rng.uniform(-0.0005, 0.0005), len(features) > 3)
        self.updated(EmergencyPlan, values, at, by.actor, request_id(rng), changes)


def _corner(boundary: Any) -> tuple[float, float] | None:
    """The first corner of a campus boundary (a GeoJSON Polygon), if the school has one."""
    try:
        lon, lat = boundary["coordinates"][0][0][:2]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    return float(lon), float(lat)


def _features(lon: float, lat: float, shelter: bool) -> dict[str, Any]:
    """A plan's GeoJSON: the evacuation route from the building to the assembly area, the assembly area, the
    reunification site and, on some plans, a shelter area."""

    def point(x: float, y: float) -> list[float]:
        return [round(x, 6), round(y, 6)]

    def feature(kind: str, name: str, geometry: dict[str, Any]) -> dict[str, Any]:
        return {"type": "Feature", "properties": {"kind": kind, "name": name}, "geometry": geometry}

    door, assembly = point(lon + 0.001, lat + 0.001), point(lon + 0.003, lat + 0.0025)
    features = [
        feature(
            FeatureKind.ROUTE,
            "Route A",
            {"type": "LineString", "coordinates": [door, point(lon + 0.002, lat + 0.002), assembly]},
        ),
        feature(FeatureKind.ASSEMBLY_AREA, "Assembly area", {"type": "Point", "coordinates": assembly}),
        feature(
            FeatureKind.REUNIFICATION_SITE,
            "Reunification site",
            {"type": "Point", "coordinates": point(lon - 0.004, lat + 0.003)},
        ),
    ]
    if shelter:
        features.append(
            feature(
                FeatureKind.SHELTER_AREA,
                "Interior hallway",
                {"type": "Point", "coordinates": point(lon + 0.0015, lat + 0.0012)},
            )
        )
    return {"type": "FeatureCollection", "features": features}
