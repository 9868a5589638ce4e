import datetime as dt

import factory
from django.utils import timezone

from srodesk.accounts.models import User
from srodesk.organizations.tests.factories import SchoolFactory
from srodesk.people.tests.factories import StudentFactory
from srodesk.threats.choices import TeamRole
from srodesk.threats.models import SafetyPlanItem, Team, TeamMember, ThreatCase


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    name = factory.Sequence(lambda n: f"Threat assessment team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    team_role = TeamRole.MENTAL_HEALTH


class ThreatCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThreatCase
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    team = factory.SubFactory(TeamFactory, school=factory.SelfAttribute("..school"))
    student = factory.SubFactory(StudentFactory, school=factory.SelfAttribute("..school"))
    reported_at = factory.LazyFunction(timezone.now)
    reporter_name = "Ms. Teacher"
    exact_words = "I'm going to get you after school."
    targets = "A classmate"


class SafetyPlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SafetyPlanItem

    case = factory.SubFactory(ThreatCaseFactory)
    action = "Daily check-in with the counselor"
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
