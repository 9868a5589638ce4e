"""Forms of the law-enforcement records.

NIBRS multi-value data elements (weapon/force, bias motivation, criminal activity, injuries, armed with …)
are stored as JSON lists; the forms offer them as check-box lists of the versioned code table and refuse
unknown codes and too many values. Parts of an approved (locked) report cannot be added or changed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from srodesk.accounts.models import User
from srodesk.core.forms import RecordForm
from srodesk.core.permissions import restrict
from srodesk.organizations.models import School

from . import services
from .choices import ForceMethod
from .models import (
    Arrest,
    Attachment,
    DisciplineReferral,
    EvidenceItem,
    Incident,
    IncidentShare,
    InvolvedPerson,
    Offense,
    Property,
    Pursuit,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)
from .nibrs import codes

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

#: Multi-value NIBRS elements: (model, field) → (code table, most values allowed, label).
CODE_LISTS: dict[tuple[type[Any], str], tuple[str, int, str]] = {
    (Offense, "offender_suspected_of_using"): ("OffenseFactorCode", 3, "Offender suspected of using"),
    (Offense, "bias_motivations"): ("OffenseFactorBiasMotivationCode", 5, "Bias motivation"),
    (Offense, "criminal_activities"): ("CriminalActivityCategoryCode", 3, "Type of criminal activity"),
    (Offense, "weapons_force"): ("ForceCategoryCode", 3, "Type of weapon/force involved"),
    (InvolvedPerson, "injuries"): ("InjuryCategoryCode", 5, "Type of injury"),
    (InvolvedPerson, "assault_circumstances"): (
        "VictimAggravatedAssaultHomicide",
        2,
        "Aggravated assault/homicide circumstances",
    ),
    (Arrest, "armed_with"): ("ArresteeArmedWithCode", 2, "Arrestee was armed with"),
}


def code_list_errors(table: str, values: Any, most: int) -> list[str]:
    """What is wrong with a multi-value code list (empty when it is valid)."""
    if not isinstance(values, list):
        return ["Enter a list of codes."]
    known = codes.table(table)
    errors = [f"“{v}” is not a valid code." for v in values if not isinstance(v, str) or v not in known]
    if len(values) > most:
        errors.append(f"Choose at most {most}.")
    if len({str(v) for v in values}) != len(values):
        errors.append("Each code only once.")
    return errors


class CodeListField(forms.MultipleChoiceField):
    """A list of codes from one NIBRS code table, chosen with check boxes; at most ``most`` of them."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, table: str, most: int, **kwargs: Any) -> None:
        self.table, self.most = table, most
        kwargs.setdefault("required", False)
        help_text = kwargs.pop("help_text", "") or ""
        kwargs["help_text"] = f"Choose up to {most}." + (f" {help_text}" if help_text else "")
        # Long codes (bias motivations) do not wrap on a phone: those show their description only.
        with_code = all(len(code) <= 8 for code in codes.table(table))
        super().__init__(choices=codes.choices(table, with_code=with_code), **kwargs)
        self.widget.attrs.setdefault("class", "code-list")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > self.most:
            raise ValidationError(f"Choose at most {self.most}.", code="max_length")


def refresh(form: Any) -> None:
    """Validate again after ``__init__`` adjusted fields (the base form validated a bound form already)."""
    form._bound_fields_cache = {}
    if form.is_bound:
        form._errors = None
        for name in form.errors:
            if name in form.fields:
                form.fields[name].widget.attrs["aria-invalid"] = "true"


