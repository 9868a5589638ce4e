"""Columns of the law-enforcement lists (and of their CSV exports)."""

from srodesk.core.tables import RecordTable

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


class IncidentTable(RecordTable):
    model = Incident
    fields = (
        "number",
        "title",
        "status",
        "occurred_at",
        "reported_at",
        "school",
        "school_relation",
        "location_type",
        "source",
        "agency",
        "version",
        "voided_at",
        "created_at",
    )
    default_columns = ("number", "title", "status", "occurred_at", "school", "source")


class OffenseTable(RecordTable):
    model = Offense
    fields = ("ucr_code", "attempted_completed", "incident", "incident__school", "location_type")
    headers = {"incident__school": "School"}


class InvolvedPersonTable(RecordTable):
    model = InvolvedPerson
    fields = ("role", "sequence_number", "student", "name", "age_code", "sex", "race", "incident", "incident__school")
    default_columns = ("role", "sequence_number", "student", "name", "age_code", "incident")
    headers = {"incident__school": "School", "sequence_number": "No."}


class VictimOffenderRelationshipTable(RecordTable):
    model = VictimOffenderRelationship
    fields = ("relationship", "victim", "offender", "incident")


class PropertyTable(RecordTable):
    model = Property
    fields = ("description", "loss_type", "description_code", "value", "drug_type", "incident", "incident__school")
    default_columns = ("description", "loss_type", "description_code", "value", "incident")
    headers = {"incident__school": "School"}


class ArrestTable(RecordTable):
    model = Arrest
    fields = (
        "arrest_date",
        "arrest_type",
        "arrest_offense",
        "student",
        "juvenile_disposition",
        "outcome",
        "incident",
        "incident__school",
    )
    default_columns = ("arrest_date", "arrest_type", "arrest_offense", "student", "outcome", "incident")
    headers = {"incident__school": "School"}


class UseOfForceTable(RecordTable):
    model = UseOfForce
    fields = ("occurred_at", "kind", "student", "subject_injured", "medical_attention", "incident", "incident__school")
    default_columns = ("occurred_at", "kind", "student", "subject_injured", "incident")
    headers = {"incident__school": "School"}


class SupplementTable(RecordTable):
    model = Supplement
    fields = ("written_at", "incident", "author", "incident__school")
    default_columns = ("written_at", "incident", "author")
    headers = {"incident__school": "School"}


class AttachmentTable(RecordTable):
    model = Attachment
    fields = ("name", "description", "content_type", "size", "sha256", "incident")
    default_columns = ("name", "description", "size", "incident")


class IncidentShareTable(RecordTable):
    model = IncidentShare
    fields = ("shared_at", "incident", "school", "reason", "created_by")
    headers = {"school": "Shared with", "created_by": "Shared by"}


class SearchTable(RecordTable):
    model = Search
    fields = (
        "occurred_at",
        "subject",
        "legal_basis",
        "conducted_by",
        "student",
        "school",
        "anything_found",
        "flagged",
        "incident",
    )
    default_columns = ("occurred_at", "subject", "legal_basis", "conducted_by", "student", "school", "flagged")


class EvidenceItemTable(RecordTable):
    model = EvidenceItem
    fields = ("number", "description", "category", "status", "collected_at", "school", "incident", "current_location")
    default_columns = ("number", "description", "category", "status", "collected_at", "school")


class PursuitTable(RecordTable):
    model = Pursuit
    fields = (
        "started_at",
        "start_location",
        "end_location",
        "on_foot",
        "left_district_property",
        "flagged",
        "school",
        "incident",
    )
    default_columns = ("started_at", "start_location", "left_district_property", "flagged", "school")


class DisciplineReferralTable(RecordTable):
    model = DisciplineReferral
    fields = ("behaviour", "occurred_at", "student", "school", "status", "referred_to")
    default_columns = ("behaviour", "occurred_at", "student", "school", "status")


#: Rows whose display name reads further relations: fetched with the list, not per row.
LIST_RELATED: dict[type, tuple[str, ...]] = {
    VictimOffenderRelationship: tuple(
        f"{side}__{link}" for side in ("victim", "offender") for link in ("student", "staff_member", "other_person")
    ),
    InvolvedPerson: ("staff_member", "other_person"),
}
