"""Filters of the law-enforcement lists (the same filters serve the pages and the API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from srodesk.core.filtersets import RecordFilterSet
from srodesk.organizations.models import School

from .choices import (
    EvidenceCategory,
    EvidenceStatus,
    ForceKind,
    IncidentSource,
    IncidentStatus,
    PersonRole,
    ReferralStatus,
    SchoolRelation,
    SearchBasis,
    SearchConductor,
    SearchSubject,
)
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
from .nibrs import codes


def visible_schools(request: Any) -> QuerySet[School]:
    schools: QuerySet[School] = School.objects.alive().restrict(getattr(request, "user", None), "view")
    return schools


class IncidentFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices)
    source = django_filters.ChoiceFilter(choices=IncidentSource.choices, label="How it came to the officer")
    school_relation = django_filters.ChoiceFilter(choices=SchoolRelation.choices, label="Where, relative to school")
    location_type = django_filters.ChoiceFilter(choices=codes.location_choices, label="NIBRS location type")
    occurred_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="Occurred on or after"
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label="Occurred on or before"
    )
    voided = django_filters.BooleanFilter(field_name="voided_at", lookup_expr="isnull", exclude=True, label="Voided")

    class Meta:
        model = Incident
        fields = ("status", "source", "school_relation", "location_type")


class IncidentChildFilterSet(RecordFilterSet):
    """Parts of incidents: by incident, by the incident's school and status."""

    incident_id = django_filters.NumberFilter(field_name="incident_id", label="Incident")
    school_id = django_filters.ModelChoiceFilter(
        field_name="incident__school", queryset=visible_schools, label="School"
    )
    incident_status = django_filters.ChoiceFilter(
        field_name="incident__status", choices=IncidentStatus.choices, label="Report status"
    )


class OffenseFilterSet(IncidentChildFilterSet):
    ucr_code = django_filters.ChoiceFilter(choices=codes.offense_choices, label="UCR offense")

    class Meta:
        model = Offense
        fields = ("ucr_code", "attempted_completed")


class InvolvedPersonFilterSet(IncidentChildFilterSet):
    role = django_filters.ChoiceFilter(choices=PersonRole.choices)
    student_id = django_filters.NumberFilter(field_name="student_id", label="Student")

    class Meta:
        model = InvolvedPerson
        fields = ("role", "sex", "race")


class VictimOffenderRelationshipFilterSet(IncidentChildFilterSet):
    class Meta:
        model = VictimOffenderRelationship
        fields = ("relationship",)


class PropertyFilterSet(IncidentChildFilterSet):
    class Meta:
        model = Property
        fields = ("loss_type", "description_code", "drug_type")


class ArrestFilterSet(IncidentChildFilterSet):
    student_id = django_filters.NumberFilter(field_name="student_id", label="Student")
    arrested_after = django_filters.DateFilter(
        field_name="arrest_date", lookup_expr="gte", label="Arrested on or after"
    )
    arrested_before = django_filters.DateFilter(
        field_name="arrest_date", lookup_expr="lte", label="Arrested on or before"
    )

    class Meta:
        model = Arrest
        fields = ("arrest_type", "outcome")


class UseOfForceFilterSet(IncidentChildFilterSet):
    kind = django_filters.ChoiceFilter(choices=ForceKind.choices)
    student_id = django_filters.NumberFilter(field_name="student_id", label="Student")
    occurred_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="Occurred on or after"
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label="Occurred on or before"
    )

    class Meta:
        model = UseOfForce
        fields = ("kind", "subject_injured", "medical_attention")


class SupplementFilterSet(IncidentChildFilterSet):
    class Meta:
        model = Supplement
        fields = ()


class AttachmentFilterSet(IncidentChildFilterSet):
    class Meta:
        model = Attachment
        fields = ("sha256",)


class IncidentShareFilterSet(IncidentChildFilterSet):
    shared_with = django_filters.ModelChoiceFilter(field_name="school", queryset=visible_schools, label="Shared with")

    class Meta:
        model = IncidentShare
        fields = ()


class SearchFilterSet(RecordFilterSet):
    subject = django_filters.ChoiceFilter(choices=SearchSubject.choices)
    legal_basis = django_filters.ChoiceFilter(choices=SearchBasis.choices)
    conducted_by = django_filters.ChoiceFilter(choices=SearchConductor.choices)
    flagged = django_filters.BooleanFilter(label="Flagged for review")
    incident_id = django_filters.NumberFilter(field_name="incident_id", label="Incident")
    student_id = django_filters.NumberFilter(field_name="student_id", label="Student")
    occurred_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="Occurred on or after"
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label="Occurred on or before"
    )

    class Meta:
        model = Search
        fields = ("subject", "legal_basis", "conducted_by", "flagged", "anything_found")


class EvidenceItemFilterSet(RecordFilterSet):
    category = django_filters.ChoiceFilter(choices=EvidenceCategory.choices)
    status = django_filters.ChoiceFilter(choices=EvidenceStatus.choices)
    incident_id = django_filters.NumberFilter(field_name="incident_id", label="Incident")
    collected_after = django_filters.DateFilter(
        field_name="collected_at", lookup_expr="date__gte", label="Collected on or after"
    )
    collected_before = django_filters.DateFilter(
        field_name="collected_at", lookup_expr="date__lte", label="Collected on or before"
    )

    class Meta:
        model = EvidenceItem
        fields = ("category", "status")


class PursuitFilterSet(RecordFilterSet):
    flagged = django_filters.BooleanFilter(label="Flagged for review")
    incident_id = django_filters.NumberFilter(field_name="incident_id", label="Incident")
    started_after = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__gte", label="Started on or after"
    )
    started_before = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__lte", label="Started on or before"
    )

    class Meta:
        model = Pursuit
        fields = ("flagged", "left_district_property", "on_foot")


class DisciplineReferralFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    student_id = django_filters.NumberFilter(field_name="student_id", label="Student")
    occurred_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="Occurred on or after"
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label="Occurred on or before"
    )

    class Meta:
        model = DisciplineReferral
        fields = ("status",)
