from srodesk.core.testing import APITestCases

from .test_views import SampleCaseTests


class SampleCaseAPITests(SampleCaseTests, APITestCases.RecordAPITests):
    pass
