from srodesk.core.testing import APITestCases

from .test_views import (
    DisclosureTests,
    GuardianTests,
    OtherPersonTests,
    RosterImportTests,
    StaffMemberTests,
    StudentTests,
    VehicleTests,
)


class StudentAPITests(StudentTests, APITestCases.RecordAPITests):
    pass


class StaffMemberAPITests(StaffMemberTests, APITestCases.RecordAPITests):
    pass


class GuardianAPITests(GuardianTests, APITestCases.RecordAPITests):
    pass


class OtherPersonAPITests(OtherPersonTests, APITestCases.RecordAPITests):
    pass


class VehicleAPITests(VehicleTests, APITestCases.RecordAPITests):
    pass


class DisclosureAPITests(DisclosureTests, APITestCases.RecordAPITests):
    pass


class RosterImportAPITests(RosterImportTests, APITestCases.RecordAPITests):
    pass
