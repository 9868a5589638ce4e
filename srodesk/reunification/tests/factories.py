from typing import Any

import factory
from django.utils import timezone

from srodesk.organizations.tests.factories import SchoolFactory
from srodesk.people.models import fold
from srodesk.people.tests.factories import StudentFactory
from srodesk.reunification.models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException


class ReunificationEventFactory(factory.django.DjangoModelFactory):
    """An open event for one school (``school``); the district follows it."""

    class Meta:
        model = ReunificationEvent
        rename = {"school": "schools_"}

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    site_name = factory.Sequence(lambda n: f"Community Centre {n}")
    site_address = "1 Main Street"
    assembly_area = "Gym"
    started_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        school = kwargs.pop("schools_", None)
        obj = super()._create(model_class, *args, **kwargs)
        if school is not None:
            obj.schools.add(school)
        return obj


class EventStudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventStudent

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    event = factory.SubFactory(ReunificationEventFactory, school=factory.SelfAttribute("..school"))
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    name = factory.LazyAttribute(lambda o: o.student.display_name)
    search_name = factory.LazyAttribute(lambda o: fold(o.student.display_name))
    grade = factory.LazyAttribute(lambda o: o.student.grade)
    location = "Gym"


class ReunificationCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReunificationCard
        exclude = ("school",)

    school = factory.SubFactory(SchoolFactory)
    event_student = factory.SubFactory(EventStudentFactory, school=factory.SelfAttribute("..school"))
    event = factory.LazyAttribute(lambda o: o.event_student.event)
    district = factory.LazyAttribute(lambda o: o.event_student.district)
    adult_name = factory.Sequence(lambda n: f"Adult {n}")
    relationship = "Mother"
    phone = "555-0199"
    issued_at = factory.LazyFunction(timezone.now)


class ReunificationExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReunificationException
        exclude = ("school",)

    school = factory.SubFactory(SchoolFactory)
    event_student = factory.SubFactory(EventStudentFactory, school=factory.SelfAttribute("..school"))
    event = factory.LazyAttribute(lambda o: o.event_student.event)
    district = factory.LazyAttribute(lambda o: o.event_student.district)
    kind = "missing_student"
    note = "Not at the assembly area."
    raised_at = factory.LazyFunction(timezone.now)
