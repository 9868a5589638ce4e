"""Admin of the law-enforcement records (superusers only): audit fields read-only, soft delete.

Workflow fields (status, review, version, void) are not editable here: the workflow services set them.
Supplements, attachments and shares are written by their services and shown read-only.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from srodesk.core.admin import RecordAdmin

from .models import (
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


class ReadOnlyPartAdmin(RecordAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(RecordAdmin):
    list_display = ("number", "title", "status", "school", "agency", "occurred_at")
    list_filter = ("status", "source", "school_relation", "district")
    search_fields = ("number", "title")
    raw_id_fields = ("officer",)
    workflow_fields = (
        "number",
        "status",
        "submitted_at",
        "reviewed_at",
        "reviewed_by",
        "review_comment",
        "closed_at",
        "version",
        "voided_at",
        "void_reason",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*super().get_readonly_fields(request, obj), *self.workflow_fields)


@admin.register(Offense)
class OffenseAdmin(RecordAdmin):
    list_display = ("__str__", "incident", "attempted_completed")
    raw_id_fields = ("incident",)


@admin.register(InvolvedPerson)
class InvolvedPersonAdmin(RecordAdmin):
    list_display = ("__str__", "incident", "role", "age_code")
    raw_id_fields = ("incident", "student", "staff_member", "other_person", "offenses")


@admin.register(VictimOffenderRelationship)
class VictimOffenderRelationshipAdmin(RecordAdmin):
    raw_id_fields = ("incident", "victim", "offender")


@admin.register(Property)
class PropertyAdmin(RecordAdmin):
    raw_id_fields = ("incident", "offense")


@admin.register(Arrest)
class ArrestAdmin(RecordAdmin):
    list_display = ("__str__", "incident", "arrest_type", "juvenile_disposition")
    raw_id_fields = ("incident", "arrestee")


@admin.register(UseOfForce)
class UseOfForceAdmin(RecordAdmin):
    list_display = ("__str__", "incident", "kind")
    raw_id_fields = ("incident", "subject", "officer")


@admin.register(Supplement)
class SupplementAdmin(ReadOnlyPartAdmin):
    list_display = ("__str__", "incident", "author")
    raw_id_fields = ("incident",)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyPartAdmin):
    list_display = ("name", "incident", "size", "sha256")
    raw_id_fields = ("incident",)


@admin.register(IncidentShare)
class IncidentShareAdmin(ReadOnlyPartAdmin):
    list_display = ("__str__", "school", "shared_at", "deleted_at")
    raw_id_fields = ("incident",)


@admin.register(Search)
class SearchAdmin(RecordAdmin):
    list_display = ("__str__", "legal_basis", "conducted_by", "flagged", "school")
    list_filter = ("flagged", "legal_basis", "conducted_by")
    raw_id_fields = ("incident", "student", "other_person", "officer")


@admin.register(EvidenceItem)
class EvidenceItemAdmin(RecordAdmin):
    list_display = ("number", "description", "category", "status", "school")
    list_filter = ("category", "status")
    search_fields = ("number", "description")
    raw_id_fields = ("incident", "found_on_student", "found_on_other")


@admin.register(Pursuit)
class PursuitAdmin(RecordAdmin):
    list_display = ("__str__", "left_district_property", "flagged", "school")
    list_filter = ("flagged", "left_district_property")
    raw_id_fields = ("incident",)


@admin.register(DisciplineReferral)
class DisciplineReferralAdmin(RecordAdmin):
    list_display = ("__str__", "student", "school", "status")
    list_filter = ("status",)
    raw_id_fields = ("student", "referred_to")
