"""Student support: community agencies and referrals, mandated child-abuse/neglect reports, student
contacts (counselling, crisis intervention, mediation, parent contacts), attendance and truancy cases,
and requests from other agencies.

Everything about a student is an education record (REFERENCE.md §6). Records about one student take
their district and school from the student (the primary school), so they are seen where the student is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, RecordModel, ScopedRecordModel
from srodesk.people.choices import DisclosureBasis

from .choices import (
    AgencyType,
    AttendanceStatus,
    ClockStart,
    ConsentBy,
    ConsentException,
    ConsentMethod,
    ContactType,
    ImportStatus,
    InterventionKind,
    ReferralStatus,
    ReportChannel,
    ReportedTo,
    RequestDecision,
    TruancyOutcome,
    TruancyStatus,
)

#: Scope paths of a record reached through the partnership it configures.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)

PARTNERSHIP_SCOPE: dict[str, str | None] = {
    "district": "partnership__district",
    "school": "partnership__district__schools",
    "agency": "partnership__agency",
}


def _not_future(value: Any, field: str, errors: dict[str, str]) -> None:
    if value is not None and value > timezone.now() + FUTURE_TOLERANCE:
        errors[field] = "This time is in the future."


class StudentRecord(ScopedRecordModel):
    """A record about one student: district and school follow the student."""

    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="+")

    record_class: ClassVar[str] = RecordClass.EDUCATION

    class Meta:
        abstract = True

    def derive_scope(self) -> None:
        if self.student_id is None:
            return
        from srodesk.people.models import Student

        row = Student.objects.filter(pk=self.student_id).values_list("district_id", "school_id").first()
        if row is not None:
            self.district_id, self.school_id = row

    def clean(self) -> None:
        self.derive_scope()
        super().clean()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_scope()
        super().save(*args, **kwargs)


class CommunityAgency(RecordModel):
    """A community agency of the district's directory that students are referred to."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    agency_type = models.CharField("type", max_length=20, choices=AgencyType.choices)
    contact_name = models.CharField("contact person", max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    crisis_phone = models.CharField("crisis / after-hours phone", max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    website = models.URLField(blank=True)
    services = models.TextField(blank=True, help_text="What the agency offers, eligibility, languages, cost.")
    active = models.BooleanField(default=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "district__schools",
        "agency": "district__partnerships__agency",
    }
    search_fields = ("name", "contact_name", "services")

    class Meta:
        ordering = ("name", "pk")
        verbose_name = "community agency"
        verbose_name_plural = "community agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], condition=Q(deleted_at__isnull=True), name="support_agency_name_alive"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("support:communityagency_detail", self.pk)


class Referral(StudentRecord):
    """A referral of a student to a community agency, with the consent it rests on and its outcome."""

    community_agency = models.ForeignKey(CommunityAgency, on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField(default=timezone.localdate)
    reason = models.TextField(help_text="Why the student is referred.")
    consent_by = models.CharField("consent given by", max_length=20, choices=ConsentBy.choices, blank=True)
    consent_by_name = models.CharField("name of the person consenting", max_length=200, blank=True)
    consent_at = models.DateTimeField("consent given at", null=True, blank=True)
    consent_method = models.CharField("consent given how", max_length=12, choices=ConsentMethod.choices, blank=True)
    consent_exception = models.CharField(
        "exception to consent", max_length=20, choices=ConsentException.choices, blank=True,
        help_text="Only when the referral is made without consent.",
    )  # fmt: skip
    consent_exception_note = models.TextField("why the exception applies", blank=True)
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.MADE)
    status_on = models.DateField("status since", default=timezone.localdate)
    follow_up_on = models.DateField("follow up on", null=True, blank=True)
    outcome = models.TextField("follow-up outcome", blank=True)
    outcome_on = models.DateField("outcome recorded on", null=True, blank=True)
    disclosures = models.ManyToManyField("people.Disclosure", blank=True, related_name="+", editable=False)

    search_fields = ("student__search_name", "community_agency__name", "reason")

    class Meta:
        ordering = ("-referred_on", "-pk")

    def __str__(self) -> str:
        return f"Referral #{self.pk} to {self.community_agency.name}" if self.pk else "New referral"

    def get_absolute_url(self) -> str:
        return detail_url("support:referral_detail", self.pk)

    @property
    def has_consent(self) -> bool:
        return self.consent_at is not None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.consent_at is not None:
            if not self.consent_by:
                errors["consent_by"] = "Say who gave consent."
            if not self.consent_by_name.strip():
                errors["consent_by_name"] = "Give the name of the person who consented."
            if not self.consent_method:
                errors["consent_method"] = "Say how consent was given."
            if self.consent_exception:
                errors["consent_exception"] = "An exception is recorded only when there is no consent."
        elif not self.consent_exception:
            errors["consent_at"] = "Record the consent (who, when, how) or the exception the referral is made under."
        elif not self.consent_exception_note.strip():
            errors["consent_exception_note"] = "Explain why the exception applies."
        _not_future(self.consent_at, "consent_at", errors)
        if self.outcome.strip() and self.outcome_on is None:
            errors["outcome_on"] = "Give the date of the follow-up outcome."
        if self.community_agency_id and self.district_id:
            agency_district = CommunityAgency.objects.filter(pk=self.community_agency_id).values_list(
                "district_id", flat=True
            )
            if agency_district.first() != self.district_id:
                errors["community_agency"] = "The agency is not in the student's district directory."
        if errors:
            raise ValidationError(errors)


class MandatedReport(StudentRecord):
    """A mandated child-abuse/neglect report, with its state's deadlines (REFERENCE.md §8).

    Need-to-know: seen only by the reporter, school administrators (``override_need_to_know``) and roles
    granted that explicitly. The duty is personal: the reporter is the person who suspected, and only
    they record the report to the agency when their state's rule is non-delegable.
    """

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False,
        help_text="The person with the duty to report.",
    )  # fmt: skip
    suspicion = models.TextField(help_text="What was seen or heard that gives reasonable suspicion.")
    suspected_at = models.DateTimeField("first suspected at")
    information_received_at = models.DateTimeField(
        "information received at", null=True, blank=True, help_text="When the information reached the reporter."
    )
    oral_reported_at = models.DateTimeField("reported to the agency at", null=True, blank=True, editable=False)
    oral_report_channel = models.CharField(
        "reported how", max_length=12, choices=ReportChannel.choices, blank=True, editable=False
    )
    reported_to = models.CharField(max_length=16, choices=ReportedTo.choices, blank=True, editable=False)
    agency_name = models.CharField("agency reported to", max_length=200, blank=True, editable=False)
    reference_number = models.CharField(max_length=100, blank=True, editable=False)
    written_filed_at = models.DateTimeField("written report filed at", null=True, blank=True, editable=False)
    disclosure = models.ForeignKey(
        "people.Disclosure", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    need_to_know: ClassVar[bool] = True
    search_fields = ("student__search_name", "reference_number")

    class Meta:
        ordering = ("-suspected_at", "-pk")
        verbose_name = "mandated report"

    def __str__(self) -> str:
        return f"Mandated report #{self.pk}" if self.pk else "New mandated report"

    def get_absolute_url(self) -> str:
        return detail_url("support:mandatedreport_detail", self.pk)

    @classmethod
    def member_filter(cls, user: Any) -> Q:
        return Q(reporter_id=getattr(user, "pk", None))

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        _not_future(self.suspected_at, "suspected_at", errors)
        _not_future(self.information_received_at, "information_received_at", errors)
        if self.suspected_at and self.information_received_at and self.information_received_at > self.suspected_at:
            errors["information_received_at"] = "The information cannot arrive after the suspicion it gave rise to."
        if errors:
            raise ValidationError(errors)


class MandatedReportEscalation(models.Model):
    """One escalation email sent for a report's deadline at a threshold: sent once, never again."""

    report = models.ForeignKey(MandatedReport, on_delete=models.CASCADE, related_name="escalations")
    deadline = models.CharField(max_length=8)
    threshold = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list)

    class Meta:
        ordering = ("report", "deadline", "threshold")
        constraints = [
            models.UniqueConstraint(fields=["report", "deadline", "threshold"], name="support_escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.deadline} {self.threshold}%"


class ReportingRule(RecordModel):
    """A partnership's own mandated-report rule, overriding its state's pack from ``effective_from``."""

    partnership = models.ForeignKey("organizations.Partnership", on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    statute = models.CharField("law or policy", max_length=200)
    initial_hours = models.PositiveSmallIntegerField(
        "initial report within (hours)", null=True, blank=True, help_text="Empty: immediately."
    )
    immediate_sla_hours = models.PositiveSmallIntegerField(
        "“immediately” tracked as (hours)", default=2, validators=[MinValueValidator(1), MaxValueValidator(72)]
    )
    initial_clock_start = models.CharField(max_length=24, choices=ClockStart.choices, default=ClockStart.SUSPICION)
    written_hours = models.PositiveSmallIntegerField(
        "written report within (hours)", null=True, blank=True, help_text="Empty: no written report."
    )
    written_clock_start = models.CharField(max_length=24, choices=ClockStart.choices, default=ClockStart.ORAL_REPORT)
    written_only_after_phone = models.BooleanField("written report only after a telephone report", default=False)
    non_delegable = models.BooleanField(default=True, help_text="Each person with the duty reports themselves.")
    recipients = models.JSONField(default=list, blank=True, help_text='e.g. ["cps", "law_enforcement"]')
    escalation_thresholds = models.JSONField(
        default=list, blank=True, help_text="Percent of each deadline's window, e.g. [50, 90, 100] (100 = overdue)."
    )
    escalate_to_administrators_at = models.PositiveSmallIntegerField(
        default=100, help_text="From this threshold on, school administrators are emailed too."
    )

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = PARTNERSHIP_SCOPE
    search_fields = ("statute",)

    class Meta:
        ordering = ("partnership", "-effective_from", "pk")
        verbose_name = "mandated-report rule"
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "effective_from"],
                condition=Q(deleted_at__isnull=True),
                name="support_report_rule_alive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.statute} from {self.effective_from:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return detail_url("support:reportingrule_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not isinstance(self.recipients, list) or any(r not in ReportedTo.values for r in self.recipients):
            errors["recipients"] = f"A list of: {', '.join(ReportedTo.values)}."
        thresholds = self.escalation_thresholds
        if not isinstance(thresholds, list) or any(
            not isinstance(t, int) or isinstance(t, bool) or not 1 <= t <= 100 for t in thresholds
        ):
            errors["escalation_thresholds"] = "A list of whole percentages from 1 to 100."
        if errors:
            raise ValidationError(errors)


class StudentContact(ScopedRecordModel):
    """A counselling, crisis-intervention, mediation or parent contact by a staff member or officer."""

    school = models.ForeignKey("organizations.School", on_delete=models.PROTECT, related_name="+")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False,
        help_text="Who made the contact.",
    )  # fmt: skip
    contact_type = models.CharField("type", max_length=12, choices=ContactType.choices)
    occurred_on = models.DateField("date", default=timezone.localdate)
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    students = models.ManyToManyField("people.Student", related_name="+")
    summary = models.TextField()
    follow_up = models.TextField("follow-up", blank=True)
    follow_up_on = models.DateField("follow up on", null=True, blank=True)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Referral made."
    )

    record_class: ClassVar[str] = RecordClass.EDUCATION
    search_fields = ("summary",)

    class Meta:
        ordering = ("-occurred_on", "-pk")

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} on {self.occurred_on:%Y-%m-%d}"

    def derive_scope(self) -> None:
        if self.school_id is not None:
            from srodesk.organizations.models import School

            district_id = School.objects.filter(pk=self.school_id).values_list("district_id", flat=True).first()
            if district_id is not None:
                self.district_id = district_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_scope()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return detail_url("support:studentcontact_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.occurred_on and self.occurred_on > timezone.localdate():
            raise ValidationError({"occurred_on": "A contact is recorded after it happens: the date is in the future."})


class AttendanceImport(ScopedRecordModel):
    """One attendance CSV import: checked first, applied whole or not at all."""

    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    source_name = models.CharField(max_length=255)
    source_path = models.CharField(max_length=500, blank=True, editable=False)
    summary = models.JSONField(default=dict, blank=True, help_text="Rows created, updated, unchanged; cases opened.")
    errors = models.JSONField(default=list, blank=True, help_text="Each error: file, row, column, value, reason.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    search_fields = ("source_name",)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"Attendance import #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return detail_url("support:attendanceimport_detail", self.pk)

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)


class AttendanceRecord(StudentRecord):
    """A student's attendance on one school day."""

    date = models.DateField()
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    attendance_import = models.ForeignKey(
        AttendanceImport, null=True, blank=True, on_delete=models.PROTECT, related_name="records", editable=False
    )

    search_fields = ("student__search_name", "student__identifier")

    class Meta:
        ordering = ("-date", "student", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "date"], condition=Q(deleted_at__isnull=True), name="support_attendance_day_alive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return detail_url("support:attendancerecord_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "Attendance is recorded for past or present days only."})


