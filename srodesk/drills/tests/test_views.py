from typing import Any

from srodesk.core.testing import ViewTestCases
from srodesk.drills.models import Drill, EmergencyPlan

from .factories import DrillFactory, EmergencyPlanFactory


class DrillTests:
    model = Drill
    factory = DrillFactory
    scope = "school"
    edit_field = ("conducted_by", "Dr. Okafor, principal")

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            DrillFactory(school=cls.school_home)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "drill_type": "lockdown",
            "status": "scheduled",
            "scheduled_for": "2026-10-14T10:30",
            "time_of_day": "instruction",
            "conducted_by": "J. Rivera",
        }


class DrillViewTests(DrillTests, ViewTestCases.RecordViewTests):
    pass


class EmergencyPlanTests:
    model = EmergencyPlan
    factory = EmergencyPlanFactory
    scope = "school"
    edit_field = ("building", "Gym annex")

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            EmergencyPlanFactory(school=cls.school_home)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "building": "Main building",
            "name": "Main building plan",
            "map_kind": "campus",
            "features": (
                '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                '{"kind": "route", "name": "East exit"}, "geometry": {"type": "LineString", '
                '"coordinates": [[-83.75, 42.28], [-83.751, 42.281]]}}]}'
            ),
        }

    def edit_data_for(self, obj: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().edit_data_for(obj)  # type: ignore[misc]
        if not data.get("floor_plan"):
            data.pop("floor_plan", None)  # no image: nothing to post (a file input sends nothing)
        return data


class EmergencyPlanViewTests(EmergencyPlanTests, ViewTestCases.RecordViewTests):
    pass
