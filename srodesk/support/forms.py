"""Forms of student support: the record forms (choices restricted by the policy engine) and the
forms of the workflow pages (report to the agency, written report, sharing, releases, attendance upload)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from srodesk.core.forms import RecordForm
from srodesk.organizations.models import School

from . import services
from .choices import ReportChannel, ReportedTo
from .models import (
    AgencyRequest,
    AttendanceImport,
    AttendanceRecord,
    CommunityAgency,
    Intervention,
    MandatedReport,
    Referral,
    ReportingRule,
    StudentContact,
    TruancyCase,
    TruancyThreshold,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CommunityAgencyForm(RecordForm):
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = CommunityAgency
        fields = (
            "district",
            "name",
            "agency_type",
            "contact_name",
            "phone",
            "crisis_phone",
            "email",
            "address",
            "website",
            "services",
            "active",
        )


class ReferralForm(RecordForm):
    class Meta:
        model = Referral
        fields = (
            "student",
            "community_agency",
            "referred_on",
            "reason",
            "consent_by",
            "consent_by_name",
            "consent_at",
            "consent_method",
            "consent_exception",
            "consent_exception_note",
            "status",
            "status_on",
            "follow_up_on",
            "outcome",
            "outcome_on",
        )
        widgets = {
            "referred_on": DATE,
            "consent_at": datetime_widget(),
            "status_on": DATE,
            "follow_up_on": DATE,
            "outcome_on": DATE,
        }


class MandatedReportForm(RecordForm):
    """The reporter is whoever records the suspicion: the duty is theirs."""

    class Meta:
        model = MandatedReport
        fields = ("student", "suspicion", "suspected_at", "information_received_at")
        widgets = {"suspected_at": datetime_widget(), "information_received_at": datetime_widget()}

    def save(self, commit: bool = True) -> Any:
        if self.instance.pk is None:
            self.instance.reporter = self.user
        return super().save(commit)


class ReportingRuleForm(RecordForm):
    class Meta:
        model = ReportingRule
        fields = (
            "partnership",
            "effective_from",
            "statute",
            "initial_hours",
            "immediate_sla_hours",
            "initial_clock_start",
            "written_hours",
            "written_clock_start",
            "written_only_after_phone",
            "non_delegable",
            "recipients",
            "escalation_thresholds",
            "escalate_to_administrators_at",
        )
        widgets = {"effective_from": DATE}


class StudentContactForm(RecordForm):
    """The staff member is whoever records the contact."""

    class Meta:
        model = StudentContact
        fields = (
            "school",
            "contact_type",
            "occurred_on",
            "duration_minutes",
            "students",
            "summary",
            "follow_up",
            "follow_up_on",
            "referral",
        )
        widgets = {"occurred_on": DATE, "follow_up_on": DATE}

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        school = data.get("school")
        outside = [s for s in data.get("students") or () if school is not None and s.district_id != school.district_id]
        if outside:
            self.add_error("students", "Every student must be in the school's district.")
        return data

    def save(self, commit: bool = True) -> Any:
        if self.instance.pk is None:
            self.instance.staff = self.user
        return super().save(commit)


class AttendanceRecordForm(RecordForm):
    class Meta:
        model = AttendanceRecord
        fields = ("student", "date", "status")
        widgets = {"date": DATE}

    def save(self, commit: bool = True) -> Any:
        record = super().save(commit)
        if commit:
            services.record_attendance(actor=self.user, record=record)
        return record


class AttendanceImportForm(RecordForm):
    class Meta:
        model = AttendanceImport
        fields = ("school",)


class TruancyThresholdForm(RecordForm):
    class Meta:
        model = TruancyThreshold
        fields = ("partnership", "name", "unexcused_absences", "within_school_days", "active")


class TruancyCaseForm(RecordForm):
    class Meta:
        model = TruancyCase
        fields = ("student", "opened_on", "trigger", "status", "outcome", "outcome_notes", "closed_on")
        widgets = {"opened_on": DATE, "closed_on": DATE}


class InterventionForm(RecordForm):
    class Meta:
        model = Intervention
        fields = ("case", "kind", "occurred_on", "notes", "referral", "outcome")
        widgets = {"occurred_on": DATE}


class AgencyRequestForm(RecordForm):
    class Meta:
        model = AgencyRequest
        fields = (
            "student",
            "requester_name",
            "requester_agency",
            "received_at",
            "request_text",
            "decision",
            "decided_at",
            "legal_basis",
            "decision_reason",
            "threat_description",
            "court_order_reference",
        )
        widgets = {"received_at": datetime_widget(), "decided_at": datetime_widget()}


# --- Workflow forms -------------------------------------------------------------------------------


class _ActionForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.required:
                field.widget.attrs.setdefault("aria-required", "true")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class OralReportForm(_ActionForm):
    reported_at = forms.DateTimeField(label="Reported at", widget=datetime_widget(), initial=timezone.now)
    channel = forms.ChoiceField(label="Reported how", choices=ReportChannel.choices)
    reported_to = forms.ChoiceField(label="Reported to", choices=ReportedTo.choices)
    agency_name = forms.CharField(label="Agency (office, hotline)", max_length=200)
    reference_number = forms.CharField(label="Reference number", max_length=100, required=False)


class WrittenReportForm(_ActionForm):
    filed_at = forms.DateTimeField(label="Written report filed at", widget=datetime_widget(), initial=timezone.now)


class ShareForm(_ActionForm):
    records_disclosed = forms.CharField(label="What was shared", widget=forms.Textarea)
    recipient_name = forms.CharField(label="Shared with (person)", max_length=200, required=False)
    shared_at = forms.DateTimeField(label="Shared at", widget=datetime_widget(), required=False)


class ReleaseForm(_ActionForm):
    records_disclosed = forms.CharField(label="What was released", widget=forms.Textarea)
    released_at = forms.DateTimeField(label="Released at", widget=datetime_widget(), required=False)


class AttendanceUploadForm(_ActionForm):
    school = forms.ModelChoiceField(queryset=School.objects.none(), empty_label=None)
    file = forms.FileField(
        label="Attendance CSV file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from srodesk.core.permissions import restrict

        field = self.fields["school"]
        field.queryset = restrict(School.objects.alive(), user, "view")  # type: ignore[attr-defined]
        self.fields["file"].help_text = (
            "Columns student_identifier, date (YYYY-MM-DD) and status "
            "(present, absent_excused, absent_unexcused, tardy), with a header row."
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError("Choose a .csv file.")
        if upload.size is not None and upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("The largest attendance file accepted is 20 MB.")
        return upload
