"""The alert workflow: arm (step 2 of two deliberate steps), cancel within the window, activate, all-clear,
acknowledge, and the accountability reports staff send from their room during an alert.

States: ``armed`` → ``cancelled`` (within the cancel window) or ``armed`` → ``active`` (at ``deliver_at``)
→ ``all_clear``. Every step writes an explicit system row to the audit log besides the generic change row.

Scope rule: starting, cancelling and ending an alert needs the grant in the scope of **every** school it
names (a school SRO cannot start a lockdown at another school). Delivery is the delivery engine's
(``srodesk.alerts.delivery``): it is called once the transaction that changes the alert has committed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from srodesk.accounts.models import RoleAssignment
from srodesk.audit.models import AuditEvent
from srodesk.core import audit
from srodesk.core.permissions import Grant, grants, has_perm, require, restrict, scope_q
from srodesk.organizations.models import Agency, School
from srodesk.people.models import Student

from .choices import AlertKind, AlertStatus
from .models import AccountabilityReport, Alert, Recipient

logger = logging.getLogger(__name__)

VIEW_ALERT = "alerts.view_alert"
ADD_ALERT = "alerts.add_alert"
CHANGE_ALERT = "alerts.change_alert"
ADD_REPORT = "alerts.add_accountabilityreport"

#: Seconds between "Start" and delivery when the setting is absent.
DEFAULT_CANCEL_WINDOW = 10

#: The fields of an alert a person chooses in step 1.
ALERT_FIELDS = ("kind", "action", "location", "hazard", "strategy", "message", "audience", "is_drill")


def cancel_window() -> dt.timedelta:
    seconds = int(getattr(settings, "ALERT_CANCEL_WINDOW_SECONDS", DEFAULT_CANCEL_WINDOW))
    return dt.timedelta(seconds=max(seconds, 0))


# --- scope ------------------------------------------------------------------------------------------


def schools_in_scope(user: Any, perm: str) -> QuerySet[School]:
    """The schools inside the scope of every grant of ``user`` that allows ``perm`` (an Alert or report perm).

    A school grant covers that school, a district grant the district's schools, an agency grant the
    schools of the districts the agency serves; these are the policy engine's scopes of ``School``.
    """
    model = AccountabilityReport if perm == ADD_REPORT else Alert
    action = perm.split(".", 1)[1].rsplit("_", 1)[0]
    schools: QuerySet[School] = School.objects.alive()
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return schools.none()
    if user.is_superuser:
        return schools
    combined: Q | None = None
    for grant in grants(user):
        if not grant.allows(model, action):
            continue
        q = scope_q(School, grant)
        if q is None:
            return schools
        combined = q if combined is None else combined | q
    return schools.filter(combined) if combined is not None else schools.none()


def _require_every_school(user: Any, perm: str, school_ids: Iterable[int]) -> None:
    wanted = set(school_ids)
    require(user, perm)
    covered = set(schools_in_scope(user, perm).filter(pk__in=wanted).values_list("pk", flat=True))
    if covered != wanted:
        raise PermissionDenied(f"{getattr(user, 'username', 'anonymous')} may not {perm} for every school named")


def can_change(user: Any, alert: Alert) -> bool:
    """Whether ``user`` may cancel or end ``alert`` (the change grant at every one of its schools)."""
    try:
        _require_every_school(user, CHANGE_ALERT, [s.pk for s in alert.schools.all()])
    except PermissionDenied:
        return False
    return True


# --- audience ---------------------------------------------------------------------------------------


def _serving_agencies(district_id: int) -> list[int]:
    from .delivery.recipients import serving_agency_ids

    return serving_agency_ids(district_id)


def audience(
    *, district_id: int, school_ids: Sequence[int], audience: str, agency_id: int | None
) -> dict[int, int | None]:
    """The people an alert is for: user id → the school they are at (``None`` for district or agency roles).

    The delivery engine's rule (``delivery.recipients``), for an alert not yet stored (the confirmation screen).
    """
    from .delivery.recipients import resolve_for

    return resolve_for(district_id=district_id, school_ids=tuple(school_ids), audience=audience, agency_id=agency_id)


def audience_of(alert: Alert) -> dict[int, int | None]:
    from .delivery.recipients import resolve

    return resolve(alert)


# --- audit ------------------------------------------------------------------------------------------


def _audit(alert: Alert, event: str, actor: Any, *, action: str = AuditEvent.Action.UPDATE, **detail: Any) -> None:
    school_ids = sorted(s.pk for s in alert.schools.all())
    AuditEvent.append(
        kind=AuditEvent.Kind.SYSTEM,
        action=action,
        actor=actor,
        content_type=ContentType.objects.get_for_model(Alert),
        object_id=str(alert.pk),
        object_repr=str(alert)[:200],
        district_id=alert.district_id,
        school_id=school_ids[0] if len(school_ids) == 1 else None,
        agency_id=alert.agency_id,
        detail={
            "event": f"alert.{event}",
            "status": alert.status,
            "is_drill": alert.is_drill,
            "schools": school_ids,
            **detail,
        },
    )


# --- the delivery engine (called after commit) ------------------------------------------------------


def _delivery(name: str) -> Callable[..., Any] | None:
    """A function of the delivery engine, or ``None`` when it is not installed."""
    try:
        module = importlib.import_module("srodesk.alerts.delivery")
    except ModuleNotFoundError as exc:
        if exc.name not in ("srodesk.alerts.delivery",):
            raise
        logger.warning("srodesk.alerts.delivery is not installed: %s was not called", name)
        return None
    function: Callable[..., Any] | None = getattr(module, name, None)
    return function


def _after_commit(name: str, load: Callable[[], Any]) -> None:
    def run() -> None:
        function = _delivery(name)
        if function is not None:
            function(load())

    transaction.on_commit(run)


def _schedule_activation(alert_id: int, deliver_at: dt.datetime) -> None:
    from .tasks import activate_alert

    if activate_alert.get_backend().supports_defer:
        activate_alert.using(run_after=deliver_at).enqueue(alert_id)
    elif deliver_at <= timezone.now():
        activate_alert.enqueue(alert_id)
    # Otherwise the countdown page and `srodesk activate-due-alerts` activate it once it is due.


# --- arm, cancel, activate, all-clear ---------------------------------------------------------------


def _clean_schools(schools: Iterable[School | int]) -> list[School]:
    ids = sorted({s.pk if isinstance(s, School) else int(s) for s in schools})
    if not ids:
        raise ValidationError({"schools": "Choose at least one school."})
    found = list(School.objects.alive().filter(pk__in=ids).order_by("name", "pk"))
    if len(found) != len(ids):
        raise ValidationError({"schools": "A school chosen does not exist."})
    if len({s.district_id for s in found}) != 1:
        raise ValidationError({"schools": "Choose schools of one district."})
    return found


def _agency_for(user: Any, district_id: int, agency: Agency | int | None) -> int | None:
    """The agency of the alert: the one given, the actor's own, or the one agency serving the district."""
    if agency is not None:
        agency_id = agency.pk if isinstance(agency, Agency) else int(agency)
        if agency_id not in _serving_agencies(district_id):
            raise ValidationError({"agency": "The agency does not serve the district of the schools."})
        return agency_id
    serving = _serving_agencies(district_id)
    own = [g.agency_id for g in grants(user) if g.agency_id is not None and g.agency_id in serving]
    if own:
        return own[0]
    return serving[0] if len(serving) == 1 else None


