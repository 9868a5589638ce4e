from typing import Any

import django_filters
from django.db.models import QuerySet

from srodesk.core.filtersets import RecordFilterSet

from .choices import CaseStatus, Classification
from .models import Team, ThreatCase


def _visible_teams(request: Any) -> QuerySet[Team]:
    teams: QuerySet[Team] = Team.objects.alive().restrict(getattr(request, "user", None), "view")
    return teams


class TeamFilterSet(RecordFilterSet):
    active = django_filters.BooleanFilter()

    class Meta:
        model = Team
        fields = ("active",)


class ThreatCaseFilterSet(RecordFilterSet):
    classification = django_filters.ChoiceFilter(choices=Classification.choices)
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices)
    team_id = django_filters.ModelChoiceFilter(field_name="team", queryset=_visible_teams, label="Team")
    student_id = django_filters.NumberFilter(field_name="student_id", label="Student id")
    reported_after = django_filters.DateFilter(field_name="reported_at", lookup_expr="date__gte")
    reported_before = django_filters.DateFilter(field_name="reported_at", lookup_expr="date__lte")

    class Meta:
        model = ThreatCase
        fields = ("classification", "status", "how_reported", "reporter_anonymous")
