from typing import Any

from srodesk.core.testing import ViewTestCases
from srodesk.people.tests.factories import StudentFactory
from srodesk.support.models import (
    AgencyRequest,
    AttendanceImport,
    AttendanceRecord,
    CommunityAgency,
    Intervention,
    MandatedReport,
    Referral,
    ReportingRule,
    StudentContact,
    TruancyCase,
    TruancyThreshold,
)

from .factories import (
    AgencyRequestFactory,
    AttendanceImportFactory,
    AttendanceRecordFactory,
    CommunityAgencyFactory,
    InterventionFactory,
    MandatedReportFactory,
    ReferralFactory,
    ReportingRuleFactory,
    StudentContactFactory,
    TruancyCaseFactory,
    TruancyThresholdFactory,
)

# ``self`` in these data mixins is the generated suite (Scenario attributes: district_home, school_home …).


class CommunityAgencyTests:
    model = CommunityAgency
    factory = CommunityAgencyFactory
    scope = "school"
    edit_field = ("phone", "555-0199")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "name": "Bayside Family Services",
            "agency_type": "domestic_violence",
            "phone": "555-0123",
            "crisis_phone": "555-0911",
            "active": True,
        }


class CommunityAgencyViewTests(CommunityAgencyTests, ViewTestCases.RecordViewTests):
    pass


class ReferralTests:
    model = Referral
    factory = ReferralFactory
    scope = "school"
    edit_field = ("reason", "Substance use disclosed to the counselor.")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "student": self.obj_home.student_id,  # type: ignore[attr-defined]
            "community_agency": self.obj_home.community_agency_id,  # type: ignore[attr-defined]
            "referred_on": "2026-02-03",
            "reason": "Grief counselling after a family death.",
            "consent_by": "parent",
            "consent_by_name": "Ana Ruiz",
            "consent_at": "2026-02-02T15:30:00Z",
            "consent_method": "written",
            "status": "made",
            "status_on": "2026-02-03",
        }


class ReferralViewTests(ReferralTests, ViewTestCases.RecordViewTests):
    pass


class MandatedReportTests:
    model = MandatedReport
    factory = MandatedReportFactory
    scope = "school"
    edit_field = ("suspicion", "The student described being locked out overnight.")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "student": self.obj_home.student_id,  # type: ignore[attr-defined]
            "suspicion": "Repeated hunger and unwashed clothes; says no one is home for days.",
            "suspected_at": "2026-03-02T09:15:00Z",
            "information_received_at": "2026-03-02T09:00:00Z",
        }


class MandatedReportViewTests(MandatedReportTests, ViewTestCases.RecordViewTests):
    pass


class ReportingRuleTests:
    model = ReportingRule
    factory = ReportingRuleFactory
    scope = "district"
    edit_field = ("statute", "District child-protection policy 2026")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return ReportingRuleFactory(partnership=cls.partnership_home if home else cls.partnership_away)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "partnership": self.partnership_home.pk,  # type: ignore[attr-defined]
            "effective_from": "2026-08-01",
            "statute": "MCL 722.623 with district escalation",
            "immediate_sla_hours": 1,
            "initial_clock_start": "suspicion",
            "written_hours": 72,
            "written_clock_start": "oral_report",
            "non_delegable": True,
            "recipients": '["cps"]',
            "escalation_thresholds": "[25, 75, 100]",
            "escalate_to_administrators_at": 75,
        }

    def get_api_data(self) -> dict[str, Any]:
        return {**self.get_form_data(), "recipients": ["cps"], "escalation_thresholds": [25, 75, 100]}


class ReportingRuleViewTests(ReportingRuleTests, ViewTestCases.RecordViewTests):
    pass


class StudentContactTests:
    model = StudentContact
    factory = StudentContactFactory
    scope = "school"
    edit_field = ("summary", "Mediated a dispute over a phone; both agreed to stay apart.")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "contact_type": "mediation",
            "occurred_on": "2026-02-10",
            "duration_minutes": 25,
            "students": [s.pk for s in self.obj_home.students.all()],  # type: ignore[attr-defined]
            "summary": "Two students argued in the hallway; talked it through.",
        }


class StudentContactViewTests(StudentContactTests, ViewTestCases.RecordViewTests):
    pass


class AttendanceRecordTests:
    model = AttendanceRecord
    factory = AttendanceRecordFactory
    scope = "school"
    edit_field = ("status", "tardy")

    def get_form_data(self) -> dict[str, Any]:
        return {"student": self.obj_home.student_id, "date": "2024-05-06", "status": "present"}  # type: ignore[attr-defined]


class AttendanceRecordViewTests(AttendanceRecordTests, ViewTestCases.RecordViewTests):
    pass


class AttendanceImportTests:
    model = AttendanceImport
    factory = AttendanceImportFactory
    scope = "school"


class AttendanceImportViewTests(AttendanceImportTests, ViewTestCases.RecordViewTests):
    pass


class TruancyThresholdTests:
    model = TruancyThreshold
    factory = TruancyThresholdFactory
    scope = "district"
    edit_field = ("name", "Habitual truancy")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return TruancyThresholdFactory(partnership=cls.partnership_home if home else cls.partnership_away)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "partnership": self.partnership_home.pk,  # type: ignore[attr-defined]
            "name": "Five in twenty",
            "unexcused_absences": 5,
            "within_school_days": 20,
            "active": True,
        }


class TruancyThresholdViewTests(TruancyThresholdTests, ViewTestCases.RecordViewTests):
    pass


class TruancyCaseTests:
    model = TruancyCase
    factory = TruancyCaseFactory
    scope = "school"
    edit_field = ("trigger", "Opened after the attendance officer's call.")

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()  # type: ignore[misc]
        cls.free_student = StudentFactory(school=cls.school_home)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "student": self.free_student.pk,  # type: ignore[attr-defined]
            "opened_on": "2026-02-03",
            "trigger": "Parent asked for help with attendance.",
            "status": "open",
        }


class TruancyCaseViewTests(TruancyCaseTests, ViewTestCases.RecordViewTests):
    pass


class InterventionTests:
    model = Intervention
    factory = InterventionFactory
    scope = "school"
    edit_field = ("notes", "Met the grandmother; agreed on a morning routine.")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "case": self.obj_home.case_id,  # type: ignore[attr-defined]
            "kind": "parent_conference",
            "occurred_on": "2026-02-04",
            "notes": "Conference with both parents.",
        }


class InterventionViewTests(InterventionTests, ViewTestCases.RecordViewTests):
    pass


class AgencyRequestTests:
    model = AgencyRequest
    factory = AgencyRequestFactory
    scope = "school"
    edit_field = ("request_text", "Enrolment dates only.")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "student": self.obj_home.student_id,  # type: ignore[attr-defined]
            "requester_name": "Investigator Lee",
            "requester_agency": "State Police",
            "received_at": "2026-02-03T10:00:00Z",
            "request_text": "Whether the student attended school on 2026-01-28.",
            "decision": "pending",
        }


class AgencyRequestViewTests(AgencyRequestTests, ViewTestCases.RecordViewTests):
    pass