def prepare(user: Any, **fields: Any) -> Alert:
    """Step 1: an unsaved alert with its schools checked (``alert.chosen_schools``) — nothing is stored.

    Raises ValidationError naming the field, or PermissionDenied when a school is outside the scope.
    """
    require(user, ADD_ALERT)
    schools = _clean_schools(fields.pop("schools", ()) or ())
    agency = fields.pop("agency", None)
    unknown = set(fields) - set(ALERT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown alert fields: {', '.join(sorted(unknown))}.")
    _require_every_school(user, ADD_ALERT, [s.pk for s in schools])
    district_id = schools[0].district_id
    alert = Alert(district_id=district_id, agency_id=_agency_for(user, district_id, agency), **fields)
    if alert.kind != AlertKind.SRP:
        alert.action = ""
        alert.location = alert.hazard = alert.strategy = ""
    alert.full_clean(exclude=["schools"])
    alert.chosen_schools = schools  # type: ignore[attr-defined]
    return alert


def arm(user: Any, **fields: Any) -> Alert:
    """Step 2 ("Start"): store the alert as armed; it is delivered at ``deliver_at`` unless cancelled."""
    alert = prepare(user, **fields)
    schools: list[School] = alert.chosen_schools  # type: ignore[attr-defined]
    now = timezone.now()
    alert.status = AlertStatus.ARMED
    alert.initiated_by = user
    alert.armed_at = now
    alert.deliver_at = now + cancel_window()
    with transaction.atomic(), audit.audit_context(actor=user):
        alert.save()
        alert.schools.set(schools)
        _audit(
            alert,
            "armed",
            user,
            action=AuditEvent.Action.CREATE,
            deliver_at=alert.deliver_at.isoformat(),
            action_taken=alert.action,
            kind=alert.kind,
            audience=alert.audience,
            recipients=len(audience_of(alert)),
        )
        alert_id, deliver_at = alert.pk, alert.deliver_at
        transaction.on_commit(lambda: _schedule_activation(alert_id, deliver_at))
    return alert


def _locked(alert: Alert) -> Alert:
    locked: Alert = Alert.objects.select_for_update().get(pk=alert.pk, deleted_at__isnull=True)
    return locked


def cancel(alert: Alert, user: Any) -> Alert:
    """Cancel an armed alert before ``deliver_at``; nothing is delivered."""
    _require_every_school(user, CHANGE_ALERT, [s.pk for s in alert.schools.all()])
    with transaction.atomic(), audit.audit_context(actor=user):
        locked = _locked(alert)
        now = timezone.now()
        if locked.status != AlertStatus.ARMED:
            raise ValidationError(f"The alert is {locked.get_status_display().lower()}: it can no longer be cancelled.")
        if locked.deliver_at is None or now >= locked.deliver_at:
            raise ValidationError("The cancel window has closed: the alert is being delivered.")
        locked.status = AlertStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancelled_by = user
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "updated_at", "updated_by"])
        _audit(locked, "cancelled", user, seconds_before_delivery=(locked.deliver_at - now).total_seconds())
    return locked


