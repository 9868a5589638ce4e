from __future__ import annotations

from typing import Any, ClassVar

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer

from ..models import Drill, EmergencyPlan
from ..services import retain_until_for


class _SchoolScoped(RecordSerializer):
    """The district follows the school."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        school = attrs.get("school") or getattr(self.instance, "school", None)
        if school is not None:
            attrs["district"] = school.district
        return super().validate(attrs)


class DrillSerializer(_SchoolScoped):
    srp_action = serializers.CharField(read_only=True)

    class Meta:
        model = Drill
        fields = (
            "id",
            "url",
            "display",
            "district",
            "school",
            "drill_type",
            "srp_action",
            "status",
            "scheduled_for",
            "conducted_at",
            "time_of_day",
            "conducted_by",
            "observed_by",
            "law_enforcement_observed",
            "law_enforcement_agency",
            "law_enforcement_officer",
            "fire_department_participated",
            "secondary_egress",
            "participants_count",
            "duration_seconds",
            "headcount",
            "accounted_for",
            "issues_found",
            "after_action_notes",
            "published_at",
            "retain_until",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*AUDIT_FIELDS, "district", "retain_until")

    def save(self, **kwargs: Any) -> Drill:
        drill: Drill = super().save(**kwargs)
        retain = retain_until_for(drill)
        if retain != drill.retain_until:
            drill.retain_until = retain
            drill.save(update_fields=["retain_until"])
        return drill


class EmergencyPlanSerializer(_SchoolScoped):
    floor_plan = serializers.ImageField(write_only=True, required=False, allow_null=True)
    floor_plan_url = serializers.SerializerMethodField()

    class Meta:
        model = EmergencyPlan
        fields = (
            "id",
            "url",
            "display",
            "district",
            "school",
            "building",
            "name",
            "map_kind",
            "floor_plan",
            "floor_plan_url",
            "floor_plan_width",
            "floor_plan_height",
            "features",
            "notes",
            "reviewed_on",
            "reviewed_by",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (
            *AUDIT_FIELDS,
            "district",
            "floor_plan_width",
            "floor_plan_height",
        )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_floor_plan_url(self, obj: EmergencyPlan) -> str | None:
        if not obj.floor_plan:
            return None
        path = reverse("drills:emergencyplan_floor_plan", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ComplianceRequirementSerializer(serializers.Serializer):  # type: ignore[type-arg]
    key = serializers.CharField()
    rule = serializers.CharField()
    citation = serializers.CharField()
    status = serializers.CharField(help_text="on_track, at_risk or non_compliant")
    required = serializers.IntegerField()  # type: ignore[assignment]  # the field's name, not Field.required
    done = serializers.IntegerField()
    scheduled = serializers.IntegerField()
    missing = serializers.IntegerField()
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    message = serializers.CharField()
    suggested = serializers.ListField(child=serializers.DateField())
    items = serializers.ListField(child=serializers.CharField())


class SuggestionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    day = serializers.DateField()
    drill_type = serializers.CharField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]  # the field's name, not Field.label
    unstructured = serializers.BooleanField()
    law_enforcement_observed = serializers.BooleanField()
    fire_department = serializers.BooleanField()
    secondary_egress = serializers.BooleanField()
    serves = serializers.ListField(child=serializers.CharField())


class ComplianceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    school = serializers.IntegerField(source="school.pk")
    school_name = serializers.CharField(source="school.name")
    school_year = serializers.CharField(source="year.label")
    first_day = serializers.DateField(source="year.first_day")
    last_day = serializers.DateField(source="year.last_day")
    as_of = serializers.DateField()
    state = serializers.CharField()
    level = serializers.CharField()
    pack = serializers.CharField(source="pack.name", allow_null=True, default=None)
    status = serializers.CharField(help_text="on_track, at_risk or non_compliant")
    requirements = ComplianceRequirementSerializer(many=True)
    suggestions = SuggestionSerializer(many=True)


class ComplianceQuerySerializer(serializers.Serializer):  # type: ignore[type-arg]
    school = serializers.IntegerField()
    as_of = serializers.DateField(required=False)
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
