import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from srodesk.organizations.tests.factories import SchoolFactory
from srodesk.people.models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle


class _InSchool(factory.django.DjangoModelFactory):
    """Records of one school: ``school`` given (or made), ``district`` follows it."""

    class Meta:
        abstract = True

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)


class StudentFactory(_InSchool):
    class Meta:
        model = Student
        skip_postgeneration_save = True

    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    identifier = factory.Sequence(lambda n: f"S{n:06d}")
    sourced_id = factory.Sequence(lambda n: f"stu-{n}")
    birth_date = dt.date(2010, 4, 7)
    grade = "09"

    @factory.post_generation
    def enrolled(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and self.school_id:
            self.schools.add(self.school)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        rename = {"school": "schools_"}

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    given_name = factory.Sequence(lambda n: f"Staff{n}")
    family_name = factory.Sequence(lambda n: f"Member{n}")
    sourced_id = factory.Sequence(lambda n: f"tch-{n}")
    role = "teacher"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        school = kwargs.pop("schools_", None)
        obj = super()._create(model_class, *args, **kwargs)
        if school is not None:
            obj.schools.add(school)
        return obj


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian
        rename = {"student": "students_"}

    student = factory.SubFactory(StudentFactory)
    district = factory.LazyAttribute(lambda o: o.student.district)
    given_name = factory.Sequence(lambda n: f"Parent{n}")
    family_name = factory.Sequence(lambda n: f"Guardian{n}")
    relationship = "parent"
    phone = "555-0101"

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        student = kwargs.pop("students_", None)
        obj = super()._create(model_class, *args, **kwargs)
        if student is not None:
            obj.students.add(student)
        return obj


class OtherPersonFactory(_InSchool):
    class Meta:
        model = OtherPerson

    given_name = factory.Sequence(lambda n: f"Visitor{n}")
    family_name = factory.Sequence(lambda n: f"Person{n}")
    kind = "visitor"


class VehicleFactory(_InSchool):
    class Meta:
        model = Vehicle

    plate = factory.Sequence(lambda n: f"ABC-{n:04d}")
    plate_state = "MI"
    make = "Ford"
    model = "Focus"
    colour = "Blue"


class DisclosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disclosure

    student = factory.SubFactory(StudentFactory)
    district = factory.LazyAttribute(lambda o: o.student.district)
    school = factory.LazyAttribute(lambda o: o.student.school)
    disclosed_at = factory.LazyFunction(timezone.now)
    recipient_name = factory.Sequence(lambda n: f"Officer {n}")
    recipient_organization = "County Juvenile Court"
    recipient_kind = "court"
    basis = "subpoena"
    court_order_reference = "JC-2026-0042"
    legitimate_interest = "Court order in a pending juvenile matter."
    records_disclosed = "Attendance and discipline records, 2025-26."


class RosterImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterImport

    district = factory.SubFactory("srodesk.organizations.tests.factories.DistrictFactory")
    source_name = factory.Sequence(lambda n: f"roster-{n}.zip")
    status = "succeeded"
