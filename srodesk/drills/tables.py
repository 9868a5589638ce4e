from srodesk.core.tables import RecordTable

from .models import Drill, EmergencyPlan


class DrillTable(RecordTable):
    model = Drill
    fields = (
        "drill_type",
        "school",
        "status",
        "scheduled_for",
        "conducted_at",
        "time_of_day",
        "conducted_by",
        "law_enforcement_observed",
        "law_enforcement_agency",
        "participants_count",
        "duration_seconds",
        "headcount",
        "accounted_for",
        "published_at",
    )
    default_columns = ("drill_type", "school", "status", "scheduled_for", "conducted_at", "time_of_day")
    headers = {"drill_type": "Drill", "duration_seconds": "Seconds to complete"}


class EmergencyPlanTable(RecordTable):
    model = EmergencyPlan
    fields = ("building", "school", "name", "map_kind", "reviewed_on", "reviewed_by")
    default_columns = ("building", "school", "name", "map_kind", "reviewed_on")
