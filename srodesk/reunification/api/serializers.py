from typing import ClassVar

from rest_framework import serializers

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer
from srodesk.reunification.choices import IdType, Resolution
from srodesk.reunification.models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException

RO: tuple[str, ...] = AUDIT_FIELDS


class ReunificationEventSerializer(RecordSerializer):
    class Meta:
        model = ReunificationEvent
        fields = (
            "id",
            "url",
            "display",
            "district",
            "schools",
            "alert",
            "site_name",
            "site_address",
            "assembly_area",
            "is_drill",
            "status",
            "started_at",
            "started_by",
            "closed_at",
            "closed_by",
            "closing_note",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = RO


class EventStudentSerializer(RecordSerializer):
    class Meta:
        model = EventStudent
        fields = (
            "id",
            "url",
            "display",
            "event",
            "student",
            "school",
            "name",
            "grade",
            "status",
            "location",
            "released_at",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "event", "student", "school", "location")


class ReunificationCardSerializer(RecordSerializer):
    student_name = serializers.CharField(source="event_student.name", read_only=True)

    class Meta:
        model = ReunificationCard
        fields = (
            "id",
            "url",
            "display",
            "event",
            "event_student",
            "student_name",
            "adult_name",
            "relationship",
            "phone",
            "status",
            "issued_at",
            "issued_by",
            "guardian",
            "id_type",
            "id_last4",
            "custody_finding",
            "checked_at",
            "checked_by",
            "brought_at",
            "brought_by",
            "student_agreed",
            "released_at",
            "released_by",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "event")


class ReunificationExceptionSerializer(RecordSerializer):
    student_name = serializers.CharField(source="event_student.name", read_only=True)

    class Meta:
        model = ReunificationException
        fields = (
            "id",
            "url",
            "display",
            "event",
            "event_student",
            "student_name",
            "card",
            "kind",
            "note",
            "raised_at",
            "raised_by",
            "resolution",
            "resolution_note",
            "resolved_at",
            "resolved_by",
            *AUDIT_FIELDS,
        )
        read_only_fields: ClassVar[tuple[str, ...]] = (*RO, "event")


class CardCheckSerializer(serializers.Serializer):  # type: ignore[type-arg]
    guardian = serializers.IntegerField(
        allow_null=True, help_text="The roster guardian the adult was matched to; null when not on the list."
    )
    id_type = serializers.ChoiceField(choices=IdType.choices)
    id_last4 = serializers.CharField(min_length=4, max_length=4)
    id_verified = serializers.BooleanField()


class CardReleaseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    student_agreed = serializers.BooleanField(help_text="Asked, the student agreed to leave with the adult.")


class ExceptionResolveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    resolution_note = serializers.CharField()


class EventCloseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReunificationSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    expected = serializers.IntegerField()
    released = serializers.IntegerField()
    handed_over = serializers.IntegerField()
    waiting = serializers.IntegerField()
    in_exception = serializers.IntegerField()
    not_released = serializers.IntegerField()
    open_exceptions = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    cards_released = serializers.IntegerField()
    cards_by_status = serializers.DictField(child=serializers.IntegerField())
    balanced = serializers.BooleanField()
