from typing import Any

from srodesk.core.tables import RecordTable

from .models import AccountabilityReport, Alert


class AlertTable(RecordTable):
    model = Alert
    fields = (
        "armed_at",
        "title",
        "is_drill",
        "status",
        "district",
        "audience",
        "initiated_by",
        "activated_at",
        "all_clear_at",
        "kind",
        "message",
    )
    default_columns = ("armed_at", "title", "is_drill", "status", "district", "initiated_by", "all_clear_at")
    headers = {"armed_at": "Started", "title": "Alert", "initiated_by": "Started by", "all_clear_at": "All clear"}

    @staticmethod
    def raw_value(obj: Any, name: str) -> Any:
        """A drill says DRILL in its row (and in the CSV), not "Yes"."""
        if name == "is_drill":
            return "DRILL" if obj.is_drill else ""
        return RecordTable.raw_value(obj, name)


class AccountabilityReportTable(RecordTable):
    model = AccountabilityReport
    fields = (
        "reported_at",
        "alert",
        "school",
        "area",
        "present_count",
        "adults_present",
        "needs_help",
        "reporter",
        "notes",
    )
    default_columns = ("reported_at", "alert", "school", "area", "present_count", "needs_help", "reporter")
    headers = {"reported_at": "Reported", "present_count": "Present", "adults_present": "Adults"}
