from srodesk.core.testing import APITestCases

from .test_views import RoleAssignmentTests


class RoleAssignmentAPITests(RoleAssignmentTests, APITestCases.RecordAPITests):
    pass
