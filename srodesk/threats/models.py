"""Threat assessment: behavioural-intervention teams and CSTAG cases (REFERENCE.md §3.1, §3.2).

A case is an education record seen on a need-to-know basis: only the members of its team, users added
to the case, and roles granted ``override_need_to_know`` in its school (the school's administrators)
see it. Every part of a case (interviews, protective actions, safety plan, monitoring, themes,
discipline) is reached only through the case. The workflow (which step may follow which) lives in
``services.py``; this module holds the data and the read-only predicates (``step``, ``due()``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, RecordModel, ScopedRecordModel

from .choices import (
    SAFETY_EVALUATION_ACTIONS,
    SERIOUS_REQUIRED_ACTIONS,
    CaseStatus,
    Classification,
    DisciplineAction,
    Finding,
    HowReported,
    InterviewSubject,
    MonitoringKind,
    ProtectiveActionKind,
    Step,
    TeamRole,
    Theme,
)

#: How long the team has for each step, counted from the report (step 1) or the classification.
EVALUATION_DUE = dt.timedelta(days=1)
SERIOUS_RESPONSE_DUE = dt.timedelta(days=1)
SAFETY_EVALUATION_DUE = dt.timedelta(days=3)


class Team(ScopedRecordModel):
    """A school's behavioural-intervention / threat-assessment team.

    Need-to-know: its members, and the school's administrators (``override_need_to_know``), see it.
    Only the administrators change who is on it (see ``services.add_team_member``).
    """

    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    need_to_know: ClassVar[bool] = True
    search_fields = ("name",)

    class Meta:
        ordering = ("name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"], condition=Q(deleted_at__isnull=True), name="threats_team_name_alive"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("threats:team_detail", self.pk)

    @classmethod
    def member_filter(cls, user: Any) -> Q:
        return Q(pk__in=TeamMember.objects.filter(user_id=user.pk, deleted_at__isnull=True).values("team_id"))

    def clean(self) -> None:
        if self.school_id is None:
            raise ValidationError({"school": "A team belongs to one school."})
        super().clean()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.school_id is not None and self.district_id is None:
            self.district_id = self.school.district_id
        super().save(*args, **kwargs)

    def active_members(self) -> models.QuerySet[TeamMember]:
        return self.memberships.filter(deleted_at__isnull=True).select_related("user")


class TeamMember(RecordModel):
    """A user on a team, with their team role. Removal is a soft delete (the history keeps it)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threat_memberships")
    team_role = models.CharField(max_length=20, choices=TeamRole.choices)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "team__district",
        "school": "team__school",
        "agency": None,
    }
    need_to_know: ClassVar[bool] = True

    class Meta:
        ordering = ("team", "user__username", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(deleted_at__isnull=True), name="threats_teammember_alive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_team_role_display()})"

    @classmethod
    def member_filter(cls, user: Any) -> Q:
        return Q(team__in=Team.objects.filter(Team.member_filter(user)))


@dataclass(frozen=True)
class DueItem:
    """One thing still due on a case: what, by when, and whether it is late."""

    key: str
    label: str
    due_at: dt.datetime | None = None
    overdue: bool = False


class ThreatCase(ScopedRecordModel):
    """A CSTAG threat-assessment case about one student (an education record, need-to-know)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="threat_cases")
    added_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="threat_cases_added",
        help_text="People outside the team who work on this case.",
    )
    # --- intake ---
    reported_at = models.DateTimeField("reported at", default=timezone.now)
    occurred_on = models.DateField("threat occurred on", null=True, blank=True)
    reporter_name = models.CharField("reported by", max_length=200, blank=True)
    reporter_anonymous = models.BooleanField("anonymous report", default=False)
    how_reported = models.CharField(max_length=20, choices=HowReported.choices, default=HowReported.IN_PERSON)
    location = models.CharField(max_length=200, blank=True)
    exact_words = models.TextField("exact words or actions", help_text="Quote the threat exactly as made.")
    targets = models.TextField("target(s)", blank=True)
    context = models.TextField("context, prior conflict or bullying", blank=True)
    special_education = models.TextField("special-education / 504 considerations", blank=True)
    # --- classification (written by services.classify only) ---
    classification = models.CharField(max_length=32, choices=Classification.choices, blank=True, editable=False)
    classification_reasoning = models.TextField(blank=True, editable=False)
    classified_at = models.DateTimeField(null=True, blank=True, editable=False)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # --- step 4: safety evaluation (very serious only) ---
    safety_evaluation_at = models.DateTimeField("safety evaluation completed", null=True, blank=True, editable=False)
    safety_evaluation_summary = models.TextField(blank=True, editable=False)
    # --- closure ---
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    closure_summary = models.TextField(blank=True, editable=False)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    need_to_know: ClassVar[bool] = True
    search_fields = ("student__search_name", "student__identifier", "exact_words")

    class Meta:
        ordering = ("-reported_at", "-pk")
        verbose_name = "threat case"

    def __str__(self) -> str:
        return f"Threat case #{self.pk}"

    def get_absolute_url(self) -> str:
        return detail_url("threats:threatcase_detail", self.pk)

    @classmethod
    def member_filter(cls, user: Any) -> Q:
        on_team = TeamMember.objects.filter(user_id=user.pk, deleted_at__isnull=True, team__deleted_at__isnull=True)
        added = cls.added_members.through.objects.filter(user_id=user.pk)
        return Q(team_id__in=on_team.values("team_id")) | Q(pk__in=added.values("threatcase_id"))

    @classmethod
    def search_q(cls, value: str) -> Q:
        """The student's name or number, or words of the threat."""
        words = value.strip()
        return Q(student__in=_students_matching(words)) | Q(exact_words__icontains=words)

    def clean(self) -> None:
        if self.pk is not None and self.status == CaseStatus.CLOSED:
            raise ValidationError("The case is closed: its record is no longer edited.")
        if self.team_id is not None:
            team = Team.objects.filter(pk=self.team_id).values("school_id", "district_id").first()
            if team is not None:
                self.school_id, self.district_id = team["school_id"], team["district_id"]
        super().clean()
        if self.student_id is not None and self.district_id is not None:
            from srodesk.people.models import Student

            if not Student.objects.filter(pk=self.student_id, district_id=self.district_id).exists():
                raise ValidationError({"student": "The student is not in the team's district."})
        if self.reporter_anonymous and self.reporter_name.strip():
            raise ValidationError({"reporter_name": "An anonymous report names no reporter."})

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.team_id is not None and (self.school_id is None or self.district_id is None):
            team = Team.objects.get(pk=self.team_id)
            self.school_id, self.district_id = team.school_id, team.district_id
        super().save(*args, **kwargs)

    # --- where the case stands --------------------------------------------------------------------
    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @property
    def step(self) -> Step:
        """The CSTAG step, from the case's own fields (no query)."""
        if self.is_closed:
            return Step.CLOSED
        if self.classification == Classification.TRANSIENT:
            return Step.TRANSIENT
        if self.classification == Classification.SERIOUS:
            return Step.SERIOUS
        if self.classification == Classification.VERY_SERIOUS:
            return Step.SAFETY_PLAN if self.safety_evaluation_at else Step.SAFETY_EVALUATION
        return Step.EVALUATE

    @property
    def step_label(self) -> str:
        return str(self.step.label)

    def action_kinds(self) -> set[str]:
        return {a.kind for a in self.protective_actions.all() if a.deleted_at is None}

    def plan_items(self) -> list[SafetyPlanItem]:
        return [i for i in self.safety_plan_items.all() if i.deleted_at is None]

    def plan_reviews(self) -> list[MonitoringEntry]:
        return [
            m for m in self.monitoring_entries.all() if m.deleted_at is None and m.kind == MonitoringKind.PLAN_REVIEW
        ]

    def plan_review_current(self) -> bool:
        """A review is recorded, and none of the plan's items was added after the latest review."""
        reviews = self.plan_reviews()
        items = self.plan_items()
        if not reviews or not items:
            return False
        return max(r.noted_at for r in reviews) >= max(i.created_at for i in items)

    def missing_actions(self) -> list[ProtectiveActionKind]:
        """Protective actions the classification calls for that are not yet recorded."""
        required: tuple[ProtectiveActionKind, ...] = ()
        if self.classification in (Classification.SERIOUS, Classification.VERY_SERIOUS):
            required = SERIOUS_REQUIRED_ACTIONS
        if self.classification == Classification.VERY_SERIOUS:
            required = (*required, *SAFETY_EVALUATION_ACTIONS)
        done = self.action_kinds()
        return [kind for kind in required if kind not in done]

    def due(self, now: dt.datetime | None = None) -> list[DueItem]:
        """What is still due, most urgent first. Works on prefetched relations (see ``DUE_PREFETCH``)."""
        now = now or timezone.now()
        items: list[DueItem] = []
        if self.is_closed:
            return items
        step = self.step
        if step == Step.EVALUATE:
            interviews = [i for i in self.interviews.all() if i.deleted_at is None]
            deadline = self.reported_at + EVALUATION_DUE
            if not interviews:
                items.append(
                    DueItem("interview", "Interview the student, recipient and witnesses", deadline, now > deadline)
                )
            items.append(
                DueItem("classify", "Classify the threat (transient or substantive)", deadline, now > deadline)
            )
            return items
        classified = self.classified_at or self.reported_at
        for kind in self.missing_actions():
            limit = SAFETY_EVALUATION_DUE if kind in SAFETY_EVALUATION_ACTIONS else SERIOUS_RESPONSE_DUE
            deadline = classified + limit
            items.append(DueItem(f"action:{kind}", f"Record: {kind.label}", deadline, now > deadline))
        if step == Step.SAFETY_EVALUATION:
            deadline = classified + SAFETY_EVALUATION_DUE
            items.append(DueItem("safety_evaluation", "Complete the safety evaluation", deadline, now > deadline))
        if step in (Step.SAFETY_EVALUATION, Step.SAFETY_PLAN):
            plan = self.plan_items()
            if not plan:
                items.append(DueItem("plan", "Write the safety plan (at least one item)"))
            today = timezone.localdate(now)
            for item in plan:
                if item.done_at is None:
                    due_at = timezone.make_aware(dt.datetime.combine(item.due_on, dt.time(23, 59)))
                    items.append(DueItem(f"item:{item.pk}", f"Plan item: {item.action}", due_at, item.due_on < today))
            if plan and not self.plan_review_current():
                items.append(DueItem("plan_review", "Record a review of the safety plan"))
        items.append(DueItem("close", "Close the case when the response is complete"))
        items.sort(key=lambda d: (not d.overdue, d.due_at is None, d.due_at or now))
        return items

    @property
    def next_due(self) -> DueItem | None:
        due = self.due()
        return due[0] if due else None


#: Relations ``ThreatCase.due()`` reads: prefetch them for a page of cases.
DUE_PREFETCH = ("interviews", "protective_actions", "safety_plan_items", "monitoring_entries")


def _students_matching(words: str) -> Any:
    from srodesk.people.models import Student, name_search_q

    return Student.objects.filter(name_search_q(words, extra_exact=("identifier",))).values("pk")


class CasePart(RecordModel):
    """A part of a case: seen by whoever may see the case, and only through it."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="+")

    record_class: ClassVar[str] = RecordClass.EDUCATION
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "case__district",
        "school": "case__school",
        "agency": None,
    }
    need_to_know: ClassVar[bool] = True

    class Meta:
        abstract = True

    @classmethod
    def member_filter(cls, user: Any) -> Q:
        return Q(case__in=ThreatCase.objects.filter(ThreatCase.member_filter(user)).values("pk"))


class Interview(CasePart):
    """CSTAG step 1: an account from the student, a recipient or a witness, with the standard prompts."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="interviews")
    subject = models.CharField(max_length=12, choices=InterviewSubject.choices)
    person_name = models.CharField("person interviewed", max_length=200)
    interviewed_at = models.DateTimeField(default=timezone.now)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    #: Prompt key → answer (keys from ``choices.INTERVIEW_PROMPTS``).
    answers = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("interviewed_at", "pk")

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.person_name}"

    def answered_prompts(self) -> list[tuple[str, str]]:
        from .choices import INTERVIEW_PROMPTS

        return [(text, self.answers[key]) for key, text in INTERVIEW_PROMPTS[self.subject] if self.answers.get(key)]


