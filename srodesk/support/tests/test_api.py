from srodesk.core.testing import APITestCases

from .test_views import (
    AgencyRequestTests,
    AttendanceImportTests,
    AttendanceRecordTests,
    CommunityAgencyTests,
    InterventionTests,
    MandatedReportTests,
    ReferralTests,
    ReportingRuleTests,
    StudentContactTests,
    TruancyCaseTests,
    TruancyThresholdTests,
)


class CommunityAgencyAPITests(CommunityAgencyTests, APITestCases.RecordAPITests):
    pass


class ReferralAPITests(ReferralTests, APITestCases.RecordAPITests):
    pass


class MandatedReportAPITests(MandatedReportTests, APITestCases.RecordAPITests):
    pass


class ReportingRuleAPITests(ReportingRuleTests, APITestCases.RecordAPITests):
    pass


class StudentContactAPITests(StudentContactTests, APITestCases.RecordAPITests):
    pass


class AttendanceRecordAPITests(AttendanceRecordTests, APITestCases.RecordAPITests):
    pass


class AttendanceImportAPITests(AttendanceImportTests, APITestCases.RecordAPITests):
    pass


class TruancyThresholdAPITests(TruancyThresholdTests, APITestCases.RecordAPITests):
    pass


class TruancyCaseAPITests(TruancyCaseTests, APITestCases.RecordAPITests):
    pass


class InterventionAPITests(InterventionTests, APITestCases.RecordAPITests):
    pass


class AgencyRequestAPITests(AgencyRequestTests, APITestCases.RecordAPITests):
    pass
