"""API representations of the law-enforcement records.

An incident carries its offenses, involved persons and arrests (read-only; each part has its own endpoint
for writes). NIBRS multi-value elements are lists of codes checked against the code tables. Parts of an
approved (locked) report are refused with the lock's reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer

from .. import services
from ..choices import ForceMethod
from ..forms import CODE_LISTS
from ..models import (
    Arrest,
    Attachment,
    DisciplineReferral,
    EvidenceItem,
    Incident,
    IncidentShare,
    InvolvedPerson,
    Offense,
    Property,
    Pursuit,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)
from ..nibrs import codes

RO: tuple[str, ...] = AUDIT_FIELDS
HEAD = ("id", "url", "display")


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose OpenAPI enum is a component named after its model and field
    (``SearchLegalBasisEnum``): choice sets that share a field name across apps keep distinct names."""

    def __init__(self, *args: Any, enum_name: str = "", **kwargs: Any) -> None:
        self.enum_name = enum_name
        super().__init__(*args, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        field: NamedChoiceField = self.target
        values = [str(key) for key in field.choices if key not in ("", None)]
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": values},
        )
        auto_schema.registry.register_on_missing(component)
        if getattr(field, "allow_blank", False):
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


class NamedEnumsMixin:
    """Model choice fields become :class:`NamedChoiceField` (see there)."""

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[Any, dict[str, Any]]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)  # type: ignore[misc]
        if isinstance(field_class, type) and issubclass(field_class, serializers.ChoiceField) and "choices" in kwargs:
            model = self.Meta.model  # type: ignore[attr-defined]
            field_class = NamedChoiceField
            kwargs["enum_name"] = f"{model.__name__}{_camel(field_name)}Enum"
        return field_class, kwargs


