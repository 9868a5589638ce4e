import json
from typing import Any

from srodesk.core.testing import ViewTestCases
from srodesk.organizations.models import Agency, District, Partnership, School

from .factories import AgencyFactory, DistrictFactory, PartnershipFactory, SchoolFactory

BOUNDARY = {"type": "Polygon", "coordinates": [[[-83.1, 42.3], [-83.0, 42.3], [-83.0, 42.4], [-83.1, 42.3]]]}


class DistrictTests:
    model = District
    factory = DistrictFactory
    scope = "district"
    add_scope = "platform"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return cls.district_home if home else cls.district_away  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {"name": "Lakeside Public Schools", "slug": "lakeside", "state": "MI", "nces_id": "2612345"}


class DistrictViewTests(DistrictTests, ViewTestCases.RecordViewTests):
    pass


class SchoolTests:
    model = School
    factory = SchoolFactory
    scope = "district"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return SchoolFactory(district=cls.district_home if home else cls.district_away)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "name": "Northview Elementary",
            "nces_id": "261234500001",
            "level": "elementary",
            "timezone": "America/Detroit",
            "campus_boundary": json.dumps(BOUNDARY),
        }

    def get_api_data(self) -> dict[str, Any]:
        data = self.get_form_data()
        data["campus_boundary"] = BOUNDARY
        return data


class SchoolViewTests(SchoolTests, ViewTestCases.RecordViewTests):
    pass


class AgencyTests:
    model = Agency
    factory = AgencyFactory
    scope = "agency"
    add_scope = "platform"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return cls.agency_home if home else cls.agency_away  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {"name": "Lakeside County Sheriff", "ori": "MI4100000", "state": "MI", "phone": "555-0100"}


class AgencyViewTests(AgencyTests, ViewTestCases.RecordViewTests):
    pass


class PartnershipTests:
    model = Partnership
    factory = PartnershipFactory
    scope = "district"
    add_scope = "platform"
    edit_field = ("state", "IL")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return cls.partnership_home if home else cls.partnership_away  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "agency": self.agency_away.pk,  # type: ignore[attr-defined]
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "state": "MI",
            "school_year_start_month": 9,
            "school_year_start_day": 2,
            "drill_rule_set": "MI",
            "mandated_report_rules": "MI",
            "retention_law_enforcement_years": 7,
            "retention_education_years": 5,
            "retention_hr_years": 7,
            "retention_operational_years": 3,
        }


class PartnershipViewTests(PartnershipTests, ViewTestCases.RecordViewTests):
    pass
