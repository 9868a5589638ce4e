"""Student-support workflows: sharing a referral, recording a mandated report to the agency and its
written follow-up, deadline escalation, releases to other agencies, attendance import and truancy
thresholds, and the minutes of student contacts for the activity log.

Every disclosure of a student's education records outside the school goes through
``people.services.disclose`` and so lands in the FERPA disclosure log (34 CFR 99.32).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from srodesk.core import audit
from srodesk.core.permissions import Grant, perm_name, require, restrict
from srodesk.people.choices import DisclosureBasis, RecipientKind
from srodesk.people.models import Student
from srodesk.people.services import disclose

from .choices import (
    AttendanceStatus,
    ConsentException,
    ImportStatus,
    ReportChannel,
    ReportedTo,
    RequestDecision,
    TruancyStatus,
)
from .deadlines import Deadline, ReportTimes, deadlines, describe, thresholds_crossed
from .models import (
    AgencyRequest,
    AttendanceImport,
    AttendanceRecord,
    MandatedReport,
    MandatedReportEscalation,
    Referral,
    ReportingRule,
    StudentContact,
    TruancyCase,
    TruancyThreshold,
)
from .rules.mandated_reports import DEFAULT_ESCALATION, RulePack, pack_for

logger = logging.getLogger(__name__)

# --- Mandated-report rules -------------------------------------------------------------------------


def _partnership_ids(district_id: int) -> list[int]:
    from srodesk.organizations.models import Partnership

    return list(Partnership.objects.alive().filter(district_id=district_id).order_by("pk").values_list("pk", flat=True))


def _district_state(district_id: int) -> str:
    from srodesk.organizations.models import District, Partnership

    state = (
        Partnership.objects.alive().filter(district_id=district_id).order_by("pk").values_list("state", flat=True)
    ).first()
    if state:
        return str(state)
    return str(District.objects.filter(pk=district_id).values_list("state", flat=True).first() or "")


def rule_from_override(rule: ReportingRule, state: str) -> RulePack:
    """A partnership's own rule as a pack."""
    return RulePack(
        state=state,
        effective_from=rule.effective_from,
        statute=rule.statute,
        initial_hours=rule.initial_hours,
        initial_clock_start=rule.initial_clock_start,
        written_hours=rule.written_hours,
        written_clock_start=rule.written_clock_start,
        written_only_after_phone=rule.written_only_after_phone,
        non_delegable=rule.non_delegable,
        recipients=tuple(rule.recipients or ("cps", "law_enforcement")),
        immediate_sla_hours=rule.immediate_sla_hours,
        escalation=tuple(rule.escalation_thresholds or DEFAULT_ESCALATION),
        confidence="local",
    )


@dataclass(frozen=True)
class ReportRules:
    pack: RulePack
    escalate_to_administrators_at: int = 100


def rules_for(district_id: int, on: dt.date) -> ReportRules | None:
    """The rule for a report of this district made on ``on``: the partnership's own rule in force, else
    the state pack of the partnership's state (REFERENCE.md §8)."""
    state = _district_state(district_id)
    override = (
        ReportingRule.objects.alive()
        .filter(partnership_id__in=_partnership_ids(district_id), effective_from__lte=on)
        .order_by("-effective_from", "pk")
        .first()
    )
    if override is not None:
        return ReportRules(rule_from_override(override, state), override.escalate_to_administrators_at)
    pack = pack_for(state, on) if state else None
    return ReportRules(pack) if pack is not None else None


def report_times(report: MandatedReport) -> ReportTimes:
    return ReportTimes(
        suspected_at=report.suspected_at,
        information_received_at=report.information_received_at,
        oral_reported_at=report.oral_reported_at,
        oral_report_channel=report.oral_report_channel,
        written_filed_at=report.written_filed_at,
    )


def report_rules(report: MandatedReport) -> ReportRules | None:
    on = timezone.localtime(report.suspected_at).date()
    return rules_for(report.district_id, on)


def report_deadlines(report: MandatedReport, rules: ReportRules | None = None) -> list[Deadline]:
    rules = rules or report_rules(report)
    if rules is None:
        return []
    return deadlines(rules.pack, report_times(report))