class ProtectiveAction(CasePart):
    """A protective action with its time: notifications, law-enforcement consultation, assessment …"""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="protective_actions")
    kind = models.CharField(max_length=32, choices=ProtectiveActionKind.choices)
    taken_at = models.DateTimeField(default=timezone.now)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("taken_at", "pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {timezone.localtime(self.taken_at):%Y-%m-%d %H:%M}"


class SafetyPlanItem(CasePart):
    """One action of the safety plan (CSTAG step 5): who does it, by when, and when it was done."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="safety_plan_items")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threat_plan_items")
    due_on = models.DateField("due or review date")
    done_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("due_on", "pk")

    def __str__(self) -> str:
        return self.action

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class MonitoringEntry(CasePart):
    """A follow-up contact, a review of the safety plan, or a note."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="monitoring_entries")
    kind = models.CharField(max_length=12, choices=MonitoringKind.choices, default=MonitoringKind.FOLLOW_UP)
    noted_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField()

    class Meta:
        ordering = ("noted_at", "pk")
        verbose_name_plural = "monitoring entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {timezone.localtime(self.noted_at):%Y-%m-%d %H:%M}"


class ThemeFinding(CasePart):
    """The team's finding on one USSS investigative theme, with its evidence and source."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="theme_findings")
    theme = models.CharField(max_length=32, choices=Theme.choices)
    finding = models.CharField(max_length=16, choices=Finding.choices, default=Finding.NOT_ASSESSED)
    evidence = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("case", "theme")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "theme"], condition=Q(deleted_at__isnull=True), name="threats_themefinding_alive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()}: {self.get_finding_display()}"


class DisciplineRecord(CasePart):
    """Discipline decided for the student: kept apart from the threat classification, which it never changes."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="discipline_records")
    action = models.CharField(max_length=32, choices=DisciplineAction.choices)
    days = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_on = models.DateField(default=timezone.localdate)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("decided_on", "pk")

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.decided_on:%Y-%m-%d})"


class CaseEvent(models.Model):
    """The case's timeline, written by the services: one row per workflow step taken."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", "Interview recorded"
        PROTECTIVE_ACTION = "protective_action", "Protective action recorded"
        CLASSIFIED = "classified", "Classified"
        SAFETY_EVALUATION = "safety_evaluation", "Safety evaluation completed"
        PLAN_ITEM = "plan_item", "Safety-plan item added"
        PLAN_ITEM_DONE = "plan_item_done", "Safety-plan item done"
        MONITORING = "monitoring", "Monitoring entry"
        THEMES = "themes", "Themes updated"
        DISCIPLINE = "discipline", "Discipline recorded"
        MEMBER_ADDED = "member_added", "Person added to the case"
        MEMBER_REMOVED = "member_removed", "Person removed from the case"
        CLOSED = "closed", "Closed"

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class ReminderLog(models.Model):
    """One reminder email sent: what about (``key``), to whom and on which day; makes reminders idempotent."""

    key = models.CharField(max_length=80, help_text="item:<id> for a plan item, step:<case>:<what> for a step.")
    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.EmailField()
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=200)

    class Meta:
        ordering = ("-sent_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient", "sent_on"], name="threats_reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient} ({self.sent_on})"
