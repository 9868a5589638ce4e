"""The generated API suites (workflow API tests are in test_api_flow.py)."""

from srodesk.core.testing import APITestCases

from .test_views import EventStudentTests, ReunificationCardTests, ReunificationEventTests, ReunificationExceptionTests


class ReunificationEventAPITests(ReunificationEventTests, APITestCases.RecordAPITests):
    pass


class EventStudentAPITests(EventStudentTests, APITestCases.RecordAPITests):
    pass


class ReunificationCardAPITests(ReunificationCardTests, APITestCases.RecordAPITests):
    pass


class ReunificationExceptionAPITests(ReunificationExceptionTests, APITestCases.RecordAPITests):
    pass