@dataclass(frozen=True)
class Clock:
    """What the report page and the dashboard show for one deadline."""

    deadline: Deadline
    now: dt.datetime

    @property
    def label(self) -> str:
        return "Initial report" if self.deadline.kind == "initial" else "Written report"

    @property
    def overdue(self) -> bool:
        return self.deadline.overdue(self.now)

    @property
    def text(self) -> str:
        d = self.deadline
        if d.met_at is not None:
            late = " (late)" if d.met_late else ""
            return f"done {timezone.localtime(d.met_at):%Y-%m-%d %H:%M}{late}"
        left = d.time_left(self.now)
        if left.total_seconds() < 0:
            return f"overdue by {describe(left)}"
        return f"{describe(left)} left"


def clocks(report: MandatedReport, now: dt.datetime | None = None) -> list[Clock]:
    now = now or timezone.now()
    return [Clock(d, now) for d in report_deadlines(report)]


def _check_reporter(actor: Any, report: MandatedReport, rules: ReportRules | None) -> None:
    non_delegable = rules is None or rules.pack.non_delegable
    if non_delegable and getattr(actor, "pk", None) != report.reporter_id:
        raise PermissionDenied("The duty to report is personal: only the reporter records their report.")


def record_oral_report(
    *,
    actor: Any,
    report: MandatedReport,
    reported_at: dt.datetime,
    channel: str,
    reported_to: str,
    agency_name: str,
    reference_number: str = "",
) -> MandatedReport:
    """Record the report to child protective services or the police, and log it as a disclosure."""
    require(actor, perm_name(MandatedReport, "change"), report)
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked: MandatedReport = MandatedReport.objects.select_for_update().get(pk=report.pk)
        rules = report_rules(locked)
        _check_reporter(actor, locked, rules)
        errors: dict[str, str] = {}
        if locked.oral_reported_at is not None:
            errors["reported_at"] = "The report to the agency is already recorded."
        if channel not in ReportChannel.values:
            errors["channel"] = "Choose how the report was made."
        if reported_to not in ReportedTo.values:
            errors["reported_to"] = "Choose child protective services or law enforcement."
        if not agency_name.strip():
            errors["agency_name"] = "Name the agency the report was made to."
        if reported_at > timezone.now() + dt.timedelta(minutes=5):
            errors["reported_at"] = "A report is recorded after it is made: the time is in the future."
        elif reported_at < locked.suspected_at:
            errors["reported_at"] = "The report cannot be made before the suspicion."
        if errors:
            raise ValidationError(errors)
        statute = rules.pack.statute if rules is not None else "state child-abuse reporting law"
        disclosure = disclose(
            actor=actor,
            student=locked.student,
            disclosed_at=reported_at,
            recipient_name=agency_name.strip(),
            recipient_organization=agency_name.strip(),
            recipient_kind=RecipientKind.CPS if reported_to == ReportedTo.CPS else RecipientKind.LAW_ENFORCEMENT,
            basis=DisclosureBasis.EMERGENCY,
            legitimate_interest=f"Mandated child-abuse/neglect report under {statute}.",
            records_disclosed=f"Mandated report #{locked.pk}: the suspicion and the student's identity"
            + (f" (agency reference {reference_number.strip()})" if reference_number.strip() else "")
            + ".",
            threat_description=locked.suspicion,
        )
        locked.oral_reported_at = reported_at
        locked.oral_report_channel = channel
        locked.reported_to = reported_to
        locked.agency_name = agency_name.strip()
        locked.reference_number = reference_number.strip()
        locked.disclosure = disclosure
        locked.save()
    return locked


def record_written_report(*, actor: Any, report: MandatedReport, filed_at: dt.datetime) -> MandatedReport:
    require(actor, perm_name(MandatedReport, "change"), report)
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked: MandatedReport = MandatedReport.objects.select_for_update().get(pk=report.pk)
        _check_reporter(actor, locked, report_rules(locked))
        if locked.oral_reported_at is None:
            raise ValidationError({"filed_at": "Record the report to the agency first."})
        if locked.written_filed_at is not None:
            raise ValidationError({"filed_at": "The written report is already recorded."})
        if filed_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"filed_at": "The time is in the future."})
        if filed_at < locked.oral_reported_at:
            raise ValidationError({"filed_at": "The written report cannot come before the oral report."})
        locked.written_filed_at = filed_at
        locked.save()
    return locked


def open_reports() -> Any:
    """Reports with something still due (no oral report, or no written report yet)."""
    return MandatedReport.objects.alive().filter(Q(oral_reported_at__isnull=True) | Q(written_filed_at__isnull=True))


@dataclass(frozen=True)
class OverdueItem:
    report: MandatedReport
    clock: Clock


