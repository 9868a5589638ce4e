from typing import Any

from srodesk.core.testing import APITestCases

from .test_views import TeamTests, ThreatCaseTests


class TeamAPITests(TeamTests, APITestCases.RecordAPITests):
    pass


class ThreatCaseAPITests(ThreatCaseTests, APITestCases.RecordAPITests):
    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["reported_at"] = "2026-03-02T10:15:00-05:00"
        return data
