from typing import Any

from srodesk.accounts.models import Role, RoleAssignment
from srodesk.core.testing import ViewTestCases

from .factories import RoleAssignmentFactory


class RoleAssignmentTests:
    model = RoleAssignment
    factory = RoleAssignmentFactory
    scope = "district"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        district = cls.district_home if home else cls.district_away  # type: ignore[attr-defined]
        return RoleAssignmentFactory(district=district, role=Role.objects.get(slug="counselor"))

    @property
    def edit_field(self) -> tuple[str, Any]:  # type: ignore[override]
        return ("role", Role.objects.get(slug="bit_member").pk)

    def get_form_data(self) -> dict[str, Any]:
        return {
            "user": self.user_noperm.pk,  # type: ignore[attr-defined]
            "role": Role.objects.get(slug="counselor").pk,
            "district": self.district_home.pk,  # type: ignore[attr-defined]
        }


class RoleAssignmentViewTests(RoleAssignmentTests, ViewTestCases.RecordViewTests):
    pass
