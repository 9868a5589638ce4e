"""Generated page suites for every law-enforcement record type (data only; see core/testing/cases.py)."""

from __future__ import annotations

from typing import Any

from srodesk.core.testing import ViewTestCases
from srodesk.incidents.models import (
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

from .factories import (
    ArrestFactory,
    AttachmentFactory,
    DisciplineReferralFactory,
    EvidenceItemFactory,
    IncidentFactory,
    IncidentShareFactory,
    InvolvedPersonFactory,
    OffenseFactory,
    PropertyFactory,
    PursuitFactory,
    SearchFactory,
    SupplementFactory,
    UseOfForceFactory,
    VictimOffenderRelationshipFactory,
)

WHEN = "2026-10-14T10:30"


def incident_for(cls: Any, home: bool) -> Incident:
    side = "home" if home else "away"
    return IncidentFactory(school=getattr(cls, f"school_{side}"), agency=getattr(cls, f"agency_{side}"))


class _PartTests:
    """A part of an incident: placed through the incident on the home or away side."""

    scope = "school"
    part_factory: Any = None

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return cls.part_factory(incident=incident_for(cls, home))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            cls.part_factory(incident=incident_for(cls, True))


class _LawEnforcementTests:
    scope = "school"

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            cls.factory(school=cls.school_home, agency=cls.agency_home)  # type: ignore[attr-defined]


class IncidentTests(_LawEnforcementTests):
    model = Incident
    factory = IncidentFactory
    edit_field = ("title", "Fight in the east stairwell (corrected)")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "title": "Vape pen found in a bag",
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "agency": self.agency_home.pk,  # type: ignore[attr-defined]
            "occurred_at": WHEN,
            "location_type": "53",
            "school_relation": "on_grounds",
            "source": "on_view",
            "narrative": "Officer saw the student hand a vape pen to another student.",
            "cleared_exceptionally": "N",
        }

    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["occurred_at"] = "2026-10-14T10:30:00Z"
        return data


class IncidentViewTests(IncidentTests, ViewTestCases.RecordViewTests):
    pass


class OffenseTests(_PartTests):
    model = Offense
    factory = OffenseFactory
    part_factory = OffenseFactory
    edit_field = ("ucr_code", "13A")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "incident": self.obj_home.incident_id,  # type: ignore[attr-defined]
            "ucr_code": "35A",
            "attempted_completed": "C",
            "offender_suspected_of_using": ["D"],
            "weapons_force": ["99"],
        }

    def get_api_data(self) -> dict[str, Any]:
        return self.get_form_data()


class OffenseViewTests(OffenseTests, ViewTestCases.RecordViewTests):
    pass


class InvolvedPersonTests(_PartTests):
    model = InvolvedPerson
    factory = InvolvedPersonFactory
    part_factory = InvolvedPersonFactory
    edit_field = ("name", "Jordan Roe")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        incident = incident_for(cls, home)
        return InvolvedPersonFactory(incident=incident, student=None, name="Jordan Doe")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "incident": self.obj_home.incident_id,  # type: ignore[attr-defined]
            "role": "witness",
            "sequence_number": 2,
            "name": "Casey Witness",
            "age_code": "16",
            "sex": "F",
        }


class InvolvedPersonViewTests(InvolvedPersonTests, ViewTestCases.RecordViewTests):
    pass


class VictimOffenderRelationshipTests(_PartTests):
    model = VictimOffenderRelationship
    factory = VictimOffenderRelationshipFactory
    part_factory = VictimOffenderRelationshipFactory
    edit_field = ("relationship", "Stranger")

    def get_form_data(self) -> dict[str, Any]:
        obj = self.obj_home  # type: ignore[attr-defined]
        return {
            "incident": obj.incident_id,
            "victim": obj.victim_id,
            "offender": obj.offender_id,
            "relationship": "NonFamily_Otherwise Known",
        }


class VictimOffenderRelationshipViewTests(VictimOffenderRelationshipTests, ViewTestCases.RecordViewTests):
    pass


class PropertyTests(_PartTests):
    model = Property
    factory = PropertyFactory
    part_factory = PropertyFactory
    edit_field = ("description", "Tablet")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "incident": self.obj_home.incident_id,  # type: ignore[attr-defined]
            "loss_type": "STOLEN",
            "description_code": "13",
            "description": "Phone",
            "value": 300,
        }


class PropertyViewTests(PropertyTests, ViewTestCases.RecordViewTests):
    pass


