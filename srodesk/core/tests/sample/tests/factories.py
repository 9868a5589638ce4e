import factory

from srodesk.core.tests.sample.models import SampleCase
from srodesk.organizations.tests.factories import SchoolFactory


class SampleCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SampleCase

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    title = factory.Sequence(lambda n: f"Case {n}")