def overdue_for(user: Any, now: dt.datetime | None = None) -> list[OverdueItem]:
    """The overdue deadlines of every report the user may see."""
    now = now or timezone.now()
    reports = restrict(open_reports(), user, "view").select_related("school", "district", "reporter")
    items: list[OverdueItem] = []
    cache: dict[tuple[int, dt.date], ReportRules | None] = {}
    for report in reports:
        key = (report.district_id, timezone.localtime(report.suspected_at).date())
        if key not in cache:
            cache[key] = rules_for(*key)
        for deadline in report_deadlines(report, cache[key]) if cache[key] else []:
            if deadline.overdue(now):
                items.append(OverdueItem(report, Clock(deadline, now)))
    return sorted(items, key=lambda i: i.clock.deadline.due_at)


# --- Escalation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationSent:
    report_id: int
    deadline: str
    threshold: int
    recipients: tuple[str, ...]
    subject: str


def administrators_of(report: MandatedReport) -> list[str]:
    """Emails of the users who oversee the report's school: roles allowed ``override_need_to_know`` on
    mandated reports at the report's school or district."""
    from srodesk.accounts.models import RoleAssignment

    scope = Q(district_id=report.district_id)
    if report.school_id is not None:
        scope |= Q(school_id=report.school_id)
    rows = (
        RoleAssignment.objects.alive()
        .filter(scope, user__is_active=True)
        .exclude(user__email="")
        .values_list("role__permissions", "user__email")
    )
    emails = {
        email for perms, email in rows if Grant(frozenset(perms or ())).allows(MandatedReport, "override_need_to_know")
    }
    return sorted(emails)


def _subject(report: MandatedReport, deadline: Deadline, threshold: int, now: dt.datetime) -> str:
    what = "initial report" if deadline.kind == "initial" else "written report"
    if threshold >= 100:
        due = timezone.localtime(deadline.due_at)
        return f"OVERDUE: mandated report #{report.pk}: the {what} was due {due:%Y-%m-%d %H:%M}"
    return f"Mandated report #{report.pk}: {describe(deadline.time_left(now))} left for the {what} ({threshold}%)"


def _body(report: MandatedReport, deadline: Deadline, now: dt.datetime) -> str:
    base = str(getattr(settings, "SRODESK_BASE_URL", "")).rstrip("/")
    due = timezone.localtime(deadline.due_at)
    lines = [
        f"Mandated report #{report.pk} ({report.school or report.district}).",
        f"The {'initial' if deadline.kind == 'initial' else 'written'} report is due {due:%Y-%m-%d %H:%M %Z}.",
        "The duty to report is personal and cannot be delegated."
        if deadline.kind == "initial"
        else "File the written report with the agency and record it in SRO Desk.",
        "",
        f"Open the report: {base}{report.get_absolute_url()}",
    ]
    return "\n".join(lines)


def send_escalations(*, now: dt.datetime | None = None) -> list[EscalationSent]:
    """Email the reporter (and, from the rule's threshold on, school administrators) for every deadline
    that reached an escalation threshold. Each threshold is emailed once per deadline: a threshold is
    recorded only after its email went out, so a mail outage is retried on the next run. When several
    thresholds were reached since the last run, one email is sent, for the highest."""
    now = now or timezone.now()
    sent: list[EscalationSent] = []
    reports = open_reports().select_related("reporter", "school", "district")
    done = set(
        MandatedReportEscalation.objects.filter(report__in=reports).values_list("report_id", "deadline", "threshold")
    )
    for report in reports:
        rules = report_rules(report)
        if rules is None:
            continue
        for deadline in report_deadlines(report, rules):
            crossed = [
                t
                for t in thresholds_crossed(deadline, now, rules.pack.escalation)
                if (report.pk, deadline.kind, t) not in done
            ]
            if not crossed:
                continue
            top = max(crossed)
            recipients = {report.reporter.email} if report.reporter.email else set()
            if top >= rules.escalate_to_administrators_at:
                recipients.update(administrators_of(report))
            subject = _subject(report, deadline, top, now)
            if recipients:
                try:
                    EmailMessage(subject, _body(report, deadline, now), to=sorted(recipients)).send()
                except (OSError, smtplib.SMTPException):
                    # Not recorded: the next run tries again. Other reports still get their emails.
                    logger.exception("escalation email for mandated report %s not sent", report.pk)
                    continue
            for threshold in crossed:
                try:
                    with transaction.atomic():
                        MandatedReportEscalation.objects.create(
                            report=report,
                            deadline=deadline.kind,
                            threshold=threshold,
                            sent_at=now,
                            recipients=sorted(recipients) if threshold == top else [],
                        )
                except IntegrityError:  # another run recorded it first
                    continue
            sent.append(EscalationSent(report.pk, deadline.kind, top, tuple(sorted(recipients)), subject))
    return sent


