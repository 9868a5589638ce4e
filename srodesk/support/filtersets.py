from typing import Any

import django_filters
from django.db.models import QuerySet

from srodesk.core.filtersets import RecordFilterSet
from srodesk.core.permissions import restrict
from srodesk.organizations.models import Partnership

from .choices import (
    AgencyType,
    AttendanceStatus,
    ContactType,
    ImportStatus,
    InterventionKind,
    ReferralStatus,
    RequestDecision,
    TruancyStatus,
)
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


class CommunityAgencyFilterSet(RecordFilterSet):
    agency_type = django_filters.ChoiceFilter(choices=AgencyType.choices, label="Type")
    active = django_filters.BooleanFilter()

    class Meta:
        model = CommunityAgency
        fields = ("agency_type", "active")


class ReferralFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    student_id = django_filters.NumberFilter(field_name="student_id")
    community_agency_id = django_filters.NumberFilter(field_name="community_agency_id", label="Community agency")
    referred_after = django_filters.DateFilter(field_name="referred_on", lookup_expr="gte")
    referred_before = django_filters.DateFilter(field_name="referred_on", lookup_expr="lte")

    class Meta:
        model = Referral
        fields = ("status",)


class MandatedReportFilterSet(RecordFilterSet):
    student_id = django_filters.NumberFilter(field_name="student_id")
    reported = django_filters.BooleanFilter(
        field_name="oral_reported_at", lookup_expr="isnull", exclude=True, label="Reported to the agency"
    )
    written_filed = django_filters.BooleanFilter(
        field_name="written_filed_at", lookup_expr="isnull", exclude=True, label="Written report filed"
    )

    class Meta:
        model = MandatedReport
        fields = ("reported_to",)


def _partnerships(request: Any) -> QuerySet[Partnership]:
    """The partnerships the viewer may see, named without a query per option."""
    qs = Partnership.objects.alive().select_related("agency", "district")
    return restrict(qs, getattr(request, "user", None), "view")


class ReportingRuleFilterSet(RecordFilterSet):
    partnership = django_filters.ModelChoiceFilter(queryset=_partnerships)

    class Meta:
        model = ReportingRule
        fields = ("partnership",)


class StudentContactFilterSet(RecordFilterSet):
    contact_type = django_filters.ChoiceFilter(choices=ContactType.choices, label="Type")
    student_id = django_filters.NumberFilter(field_name="students", label="Student")
    occurred_after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = StudentContact
        fields = ("contact_type",)


class AttendanceRecordFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=AttendanceStatus.choices)
    student_id = django_filters.NumberFilter(field_name="student_id")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = AttendanceRecord
        fields = ("status",)


class AttendanceImportFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices)

    class Meta:
        model = AttendanceImport
        fields = ("status",)


class TruancyThresholdFilterSet(RecordFilterSet):
    partnership = django_filters.ModelChoiceFilter(queryset=_partnerships)
    active = django_filters.BooleanFilter()

    class Meta:
        model = TruancyThreshold
        fields = ("partnership", "active")


class TruancyCaseFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=TruancyStatus.choices)
    student_id = django_filters.NumberFilter(field_name="student_id")

    class Meta:
        model = TruancyCase
        fields = ("status",)


class InterventionFilterSet(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=InterventionKind.choices)
    case_id = django_filters.NumberFilter(field_name="case_id")

    class Meta:
        model = Intervention
        fields = ("kind",)


class AgencyRequestFilterSet(RecordFilterSet):
    decision = django_filters.ChoiceFilter(choices=RequestDecision.choices)
    student_id = django_filters.NumberFilter(field_name="student_id")

    class Meta:
        model = AgencyRequest
        fields = ("decision",)
