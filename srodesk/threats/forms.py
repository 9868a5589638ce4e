"""Forms of threat assessment: the team and case (intake) record forms, and one form per workflow step.

The step forms only parse input; the rules are in ``services.py``, whose ``ValidationError`` is shown on
the form that was posted (nothing typed is lost).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from srodesk.accounts.models import User
from srodesk.core.forms import RecordForm

from .choices import (
    INTERVIEW_PROMPTS,
    Classification,
    DisciplineAction,
    Finding,
    MonitoringKind,
    ProtectiveActionKind,
    TeamRole,
    Theme,
)
from .models import SafetyPlanItem, Team, TeamMember, ThreatCase

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATE = forms.DateInput(attrs={"type": "date"})


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class TeamForm(RecordForm):
    class Meta:
        model = Team
        fields = ("school", "name", "active", "notes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].required = True


class ThreatCaseForm(RecordForm):
    """Intake: who reported, when and how, the exact words or actions, the targets."""

    class Meta:
        model = ThreatCase
        fields = (
            "team",
            "student",
            "reported_at",
            "occurred_on",
            "reporter_anonymous",
            "reporter_name",
            "how_reported",
            "location",
            "exact_words",
            "targets",
            "context",
            "special_education",
        )
        widgets = {"reported_at": datetime_input(), "occurred_on": DATE}
        help_texts = {"reporter_name": "Leave empty for an anonymous report."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        team.queryset = team.queryset.filter(active=True)  # type: ignore[attr-defined]


# --- team membership ------------------------------------------------------------------------------


def users_near(team: Team) -> QuerySet[User]:
    """Active users holding a role in the team's school or its district."""
    assigned = Q(role_assignments__school_id=team.school_id) | Q(
        role_assignments__district_id=team.district_id, role_assignments__school__isnull=True
    )
    return (
        User.objects.filter(assigned, is_active=True, role_assignments__deleted_at__isnull=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.username})" if full else str(obj.username)


class TeamMemberForm(forms.Form):
    user = UserChoiceField(queryset=User.objects.none(), label="Person")
    team_role = forms.ChoiceField(choices=TeamRole.choices, label="Team role")

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = TeamMember.objects.filter(team=team, deleted_at__isnull=True).values("user_id")
        self.fields["user"].queryset = users_near(team).exclude(pk__in=current)  # type: ignore[attr-defined]


class RemovalForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Reason for the removal")


# --- case steps -----------------------------------------------------------------------------------


class InterviewForm(forms.Form):
    """Built per person interviewed (``for_subject``): one answer box per standard prompt."""

    subject: str = ""
    person_name = forms.CharField(max_length=200, label="Person interviewed")
    interviewed_at = forms.DateTimeField(required=False, widget=datetime_input(), label="Interviewed at")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def for_subject(cls, subject: str) -> type[InterviewForm]:
        fields: dict[str, Any] = {
            f"answer_{key}": forms.CharField(label=prompt, required=False, widget=forms.Textarea(attrs={"rows": 2}))
            for key, prompt in INTERVIEW_PROMPTS[subject]
        }
        return type(f"{subject.capitalize()}InterviewForm", (cls,), {"subject": subject, **fields})

    def answers(self) -> dict[str, str]:
        return {
            name.removeprefix("answer_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("answer_")
        }


class ProtectiveActionForm(forms.Form):
    kind = forms.ChoiceField(choices=ProtectiveActionKind.choices, label="Protective action")
    taken_at = forms.DateTimeField(required=False, widget=datetime_input(), label="Taken at (empty: now)")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ClassifyForm(forms.Form):
    classification = forms.ChoiceField(choices=Classification.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for a transient threat: how it was resolved and why no intent to harm remains.",
    )


class SafetyEvaluationForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Safety evaluation summary")


class PlanItemForm(forms.Form):
    action = forms.CharField(max_length=300)
    owner = UserChoiceField(queryset=User.objects.none())
    due_on = forms.DateField(widget=DATE, label="Due or review date")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, case: ThreatCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        on_team = TeamMember.objects.filter(team_id=case.team_id, deleted_at__isnull=True).values("user_id")
        added = case.added_members.through.objects.filter(threatcase_id=case.pk).values("user_id")
        self.fields["owner"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(Q(pk__in=on_team) | Q(pk__in=added), is_active=True).order_by("username")
        )


class PlanItemDoneForm(forms.Form):
    item = forms.ModelChoiceField(queryset=SafetyPlanItem.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: ThreatCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = SafetyPlanItem.objects.filter(  # type: ignore[attr-defined]
            case=case, deleted_at__isnull=True, done_at__isnull=True
        )


class MonitoringForm(forms.Form):
    kind = forms.ChoiceField(choices=MonitoringKind.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class ThemesForm(forms.Form):
    """The USSS themes checklist: finding, evidence and source for each theme."""

    def __init__(self, *args: Any, case: ThreatCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {f.theme: f for f in case.theme_findings.filter(deleted_at__isnull=True)}
        for theme in Theme:
            row = current.get(theme.value)
            self.fields[f"{theme.value}_finding"] = forms.ChoiceField(
                choices=Finding.choices, label=f"{theme.label}: finding", initial=row.finding if row else None
            )
            self.fields[f"{theme.value}_evidence"] = forms.CharField(
                required=False,
                label=f"{theme.label}: evidence",
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=row.evidence if row else "",
            )
            self.fields[f"{theme.value}_source"] = forms.CharField(
                required=False, max_length=300, label=f"{theme.label}: source", initial=row.source if row else ""
            )

    def findings(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            theme.value: {
                "finding": data[f"{theme.value}_finding"],
                "evidence": data[f"{theme.value}_evidence"],
                "source": data[f"{theme.value}_source"],
            }
            for theme in Theme
        }


class DisciplineForm(forms.Form):
    action = forms.ChoiceField(choices=DisciplineAction.choices, label="Discipline")
    days = forms.IntegerField(required=False, min_value=0, max_value=365, label="Days (suspension)")
    decided_on = forms.DateField(required=False, widget=DATE, label="Decided on (empty: today)")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CaseMemberForm(forms.Form):
    user = UserChoiceField(queryset=User.objects.none(), label="Person")

    def __init__(self, *args: Any, case: ThreatCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_near(case.team).exclude(  # type: ignore[attr-defined]
            pk__in=case.added_members.through.objects.filter(threatcase_id=case.pk).values("user_id")
        )


class CaseMemberRemoveForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: ThreatCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = case.added_members.all()  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Outcome and closure summary")