# --- Referrals and agency requests: disclosures ----------------------------------------------------


def share_referral(
    *,
    actor: Any,
    referral: Referral,
    records_disclosed: str,
    recipient_name: str = "",
    shared_at: dt.datetime | None = None,
) -> Referral:
    """Record what was shared with the agency of a referral: a logged disclosure."""
    require(actor, perm_name(Referral, "change"), referral)
    if not records_disclosed.strip():
        raise ValidationError({"records_disclosed": "Say what was shared."})
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked: Referral = (
            Referral.objects.select_for_update().select_related("community_agency", "student").get(pk=referral.pk)
        )
        agency = locked.community_agency
        fields: dict[str, Any] = {
            "recipient_name": recipient_name.strip() or agency.contact_name or agency.name,
            "recipient_organization": agency.name,
            "recipient_kind": RecipientKind.CPS if agency.agency_type == "cps" else RecipientKind.AGENCY,
            "legitimate_interest": f"Referral #{locked.pk}: {locked.reason}",
            "records_disclosed": records_disclosed.strip(),
        }
        if shared_at is not None:
            fields["disclosed_at"] = shared_at
        if locked.has_consent:
            fields["basis"] = DisclosureBasis.CONSENT
        elif locked.consent_exception in (ConsentException.EMERGENCY, ConsentException.CHILD_WELFARE):
            fields["basis"] = DisclosureBasis.EMERGENCY
            fields["threat_description"] = locked.consent_exception_note
        elif locked.consent_exception == ConsentException.COURT_ORDER:
            fields["basis"] = DisclosureBasis.SUBPOENA
            fields["court_order_reference"] = locked.consent_exception_note[:200]
        else:
            raise ValidationError(
                {"records_disclosed": "This referral was made without consent on the basis that nothing is shared."}
            )
        disclosure = disclose(actor=actor, student=locked.student, **fields)
        locked.disclosures.add(disclosure)
    return locked


def release_to_agency(
    *, actor: Any, request: AgencyRequest, records_disclosed: str, released_at: dt.datetime | None = None
) -> AgencyRequest:
    """Record a release of records in answer to an agency's request: a logged disclosure."""
    require(actor, perm_name(AgencyRequest, "change"), request)
    if not records_disclosed.strip():
        raise ValidationError({"records_disclosed": "Say what was released."})
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked: AgencyRequest = AgencyRequest.objects.select_for_update().select_related("student").get(pk=request.pk)
        if not locked.may_release:
            raise ValidationError({"records_disclosed": "Only a granted or partly granted request releases records."})
        fields: dict[str, Any] = {
            "recipient_name": locked.requester_name,
            "recipient_organization": locked.requester_agency,
            "recipient_kind": RecipientKind.AGENCY,
            "requested_by": locked.requester_name,
            "basis": locked.legal_basis,
            "legitimate_interest": locked.decision_reason,
            "records_disclosed": records_disclosed.strip(),
            "threat_description": locked.threat_description,
            "court_order_reference": locked.court_order_reference,
        }
        if released_at is not None:
            fields["disclosed_at"] = released_at
        disclosure = disclose(actor=actor, student=locked.student, **fields)
        locked.disclosures.add(disclosure)
    return locked


# --- Student contacts: minutes for the activity (triad) log ----------------------------------------


def contact_minutes(
    *, start: dt.date, end: dt.date, staff_ids: Iterable[int] | None = None
) -> dict[int, dict[str, int]]:
    """Minutes of student contacts per staff member (user id) and contact type, ``start``–``end``
    inclusive: ``{user_id: {"counselling": 45, "crisis": 30}}``."""
    qs = StudentContact.objects.alive().filter(occurred_on__gte=start, occurred_on__lte=end)
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=list(staff_ids))
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = qs.values("staff_id", "contact_type").annotate(minutes=Sum("duration_minutes")).order_by()
    for row in rows:
        result[int(row["staff_id"])][str(row["contact_type"])] = int(row["minutes"] or 0)
    return dict(result)


# --- Truancy ---------------------------------------------------------------------------------------


