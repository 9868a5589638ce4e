"""Forms of the reunification pages: the record forms and one form per workflow step."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from srodesk.core.forms import RecordForm

from .choices import ExceptionKind, IdType, Resolution
from .models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException
from .services import Custody

NOT_LISTED = "none"


class ReunificationEventForm(RecordForm):
    """Start a reunification: the site and the schools whose students are expected there."""

    class Meta:
        model = ReunificationEvent
        fields = ("district", "schools", "site_name", "site_address", "assembly_area", "alert", "is_drill")
        widgets = {"schools": forms.CheckboxSelectMultiple}
        help_texts = {
            "site_name": "A school, a church, a community centre … (one of the plan's reunification sites).",
            "schools": "Their active students are listed as expected at the site.",
        }


class EventStudentForm(RecordForm):
    class Meta:
        model = EventStudent
        fields = ("location",)


class ReunificationCardForm(RecordForm):
    """Greeter: the adult fills in the card."""

    class Meta:
        model = ReunificationCard
        fields = ("adult_name", "relationship", "phone")
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}


class ReunificationExceptionForm(RecordForm):
    """Divert a student to the exceptions area."""

    class Meta:
        model = ReunificationException
        fields = ("kind", "note")


class CheckForm(forms.Form):
    """Checker: photo ID seen, and which of the roster's adults is at the table."""

    guardian = forms.ChoiceField(
        label="Adult on the student's list", widget=forms.RadioSelect, help_text="Compare the photo ID with the list."
    )
    id_type = forms.ChoiceField(label="Photo ID type", choices=[("", "—"), *IdType.choices])
    id_last4 = forms.CharField(
        label="ID number, last 4", min_length=4, max_length=4, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    id_verified = forms.BooleanField(label="I have seen the adult's photo ID and it matches the card", required=False)

    def __init__(self, *args: Any, custody: Custody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (str(a.guardian_id), f"{a.name} ({a.relationship}){'' if a.may_pick_up else ' – may not pick up'}")
            for a in custody.adults
        ]
        field = cast(forms.ChoiceField, self.fields["guardian"])
        field.choices = [*choices, (NOT_LISTED, "Not on the list")]

    def guardian_id(self) -> int | None:
        value = self.cleaned_data["guardian"]
        return None if value == NOT_LISTED else int(value)


class ReleaseForm(forms.Form):
    student_agreed = forms.TypedChoiceField(
        label="Asked, does the student agree to leave with this adult?",
        choices=[("yes", "Yes, the student agrees"), ("no", "No: send to exceptions")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(choices=Resolution.choices, widget=forms.RadioSelect)
    resolution_note = forms.CharField(
        label="What was decided, and by whom", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CloseForm(forms.Form):
    note = forms.CharField(label="Closing note", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *ExceptionKind.choices])
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
