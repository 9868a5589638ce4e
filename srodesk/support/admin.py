from django.contrib import admin

from srodesk.core.admin import RecordAdmin

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


@admin.register(CommunityAgency)
class CommunityAgencyAdmin(RecordAdmin):
    list_display = ("name", "agency_type", "phone", "district", "active")
    list_filter = ("agency_type", "active")
    search_fields = ("name",)


@admin.register(Referral)
class ReferralAdmin(RecordAdmin):
    list_display = ("__str__", "student", "status", "referred_on")
    list_filter = ("status",)
    raw_id_fields = ("student",)


@admin.register(MandatedReport)
class MandatedReportAdmin(RecordAdmin):
    list_display = ("__str__", "reporter", "suspected_at", "oral_reported_at", "written_filed_at")
    raw_id_fields = ("student",)


@admin.register(ReportingRule)
class ReportingRuleAdmin(RecordAdmin):
    list_display = ("statute", "partnership", "effective_from")


@admin.register(StudentContact)
class StudentContactAdmin(RecordAdmin):
    list_display = ("__str__", "staff", "duration_minutes", "school")
    list_filter = ("contact_type",)
    raw_id_fields = ("students",)


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(RecordAdmin):
    list_display = ("date", "student", "status")
    list_filter = ("status",)
    raw_id_fields = ("student",)


@admin.register(AttendanceImport)
class AttendanceImportAdmin(RecordAdmin):
    list_display = ("__str__", "source_name", "school", "status")


@admin.register(TruancyThreshold)
class TruancyThresholdAdmin(RecordAdmin):
    list_display = ("name", "partnership", "unexcused_absences", "within_school_days", "active")


@admin.register(TruancyCase)
class TruancyCaseAdmin(RecordAdmin):
    list_display = ("__str__", "student", "status", "opened_on")
    list_filter = ("status",)
    raw_id_fields = ("student",)


@admin.register(Intervention)
class InterventionAdmin(RecordAdmin):
    list_display = ("__str__", "case")


@admin.register(AgencyRequest)
class AgencyRequestAdmin(RecordAdmin):
    list_display = ("__str__", "student", "decision", "received_at")
    list_filter = ("decision",)
    raw_id_fields = ("student",)