def activate(alert: Alert, *, now: dt.datetime | None = None) -> bool:
    """Deliver an armed alert whose cancel window has passed: status active, recipients, dispatch.

    Idempotent: an alert that is not armed, or not yet due, is left as it is (returns False).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(alert)
        if locked.status != AlertStatus.ARMED or locked.deliver_at is None or locked.deliver_at > now:
            return False
        locked.status = AlertStatus.ACTIVE
        locked.activated_at = now
        locked.save(update_fields=["status", "activated_at", "updated_at", "updated_by"])
        people = audience_of(locked)
        Recipient.objects.bulk_create(
            [Recipient(alert=locked, user_id=user_id, school_id=school_id) for user_id, school_id in people.items()],
            ignore_conflicts=True,
        )
        _audit(locked, "activated", None, recipients=len(people), deliver_at=locked.deliver_at.isoformat())
        alert_id = locked.pk
        _after_commit("dispatch", lambda: Alert.objects.get(pk=alert_id))
    alert.status, alert.activated_at = locked.status, locked.activated_at
    return True


def activate_due(now: dt.datetime | None = None) -> list[int]:
    """Activate every armed alert whose cancel window has passed; the ids activated."""
    now = now or timezone.now()
    due = Alert.objects.filter(status=AlertStatus.ARMED, deliver_at__lte=now, deleted_at__isnull=True)
    done: list[int] = []
    with audit.audit_context(reason="alert activation"):
        for alert in due.order_by("deliver_at", "pk"):
            if activate(alert, now=now):
                done.append(alert.pk)
    return done


def all_clear(alert: Alert, user: Any, message: str = "") -> Alert:
    """End an active alert."""
    _require_every_school(user, CHANGE_ALERT, [s.pk for s in alert.schools.all()])
    message = (message or "").strip()
    with transaction.atomic(), audit.audit_context(actor=user):
        locked = _locked(alert)
        if locked.status != AlertStatus.ACTIVE:
            raise ValidationError(f"The alert is {locked.get_status_display().lower()}: only an active alert ends.")
        locked.status = AlertStatus.ALL_CLEAR
        locked.all_clear_at = timezone.now()
        locked.all_clear_by = user
        locked.all_clear_message = message
        locked.save(
            update_fields=["status", "all_clear_at", "all_clear_by", "all_clear_message", "updated_at", "updated_by"]
        )
        _audit(locked, "all_clear", user, message=message)
        alert_id = locked.pk
        _after_commit("publish_all_clear", lambda: Alert.objects.get(pk=alert_id))
    return locked


# --- acknowledgement --------------------------------------------------------------------------------


def acknowledge(alert: Alert, user: Any) -> Recipient:
    """Record that ``user`` has seen the alert (the first time counts; later ones change nothing)."""
    if not restrict(Alert.objects.alive().filter(pk=alert.pk), user, "view").exists():
        raise PermissionDenied("You may not see this alert.")
    with transaction.atomic(), audit.audit_context(actor=user):
        locked = _locked(alert)
        if locked.status not in (AlertStatus.ACTIVE, AlertStatus.ALL_CLEAR):
            raise ValidationError("Only a delivered alert can be acknowledged.")
        recipient = Recipient.objects.select_for_update().filter(alert=locked, user=user).first()
        if recipient is None:
            # Someone who may see the alert but was not in its audience (assigned since): on record too.
            school_ids = [s.pk for s in locked.schools.all()]
            own = [g.school_id for g in grants(user) if g.school_id in school_ids]
            recipient = Recipient.objects.create(alert=locked, user=user, school_id=own[0] if own else None)
        if recipient.acknowledged_at is not None:
            return recipient
        recipient.acknowledged_at = timezone.now()
        recipient.save(update_fields=["acknowledged_at"])
        _audit(locked, "acknowledged", user, recipient=recipient.pk)
        recipient_id = recipient.pk
        _after_commit("publish_ack", lambda: Recipient.objects.select_related("alert", "user").get(pk=recipient_id))
    return recipient


# --- accountability ---------------------------------------------------------------------------------


def roster(school: School) -> QuerySet[Student]:
    """The school's active students: the names a staff member may pick from in a report."""
    students: QuerySet[Student] = (
        Student.objects.alive()
        .filter(active=True)
        .filter(Q(school=school) | Q(schools=school))
        .distinct()
        .order_by("family_name", "given_name", "pk")
    )
    return students


