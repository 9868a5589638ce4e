from django.contrib import admin

from srodesk.core.admin import RecordAdmin

from .models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException


class _ServiceWritten(RecordAdmin):
    """Read-only: reunification rows are written by the reunification services."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ReunificationEvent)
class ReunificationEventAdmin(_ServiceWritten):
    list_display = ("site_name", "district", "status", "is_drill", "started_at", "closed_at")
    list_filter = ("status", "is_drill")


@admin.register(EventStudent)
class EventStudentAdmin(_ServiceWritten):
    list_display = ("name", "grade", "school", "status", "event")
    list_filter = ("status",)
    raw_id_fields = ("event", "student")


@admin.register(ReunificationCard)
class ReunificationCardAdmin(_ServiceWritten):
    list_display = ("pk", "event_student", "adult_name", "status", "issued_at", "released_at")
    list_filter = ("status",)
    raw_id_fields = ("event", "event_student", "guardian")


@admin.register(ReunificationException)
class ReunificationExceptionAdmin(_ServiceWritten):
    list_display = ("pk", "event_student", "kind", "raised_at", "resolution", "resolved_at")
    list_filter = ("kind", "resolution")
    raw_id_fields = ("event", "event_student", "card")
