from typing import Any

from srodesk.core.testing import APITestCases

from .test_views import DrillTests, EmergencyPlanTests


class DrillAPITests(DrillTests, APITestCases.RecordAPITests):
    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["scheduled_for"] = "2026-10-14T10:30:00-04:00"
        return data


class EmergencyPlanAPITests(EmergencyPlanTests, APITestCases.RecordAPITests):
    def get_api_data(self) -> dict[str, Any]:
        import json

        data = self.get_form_data()
        data["features"] = json.loads(data["features"])
        return data