def report_schools(alert: Alert, user: Any) -> list[School]:
    """The schools of the alert ``user`` may report from."""
    allowed = schools_in_scope(user, ADD_REPORT)
    return list(allowed.filter(pk__in=[s.pk for s in alert.schools.all()]).order_by("name", "pk"))


def _student_ids(name: str, values: Iterable[Student | int], allowed: set[int]) -> list[int]:
    ids = sorted({v.pk if isinstance(v, Student) else int(v) for v in values})
    unknown = [i for i in ids if i not in allowed]
    if unknown:
        raise ValidationError({name: "Pick students of this school's roster only."})
    return ids


def report_accountability(
    alert: Alert,
    user: Any,
    school: School,
    area: str,
    present_count: int,
    missing: Iterable[Student | int] = (),
    extra: Iterable[Student | int] = (),
    injured: Iterable[Student | int] = (),
    needs_help: bool = False,
    notes: str = "",
    adults_present: int = 1,
) -> AccountabilityReport:
    """One report per alert, school and room; a later report from the same room replaces its content."""
    require(user, ADD_REPORT, AccountabilityReport(school=school, district_id=school.district_id))
    errors: dict[str, str] = {}
    area = (area or "").strip()
    if not area:
        errors["area"] = "Enter the room or area."
    elif len(area) > 100:
        errors["area"] = "Keep the room or area under 100 characters."
    if present_count is None or int(present_count) < 0:
        errors["present_count"] = "Enter how many students are with you (0 or more)."
    if adults_present is None or int(adults_present) < 0:
        errors["adults_present"] = "Enter how many adults are with you (0 or more)."
    if errors:
        raise ValidationError(errors)
    if not alert.schools.filter(pk=school.pk).exists():
        raise ValidationError({"school": "The alert is not for this school."})
    allowed = set(roster(school).values_list("pk", flat=True))
    lists = {
        "missing": _student_ids("missing", missing, allowed),
        "extra": _student_ids("extra", extra, allowed),
        "injured": _student_ids("injured", injured, allowed),
    }
    if set(lists["missing"]) & set(lists["extra"]):
        raise ValidationError({"extra": "A student cannot be both missing and here."})
    with transaction.atomic(), audit.audit_context(actor=user):
        locked = _locked(alert)
        if locked.status not in (AlertStatus.ACTIVE, AlertStatus.ALL_CLEAR):
            raise ValidationError("Reports are taken once the alert is delivered.")
        report: AccountabilityReport | None = (
            AccountabilityReport.objects.select_for_update()
            .filter(alert=locked, school=school, area__iexact=area, deleted_at__isnull=True)
            .first()
        )
        created = report is None
        if report is None:
            report = AccountabilityReport(alert=locked, school=school, district_id=school.district_id, area=area)
        report.reporter = user
        report.present_count = int(present_count)
        report.adults_present = int(adults_present)
        report.needs_help = bool(needs_help)
        report.notes = (notes or "").strip()
        report.save()
        report.missing.set(lists["missing"])
        report.extra.set(lists["extra"])
        report.injured.set(lists["injured"])
        AuditEvent.append(
            kind=AuditEvent.Kind.CHANGE,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            actor=user,
            content_type=ContentType.objects.get_for_model(AccountabilityReport),
            object_id=str(report.pk),
            object_repr=str(report)[:200],
            detail={"event": "accountability.reported", "alert": locked.pk, **lists},
            **AuditEvent.scope_ids(report),
        )
    return report


