from srodesk.core.tables import RecordTable

from .models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException


class ReunificationEventTable(RecordTable):
    model = ReunificationEvent
    fields = ("site_name", "started_at", "status", "is_drill", "district", "assembly_area", "closed_at")
    default_columns = ("site_name", "started_at", "status", "is_drill", "district")


class EventStudentTable(RecordTable):
    model = EventStudent
    fields = ("name", "grade", "school", "status", "location", "released_at", "event")
    default_columns = ("name", "grade", "school", "status", "location")


class ReunificationCardTable(RecordTable):
    model = ReunificationCard
    fields = (
        "event_student__name",
        "adult_name",
        "relationship",
        "status",
        "issued_at",
        "checked_at",
        "brought_at",
        "released_at",
        "event",
    )
    default_columns = ("event_student__name", "adult_name", "relationship", "status", "issued_at", "released_at")
    headers = {"event_student__name": "Student"}


class ReunificationExceptionTable(RecordTable):
    model = ReunificationException
    fields = ("event_student__name", "kind", "raised_at", "resolution", "resolved_at", "event")
    headers = {"event_student__name": "Student"}
