import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from srodesk.accounts.tests.factories import UserFactory
from srodesk.alerts.choices import AlertKind, AlertStatus, SrpAction
from srodesk.alerts.models import AccountabilityReport, Alert
from srodesk.organizations.tests.factories import DistrictFactory, SchoolFactory


class AlertFactory(factory.django.DjangoModelFactory):
    """An active lockdown; ``schools=[...]`` names its schools (default: one new school of the district)."""

    class Meta:
        model = Alert
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    kind = AlertKind.SRP
    action = SrpAction.LOCKDOWN
    message = factory.Sequence(lambda n: f"Alert details {n}")
    status = AlertStatus.ACTIVE
    armed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=5))
    deliver_at = factory.LazyAttribute(lambda o: o.armed_at + dt.timedelta(seconds=10))
    activated_at = factory.LazyAttribute(lambda o: o.deliver_at)

    @factory.post_generation
    def schools(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        if extracted:
            self.schools.set(extracted)
        else:
            self.schools.add(SchoolFactory(district=self.district))


class AccountabilityReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountabilityReport
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    alert = factory.LazyAttribute(lambda o: AlertFactory(district=o.district, schools=[o.school]))
    reporter = factory.SubFactory(UserFactory)
    area = factory.Sequence(lambda n: f"Room {100 + n}")
    present_count = 24
