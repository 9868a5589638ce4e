from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.utils import timezone

from srodesk.core.forms import RecordForm

from .models import Drill, EmergencyPlan, school_zone
from .services import retain_until_for

DATETIME_FIELDS = ("scheduled_for", "conducted_at", "published_at")


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DrillForm(RecordForm):
    """Times are typed in the school's own time zone (a district may span two)."""

    class Meta:
        model = Drill
        fields = (
            "school",
            "drill_type",
            "status",
            "scheduled_for",
            "conducted_at",
            "time_of_day",
            "conducted_by",
            "observed_by",
            "law_enforcement_observed",
            "law_enforcement_agency",
            "law_enforcement_officer",
            "fire_department_participated",
            "secondary_egress",
            "participants_count",
            "duration_seconds",
            "headcount",
            "accounted_for",
            "issues_found",
            "after_action_notes",
            "published_at",
        )
        widgets = {name: datetime_input() for name in DATETIME_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            zone = school_zone(self.instance.school)
            for name in DATETIME_FIELDS:
                value = getattr(self.instance, name)
                if value is not None:
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        school = data.get("school")
        if school is not None:
            # The browser sends a wall-clock time: read it in the school's zone, not the server's.
            zone = school_zone(school)
            current = timezone.get_current_timezone()
            for name in DATETIME_FIELDS:
                value = data.get(name)
                if isinstance(value, dt.datetime):
                    wall = value.astimezone(current).replace(tzinfo=None)
                    data[name] = wall.replace(tzinfo=zone)
        return data

    def save(self, commit: bool = True) -> Drill:
        drill: Drill = super().save(commit=False)
        drill.retain_until = retain_until_for(drill)
        if commit:
            drill.save()
        return drill


class PlanEditorWidget(forms.Textarea):
    """The features as GeoJSON text, with a click-to-add map editor over it when JavaScript runs."""

    template_name = "drills/widgets/plan_editor.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 6, "class": "plan-geojson", **(attrs or {})})
        self.boundaries: dict[str, Any] = {}
        self.floor_plan: dict[str, Any] = {}

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dict | list):
            return json.dumps(value, indent=1)
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["boundaries"] = self.boundaries
        context["floor_plan"] = self.floor_plan
        return context


class EmergencyPlanForm(RecordForm):
    class Meta:
        model = EmergencyPlan
        fields = (
            "school",
            "building",
            "name",
            "map_kind",
            "floor_plan",
            "features",
            "notes",
            "reviewed_on",
            "reviewed_by",
        )
        widgets = {"reviewed_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["features"]
        widget = PlanEditorWidget()
        field.widget = widget
        field.required = False
        field.help_text = (
            "Draw on the map: choose what to add, click points, then “Finish”. Routes need two or more "
            "points; an area is one point or three and more. Or type GeoJSON here."
        )
        schools = self.fields["school"].queryset  # type: ignore[attr-defined]
        widget.boundaries = {str(s.pk): s.campus_boundary for s in schools.only("pk", "campus_boundary")}
        widget.floor_plan = self.instance.floor_plan_info() or {}

    def clean_features(self) -> Any:
        value = self.cleaned_data.get("features")
        return value if value not in (None, "") else {"type": "FeatureCollection", "features": []}
