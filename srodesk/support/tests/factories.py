import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from srodesk.accounts.tests.factories import UserFactory
from srodesk.organizations.tests.factories import PartnershipFactory, SchoolFactory
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


def hours_ago(hours: int) -> Any:
    return factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=hours))


class _AboutStudent(factory.django.DjangoModelFactory):
    """Records about one student of ``school`` (made when not given); district and school follow the student."""

    class Meta:
        abstract = True

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))


class CommunityAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityAgency

    district = factory.SubFactory("srodesk.organizations.tests.factories.DistrictFactory")
    name = factory.Sequence(lambda n: f"Harbor Counselling Center {n}")
    agency_type = "mental_health"
    contact_name = "Dana Whitfield"
    phone = "555-0140"


class ReferralFactory(_AboutStudent):
    class Meta:
        model = Referral

    community_agency = factory.SubFactory(CommunityAgencyFactory, district=factory.SelfAttribute("..district"))
    reason = "Persistent anxiety affecting attendance."
    consent_by = "parent"
    consent_by_name = "Maria Lopez"
    consent_at = hours_ago(24)
    consent_method = "written"


class MandatedReportFactory(_AboutStudent):
    class Meta:
        model = MandatedReport

    reporter = factory.SubFactory(UserFactory)
    suspicion = "Bruises on both forearms; the student said a parent's partner grabbed them."
    suspected_at = hours_ago(2)


class ReportingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingRule

    partnership = factory.SubFactory(PartnershipFactory)
    effective_from = dt.date(2024, 1, 1)
    statute = factory.Sequence(lambda n: f"District policy {n}")
    initial_hours = None
    written_hours = 24
    recipients = factory.LazyFunction(lambda: ["cps"])
    escalation_thresholds = factory.LazyFunction(lambda: [50, 90, 100])


class StudentContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentContact
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    staff = factory.SubFactory(UserFactory)
    contact_type = "counselling"
    occurred_on = factory.LazyFunction(timezone.localdate)
    duration_minutes = 30
    summary = "Talked through a conflict with a classmate."

    @factory.post_generation
    def students(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        for student in extracted if extracted is not None else [StudentFactory(school=self.school)]:
            self.students.add(student)


class AttendanceRecordFactory(_AboutStudent):
    class Meta:
        model = AttendanceRecord

    date = factory.Sequence(lambda n: dt.date(2025, 1, 6) + dt.timedelta(days=n % 300))
    status = "absent_unexcused"


class AttendanceImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceImport

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    source_name = factory.Sequence(lambda n: f"attendance-{n}.csv")
    status = "succeeded"


class TruancyThresholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TruancyThreshold

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Chronic absence {n}")
    unexcused_absences = 3
    within_school_days = 10


class TruancyCaseFactory(_AboutStudent):
    class Meta:
        model = TruancyCase

    trigger = "Opened by hand after a parent's call."


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    case = factory.SubFactory(TruancyCaseFactory, school=factory.SelfAttribute("..school"))
    kind = "home_visit"
    notes = "Nobody home; left a letter."


class AgencyRequestFactory(_AboutStudent):
    class Meta:
        model = AgencyRequest

    requester_name = "Det. Sam Ortiz"
    requester_agency = "County Sheriff's Office"
    received_at = hours_ago(5)
    request_text = "Attendance records for March, for an investigation of a burglary."