def _thresholds(district_id: int) -> list[TruancyThreshold]:
    return list(
        TruancyThreshold.objects.alive()
        .filter(partnership_id__in=_partnership_ids(district_id), active=True)
        .order_by("unexcused_absences", "pk")
    )


def _school_days(student: Student, up_to: dt.date, after: dt.date | None, count: int) -> list[dt.date]:
    """The last ``count`` school days up to ``up_to``: days attendance was taken at the student's school."""
    qs = AttendanceRecord.objects.alive().filter(date__lte=up_to)
    qs = qs.filter(school_id=student.school_id) if student.school_id else qs.filter(district_id=student.district_id)
    if after is not None:
        qs = qs.filter(date__gt=after)
    return list(qs.order_by("-date").values_list("date", flat=True).distinct()[:count])


def evaluate_truancy(*, actor: Any, student_ids: Iterable[int]) -> list[TruancyCase]:
    """Open a truancy case for each student who reached a threshold and has no open case (idempotent).

    Absences before a closed case's closing date do not count again.
    """
    opened: list[TruancyCase] = []
    students = Student.objects.alive().filter(pk__in=set(student_ids))
    thresholds_by_district: dict[int, list[TruancyThreshold]] = {}
    for student in students:
        thresholds = thresholds_by_district.setdefault(student.district_id, _thresholds(student.district_id))
        if not thresholds:
            continue
        cases = TruancyCase.objects.alive().filter(student=student)
        if cases.filter(status=TruancyStatus.OPEN).exists():
            continue
        last_closed = (
            cases.filter(status=TruancyStatus.CLOSED).order_by("-closed_on").values_list("closed_on", flat=True).first()
        )
        latest = (
            AttendanceRecord.objects.alive()
            .filter(student=student)
            .order_by("-date")
            .values_list("date", flat=True)
            .first()
        )
        if latest is None:
            continue
        for threshold in thresholds:
            days = _school_days(student, latest, last_closed, threshold.within_school_days)
            if not days:
                continue
            unexcused = (
                AttendanceRecord.objects.alive()
                .filter(student=student, date__in=days, status=AttendanceStatus.ABSENT_UNEXCUSED)
                .count()
            )
            if unexcused < threshold.unexcused_absences:
                continue
            with transaction.atomic(), audit.audit_context(actor=actor, reason="attendance threshold reached"):
                try:
                    with transaction.atomic():
                        case = TruancyCase.objects.create(
                            student=student,
                            opened_on=timezone.localdate(),
                            threshold=threshold,
                            unexcused_count=unexcused,
                            trigger=(
                                f"{unexcused} unexcused absences in the {len(days)} school days "
                                f"{min(days):%Y-%m-%d} to {max(days):%Y-%m-%d} ({threshold})."
                            ),
                        )
                except IntegrityError:  # opened concurrently
                    break
            opened.append(case)
            break
    return opened


def record_attendance(*, actor: Any, record: AttendanceRecord) -> list[TruancyCase]:
    """After an attendance entry was saved: open the cases its thresholds call for."""
    return evaluate_truancy(actor=actor, student_ids=[record.student_id])


# --- Attendance import -----------------------------------------------------------------------------

COLUMNS = ("student_identifier", "date", "status")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


