from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer

from ..choices import ReportChannel, ReportedTo
from ..models import (
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

RO: tuple[str, ...] = AUDIT_FIELDS
SCOPE_RO: tuple[str, ...] = (*AUDIT_FIELDS, "district", "school")


class CommunityAgencySerializer(RecordSerializer):
    class Meta:
        model = CommunityAgency
        fields = (
            "id", "url", "display", "district", "name", "agency_type", "contact_name", "phone", "crisis_phone",
            "email", "address", "website", "services", "active", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class ReferralSerializer(RecordSerializer):
    class Meta:
        model = Referral
        fields = (
            "id", "url", "display", "district", "school", "student", "community_agency", "referred_on", "reason",
            "consent_by", "consent_by_name", "consent_at", "consent_method", "consent_exception",
            "consent_exception_note", "status", "status_on", "follow_up_on", "outcome", "outcome_on",
            "disclosures", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = (*SCOPE_RO, "disclosures")


class MandatedReportSerializer(RecordSerializer):
    deadlines = serializers.SerializerMethodField()

    class Meta:
        model = MandatedReport
        fields = (
            "id", "url", "display", "district", "school", "student", "reporter", "suspicion", "suspected_at",
            "information_received_at", "oral_reported_at", "oral_report_channel", "reported_to", "agency_name",
            "reference_number", "written_filed_at", "disclosure", "deadlines", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = (
            *SCOPE_RO, "reporter", "oral_reported_at", "oral_report_channel", "reported_to", "agency_name",
            "reference_number", "written_filed_at", "disclosure",
        )  # fmt: skip

    def get_deadlines(self, obj: MandatedReport) -> list[dict[str, Any]] | None:
        """The deadlines and their state (on a single report; ``null`` in lists)."""
        view = self.context.get("view")
        if view is not None and getattr(view, "action", None) == "list":
            return None
        from ..services import clocks

        return [
            {
                "kind": c.deadline.kind,
                "clock_start": c.deadline.clock_start,
                "started_at": c.deadline.started_at,
                "due_at": c.deadline.due_at,
                "immediate": c.deadline.immediate,
                "met_at": c.deadline.met_at,
                "overdue": c.overdue,
                "state": c.text,
            }
            for c in clocks(obj)
        ]


class ReportingRuleSerializer(RecordSerializer):
    class Meta:
        model = ReportingRule
        fields = (
            "id", "url", "display", "partnership", "effective_from", "statute", "initial_hours",
            "immediate_sla_hours", "initial_clock_start", "written_hours", "written_clock_start",
            "written_only_after_phone", "non_delegable", "recipients", "escalation_thresholds",
            "escalate_to_administrators_at", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class StudentContactSerializer(RecordSerializer):
    class Meta:
        model = StudentContact
        fields = (
            "id", "url", "display", "district", "school", "staff", "contact_type", "occurred_on",
            "duration_minutes", "students", "summary", "follow_up", "follow_up_on", "referral", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "district", "staff")


class AttendanceRecordSerializer(RecordSerializer):
    class Meta:
        model = AttendanceRecord
        fields = ("id", "url", "display", "district", "school", "student", "date", "status", "attendance_import", *RO)
        read_only_fields: ClassVar[tuple[str, ...]] = (*SCOPE_RO, "attendance_import")


class AttendanceImportSerializer(RecordSerializer):
    class Meta:
        model = AttendanceImport
        fields = (
            "id", "url", "display", "district", "school", "status", "source_name", "summary", "errors",
            "started_at", "finished_at", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = (
            *SCOPE_RO, "status", "source_name", "summary", "errors", "started_at", "finished_at",
        )  # fmt: skip


class TruancyThresholdSerializer(RecordSerializer):
    class Meta:
        model = TruancyThreshold
        fields = (
            "id", "url", "display", "partnership", "name", "unexcused_absences", "within_school_days", "active",
            *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class TruancyCaseSerializer(RecordSerializer):
    class Meta:
        model = TruancyCase
        fields = (
            "id", "url", "display", "district", "school", "student", "opened_on", "status", "threshold", "trigger",
            "unexcused_count", "outcome", "outcome_notes", "closed_on", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = (*SCOPE_RO, "threshold", "unexcused_count")


class InterventionSerializer(RecordSerializer):
    class Meta:
        model = Intervention
        fields = (
            "id", "url", "display", "district", "school", "case", "kind", "occurred_on", "notes", "referral",
            "outcome", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = SCOPE_RO


# Named apart from the request body of organisations' Agency (``AgencyRequest``) in the schema.
@extend_schema_serializer(component_name="InterAgencyRequest")
class AgencyRequestSerializer(RecordSerializer):
    class Meta:
        model = AgencyRequest
        fields = (
            "id", "url", "display", "district", "school", "student", "requester_name", "requester_agency",
            "received_at", "request_text", "decision", "decided_at", "legal_basis", "decision_reason",
            "threat_description", "court_order_reference", "disclosures", *AUDIT_FIELDS,
        )  # fmt: skip
        read_only_fields: ClassVar[tuple[str, ...]] = (*SCOPE_RO, "disclosures")


# --- Workflow actions -----------------------------------------------------------------------------


class OralReportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reported_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=ReportChannel.choices)
    reported_to = serializers.ChoiceField(choices=ReportedTo.choices)
    agency_name = serializers.CharField(max_length=200)
    reference_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class WrittenReportSerializer(serializers.Serializer):  # type: ignore[type-arg]
    filed_at = serializers.DateTimeField()


class ShareSerializer(serializers.Serializer):  # type: ignore[type-arg]
    records_disclosed = serializers.CharField()
    recipient_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    shared_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReleaseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    records_disclosed = serializers.CharField()
    released_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
