from srodesk.core.testing import APITestCases

from .test_views import AgencyTests, DistrictTests, PartnershipTests, SchoolTests


class DistrictAPITests(DistrictTests, APITestCases.RecordAPITests):
    pass


class SchoolAPITests(SchoolTests, APITestCases.RecordAPITests):
    pass


class AgencyAPITests(AgencyTests, APITestCases.RecordAPITests):
    pass


class PartnershipAPITests(PartnershipTests, APITestCases.RecordAPITests):
    pass
