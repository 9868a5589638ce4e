"""Serializers of alerts and accountability reports.

An alert is written only by its workflow (``services.arm`` and the actions), so every field of
``AlertSerializer`` is read-only; ``AlertArmSerializer`` parses the body of ``POST /api/v1/alerts/``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import serializers

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer
from srodesk.organizations.models import Agency, School

from ..choices import AlertKind, Audience, SrpAction
from ..models import AccountabilityReport, Alert

ALERT_FIELDS = (
    "id",
    "url",
    "display",
    "district",
    "schools",
    "agency",
    "kind",
    "action",
    "title",
    "directive",
    "location",
    "hazard",
    "strategy",
    "message",
    "audience",
    "is_drill",
    "status",
    "initiated_by",
    "armed_at",
    "deliver_at",
    "cancelled_at",
    "cancelled_by",
    "activated_at",
    "all_clear_at",
    "all_clear_by",
    "all_clear_message",
    *AUDIT_FIELDS,
)


class AlertSerializer(RecordSerializer):
    title = serializers.CharField(read_only=True)
    directive = serializers.CharField(read_only=True)

    class Meta:
        model = Alert
        fields = ALERT_FIELDS
        read_only_fields: ClassVar[tuple[str, ...]] = tuple(f for f in ALERT_FIELDS if f not in ("url", "display"))


class AlertArmSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Start an alert (the API's second deliberate step: the request itself). Delivered after the cancel
    window unless cancelled."""

    kind = serializers.ChoiceField(choices=AlertKind.choices, default=AlertKind.SRP)
    action = serializers.ChoiceField(choices=SrpAction.choices, required=False, allow_blank=True, default="")
    schools = serializers.PrimaryKeyRelatedField(many=True, queryset=School.objects.filter(deleted_at__isnull=True))
    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(deleted_at__isnull=True), required=False, allow_null=True, default=None
    )
    location = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    hazard = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    strategy = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    message = serializers.CharField(required=False, allow_blank=True, default="")
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.EVERYONE)
    is_drill = serializers.BooleanField(default=False)

    def validate_schools(self, value: list[School]) -> list[School]:
        if not value:
            raise serializers.ValidationError("Choose at least one school.", code="required")
        return value


class AllClearSerializer(serializers.Serializer):  # type: ignore[type-arg]
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class AccountabilityReportSerializer(RecordSerializer):
    class Meta:
        model = AccountabilityReport
        fields = (
            "id",
            "url",
            "display",
            "alert",
            "district",
            "school",
            "reporter",
            "area",
            "present_count",
            "adults_present",
            "missing",
            "extra",
            "injured",
            "needs_help",
            "notes",
            "reported_at",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*AUDIT_FIELDS, "alert", "district", "reporter", "reported_at")


class AccountabilityInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A room report: students by id, from the school's active roster (the service checks them)."""

    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.filter(deleted_at__isnull=True))
    area = serializers.CharField(max_length=100)
    present_count = serializers.IntegerField(min_value=0)
    adults_present = serializers.IntegerField(min_value=0, default=1)
    missing = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    extra = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    injured = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    needs_help = serializers.BooleanField(default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class RollupSchoolSerializer(serializers.Serializer):  # type: ignore[type-arg]
    school = serializers.IntegerField()
    name = serializers.CharField()
    areas = serializers.IntegerField()
    present = serializers.IntegerField()
    missing = serializers.IntegerField()
    extra = serializers.IntegerField()
    injured = serializers.IntegerField()
    needs_help = serializers.ListField(child=serializers.CharField())
    not_reported = serializers.ListField(child=serializers.CharField())
    recipients = serializers.IntegerField()
    acknowledged = serializers.IntegerField()


class RollupSerializer(serializers.Serializer):  # type: ignore[type-arg]
    recipients = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    schools = RollupSchoolSerializer(many=True)


def rollup_data(rollup: Any) -> dict[str, Any]:
    """The roll-up as JSON: counts and who has not reported (student names are left to the pages)."""
    return {
        "recipients": rollup.recipients,
        "acknowledged": rollup.acknowledged,
        "schools": [
            {
                "school": s.school.pk,
                "name": s.school.name,
                "areas": s.areas,
                "present": s.present,
                "missing": len(s.missing),
                "extra": len(s.extra),
                "injured": len(s.injured),
                "needs_help": s.needs_help,
                "not_reported": [p.name for p in s.not_reported],
                "recipients": s.recipients,
                "acknowledged": s.acknowledged,
            }
            for s in rollup.schools
        ],
    }
