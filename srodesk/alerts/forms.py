"""Forms of the alert pages: step 1 of starting an alert, all-clear, and "Report my room".

The forms parse; the services decide (scope, state, the roster a report may name).
"""

from __future__ import annotations

from typing import Any

from django import forms

from srodesk.core.forms import RecordForm
from srodesk.organizations.models import School

from . import services
from .models import AccountabilityReport, Alert


def _revalidate(form: Any) -> None:
    """The base form validates while it is built, against its own choices: validate again with ours."""
    if not form.is_bound:
        return
    form._errors = None
    for name, field in form.fields.items():
        field.widget.attrs.pop("aria-invalid", None)
        if name in form.errors:
            field.widget.attrs["aria-invalid"] = "true"


class AlertForm(RecordForm):
    """Step 1: what to send and to which schools (only schools where the user may start an alert)."""

    class Meta:
        model = Alert
        fields = ("kind", "action", "schools", "is_drill", "location", "hazard", "strategy", "message", "audience")
        widgets = {
            "kind": forms.RadioSelect,
            "action": forms.RadioSelect,
            "schools": forms.CheckboxSelectMultiple,
            "message": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "is_drill": "A drill is marked DRILL on every screen, message and CAP feed.",
            "location": "Evacuate only: where to go.",
            "hazard": "Shelter only: the hazard (tornado, hazmat …).",
            "strategy": "Shelter only: the safety strategy (drop, cover and hold; seal the room …).",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools: Any = self.fields["schools"]
        schools.queryset = services.schools_in_scope(self.user, services.ADD_ALERT).order_by("name", "pk")
        action: Any = self.fields["action"]
        action.choices = [c for c in action.choices if c[0]]
        action.required = False
        _revalidate(self)
        if schools.queryset.count() == 1 and not self.is_bound:
            self.initial["schools"] = [schools.queryset.first().pk]

    def arm_fields(self) -> dict[str, Any]:
        """The cleaned data as ``services.arm`` takes it."""
        data = dict(self.cleaned_data)
        data["schools"] = list(data["schools"])
        return data


class CancelForm(forms.Form):
    """Nothing to type: the button is the deliberate act."""


class AllClearForm(forms.Form):
    message = forms.CharField(
        label="All-clear message",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what happens next (e.g. resume the normal schedule).",
    )


class AccountabilityReportForm(RecordForm):
    """A staff member's room report. The student lists are the school's active roster: names only,
    offered to holders of ``alerts.add_accountabilityreport`` for this purpose (see docs/alerts.md)."""

    class Meta:
        model = AccountabilityReport
        fields = ("area", "present_count", "adults_present", "missing", "extra", "injured", "needs_help", "notes")
        labels = {"present_count": "Students with you", "adults_present": "Adults with you"}
        help_texts = {
            "missing": "Students who should be with you and are not.",
            "extra": "Students with you who are not usually here.",
            "injured": "Students with you who are hurt.",
            "needs_help": "Check if you need help now (medical, a door, a threat).",
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, school: School | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roster = services.roster(school) if school is not None else None
        for name in ("missing", "extra", "injured"):
            field: Any = self.fields[name]
            if roster is not None:
                field.queryset = roster
            field.required = False
            field.widget.attrs["size"] = 6
            field.label_from_instance = lambda student: f"{student.display_name} ({student.grade or '—'})"
        _revalidate(self)
        self.fields["area"].widget.attrs.setdefault("autocomplete", "off")
        self.fields["present_count"].widget.attrs.setdefault("inputmode", "numeric")
