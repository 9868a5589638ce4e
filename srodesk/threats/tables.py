from srodesk.core.tables import RecordTable

from .models import Team, ThreatCase


class TeamTable(RecordTable):
    model = Team
    fields = ("name", "school", "active", "created_at")
    default_columns = ("name", "school", "active")


class ThreatCaseTable(RecordTable):
    model = ThreatCase
    fields = (
        "reported_at",
        "student",
        "school",
        "team",
        "classification",
        "step_label",
        "status",
        "how_reported",
        "reporter_anonymous",
        "closed_at",
    )
    default_columns = ("reported_at", "student", "school", "team", "classification", "step_label", "status")
    headers = {"step_label": "Step", "reported_at": "Reported"}