class IncidentChildForm(RecordForm):
    """A part of an incident: the incident is chosen (or pre-filled) and must not be locked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for (owner, name), (table, most, label) in CODE_LISTS.items():
            if owner is model and name in self.fields:
                self.fields[name] = CodeListField(table, most, label=label)
        if "incident" in self.fields and self.instance.pk is not None:
            # A part stays with its report.
            self.fields["incident"].disabled = True
        refresh(self)

    def current_incident(self) -> Incident | None:
        if self.instance.pk is not None:
            incident: Incident | None = self.instance.incident
            return incident
        value = self.cleaned_data.get("incident") if hasattr(self, "cleaned_data") else None
        return value if isinstance(value, Incident) else None

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        reason = services.lock_reason(self.current_incident())
        if reason:
            if self.instance.pk is None and "incident" in self.fields:
                self.add_error("incident", reason)
            else:
                raise ValidationError(reason, code="locked")
        incident = self.current_incident()
        for name in self.incident_bound_fields():
            value = cleaned.get(name)
            if value is not None and incident is not None and getattr(value, "incident_id", None) != incident.pk:
                self.add_error(name, "Choose a person of the same report.")
        return cleaned

    def incident_bound_fields(self) -> tuple[str, ...]:
        """Foreign keys to other parts, which must belong to the same incident."""
        return ()


class IncidentForm(RecordForm):
    class Meta:
        model = Incident
        fields = (
            "title",
            "school",
            "district",
            "agency",
            "occurred_at",
            "occurred_until",
            "reported_at",
            "location_type",
            "school_relation",
            "location_detail",
            "source",
            "referred_by",
            "narrative",
            "cleared_exceptionally",
            "exceptional_clearance_date",
            "cargo_theft",
        )
        widgets = {
            "occurred_at": DATETIME,
            "occurred_until": DATETIME,
            "reported_at": DATETIME,
            "exceptional_clearance_date": DATE,
            "narrative": forms.Textarea(attrs={"rows": 10}),
        }
        help_texts = {"district": "Taken from the school when left empty."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].required = False
        for name in ("occurred_at", "occurred_until", "reported_at"):
            self.fields[name].input_formats = DATETIME_FORMATS  # type: ignore[attr-defined]
        if self.instance.pk is None and self.user is not None and not self.is_bound:
            school_ids = list(self.fields["school"].queryset.values_list("pk", flat=True)[:2])  # type: ignore[attr-defined]
            if len(school_ids) == 1:
                self.initial.setdefault("school", school_ids[0])
            agency_ids = list(self.fields["agency"].queryset.values_list("pk", flat=True)[:2])  # type: ignore[attr-defined]
            if len(agency_ids) == 1:
                self.initial.setdefault("agency", agency_ids[0])
        refresh(self)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        reason = services.lock_reason(self.instance if self.instance.pk else None)
        if reason:
            raise ValidationError(reason, code="locked")
        school = cleaned.get("school")
        if school is not None and cleaned.get("district") is None:
            cleaned["district"] = school.district
        elif school is None and cleaned.get("district") is None and "district" not in self.errors:
            self.add_error("district", "Choose a school or a district.")
        if cleaned.get("source") == "school_referral" and not (cleaned.get("referred_by") or "").strip():
            self.add_error("referred_by", "Name the school official who referred it.")
        return cleaned

    def save(self, commit: bool = True) -> Incident:
        incident: Incident = super().save(commit=False)
        if incident.pk is None and incident.officer_id is None and getattr(self.user, "pk", None):
            incident.officer_id = self.user.pk
        if commit:
            incident.save()
            self.save_m2m()
        return incident


class OffenseForm(IncidentChildForm):
    class Meta:
        model = Offense
        fields = (
            "incident",
            "ucr_code",
            "attempted_completed",
            "offender_suspected_of_using",
            "weapons_force",
            "bias_motivations",
            "criminal_activities",
            "location_type",
            "premises_entered",
            "method_of_entry",
        )


class InvolvedPersonForm(IncidentChildForm):
    class Meta:
        model = InvolvedPerson
        fields = (
            "incident",
            "role",
            "sequence_number",
            "student",
            "staff_member",
            "other_person",
            "name",
            "victim_type",
            "age_code",
            "sex",
            "race",
            "ethnicity",
            "resident_status",
            "injuries",
            "assault_circumstances",
            "offenses",
            "contact_phone",
            "contact_address",
            "statement",
        )
        help_texts = {
            "age_code": "As the officer recorded it, not from the roster: 01–98, 99 over 98, 00 unknown, "
            "NN/NB/BB infants, or a range as 1517.",
        }

    def clean_age_code(self) -> str:
        value = str(self.cleaned_data.get("age_code") or "").strip().upper()
        if value and services.nibrs_age(value) is None and value != "00":
            raise ValidationError("Enter 01–99, 00, NN, NB, BB or a range such as 1517.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        incident = self.current_incident()
        offenses = cleaned.get("offenses")
        if incident is not None and offenses is not None and any(o.incident_id != incident.pk for o in offenses):
            self.add_error("offenses", "Choose offenses of the same report.")
        return cleaned


class VictimOffenderRelationshipForm(IncidentChildForm):
    class Meta:
        model = VictimOffenderRelationship
        fields = ("incident", "victim", "offender", "relationship")

    def incident_bound_fields(self) -> tuple[str, ...]:
        return ("victim", "offender")


class PropertyForm(IncidentChildForm):
    class Meta:
        model = Property
        fields = (
            "incident",
            "offense",
            "loss_type",
            "description_code",
            "description",
            "value",
            "recovered_on",
            "drug_type",
            "drug_quantity",
            "drug_measure",
        )
        widgets = {"recovered_on": DATE}

    def incident_bound_fields(self) -> tuple[str, ...]:
        return ("offense",)


class ArrestForm(IncidentChildForm):
    class Meta:
        model = Arrest
        fields = (
            "incident",
            "arrestee",
            "transaction_number",
            "arrest_date",
            "arrest_type",
            "multiple_arrestee",
            "arrest_offense",
            "armed_with",
            "juvenile_disposition",
            "outcome",
            "diversion_program",
            "diversion_outcome",
            "court_case_number",
            "notes",
        )
        widgets = {"arrest_date": DATE}
        help_texts = {
            "arrest_type": "O on-view, S summoned/cited, T taken into custody (warrant or previous incident).",
            "juvenile_disposition": "Required when the arrestee's recorded age is under 18; blank otherwise.",
        }

    def incident_bound_fields(self) -> tuple[str, ...]:
        return ("arrestee",)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        arrestee = cleaned.get("arrestee")
        if arrestee is not None and "juvenile_disposition" not in self.errors:
            for field, message in services.juvenile_disposition_errors(
                arrestee.age_code, cleaned.get("juvenile_disposition") or ""
            ).items():
                self.add_error(field, message)
        if cleaned.get("outcome") == "diversion" and not (cleaned.get("diversion_program") or "").strip():
            self.add_error("diversion_program", "Name the diversion programme.")
        return cleaned


class UseOfForceForm(IncidentChildForm):
    methods = forms.MultipleChoiceField(
        choices=ForceMethod.choices, widget=forms.CheckboxSelectMultiple, help_text="Every method used."
    )

    class Meta:
        model = UseOfForce
        fields = (
            "incident",
            "subject",
            "occurred_at",
            "kind",
            "methods",
            "duration_minutes",
            "reason",
            "de_escalation",
            "subject_injured",
            "officer_injured",
            "medical_attention",
            "parent_notified_at",
            "supervisor_notified_at",
        )
        widgets = {"occurred_at": DATETIME, "parent_notified_at": DATETIME, "supervisor_notified_at": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("occurred_at", "parent_notified_at", "supervisor_notified_at"):
            self.fields[name].input_formats = DATETIME_FORMATS  # type: ignore[attr-defined]
        refresh(self)

    def incident_bound_fields(self) -> tuple[str, ...]:
        return ("subject",)

    def save(self, commit: bool = True) -> UseOfForce:
        obj: UseOfForce = super().save(commit=False)
        if obj.pk is None and obj.officer_id is None and getattr(self.user, "pk", None):
            obj.officer_id = self.user.pk
        if commit:
            obj.save()
            self.save_m2m()
        return obj


class SupplementForm(IncidentChildForm):
    class Meta:
        model = Supplement
        fields = ("incident", "narrative")

    def clean(self) -> dict[str, Any]:
        # Supplements are how facts join a locked report: only a voided report refuses them.
        cleaned: dict[str, Any] = forms.ModelForm.clean(self) or {}
        incident = self.current_incident()
        if incident is not None and incident.voided_at is not None:
            self.add_error("incident", services.VOIDED_MESSAGE)
        return cleaned


class AttachmentForm(IncidentChildForm):
    class Meta:
        model = Attachment
        fields = ("incident", "file", "description")


class IncidentShareForm(IncidentChildForm):
    """Share a report with a school of its district (the incident comes from the page)."""

    class Meta:
        model = IncidentShare
        fields = ("incident", "school", "reason")

    def __init__(self, *args: Any, incident: Incident | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if incident is not None:
            self.fields["school"].queryset = School.objects.alive().filter(district_id=incident.district_id)  # type: ignore[attr-defined]
            self.fields.pop("incident")
        self.fields["reason"].widget.attrs["rows"] = 3
        refresh(self)

    def clean(self) -> dict[str, Any]:
        return forms.ModelForm.clean(self) or {}


class SearchForm(RecordForm):
    class Meta:
        model = Search
        fields = (
            "incident",
            "school",
            "district",
            "agency",
            "occurred_at",
            "student",
            "other_person",
            "subject",
            "conducted_by",
            "school_official",
            "legal_basis",
            "warrant_number",
            "reason",
            "justification",
            "anything_found",
            "found",
        )
        widgets = {"occurred_at": DATETIME}
        help_texts = {
            "legal_basis": "An officer's search on another basis than probable cause, a warrant, consent, exigency "
            "or incident to arrest needs a written justification and is flagged for the supervisor.",
            "warrant_number": "Required for a search under a warrant.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].required = False
        self.fields["occurred_at"].input_formats = DATETIME_FORMATS  # type: ignore[attr-defined]
        refresh(self)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        _district_from_school(self, cleaned)
        if (
            cleaned.get("conducted_by") in ("school_official", "both")
            and not (cleaned.get("school_official") or "").strip()
        ):
            self.add_error("school_official", "Name the school official who conducted the search.")
        return cleaned

    def save(self, commit: bool = True) -> Search:
        obj: Search = super().save(commit=False)
        if obj.pk is None and obj.officer_id is None and getattr(self.user, "pk", None):
            obj.officer_id = self.user.pk
        if commit:
            obj.save()
            self.save_m2m()
        return obj


def _district_from_school(form: forms.ModelForm, cleaned: dict[str, Any]) -> None:  # type: ignore[type-arg]
    school = cleaned.get("school")
    if school is not None and cleaned.get("district") is None:
        cleaned["district"] = school.district
    elif school is None and cleaned.get("district") is None and "district" not in form.errors:
        form.add_error("district", "Choose a school or a district.")


class EvidenceItemForm(RecordForm):
    class Meta:
        model = EvidenceItem
        fields = (
            "incident",
            "school",
            "district",
            "agency",
            "category",
            "description",
            "where_found",
            "found_on_student",
            "found_on_other",
            "collected_at",
        )
        widgets = {"collected_at": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].required = False
        self.fields["collected_at"].input_formats = DATETIME_FORMATS  # type: ignore[attr-defined]
        refresh(self)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        _district_from_school(self, cleaned)
        return cleaned


class PursuitForm(RecordForm):
    class Meta:
        model = Pursuit
        fields = (
            "incident",
            "school",
            "district",
            "agency",
            "started_at",
            "ended_at",
            "on_foot",
            "start_location",
            "end_location",
            "left_district_property",
            "threat_to_school",
            "outcome",
        )
        widgets = {"started_at": DATETIME, "ended_at": DATETIME}
        help_texts = {
            "threat_to_school": "Required to leave district property: the threat to the school's safety. "
            "A pursuit off district property without it is flagged for the supervisor.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].required = False
        for name in ("started_at", "ended_at"):
            self.fields[name].input_formats = DATETIME_FORMATS  # type: ignore[attr-defined]
        refresh(self)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        _district_from_school(self, cleaned)
        start, end = cleaned.get("started_at"), cleaned.get("ended_at")
        if start and end and end < start:
            self.add_error("ended_at", "The end is before the start.")
        return cleaned


class DisciplineReferralForm(RecordForm):
    class Meta:
        model = DisciplineReferral
        fields = (
            "school",
            "district",
            "student",
            "occurred_at",
            "behaviour",
            "description",
            "referred_to",
            "status",
            "administrator_response",
        )
        widgets = {"occurred_at": DATETIME}
        help_texts = {
            "behaviour": "A school-rule matter for the administrator to decide, not an enforcement action.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].required = False
        self.fields["occurred_at"].input_formats = DATETIME_FORMATS  # type: ignore[attr-defined]
        self.fields["referred_to"].queryset = administrators(self.user)  # type: ignore[attr-defined]
        self.fields["referred_to"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: u.get_full_name() or u.username
        )
        refresh(self)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        school = cleaned.get("school")
        if school is not None and cleaned.get("district") is None:
            cleaned["district"] = school.district
        return cleaned


def administrators(user: Any) -> Any:
    """School administrators of the schools and districts the user may see (choices of a referral)."""
    schools = restrict(School.objects.alive(), user, "view")
    return (
        User.objects.filter(is_active=True, role_assignments__deleted_at__isnull=True)
        .filter(role_assignments__role__slug="school_admin")
        .filter(
            Q(role_assignments__school__in=schools.values("pk"))
            | Q(role_assignments__district__in=schools.values("district_id"))
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change", widget=forms.Textarea(attrs={"rows": 4}), help_text="The officer sees this."
    )


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="Why the report is voided",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit log; the NIBRS export sends a deletion.",
    )


class SupplementAddForm(forms.Form):
    narrative = forms.CharField(
        label="Supplement", widget=forms.Textarea(attrs={"rows": 6}), help_text="Dated and signed with your name."
    )


class AttachmentUploadForm(forms.Form):
    file = forms.FileField()
    description = forms.CharField(max_length=200, required=False)


class RevokeShareForm(forms.Form):
    reason = forms.CharField(label="Why the share is revoked", max_length=255, widget=forms.Textarea(attrs={"rows": 2}))
