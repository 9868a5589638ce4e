from typing import ClassVar

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer
from srodesk.organizations.models import Agency, District, Partnership, School


class DistrictSerializer(RecordSerializer):
    class Meta:
        model = District
        fields = ("id", "url", "display", "name", "slug", "state", "nces_id", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = AUDIT_FIELDS


class SchoolSerializer(RecordSerializer):
    class Meta:
        model = School
        fields = (
            "id",
            "url",
            "display",
            "district",
            "name",
            "nces_id",
            "level",
            "address",
            "city",
            "state",
            "postal_code",
            "timezone",
            "campus_boundary",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = AUDIT_FIELDS


class AgencySerializer(RecordSerializer):
    class Meta:
        model = Agency
        fields = ("id", "url", "display", "name", "ori", "state", "phone", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = AUDIT_FIELDS


class PartnershipSerializer(RecordSerializer):
    class Meta:
        model = Partnership
        fields = (
            "id",
            "url",
            "display",
            "agency",
            "district",
            "state",
            "school_year_start_month",
            "school_year_start_day",
            "drill_rule_set",
            "mandated_report_rules",
            "retention_law_enforcement_years",
            "retention_education_years",
            "retention_hr_years",
            "retention_operational_years",
            "mou_signed_on",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = AUDIT_FIELDS
