"""Threat-assessment workflows: team membership, the CSTAG steps of a case, and reminder emails.

Every workflow function takes the actor, checks the policy engine first (``require``), runs in one
transaction with the case locked, refuses with a ``ValidationError`` naming what is missing (nothing is
written then), and writes the case's timeline event. The order of CSTAG (REFERENCE.md §3.1):

1. evaluate: at least one interview before any classification;
2. transient: a classification with its reasoning, then closure;
3. serious substantive: the intended victim, the victim's parents and the student's parents notified
   before closure;
4. very serious substantive: also law-enforcement consultation and a mental-health assessment before the
   safety evaluation is complete;
5. a safety plan of at least one item, reviewed after its last item was added, before closure.

Discipline is recorded apart from the classification and never changes it.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from srodesk.core import audit
from srodesk.core.permissions import perm_name, require, restrict

from .choices import (
    INTERVIEW_PROMPTS,
    SAFETY_EVALUATION_ACTIONS,
    CaseStatus,
    Classification,
    DisciplineAction,
    Finding,
    InterviewSubject,
    MonitoringKind,
    ProtectiveActionKind,
    TeamRole,
    Theme,
)
from .models import (
    DUE_PREFETCH,
    CaseEvent,
    DisciplineRecord,
    Interview,
    MonitoringEntry,
    ProtectiveAction,
    ReminderLog,
    SafetyPlanItem,
    Team,
    TeamMember,
    ThemeFinding,
    ThreatCase,
)

log = logging.getLogger(__name__)

CHANGE_CASE = perm_name(ThreatCase, "change")
#: Who may change a team's membership: whoever may see every case of the school without being on the
#: team, i.e. holds ``override_need_to_know`` there (the school's administrators).
MANAGE_TEAM = perm_name(Team, "override_need_to_know")


# --- helpers --------------------------------------------------------------------------------------


@contextmanager
def _case_for_change(actor: Any, case: ThreatCase) -> Iterator[ThreatCase]:
    """The case, locked, for a workflow step by ``actor``; refuses a closed or deleted case."""
    require(actor, CHANGE_CASE, case)
    with transaction.atomic(), audit.audit_context(actor=actor):
        locked = ThreatCase.objects.select_for_update().get(pk=case.pk)
        if locked.deleted_at is not None:
            raise PermissionDenied("The case is deleted.")
        if locked.status == CaseStatus.CLOSED:
            raise ValidationError("The case is closed: nothing more can be recorded on it.")
        yield locked


def _event(case: ThreatCase, kind: str, actor: Any, summary: str = "") -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, summary=summary[:300])


def _text(value: str | None) -> str:
    return (value or "").strip()


def may_see_case(user: Any, case: ThreatCase) -> bool:
    return restrict(ThreatCase.objects.alive().filter(pk=case.pk), user, "view").exists()


# --- teams ----------------------------------------------------------------------------------------


def add_team_member(*, actor: Any, team: Team, user: Any, team_role: str) -> TeamMember:
    """Put ``user`` on ``team`` (the school's administrators only). The user then sees the team's cases."""
    require(actor, MANAGE_TEAM, team)
    if team_role not in TeamRole.values:
        raise ValidationError({"team_role": "Choose a team role."})
    if not getattr(user, "is_active", False):
        raise ValidationError({"user": "The account is not active."})
    with transaction.atomic(), audit.audit_context(actor=actor):
        Team.objects.select_for_update().get(pk=team.pk)
        if TeamMember.objects.filter(team=team, user=user, deleted_at__isnull=True).exists():
            raise ValidationError({"user": f"{user} is already on the team."})
        member: TeamMember = TeamMember.objects.create(team=team, user=user, team_role=team_role)
        return member


def remove_team_member(*, actor: Any, membership: TeamMember, reason: str) -> TeamMember:
    """Take a member off the team: from now on they see none of its cases (unless added to one)."""
    require(actor, MANAGE_TEAM, membership.team)
    if not _text(reason):
        raise ValidationError({"reason": "Give the reason for the removal."})
    with transaction.atomic(), audit.audit_context(actor=actor, reason=_text(reason)):
        locked: TeamMember = TeamMember.objects.select_for_update().get(pk=membership.pk)
        if locked.deleted_at is None:
            locked.deleted_at = timezone.now()
            locked.deleted_by_id = actor.pk
            locked.save()
        return locked


# --- step 1: evaluate -----------------------------------------------------------------------------


def record_interview(
    *,
    actor: Any,
    case: ThreatCase,
    subject: str,
    person_name: str,
    answers: Mapping[str, str],
    interviewed_at: dt.datetime | None = None,
    notes: str = "",
) -> Interview:
    """An account from the student, a recipient or a witness; ``answers`` keyed by the standard prompts."""
    if subject not in InterviewSubject.values:
        raise ValidationError({"subject": "Choose who was interviewed."})
    prompts = dict(INTERVIEW_PROMPTS[subject])
    unknown = set(answers) - set(prompts)
    if unknown:
        raise ValidationError({"answers": f"Unknown prompts: {', '.join(sorted(unknown))}."})
    cleaned = {key: _text(value) for key, value in answers.items() if _text(value)}
    errors: dict[str, str] = {}
    if not _text(person_name):
        errors["person_name"] = "Name the person interviewed."
    if not cleaned and not _text(notes):
        errors["answers"] = "Record the person's account: answer at least one prompt."
    if interviewed_at is not None and interviewed_at > timezone.now() + dt.timedelta(minutes=5):
        errors["interviewed_at"] = "An interview is recorded after it happens: the time is in the future."
    if errors:
        raise ValidationError(errors)
    with _case_for_change(actor, case) as locked:
        interview: Interview = Interview.objects.create(
            case=locked,
            subject=subject,
            person_name=_text(person_name),
            interviewed_at=interviewed_at or timezone.now(),
            interviewer=actor,
            answers=cleaned,
            notes=_text(notes),
        )
        _event(locked, CaseEvent.Kind.INTERVIEW, actor, str(interview.get_subject_display()))
        return interview


# --- steps 2 and 3: classify ----------------------------------------------------------------------


def classify(*, actor: Any, case: ThreatCase, classification: str, reasoning: str) -> ThreatCase:
    """Resolve as transient (reasoning required) or classify as serious or very serious substantive.

    Refused before any interview: the threat must be evaluated first (step 1). A classification may be
    changed while the case is open (new facts), always with the reasoning for the change.
    """
    if classification not in Classification.values:
        raise ValidationError({"classification": "Choose transient, serious substantive or very serious substantive."})
    with _case_for_change(actor, case) as locked:
        if not locked.interviews.filter(deleted_at__isnull=True).exists():
            raise ValidationError(
                {"classification": "Evaluate the threat first: record at least one interview before classifying it."}
            )
        if classification == Classification.TRANSIENT and not _text(reasoning):
            raise ValidationError(
                {
                    "reasoning": "A transient threat needs the reasoning: how it was resolved (explanation, "
                    "apology, clarification) and why no intent to harm remains."
                }
            )
        if locked.classification and locked.classification != classification and not _text(reasoning):
            raise ValidationError({"reasoning": "Give the reason for changing the classification."})
        locked.classification = classification
        locked.classification_reasoning = _text(reasoning)
        locked.classified_at = timezone.now()
        locked.classified_by = actor
        locked.save()
        _event(locked, CaseEvent.Kind.CLASSIFIED, actor, str(Classification(classification).label))
        return locked


def record_protective_action(
    *, actor: Any, case: ThreatCase, kind: str, taken_at: dt.datetime | None = None, notes: str = ""
) -> ProtectiveAction:
    """A protective action with the time it was taken (notifications, consultation, assessment …)."""
    if kind not in ProtectiveActionKind.values:
        raise ValidationError({"kind": "Choose the protective action."})
    if kind == ProtectiveActionKind.OTHER and not _text(notes):
        raise ValidationError({"notes": "Describe the protective action."})
    if taken_at is not None and taken_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"taken_at": "Record an action once it is taken: the time is in the future."})
    with _case_for_change(actor, case) as locked:
        action: ProtectiveAction = ProtectiveAction.objects.create(
            case=locked, kind=kind, taken_at=taken_at or timezone.now(), taken_by=actor, notes=_text(notes)
        )
        _event(locked, CaseEvent.Kind.PROTECTIVE_ACTION, actor, str(action.get_kind_display()))
        return action


# --- step 4: safety evaluation --------------------------------------------------------------------


def complete_safety_evaluation(
    *, actor: Any, case: ThreatCase, summary: str, completed_at: dt.datetime | None = None
) -> ThreatCase:
    """Step 4 of a very serious substantive threat: needs law-enforcement consultation and a
    mental-health assessment recorded, and the evaluation's summary."""
    with _case_for_change(actor, case) as locked:
        if locked.classification != Classification.VERY_SERIOUS:
            raise ValidationError("A safety evaluation is step 4 of a very serious substantive threat only.")
        if locked.safety_evaluation_at is not None:
            raise ValidationError("The safety evaluation is already complete.")
        done = set(locked.protective_actions.filter(deleted_at__isnull=True).values_list("kind", flat=True))
        missing = [str(k.label) for k in SAFETY_EVALUATION_ACTIONS if k not in done]
        errors: dict[str, list[str]] = {}
        if missing:
            errors["__all__"] = [f"Record first: {', '.join(missing)}."]
        if not _text(summary):
            errors["summary"] = ["Summarise the safety evaluation."]
        if errors:
            raise ValidationError(errors)
        locked.safety_evaluation_at = completed_at or timezone.now()
        locked.safety_evaluation_summary = _text(summary)
        locked.save()
        _event(locked, CaseEvent.Kind.SAFETY_EVALUATION, actor)
        return locked


# --- step 5: safety plan and monitoring -----------------------------------------------------------


def add_plan_item(
    *, actor: Any, case: ThreatCase, action: str, owner: Any, due_on: dt.date, notes: str = ""
) -> SafetyPlanItem:
    """One item of the safety plan. Its owner must be someone who may see the case."""
    errors: dict[str, str] = {}
    if not _text(action):
        errors["action"] = "Describe the action."
    if owner is None or not may_see_case(owner, case):
        errors["owner"] = "The owner must be on the case's team or added to the case."
    if due_on is None:
        errors["due_on"] = "Give the due or review date."
    if errors:
        raise ValidationError(errors)
    with _case_for_change(actor, case) as locked:
        if locked.classification not in (Classification.SERIOUS, Classification.VERY_SERIOUS):
            raise ValidationError("A safety plan follows a substantive classification: classify the threat first.")
        item: SafetyPlanItem = SafetyPlanItem.objects.create(
            case=locked, action=_text(action), owner=owner, due_on=due_on, notes=_text(notes)
        )
        _event(locked, CaseEvent.Kind.PLAN_ITEM, actor, item.action)
        return item


def complete_plan_item(*, actor: Any, item: SafetyPlanItem) -> SafetyPlanItem:
    with _case_for_change(actor, item.case) as locked:
        fresh: SafetyPlanItem = SafetyPlanItem.objects.select_for_update().get(pk=item.pk, case=locked)
        if fresh.done_at is not None:
            raise ValidationError("The item is already done.")
        fresh.done_at = timezone.now()
        fresh.save()
        _event(locked, CaseEvent.Kind.PLAN_ITEM_DONE, actor, fresh.action)
        return fresh


def add_monitoring_entry(
    *, actor: Any, case: ThreatCase, kind: str, notes: str, noted_at: dt.datetime | None = None
) -> MonitoringEntry:
    """A follow-up contact, a note, or a review of the safety plan (which needs a plan to review)."""
    if kind not in MonitoringKind.values:
        raise ValidationError({"kind": "Choose the kind of entry."})
    if not _text(notes):
        raise ValidationError({"notes": "Write what was found or done."})
    with _case_for_change(actor, case) as locked:
        if kind == MonitoringKind.PLAN_REVIEW and not locked.safety_plan_items.filter(deleted_at__isnull=True).exists():
            raise ValidationError({"kind": "There is no safety plan to review yet."})
        entry: MonitoringEntry = MonitoringEntry.objects.create(
            case=locked, kind=kind, notes=_text(notes), noted_at=noted_at or timezone.now(), author=actor
        )
        _event(locked, CaseEvent.Kind.MONITORING, actor, str(entry.get_kind_display()))
        return entry


# --- USSS themes and discipline -------------------------------------------------------------------


def save_theme_findings(
    *, actor: Any, case: ThreatCase, findings: Mapping[str, Mapping[str, str]]
) -> list[ThemeFinding]:
    """The themes checklist: ``{theme: {"finding", "evidence", "source"}}``. A finding other than
    "not assessed" needs its evidence and its source."""
    errors: dict[str, str] = {}
    for theme, values in findings.items():
        if theme not in Theme.values:
            errors["findings"] = f"Unknown theme {theme!r}."
            continue
        finding = values.get("finding", Finding.NOT_ASSESSED)
        if finding not in Finding.values:
            errors[f"{theme}_finding"] = "Choose a finding."
        elif finding != Finding.NOT_ASSESSED:
            if not _text(values.get("evidence")):
                errors[f"{theme}_evidence"] = "Give the evidence for this finding."
            if not _text(values.get("source")):
                errors[f"{theme}_source"] = "Name the source of the evidence."
    if errors:
        raise ValidationError(errors)
    saved: list[ThemeFinding] = []
    with _case_for_change(actor, case) as locked:
        existing = {f.theme: f for f in ThemeFinding.objects.filter(case=locked, deleted_at__isnull=True)}
        for theme, values in findings.items():
            row = existing.get(theme) or ThemeFinding(case=locked, theme=theme)
            new = (
                values.get("finding", Finding.NOT_ASSESSED),
                _text(values.get("evidence")),
                _text(values.get("source")),
            )
            if row.pk is not None and (row.finding, row.evidence, row.source) == new:
                saved.append(row)
                continue
            if row.pk is None and new == (Finding.NOT_ASSESSED, "", ""):
                continue
            row.finding, row.evidence, row.source = new
            row.save()
            saved.append(row)
        _event(locked, CaseEvent.Kind.THEMES, actor)
    return saved


def record_discipline(
    *,
    actor: Any,
    case: ThreatCase,
    action: str,
    decided_on: dt.date | None = None,
    days: int | None = None,
    notes: str = "",
) -> DisciplineRecord:
    """Discipline decided for the student. It is kept apart from the threat classification: recording it
    never changes the classification, the step or what is due."""
    if action not in DisciplineAction.values:
        raise ValidationError({"action": "Choose the discipline."})
    with _case_for_change(actor, case) as locked:
        record: DisciplineRecord = DisciplineRecord.objects.create(
            case=locked,
            action=action,
            decided_on=decided_on or timezone.localdate(),
            days=days,
            decided_by=actor,
            notes=_text(notes),
        )
        _event(locked, CaseEvent.Kind.DISCIPLINE, actor, str(record.get_action_display()))
        return record


# --- people on the case ---------------------------------------------------------------------------


def add_case_member(*, actor: Any, case: ThreatCase, user: Any) -> ThreatCase:
    """Give one person outside the team sight of this case (e.g. a special-education teacher)."""
    if not getattr(user, "is_active", False):
        raise ValidationError({"user": "The account is not active."})
    with _case_for_change(actor, case) as locked:
        if locked.added_members.filter(pk=user.pk).exists():
            raise ValidationError({"user": f"{user} is already on the case."})
        locked.added_members.add(user)
        _event(locked, CaseEvent.Kind.MEMBER_ADDED, actor, str(user))
        return locked


def remove_case_member(*, actor: Any, case: ThreatCase, user: Any) -> ThreatCase:
    with _case_for_change(actor, case) as locked:
        if not locked.added_members.filter(pk=user.pk).exists():
            raise ValidationError({"user": f"{user} was not added to the case."})
        locked.added_members.remove(user)
        _event(locked, CaseEvent.Kind.MEMBER_REMOVED, actor, str(user))
        return locked


# --- closure --------------------------------------------------------------------------------------


def closure_problems(case: ThreatCase) -> list[str]:
    """Why the case may not close yet (empty when it may)."""
    problems: list[str] = []
    if not case.classification:
        return ["Classify the threat first (transient, serious substantive or very serious substantive)."]
    missing = case.missing_actions()
    if missing:
        problems.append("Record the protective actions: " + ", ".join(str(k.label) for k in missing) + ".")
    if case.classification == Classification.VERY_SERIOUS:
        if case.safety_evaluation_at is None:
            problems.append("Complete the safety evaluation (step 4).")
        if not case.plan_items():
            problems.append("Write the safety plan: at least one item (step 5).")
        elif not case.plan_review_current():
            problems.append("Record a review of the safety plan after its last item was added.")
    return problems


def close_case(*, actor: Any, case: ThreatCase, summary: str) -> ThreatCase:
    """Close the case once its classification's response is complete (see the module's docstring)."""
    with _case_for_change(actor, case) as locked:
        fresh = ThreatCase.objects.prefetch_related(*DUE_PREFETCH).get(pk=locked.pk)
        problems = closure_problems(fresh)
        errors: dict[str, list[str]] = {}
        if problems:
            errors["__all__"] = problems
        if not _text(summary):
            errors["summary"] = ["Summarise the outcome of the case."]
        if errors:
            raise ValidationError(errors)
        locked.status = CaseStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.closure_summary = _text(summary)
        locked.save()
        _event(locked, CaseEvent.Kind.CLOSED, actor)
        return locked


# --- reminders ------------------------------------------------------------------------------------


@dataclass
class ReminderResult:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    subjects: list[str] = field(default_factory=list)


def _case_url(case: ThreatCase, base_url: str) -> str:
    return base_url.rstrip("/") + case.get_absolute_url()


def _send_once(
    *,
    keys: list[str],
    case: ThreatCase,
    recipient: str,
    subject: str,
    body: str,
    today: dt.date,
    result: ReminderResult,
) -> None:
    """Send one email unless every key was already sent to this recipient today; log each key sent."""
    already = set(
        ReminderLog.objects.filter(key__in=keys, recipient=recipient, sent_on=today).values_list("key", flat=True)
    )
    new = [k for k in keys if k not in already]
    if not new:
        result.skipped += 1
        return
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient])
    try:
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Threat reminder to %s not sent: %s", recipient, exc)
        result.failed += 1
        return
    for key in new:
        try:
            with transaction.atomic():
                ReminderLog.objects.create(
                    key=key, case=case, recipient=recipient, sent_on=today, subject=subject[:200]
                )
        except IntegrityError:  # a concurrent run logged it first
            continue
    result.sent += 1
    result.subjects.append(subject)


