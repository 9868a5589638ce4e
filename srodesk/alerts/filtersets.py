from typing import Any

import django_filters
from django.db.models import QuerySet

from srodesk.core.filtersets import RecordFilterSet

from .choices import AlertKind, AlertStatus, SrpAction
from .models import AccountabilityReport, Alert


def _visible_alerts(request: Any) -> QuerySet[Alert]:
    alerts: QuerySet[Alert] = Alert.objects.alive().restrict(getattr(request, "user", None), "view")
    return alerts


class AlertFilterSet(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices)
    action = django_filters.ChoiceFilter(choices=SrpAction.choices, label="SRP action")
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    is_drill = django_filters.BooleanFilter(label="Drill")
    school_id = django_filters.NumberFilter(field_name="schools", label="School id", distinct=True)
    armed_after = django_filters.DateFilter(field_name="armed_at", lookup_expr="date__gte", label="Started on or after")
    armed_before = django_filters.DateFilter(
        field_name="armed_at", lookup_expr="date__lte", label="Started on or before"
    )

    class Meta:
        model = Alert
        fields = ("kind", "action", "status", "is_drill", "audience")


class AccountabilityReportFilterSet(RecordFilterSet):
    alert_id = django_filters.ModelChoiceFilter(field_name="alert", queryset=_visible_alerts, label="Alert")
    needs_help = django_filters.BooleanFilter()

    class Meta:
        model = AccountabilityReport
        fields = ("needs_help",)
