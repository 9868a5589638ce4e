from typing import Any

from srodesk.core.testing import ViewTestCases
from srodesk.core.tests.sample.models import SampleCase

from .factories import SampleCaseFactory


class SampleCaseTests:
    model = SampleCase
    factory = SampleCaseFactory
    scope = "school"
    edit_field = ("title", "Renamed case")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "title": "Concern raised by a teacher",
            "opened_on": "2026-10-01",
        }


class SampleCaseViewTests(SampleCaseTests, ViewTestCases.RecordViewTests):
    pass