class ArrestTests(_PartTests):
    model = Arrest
    factory = ArrestFactory
    part_factory = ArrestFactory
    edit_field = ("notes", "Released to the mother at 13:05.")

    def get_form_data(self) -> dict[str, Any]:
        obj = self.obj_home  # type: ignore[attr-defined]
        return {
            "incident": obj.incident_id,
            "arrestee": obj.arrestee_id,
            "arrest_date": "2026-10-14",
            "arrest_type": "S",
            "multiple_arrestee": "N",
            "arrest_offense": "13B",
            "armed_with": ["01"],
            "juvenile_disposition": "H",
        }


class ArrestViewTests(ArrestTests, ViewTestCases.RecordViewTests):
    pass


class UseOfForceTests(_PartTests):
    model = UseOfForce
    factory = UseOfForceFactory
    part_factory = UseOfForceFactory
    edit_field = ("de_escalation", "Two verbal commands, then a physical escort.")

    def get_form_data(self) -> dict[str, Any]:
        obj = self.obj_home  # type: ignore[attr-defined]
        return {
            "incident": obj.incident_id,
            "subject": obj.subject_id,
            "occurred_at": WHEN,
            "kind": "restraint",
            "methods": ["physical_escort"],
            "reason": "The student was about to strike another student.",
        }

    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["occurred_at"] = "2026-10-14T10:30:00Z"
        return data


class UseOfForceViewTests(UseOfForceTests, ViewTestCases.RecordViewTests):
    pass


class SupplementTests(_PartTests):
    model = Supplement
    factory = SupplementFactory
    part_factory = SupplementFactory


class SupplementViewTests(SupplementTests, ViewTestCases.RecordViewTests):
    pass


class AttachmentTests(_PartTests):
    model = Attachment
    factory = AttachmentFactory
    part_factory = AttachmentFactory


class AttachmentViewTests(AttachmentTests, ViewTestCases.RecordViewTests):
    pass


class IncidentShareTests(_PartTests):
    model = IncidentShare
    factory = IncidentShareFactory
    part_factory = IncidentShareFactory


class IncidentShareViewTests(IncidentShareTests, ViewTestCases.RecordViewTests):
    pass


class SearchTests(_LawEnforcementTests):
    model = Search
    factory = SearchFactory
    edit_field = ("reason", "A teacher saw the student pass a vape pen.")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "agency": self.agency_home.pk,  # type: ignore[attr-defined]
            "occurred_at": WHEN,
            "subject": "bag",
            "conducted_by": "school_official",
            "school_official": "Assistant principal",
            "legal_basis": "reasonable_suspicion",
            "reason": "Two students reported a vape pen in the backpack.",
        }

    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["occurred_at"] = "2026-10-14T10:30:00Z"
        return data


class SearchViewTests(SearchTests, ViewTestCases.RecordViewTests):
    pass


class EvidenceItemTests(_LawEnforcementTests):
    model = EvidenceItem
    factory = EvidenceItemFactory
    edit_field = ("where_found", "Locker 212")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "agency": self.agency_home.pk,  # type: ignore[attr-defined]
            "category": "contraband",
            "description": "Black vape pen",
            "collected_at": WHEN,
        }

    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["collected_at"] = "2026-10-14T10:30:00Z"
        return data


class EvidenceItemViewTests(EvidenceItemTests, ViewTestCases.RecordViewTests):
    pass


class PursuitTests(_LawEnforcementTests):
    model = Pursuit
    factory = PursuitFactory
    edit_field = ("end_location", "Corner of Main and 3rd")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "agency": self.agency_home.pk,  # type: ignore[attr-defined]
            "started_at": WHEN,
            "on_foot": True,
            "start_location": "North parking lot",
        }

    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["started_at"] = "2026-10-14T10:30:00Z"
        return data


class PursuitViewTests(PursuitTests, ViewTestCases.RecordViewTests):
    pass


class DisciplineReferralTests:
    model = DisciplineReferral
    factory = DisciplineReferralFactory
    scope = "school"
    edit_field = ("behaviour", "Repeated tardiness")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        school = cls.school_home if home else cls.school_away  # type: ignore[attr-defined]
        return DisciplineReferralFactory(school=school)

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            DisciplineReferralFactory(school=cls.school_home)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "student": self.obj_home.student_id,  # type: ignore[attr-defined]
            "occurred_at": WHEN,
            "behaviour": "Dress code",
            "description": "Referred to the assistant principal.",
            "status": "open",
        }

    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["occurred_at"] = "2026-10-14T10:30:00Z"
        return data


class DisciplineReferralViewTests(DisciplineReferralTests, ViewTestCases.RecordViewTests):
    pass
