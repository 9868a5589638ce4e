from typing import Any

from django import forms

from srodesk.core.forms import RecordForm

from .models import Agency, District, Partnership, School


class DistrictForm(RecordForm):
    class Meta:
        model = District
        fields = ("name", "slug", "state", "nces_id")


class SchoolForm(RecordForm):
    class Meta:
        model = School
        fields = (
            "district",
            "name",
            "nces_id",
            "level",
            "address",
            "city",
            "state",
            "postal_code",
            "timezone",
            "campus_boundary",
        )
        widgets = {"campus_boundary": forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "campus_boundary"
        ].help_text = 'GeoJSON Polygon, e.g. {"type": "Polygon", "coordinates": [[[-83.1, 42.3], …, [-83.1, 42.3]]]}'


class AgencyForm(RecordForm):
    class Meta:
        model = Agency
        fields = ("name", "ori", "state", "phone")


class PartnershipForm(RecordForm):
    class Meta:
        model = Partnership
        fields = (
            "agency",
            "district",
            "state",
            "school_year_start_month",
            "school_year_start_day",
            "drill_rule_set",
            "mandated_report_rules",
            "retention_law_enforcement_years",
            "retention_education_years",
            "retention_hr_years",
            "retention_operational_years",
            "mou_signed_on",
        )
        widgets = {"mou_signed_on": forms.DateInput(attrs={"type": "date"})}
