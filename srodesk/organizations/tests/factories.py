import factory

from srodesk.organizations.models import Agency, District, Partnership, School


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    state = "MI"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    timezone = "America/Detroit"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Police Department {n}")
    ori = factory.Sequence(lambda n: f"MI{n:07d}")
    state = "MI"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    agency = factory.SubFactory(AgencyFactory)
    district = factory.SubFactory(DistrictFactory)
    state = "MI"
    drill_rule_set = "MI"
    mandated_report_rules = "MI"