# --- roll-up ----------------------------------------------------------------------------------------


@dataclass
class Person:
    pk: int
    name: str


@dataclass
class SchoolRollup:
    school: School
    reports: list[AccountabilityReport] = field(default_factory=list)
    present: int = 0
    adults: int = 0
    missing: list[Student] = field(default_factory=list)
    extra: list[Student] = field(default_factory=list)
    injured: list[Student] = field(default_factory=list)
    needs_help: list[str] = field(default_factory=list)
    not_reported: list[Person] = field(default_factory=list)
    recipients: int = 0
    acknowledged: int = 0
    not_acknowledged: list[Person] = field(default_factory=list)

    @property
    def areas(self) -> int:
        return len(self.reports)


@dataclass
class Rollup:
    schools: list[SchoolRollup]
    recipients: int
    acknowledged: int
    #: Recipients not tied to one of the schools (district and agency roles).
    others: SchoolRollup | None = None

    @property
    def not_acknowledged(self) -> int:
        return self.recipients - self.acknowledged


def _name(user: Any) -> str:
    full = f"{user.first_name} {user.last_name}".strip()
    return full or str(user.username)


def _expected_reporters(school_ids: list[int]) -> dict[int, list[Any]]:
    """Per school: the people assigned there whose role lets them report (the staff of the school)."""
    rows = (
        RoleAssignment.objects.alive()
        .filter(school_id__in=school_ids, user__is_active=True)
        .select_related("user", "role")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    )
    expected: dict[int, list[Any]] = {pk: [] for pk in school_ids}
    seen: set[tuple[int, int]] = set()
    for row in rows:
        grant = Grant(frozenset(row.role.permissions or ()), school_id=row.school_id)
        key = (row.school_id or 0, row.user_id)
        if key in seen or not (grant.allows(AccountabilityReport, "add") or row.user.is_superuser):
            continue
        seen.add(key)
        expected[row.school_id or 0].append(row.user)
    return expected


def rollup(alert: Alert) -> Rollup:
    """Per school: rooms reported, totals, needs-help, who has not reported and who has not acknowledged."""
    schools = list(alert.schools.all().order_by("name", "pk"))
    by_school = {s.pk: SchoolRollup(school=s) for s in schools}
    reports = (
        AccountabilityReport.objects.alive()
        .filter(alert=alert)
        .select_related("reporter")
        .prefetch_related("missing", "extra", "injured")
        .order_by("school_id", "area", "pk")
    )
    reporters: dict[int, set[int]] = {pk: set() for pk in by_school}
    for report in reports:
        entry = by_school.get(report.school_id)
        if entry is None:
            continue
        entry.reports.append(report)
        entry.present += report.present_count
        entry.adults += report.adults_present
        entry.missing += list(report.missing.all())
        entry.extra += list(report.extra.all())
        entry.injured += list(report.injured.all())
        if report.needs_help:
            entry.needs_help.append(report.area)
        reporters[report.school_id].add(report.reporter_id)
    for school_id, people in _expected_reporters(list(by_school)).items():
        by_school[school_id].not_reported = [Person(u.pk, _name(u)) for u in people if u.pk not in reporters[school_id]]
    others = SchoolRollup(school=School(name="District and agency"))
    total = acknowledged = 0
    for recipient in Recipient.objects.filter(alert=alert).select_related("user").order_by("user__username", "pk"):
        entry = by_school.get(recipient.school_id or 0, others)
        entry.recipients += 1
        total += 1
        if recipient.acknowledged_at is not None:
            entry.acknowledged += 1
            acknowledged += 1
        else:
            entry.not_acknowledged.append(Person(recipient.user_id, _name(recipient.user)))
    return Rollup(
        schools=[by_school[s.pk] for s in schools],
        recipients=total,
        acknowledged=acknowledged,
        others=others if others.recipients else None,
    )


def may_see_names(user: Any, alert: Alert) -> bool:
    """Student names in the roll-up are for the responders: those who may change the alert."""
    return has_perm(user, CHANGE_ALERT, alert)
