import django_filters

from srodesk.core.filtersets import RecordFilterSet

from .choices import DrillStatus, DrillType, MapKind, TimeOfDay
from .models import Drill, EmergencyPlan


class DrillFilterSet(RecordFilterSet):
    drill_type = django_filters.ChoiceFilter(choices=DrillType.choices, label="Type")
    status = django_filters.ChoiceFilter(choices=DrillStatus.choices)
    time_of_day = django_filters.ChoiceFilter(choices=TimeOfDay.choices, label="When in the day")
    law_enforcement_observed = django_filters.BooleanFilter(label="Observed by law enforcement")
    scheduled_after = django_filters.DateFilter(
        field_name="scheduled_for", lookup_expr="date__gte", label="Scheduled on or after"
    )
    scheduled_before = django_filters.DateFilter(
        field_name="scheduled_for", lookup_expr="date__lte", label="Scheduled on or before"
    )
    conducted_after = django_filters.DateFilter(
        field_name="conducted_at", lookup_expr="date__gte", label="Conducted on or after"
    )
    conducted_before = django_filters.DateFilter(
        field_name="conducted_at", lookup_expr="date__lte", label="Conducted on or before"
    )
    unpublished = django_filters.BooleanFilter(
        field_name="published_at", lookup_expr="isnull", label="Not yet published"
    )

    class Meta:
        model = Drill
        fields = ("drill_type", "status", "time_of_day", "law_enforcement_observed")


class EmergencyPlanFilterSet(RecordFilterSet):
    map_kind = django_filters.ChoiceFilter(choices=MapKind.choices, label="Drawn on")
    reviewed_before = django_filters.DateFilter(
        field_name="reviewed_on", lookup_expr="lt", label="Last reviewed before"
    )

    class Meta:
        model = EmergencyPlan
        fields = ("map_kind",)
