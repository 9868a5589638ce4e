from typing import Any, ClassVar

from rest_framework import serializers

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer
from srodesk.threats.models import Team, ThreatCase

RO: tuple[str, ...] = AUDIT_FIELDS


class TeamSerializer(RecordSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ("id", "url", "display", "district", "school", "name", "active", "notes", "members", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "district")

    def get_members(self, obj: Team) -> list[dict[str, Any]]:
        return [
            {"user": m.user_id, "username": m.user.username, "team_role": m.team_role}
            for m in obj.memberships.all()
            if m.deleted_at is None
        ]


class ThreatCaseSerializer(RecordSerializer):
    """Intake fields are writable; the classification, safety evaluation and closure are written by
    the case's workflow only and are read-only here."""

    step = serializers.IntegerField(read_only=True)
    step_label = serializers.CharField(read_only=True)

    class Meta:
        model = ThreatCase
        fields = (
            "id",
            "url",
            "display",
            "district",
            "school",
            "team",
            "student",
            "reported_at",
            "occurred_on",
            "reporter_name",
            "reporter_anonymous",
            "how_reported",
            "location",
            "exact_words",
            "targets",
            "context",
            "special_education",
            "classification",
            "classification_reasoning",
            "classified_at",
            "safety_evaluation_at",
            "safety_evaluation_summary",
            "status",
            "closed_at",
            "closure_summary",
            "step",
            "step_label",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "district", "school")
