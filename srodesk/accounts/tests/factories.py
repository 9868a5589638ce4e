import factory

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.organizations.tests.factories import DistrictFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.django.Password("correct-horse-battery-staple")


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(slug="counselor"))
    district = factory.SubFactory(DistrictFactory)
