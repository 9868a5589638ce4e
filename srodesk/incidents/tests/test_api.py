"""Generated API suites for every law-enforcement record type, and the short API paths."""

from srodesk.core.testing import APITestCases

from .test_views import (
    ArrestTests,
    AttachmentTests,
    DisciplineReferralTests,
    EvidenceItemTests,
    IncidentShareTests,
    IncidentTests,
    InvolvedPersonTests,
    OffenseTests,
    PropertyTests,
    PursuitTests,
    SearchTests,
    SupplementTests,
    UseOfForceTests,
    VictimOffenderRelationshipTests,
)


class IncidentAPITests(IncidentTests, APITestCases.RecordAPITests):
    pass


class OffenseAPITests(OffenseTests, APITestCases.RecordAPITests):
    pass


class InvolvedPersonAPITests(InvolvedPersonTests, APITestCases.RecordAPITests):
    pass


class VictimOffenderRelationshipAPITests(VictimOffenderRelationshipTests, APITestCases.RecordAPITests):
    pass


class PropertyAPITests(PropertyTests, APITestCases.RecordAPITests):
    pass


class ArrestAPITests(ArrestTests, APITestCases.RecordAPITests):
    pass


class UseOfForceAPITests(UseOfForceTests, APITestCases.RecordAPITests):
    pass


class SupplementAPITests(SupplementTests, APITestCases.RecordAPITests):
    pass


class AttachmentAPITests(AttachmentTests, APITestCases.RecordAPITests):
    pass


class IncidentShareAPITests(IncidentShareTests, APITestCases.RecordAPITests):
    pass


class SearchAPITests(SearchTests, APITestCases.RecordAPITests):
    pass


class EvidenceItemAPITests(EvidenceItemTests, APITestCases.RecordAPITests):
    pass


class PursuitAPITests(PursuitTests, APITestCases.RecordAPITests):
    pass


class DisciplineReferralAPITests(DisciplineReferralTests, APITestCases.RecordAPITests):
    pass