@dataclass
class ImportResult:
    errors: list[dict[str, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cases_opened: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_date(text: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class _Row:
    line: int
    student: Student
    date: dt.date
    status: str


def check_attendance_csv(
    *, actor: Any, attendance_import: AttendanceImport, content: bytes
) -> tuple[list[_Row], list[dict[str, str]]]:
    """Parse and check every row; returns the good rows and an error for every bad one."""
    name = attendance_import.source_name
    errors: list[dict[str, str]] = []

    def error(row: int | str, column: str, value: str, reason: str) -> None:
        errors.append({"file": name, "row": str(row), "column": column, "value": value, "reason": reason})

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        error("", "", "", "The file is not UTF-8 text: save it as CSV (UTF-8).")
        return [], errors
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        for column in missing:
            error(1, column, "", f"The header has no “{column}” column (needed: {', '.join(COLUMNS)}).")
        return [], errors
    index = {c: header.index(c) for c in COLUMNS}
    raw: list[tuple[int, dict[str, str]]] = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        raw.append((line, {c: (values[i].strip() if i < len(values) else "") for c, i in index.items()}))
    if not raw:
        error("", "", "", "The file has no attendance rows.")
        return [], errors
    visible = restrict(Student.objects.alive(), actor, "view").filter(district_id=attendance_import.district_id)
    if attendance_import.school_id is not None:
        visible = visible.filter(Q(school_id=attendance_import.school_id) | Q(schools=attendance_import.school_id))
    identifiers = {r["student_identifier"] for _, r in raw if r["student_identifier"]}
    students: dict[str, Student] = {}
    for student in visible.filter(identifier__in=identifiers).distinct():
        students.setdefault(student.identifier, student)
    today = timezone.localdate()
    rows: list[_Row] = []
    seen: dict[tuple[int, dt.date], tuple[int, str]] = {}
    for line, r in raw:
        ok = True
        student = students.get(r["student_identifier"])
        if not r["student_identifier"]:
            error(line, "student_identifier", "", "The student identifier is empty.")
            ok = False
        elif student is None:
            where = attendance_import.school or attendance_import.district
            error(line, "student_identifier", r["student_identifier"], f"No student with this number at {where}.")
            ok = False
        day = _parse_date(r["date"])
        if day is None:
            error(line, "date", r["date"], "Not a date: use YYYY-MM-DD.")
            ok = False
        elif day > today:
            error(line, "date", r["date"], "The date is in the future.")
            ok = False
        status = r["status"].lower()
        if status not in AttendanceStatus.values:
            error(line, "status", r["status"], f"Unknown status: use one of {', '.join(AttendanceStatus.values)}.")
            ok = False
        if ok and student is not None and day is not None:
            key = (student.pk, day)
            if key in seen and seen[key][1] != status:
                error(line, "status", r["status"], f"Row {seen[key][0]} gives this student another status that day.")
                continue
            if key in seen:
                continue
            seen[key] = (line, status)
            rows.append(_Row(line, student, day, status))
    return rows, errors


def import_attendance(*, actor: Any, attendance_import: AttendanceImport, content: bytes) -> ImportResult:
    """Check every row, then apply all of them or none; opens truancy cases the thresholds call for.

    Re-importing the same rows changes nothing (they count as unchanged).
    """
    require(actor, perm_name(AttendanceImport, "add"), attendance_import)
    require(actor, perm_name(AttendanceRecord, "add"))
    result = ImportResult()
    AttendanceImport.objects.filter(pk=attendance_import.pk).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    rows, errors = check_attendance_csv(actor=actor, attendance_import=attendance_import, content=content)
    if errors:
        result.errors = errors
    else:
        with (
            transaction.atomic(),
            audit.audit_context(actor=actor, reason=f"attendance import #{attendance_import.pk}"),
        ):
            existing = {
                (rec.student_id, rec.date): rec
                for rec in AttendanceRecord.objects.alive().filter(
                    student_id__in={r.student.pk for r in rows}, date__in={r.date for r in rows}
                )
            }
            for row in rows:
                current = existing.get((row.student.pk, row.date))
                if current is None:
                    AttendanceRecord.objects.create(
                        student=row.student, date=row.date, status=row.status, attendance_import=attendance_import
                    )
                    result.created += 1
                elif current.status != row.status:
                    current.status = row.status
                    current.attendance_import = attendance_import
                    current.save()
                    result.updated += 1
                else:
                    result.unchanged += 1
            result.cases_opened = len(evaluate_truancy(actor=actor, student_ids={r.student.pk for r in rows}))
    with audit.audit_context(actor=actor):
        finished = AttendanceImport.objects.get(pk=attendance_import.pk)
        finished.status = ImportStatus.FAILED if result.errors else ImportStatus.SUCCEEDED
        finished.errors = result.errors
        finished.summary = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "cases_opened": result.cases_opened,
        }
        finished.finished_at = timezone.now()
        finished.save()
    return result


def decide_request(*, actor: Any, request: AgencyRequest, decision: str, reason: str, basis: str = "") -> AgencyRequest:
    """Record the decision on an agency's request (a refusal is recorded too)."""
    require(actor, perm_name(AgencyRequest, "change"), request)
    if decision not in RequestDecision.values or decision == RequestDecision.PENDING:
        raise ValidationError({"decision": "Choose granted, partly granted or refused."})
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked: AgencyRequest = AgencyRequest.objects.select_for_update().get(pk=request.pk)
        locked.decision = decision
        locked.decision_reason = reason
        locked.legal_basis = basis
        locked.decided_at = timezone.now()
        locked.full_clean()
        locked.save()
    return locked