def send_reminders(*, today: dt.date | None = None, days: int = 2, base_url: str | None = None) -> ReminderResult:
    """Email the owners of safety-plan items due within ``days`` days or overdue, and each team about its
    cases' overdue steps. Idempotent per item (or step), recipient and day: a second run the same day
    sends nothing new. The emails name the case number only, never the student or the threat."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    base = str(getattr(settings, "SITE_URL", "")) if base_url is None else base_url
    result = ReminderResult()
    horizon = today + dt.timedelta(days=days)
    items = (
        SafetyPlanItem.objects.filter(
            deleted_at__isnull=True,
            done_at__isnull=True,
            due_on__lte=horizon,
            case__deleted_at__isnull=True,
            case__status=CaseStatus.OPEN,
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .select_related("case", "owner")
        .order_by("due_on", "pk")
    )
    for item in items:
        case = item.case
        if item.due_on < today:
            subject = f"Overdue safety-plan item on threat case #{case.pk}"
            when = f"was due on {item.due_on:%Y-%m-%d}"
        else:
            subject = f"Safety-plan item due {item.due_on:%Y-%m-%d} on threat case #{case.pk}"
            when = f"is due on {item.due_on:%Y-%m-%d}"
        body = (
            f"A safety-plan item you own on threat case #{case.pk} {when}.\n\n"
            f"Open the case to see the item and mark it done:\n{_case_url(case, base)}\n"
        )
        _send_once(
            keys=[f"item:{item.pk}"],
            case=case,
            recipient=item.owner.email,
            subject=subject,
            body=body,
            today=today,
            result=result,
        )
    members = Prefetch(
        "team__memberships",
        queryset=TeamMember.objects.filter(deleted_at__isnull=True, user__is_active=True).select_related("user"),
    )
    cases = (
        ThreatCase.objects.alive()
        .filter(status=CaseStatus.OPEN)
        .select_related("team")
        .prefetch_related(*DUE_PREFETCH, members)
        .order_by("pk")
    )
    for case in cases:
        overdue = [d for d in case.due(now) if d.overdue and not d.key.startswith("item:")]
        if not overdue:
            continue
        subject = f"Overdue steps on threat case #{case.pk}"
        lines = "\n".join(
            f"- {d.label} (due {timezone.localtime(d.due_at):%Y-%m-%d %H:%M})" for d in overdue if d.due_at
        )
        body = (
            f"These steps of threat case #{case.pk} are overdue:\n{lines}\n\nOpen the case:\n{_case_url(case, base)}\n"
        )
        keys = [f"step:{case.pk}:{d.key}" for d in overdue]
        recipients = sorted({m.user.email for m in case.team.memberships.all() if m.user.email})
        for recipient in recipients:
            _send_once(
                keys=keys, case=case, recipient=recipient, subject=subject, body=body, today=today, result=result
            )
    return result
