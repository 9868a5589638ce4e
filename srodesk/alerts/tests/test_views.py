"""The generated page suites: alert history list, live alert page (as detail) and history; report pages."""

from typing import Any

from srodesk.alerts.models import AccountabilityReport, Alert
from srodesk.core.testing import ViewTestCases

from .factories import AccountabilityReportFactory, AlertFactory


class AlertTests:
    """Alerts reach a school through their schools: in-scope users hold the role at the home school."""

    model = Alert
    factory = AlertFactory
    scope = "school"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        school = cls.school_home if home else cls.school_away  # type: ignore[attr-defined]
        return AlertFactory(district=school.district, schools=[school])

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            AlertFactory(district=cls.district_home, schools=[cls.school_home])  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {}


class AlertViewTests(AlertTests, ViewTestCases.RecordViewTests):
    pass


class AccountabilityReportTests:
    model = AccountabilityReport
    factory = AccountabilityReportFactory
    scope = "school"

    def get_form_data(self) -> dict[str, Any]:
        return {}


class AccountabilityReportViewTests(AccountabilityReportTests, ViewTestCases.RecordViewTests):
    pass
