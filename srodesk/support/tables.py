from srodesk.core.tables import RecordTable

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


class CommunityAgencyTable(RecordTable):
    model = CommunityAgency
    fields = ("name", "agency_type", "contact_name", "phone", "crisis_phone", "email", "district", "active")
    default_columns = ("name", "agency_type", "phone", "crisis_phone", "active")


class ReferralTable(RecordTable):
    model = Referral
    fields = ("referred_on", "student", "community_agency", "status", "status_on", "follow_up_on", "school")
    default_columns = ("referred_on", "student", "community_agency", "status", "follow_up_on")


class MandatedReportTable(RecordTable):
    model = MandatedReport
    fields = (
        "suspected_at",
        "student",
        "reporter",
        "school",
        "oral_reported_at",
        "reported_to",
        "reference_number",
        "written_filed_at",
    )
    default_columns = ("suspected_at", "student", "reporter", "oral_reported_at", "written_filed_at")
    headers = {"reporter": "Reporter"}


class ReportingRuleTable(RecordTable):
    model = ReportingRule
    fields = (
        "statute",
        "partnership__district",
        "partnership__agency",
        "effective_from",
        "initial_hours",
        "written_hours",
        "non_delegable",
    )
    headers = {"partnership__district": "District", "partnership__agency": "Agency"}


class StudentContactTable(RecordTable):
    model = StudentContact
    fields = ("occurred_on", "contact_type", "duration_minutes", "staff", "school", "follow_up_on")
    headers = {"staff": "Staff member"}


class AttendanceRecordTable(RecordTable):
    model = AttendanceRecord
    fields = ("date", "student", "status", "school")


class AttendanceImportTable(RecordTable):
    model = AttendanceImport
    fields = ("created_at", "source_name", "school", "status", "finished_at")


class TruancyThresholdTable(RecordTable):
    model = TruancyThreshold
    fields = (
        "name",
        "partnership__district",
        "partnership__agency",
        "unexcused_absences",
        "within_school_days",
        "active",
    )
    headers = {"partnership__district": "District", "partnership__agency": "Agency"}


class TruancyCaseTable(RecordTable):
    model = TruancyCase
    fields = ("opened_on", "student", "status", "unexcused_count", "outcome", "closed_on", "school")
    default_columns = ("opened_on", "student", "status", "outcome", "closed_on")


class InterventionTable(RecordTable):
    model = Intervention
    fields = ("occurred_on", "kind", "case", "school")


class AgencyRequestTable(RecordTable):
    model = AgencyRequest
    fields = ("received_at", "requester_agency", "requester_name", "student", "decision", "legal_basis", "school")
    default_columns = ("received_at", "requester_agency", "student", "decision", "legal_basis")
