import datetime as dt

import factory

from srodesk.drills.choices import DrillStatus, DrillType, MapKind
from srodesk.drills.models import Drill, EmergencyPlan
from srodesk.organizations.tests.factories import SchoolFactory


class DrillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drill

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    drill_type = DrillType.FIRE
    status = DrillStatus.SCHEDULED
    scheduled_for = factory.Sequence(lambda n: dt.datetime(2026, 9, 1, 14, 0, tzinfo=dt.UTC) + dt.timedelta(days=n))
    conducted_by = factory.Sequence(lambda n: f"Principal {n}")


class EmergencyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmergencyPlan

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    building = factory.Sequence(lambda n: f"Building {n}")
    name = "Emergency plan"
    map_kind = MapKind.CAMPUS
    features = factory.LazyFunction(
        lambda: {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"kind": "assembly_area", "name": "North field"},
                    "geometry": {"type": "Point", "coordinates": [-83.75, 42.28]},
                }
            ],
        }
    )
