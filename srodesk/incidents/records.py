"""Record types of the law-enforcement records.

Versions, NIBRS submissions and report states, case packets, evidence photos and custody events are not
record types: they are written by their own workflows. Supplements, attachments and shares are written by
their services only (``editable=False``): they appear on the incident page and have list/detail/history.
"""

from typing import Any

from srodesk.core.registry import NavLink, RecordType, register, register_nav_link

from .api import serializers as s
from .api import views as v
from .filtersets import (
    ArrestFilterSet,
    AttachmentFilterSet,
    DisciplineReferralFilterSet,
    EvidenceItemFilterSet,
    IncidentFilterSet,
    IncidentShareFilterSet,
    InvolvedPersonFilterSet,
    OffenseFilterSet,
    PropertyFilterSet,
    PursuitFilterSet,
    SearchFilterSet,
    SupplementFilterSet,
    UseOfForceFilterSet,
    VictimOffenderRelationshipFilterSet,
)
from .forms import (
    ArrestForm,
    AttachmentForm,
    DisciplineReferralForm,
    EvidenceItemForm,
    IncidentForm,
    IncidentShareForm,
    InvolvedPersonForm,
    OffenseForm,
    PropertyForm,
    PursuitForm,
    SearchForm,
    SupplementForm,
    UseOfForceForm,
    VictimOffenderRelationshipForm,
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
from .tables import (
    ArrestTable,
    AttachmentTable,
    DisciplineReferralTable,
    EvidenceItemTable,
    IncidentShareTable,
    IncidentTable,
    InvolvedPersonTable,
    OffenseTable,
    PropertyTable,
    PursuitTable,
    SearchTable,
    SupplementTable,
    UseOfForceTable,
    VictimOffenderRelationshipTable,
)

LE = "Law enforcement"
#: Short API paths (``/api/v1/incidents/`` …) beside the registry's ``/api/v1/incidents/<slug>/``.
API_ALIASES: dict[type[Any], str] = {
    Incident: "incidents",
    Search: "searches",
    EvidenceItem: "evidence",
    Arrest: "arrests",
    UseOfForce: "uses-of-force",
    Pursuit: "pursuits",
    DisciplineReferral: "discipline-referrals",
}
#: Parts of an incident: listed on the incident's page, not in the menu.
PARTS = (Offense, InvolvedPerson, VictimOffenderRelationship, Property, Supplement, Attachment, IncidentShare)

TYPES: tuple[tuple[Any, ...], ...] = (
    (Incident, IncidentFilterSet, IncidentTable, IncidentForm, s.IncidentSerializer, v.IncidentViewSet, True),
    (Offense, OffenseFilterSet, OffenseTable, OffenseForm, s.OffenseSerializer, v.OffenseViewSet, True),
    (
        InvolvedPerson,
        InvolvedPersonFilterSet,
        InvolvedPersonTable,
        InvolvedPersonForm,
        s.InvolvedPersonSerializer,
        v.InvolvedPersonViewSet,
        True,
    ),
    (
        VictimOffenderRelationship,
        VictimOffenderRelationshipFilterSet,
        VictimOffenderRelationshipTable,
        VictimOffenderRelationshipForm,
        s.VictimOffenderRelationshipSerializer,
        v.VictimOffenderRelationshipViewSet,
        True,
    ),
    (Property, PropertyFilterSet, PropertyTable, PropertyForm, s.PropertySerializer, v.PropertyViewSet, True),
    (Arrest, ArrestFilterSet, ArrestTable, ArrestForm, s.ArrestSerializer, v.ArrestViewSet, True),
    (
        UseOfForce,
        UseOfForceFilterSet,
        UseOfForceTable,
        UseOfForceForm,
        s.UseOfForceSerializer,
        v.UseOfForceViewSet,
        True,
    ),
    (Search, SearchFilterSet, SearchTable, SearchForm, s.SearchSerializer, v.SearchViewSet, True),
    (
        EvidenceItem,
        EvidenceItemFilterSet,
        EvidenceItemTable,
        EvidenceItemForm,
        s.EvidenceItemSerializer,
        v.EvidenceItemViewSet,
        True,
    ),
    (Pursuit, PursuitFilterSet, PursuitTable, PursuitForm, s.PursuitSerializer, v.PursuitViewSet, True),
    (
        Supplement,
        SupplementFilterSet,
        SupplementTable,
        SupplementForm,
        s.SupplementSerializer,
        v.SupplementViewSet,
        False,
    ),
    (
        Attachment,
        AttachmentFilterSet,
        AttachmentTable,
        AttachmentForm,
        s.AttachmentSerializer,
        v.AttachmentViewSet,
        False,
    ),
    (
        IncidentShare,
        IncidentShareFilterSet,
        IncidentShareTable,
        IncidentShareForm,
        s.IncidentShareSerializer,
        v.IncidentShareViewSet,
        False,
    ),
    (
        DisciplineReferral,
        DisciplineReferralFilterSet,
        DisciplineReferralTable,
        DisciplineReferralForm,
        s.DisciplineReferralSerializer,
        v.DisciplineReferralViewSet,
        True,
    ),
)

for order, (model, filterset, table, form, serializer, viewset, editable) in enumerate(TYPES, start=30):
    register(
        RecordType(
            model,
            filterset,
            table,
            form,
            serializer,
            viewset=viewset,
            nav_group=LE,
            nav_order=order,
            editable=editable,
            in_nav=model not in PARTS,
            api_alias=API_ALIASES.get(model, ""),
        )
    )

# Pages that are not record lists.
register_nav_link(NavLink(LE, "New incident", "incidents:incident_new", "incidents.add_incident", order=29))
register_nav_link(NavLink(LE, "Supervisor review", "incidents:review_queue", "incidents.approve_incident", order=29))
register_nav_link(NavLink(LE, "NIBRS submission", "incidents:nibrs_export", "incidents.submit_incident", order=60))
