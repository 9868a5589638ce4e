import django_filters
from django.db.models import QuerySet

from srodesk.core.filtersets import RecordFilterSet
from srodesk.people.choices import Grade

from .choices import GONE, CardStatus, EventStatus, ExceptionKind, StudentStatus
from .models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException


class ReunificationEventFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=EventStatus.choices)
    is_drill = django_filters.BooleanFilter(label="Drill")

    class Meta:
        model = ReunificationEvent
        fields = ("status", "is_drill")


class EventStudentFilterSet(RecordFilterSet):
    event_id = django_filters.NumberFilter(field_name="event_id", label="Event")
    status = django_filters.ChoiceFilter(choices=StudentStatus.choices)
    grade = django_filters.ChoiceFilter(choices=Grade.choices)
    not_released = django_filters.BooleanFilter(method="filter_not_released", label="Not yet released")

    class Meta:
        model = EventStudent
        fields = ("status", "grade")

    def filter_not_released(self, queryset: QuerySet[EventStudent], name: str, value: bool | None) -> QuerySet:  # type: ignore[type-arg]
        if value is None:
            return queryset
        return queryset.exclude(status__in=GONE) if value else queryset.filter(status__in=GONE)


class ReunificationCardFilterSet(RecordFilterSet):
    event_id = django_filters.NumberFilter(field_name="event_id", label="Event")
    status = django_filters.ChoiceFilter(choices=CardStatus.choices)

    class Meta:
        model = ReunificationCard
        fields = ("status",)


class ReunificationExceptionFilterSet(RecordFilterSet):
    event_id = django_filters.NumberFilter(field_name="event_id", label="Event")
    kind = django_filters.ChoiceFilter(choices=ExceptionKind.choices)
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label="Open")

    class Meta:
        model = ReunificationException
        fields = ("kind",)