class CodeListSerializerField(serializers.ListField):
    """A list of codes of one NIBRS table, at most ``most`` of them, each once."""

    def __init__(self, table: str, most: int, **kwargs: Any) -> None:
        self.table = table
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", f"Up to {most} codes of the NIBRS {table} table.")
        super().__init__(child=serializers.ChoiceField(choices=list(codes.table(table))), max_length=most, **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        values: list[Any] = super().to_internal_value(data)
        if len(set(values)) != len(values):
            raise serializers.ValidationError("Each code only once.", code="duplicate")
        return values


def _with_code_lists(serializer: serializers.ModelSerializer, fields: dict[str, Any]) -> dict[str, Any]:  # type: ignore[type-arg]
    model = serializer.Meta.model
    for (owner, name), (table, most, _label) in CODE_LISTS.items():
        if owner is model and name in fields and not fields[name].read_only:
            fields[name] = CodeListSerializerField(table, most)
    return fields


def _district_from_school(attrs: dict[str, Any], instance: Any = None) -> None:
    """A record placed at a school lies in the school's district."""
    school = attrs.get("school")
    if school is not None and attrs.get("district") is None:
        attrs["district"] = school.district


class IncidentChildSerializer(NamedEnumsMixin, RecordSerializer):
    """A part of an incident: created on an unlocked report, changed only while the report is unlocked."""

    def get_fields(self) -> dict[str, Any]:
        fields = _with_code_lists(self, super().get_fields())
        if getattr(self.instance, "pk", None) is not None and "incident" in fields:
            # A part stays with its report.
            fields["incident"].read_only = True
        return fields

    def incident_of(self, attrs: dict[str, Any]) -> Incident | None:
        if self.instance is not None and getattr(self.instance, "pk", None):
            incident: Incident = self.instance.incident
            return incident
        value = attrs.get("incident")
        return value if isinstance(value, Incident) else None

    #: Foreign keys to other parts, which must belong to the same report.
    same_incident: ClassVar[tuple[str, ...]] = ()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        incident = self.incident_of(attrs)
        reason = services.lock_reason(incident)
        if reason:
            field = "incident" if self.instance is None else "non_field_errors"
            raise serializers.ValidationError({field: [serializers.ErrorDetail(reason, code="locked")]})
        for name in self.same_incident:
            value = attrs.get(name)
            if value is not None and incident is not None and value.incident_id != incident.pk:
                raise serializers.ValidationError({name: "Choose a part of the same report."})
        return super().validate(attrs)


class OffenseSerializer(IncidentChildSerializer):
    class Meta:
        model = Offense
        fields = (
            *HEAD,
            "incident",
            "ucr_code",
            "attempted_completed",
            "offender_suspected_of_using",
            "bias_motivations",
            "criminal_activities",
            "weapons_force",
            "location_type",
            "premises_entered",
            "method_of_entry",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class InvolvedPersonSerializer(IncidentChildSerializer):
    class Meta:
        model = InvolvedPerson
        fields = (
            *HEAD,
            "incident",
            "role",
            "sequence_number",
            "student",
            "staff_member",
            "other_person",
            "name",
            "victim_type",
            "age_code",
            "sex",
            "race",
            "ethnicity",
            "resident_status",
            "injuries",
            "assault_circumstances",
            "offenses",
            "contact_phone",
            "contact_address",
            "statement",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO

    def validate_age_code(self, value: str) -> str:
        value = (value or "").strip().upper()
        if value and value != "00" and services.nibrs_age(value) is None:
            raise serializers.ValidationError("Enter 01–99, 00, NN, NB, BB or a range such as 1517.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        incident = self.incident_of(attrs)
        offenses = attrs.get("offenses")
        if incident is not None and offenses and any(o.incident_id != incident.pk for o in offenses):
            raise serializers.ValidationError({"offenses": "Choose offenses of the same report."})
        return attrs


class VictimOffenderRelationshipSerializer(IncidentChildSerializer):
    same_incident = ("victim", "offender")

    class Meta:
        model = VictimOffenderRelationship
        fields = (*HEAD, "incident", "victim", "offender", "relationship", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class PropertySerializer(IncidentChildSerializer):
    same_incident = ("offense",)

    class Meta:
        model = Property
        fields = (
            *HEAD,
            "incident",
            "offense",
            "loss_type",
            "description_code",
            "description",
            "value",
            "recovered_on",
            "drug_type",
            "drug_quantity",
            "drug_measure",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class ArrestSerializer(IncidentChildSerializer):
    same_incident = ("arrestee",)

    class Meta:
        model = Arrest
        fields = (
            *HEAD,
            "incident",
            "arrestee",
            "student",
            "transaction_number",
            "arrest_date",
            "arrest_type",
            "multiple_arrestee",
            "arrest_offense",
            "armed_with",
            "juvenile_disposition",
            "outcome",
            "diversion_program",
            "diversion_outcome",
            "court_case_number",
            "notes",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "student")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        arrestee = attrs.get("arrestee", getattr(self.instance, "arrestee", None))
        disposition = attrs.get("juvenile_disposition", getattr(self.instance, "juvenile_disposition", ""))
        if arrestee is not None:
            errors = services.juvenile_disposition_errors(arrestee.age_code, disposition or "")
            if errors:
                raise serializers.ValidationError(errors)
        return attrs


class UseOfForceSerializer(IncidentChildSerializer):
    methods = serializers.ListField(
        child=serializers.ChoiceField(choices=ForceMethod.choices), min_length=1, help_text="Every method used."
    )
    same_incident = ("subject",)

    class Meta:
        model = UseOfForce
        fields = (
            *HEAD,
            "incident",
            "subject",
            "student",
            "officer",
            "occurred_at",
            "kind",
            "methods",
            "duration_minutes",
            "reason",
            "de_escalation",
            "subject_injured",
            "officer_injured",
            "medical_attention",
            "parent_notified_at",
            "supervisor_notified_at",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "student", "officer")

    def create(self, validated_data: dict[str, Any]) -> Any:
        request = self.context.get("request")
        validated_data.setdefault("officer", getattr(request, "user", None))
        return super().create(validated_data)


class SupplementSerializer(IncidentChildSerializer):
    class Meta:
        model = Supplement
        fields = (*HEAD, "incident", "written_at", "author", "narrative", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "written_at", "author")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Supplements join locked reports too: the service refuses only a voided one.
        return attrs


class AttachmentSerializer(IncidentChildSerializer):
    class Meta:
        model = Attachment
        fields = (*HEAD, "incident", "file", "name", "content_type", "size", "sha256", "description", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "name", "content_type", "size", "sha256")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs


class IncidentShareSerializer(IncidentChildSerializer):
    class Meta:
        model = IncidentShare
        fields = (*HEAD, "incident", "school", "reason", "shared_at", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "shared_at")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs


class AliveListSerializer(serializers.ListSerializer):  # type: ignore[type-arg]
    """Nested parts without the deleted ones (the viewset prefetches them once for a whole page)."""

    def to_representation(self, data: Any) -> list[Any]:
        rows = data.all() if hasattr(data, "all") else data
        return [self.child.to_representation(row) for row in rows if row.deleted_at is None]  # type: ignore[union-attr]


class NestedOffenseSerializer(NamedEnumsMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        list_serializer_class = AliveListSerializer
        model = Offense
        fields = (
            "id",
            "ucr_code",
            "attempted_completed",
            "offender_suspected_of_using",
            "bias_motivations",
            "criminal_activities",
            "weapons_force",
            "location_type",
            "premises_entered",
            "method_of_entry",
        )
        read_only_fields = fields


class NestedPersonSerializer(NamedEnumsMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        list_serializer_class = AliveListSerializer
        model = InvolvedPerson
        fields = (
            "id",
            "role",
            "sequence_number",
            "student",
            "staff_member",
            "other_person",
            "name",
            "victim_type",
            "age_code",
            "sex",
            "race",
            "ethnicity",
            "resident_status",
            "injuries",
        )
        read_only_fields = fields


class NestedArrestSerializer(NamedEnumsMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        list_serializer_class = AliveListSerializer
        model = Arrest
        fields = (
            "id",
            "arrestee",
            "student",
            "arrest_date",
            "arrest_type",
            "multiple_arrestee",
            "arrest_offense",
            "armed_with",
            "juvenile_disposition",
            "outcome",
        )
        read_only_fields = fields


class IncidentSerializer(NamedEnumsMixin, RecordSerializer):
    offenses = NestedOffenseSerializer(many=True, read_only=True, source="offense_set")
    persons = NestedPersonSerializer(many=True, read_only=True, source="involvedperson_set")
    arrests = NestedArrestSerializer(many=True, read_only=True, source="arrest_set")

    class Meta:
        model = Incident
        fields = (
            *HEAD,
            "number",
            "nibrs_version",
            "title",
            "district",
            "school",
            "agency",
            "location_type",
            "school_relation",
            "location_detail",
            "occurred_at",
            "occurred_until",
            "reported_at",
            "source",
            "referred_by",
            "narrative",
            "status",
            "officer",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "closed_at",
            "cleared_exceptionally",
            "exceptional_clearance_date",
            "cargo_theft",
            "version",
            "voided_at",
            "void_reason",
            "offenses",
            "persons",
            "arrests",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (
            *RO,
            "number",
            "nibrs_version",
            "status",
            "officer",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "closed_at",
            "version",
            "voided_at",
            "void_reason",
        )
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"district": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            reason = services.lock_reason(self.instance)
            if reason:
                raise serializers.ValidationError({"non_field_errors": [serializers.ErrorDetail(reason, "locked")]})
        _district_from_school(attrs, self.instance)
        if self.instance is None and attrs.get("district") is None:
            raise serializers.ValidationError({"district": "Choose a school or a district."})
        return super().validate(attrs)

    def create(self, validated_data: dict[str, Any]) -> Any:
        request = self.context.get("request")
        validated_data.setdefault("officer", getattr(request, "user", None))
        return super().create(validated_data)


class SearchSerializer(NamedEnumsMixin, RecordSerializer):
    class Meta:
        model = Search
        fields = (
            *HEAD,
            "incident",
            "district",
            "school",
            "agency",
            "occurred_at",
            "student",
            "other_person",
            "subject",
            "legal_basis",
            "warrant_number",
            "conducted_by",
            "officer",
            "school_official",
            "reason",
            "justification",
            "anything_found",
            "found",
            "flagged",
            "reviewed_at",
            "reviewed_by",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "officer", "flagged", "reviewed_at", "reviewed_by")
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"district": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _district_from_school(attrs, self.instance)
        return super().validate(attrs)

    def create(self, validated_data: dict[str, Any]) -> Any:
        request = self.context.get("request")
        validated_data.setdefault("officer", getattr(request, "user", None))
        return super().create(validated_data)


class EvidenceItemSerializer(NamedEnumsMixin, RecordSerializer):
    class Meta:
        model = EvidenceItem
        fields = (
            *HEAD,
            "number",
            "incident",
            "district",
            "school",
            "agency",
            "category",
            "description",
            "where_found",
            "found_on_student",
            "found_on_other",
            "collected_at",
            "status",
            "current_location",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "number", "status", "current_location")
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"district": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _district_from_school(attrs, self.instance)
        return super().validate(attrs)


class PursuitSerializer(NamedEnumsMixin, RecordSerializer):
    class Meta:
        model = Pursuit
        fields = (
            *HEAD,
            "incident",
            "district",
            "school",
            "agency",
            "started_at",
            "ended_at",
            "on_foot",
            "start_location",
            "end_location",
            "left_district_property",
            "threat_to_school",
            "outcome",
            "flagged",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "flagged")
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"district": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _district_from_school(attrs, self.instance)
        return super().validate(attrs)


class DisciplineReferralSerializer(NamedEnumsMixin, RecordSerializer):
    class Meta:
        model = DisciplineReferral
        fields = (
            *HEAD,
            "district",
            "school",
            "student",
            "occurred_at",
            "behaviour",
            "description",
            "referred_to",
            "status",
            "administrator_response",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO
        extra_kwargs: ClassVar[dict[str, dict[str, Any]]] = {"district": {"required": False}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _district_from_school(attrs, self.instance)
        return super().validate(attrs)