class TruancyThreshold(RecordModel):
    """A partnership's rule: N unexcused absences within M school days opens a truancy case."""

    partnership = models.ForeignKey("organizations.Partnership", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    unexcused_absences = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    within_school_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    active = models.BooleanField(default=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = PARTNERSHIP_SCOPE
    search_fields = ("name",)

    class Meta:
        ordering = ("partnership", "unexcused_absences", "pk")

    def __str__(self) -> str:
        return f"{self.name}: {self.unexcused_absences} unexcused in {self.within_school_days} school days"

    def get_absolute_url(self) -> str:
        return detail_url("support:truancythreshold_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.unexcused_absences and self.within_school_days and self.unexcused_absences > self.within_school_days:
            raise ValidationError({"unexcused_absences": "Cannot exceed the number of school days in the window."})


class TruancyCase(StudentRecord):
    """A truancy case, opened by a threshold (or by hand), worked through interventions to an outcome."""

    opened_on = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=8, choices=TruancyStatus.choices, default=TruancyStatus.OPEN)
    threshold = models.ForeignKey(
        TruancyThreshold, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    trigger = models.TextField(blank=True, help_text="Why the case was opened.")
    unexcused_count = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=16, choices=TruancyOutcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)

    search_fields = ("student__search_name", "trigger")

    class Meta:
        ordering = ("-opened_on", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(deleted_at__isnull=True, status="open"),
                name="support_truancy_one_open_case",
            )
        ]

    def __str__(self) -> str:
        return f"Truancy case #{self.pk}" if self.pk else "New truancy case"

    def get_absolute_url(self) -> str:
        return detail_url("support:truancycase_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == TruancyStatus.CLOSED:
            if not self.outcome:
                errors["outcome"] = "A closed case needs its outcome."
            if self.closed_on is None:
                errors["closed_on"] = "Give the date the case was closed."
        elif self.closed_on is not None:
            errors["closed_on"] = "An open case has no closing date."
        if errors:
            raise ValidationError(errors)


class Intervention(ScopedRecordModel):
    """One intervention of a truancy case: parent conference, home visit, referral, attendance contract."""

    case = models.ForeignKey(TruancyCase, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(max_length=20, choices=InterventionKind.choices)
    occurred_on = models.DateField("date", default=timezone.localdate)
    notes = models.TextField(blank=True)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(blank=True)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    search_fields = ("notes", "outcome")

    class Meta:
        ordering = ("-occurred_on", "-pk")
        verbose_name = "truancy intervention"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return detail_url("support:intervention_detail", self.pk)

    def derive_scope(self) -> None:
        if self.case_id is not None:
            row = TruancyCase.objects.filter(pk=self.case_id).values_list("district_id", "school_id").first()
            if row is not None:
                self.district_id, self.school_id = row

    def clean(self) -> None:
        self.derive_scope()
        super().clean()
        if self.kind == InterventionKind.REFERRAL and self.referral_id is None:
            raise ValidationError({"referral": "Link the referral this intervention made."})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive_scope()
        super().save(*args, **kwargs)


class AgencyRequest(StudentRecord):
    """A request from another agency for information about a student, its decision and what was released."""

    requester_name = models.CharField("requested by", max_length=200)
    requester_agency = models.CharField("agency", max_length=200)
    received_at = models.DateTimeField(default=timezone.now)
    request_text = models.TextField("request")
    decision = models.CharField(max_length=8, choices=RequestDecision.choices, default=RequestDecision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    legal_basis = models.CharField(max_length=20, choices=DisclosureBasis.choices, blank=True)
    decision_reason = models.TextField("reasoning", blank=True)
    threat_description = models.TextField(
        blank=True, help_text="Health or safety emergency: the articulable and significant threat."
    )
    court_order_reference = models.CharField(max_length=200, blank=True)
    disclosures = models.ManyToManyField("people.Disclosure", blank=True, related_name="+", editable=False)

    search_fields = ("requester_name", "requester_agency", "student__search_name")

    class Meta:
        ordering = ("-received_at", "-pk")

    def __str__(self) -> str:
        return f"Request #{self.pk} from {self.requester_agency}" if self.pk else "New agency request"

    def get_absolute_url(self) -> str:
        return detail_url("support:agencyrequest_detail", self.pk)

    @property
    def may_release(self) -> bool:
        return self.decision in (RequestDecision.GRANTED, RequestDecision.PARTLY)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        _not_future(self.received_at, "received_at", errors)
        if self.decision != RequestDecision.PENDING:
            if self.decided_at is None:
                errors["decided_at"] = "Give the time of the decision."
            if not self.decision_reason.strip():
                errors["decision_reason"] = "Record the reasoning of the decision."
        if self.may_release and not self.legal_basis:
            errors["legal_basis"] = "A release needs its legal basis."
        if self.legal_basis == DisclosureBasis.EMERGENCY and not self.threat_description.strip():
            errors["threat_description"] = "State the articulable and significant threat."
        if self.legal_basis == DisclosureBasis.SUBPOENA and not self.court_order_reference.strip():
            errors["court_order_reference"] = "Give the subpoena or court order's reference."
        if self.decided_at and self.received_at and self.decided_at < self.received_at:
            errors["decided_at"] = "The decision cannot come before the request."
        if errors:
            raise ValidationError(errors)
