from typing import Any, ClassVar

from django.utils import timezone

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer
from srodesk.people.models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle

RO: tuple[str, ...] = AUDIT_FIELDS


class StudentSerializer(RecordSerializer):
    class Meta:
        model = Student
        fields = (
            "id",
            "url",
            "display",
            "district",
            "school",
            "schools",
            "sourced_id",
            "identifier",
            "given_name",
            "middle_name",
            "family_name",
            "preferred_given_name",
            "preferred_middle_name",
            "preferred_family_name",
            "birth_date",
            "grade",
            "email",
            "phone",
            "active",
            "sex",
            "american_indian",
            "asian",
            "black",
            "pacific_islander",
            "white",
            "two_or_more_races",
            "hispanic_latino",
            "crdc_race",
            "idea",
            "idea_start",
            "idea_end",
            "section_504",
            "section_504_start",
            "section_504_end",
            "english_learner",
            "english_learner_start",
            "english_learner_end",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "crdc_race")


class StaffMemberSerializer(RecordSerializer):
    class Meta:
        model = StaffMember
        fields = (
            "id",
            "url",
            "display",
            "district",
            "schools",
            "sourced_id",
            "identifier",
            "given_name",
            "middle_name",
            "family_name",
            "role",
            "title",
            "email",
            "phone",
            "active",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class GuardianSerializer(RecordSerializer):
    class Meta:
        model = Guardian
        fields = (
            "id",
            "url",
            "display",
            "district",
            "students",
            "sourced_id",
            "given_name",
            "family_name",
            "relationship",
            "email",
            "phone",
            "sms",
            "active",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class OtherPersonSerializer(RecordSerializer):
    class Meta:
        model = OtherPerson
        fields = (
            "id",
            "url",
            "display",
            "district",
            "school",
            "agency",
            "kind",
            "given_name",
            "middle_name",
            "family_name",
            "birth_date",
            "phone",
            "address",
            "description",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class VehicleSerializer(RecordSerializer):
    class Meta:
        model = Vehicle
        fields = (
            "id",
            "url",
            "display",
            "district",
            "school",
            "plate",
            "plate_state",
            "make",
            "model",
            "year",
            "colour",
            "owner_student",
            "owner_staff",
            "owner_other",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class DisclosureSerializer(RecordSerializer):
    class Meta:
        model = Disclosure
        fields = (
            "id",
            "url",
            "display",
            "district",
            "school",
            "student",
            "disclosed_at",
            "recipient_name",
            "recipient_organization",
            "recipient_kind",
            "requested_by",
            "basis",
            "legitimate_interest",
            "records_disclosed",
            "threat_description",
            "court_order_reference",
            "parent_notified_on",
            "redisclosure_allowed",
            "redisclosure_note",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "district", "school")
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"disclosed_at": {"default": timezone.now}}


class RosterImportSerializer(RecordSerializer):
    class Meta:
        model = RosterImport
        fields = (
            "id",
            "url",
            "display",
            "district",
            "status",
            "dry_run",
            "source_name",
            "oneroster_version",
            "mode",
            "checksums",
            "summary",
            "errors",
            "progress_done",
            "progress_total",
            "progress_stage",
            "started_at",
            "finished_at",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (
            *RO,
            "status",
            "source_name",
            "oneroster_version",
            "mode",
            "checksums",
            "summary",
            "errors",
            "progress_done",
            "progress_total",
            "progress_stage",
            "started_at",
            "finished_at",
        )
