from django.contrib import admin
from django.http import HttpRequest

from srodesk.core.admin import RecordAdmin

from .models import AccountabilityReport, Alert


@admin.register(Alert)
class AlertAdmin(RecordAdmin):
    list_display = ("pk", "armed_at", "kind", "action", "is_drill", "status", "district")
    list_filter = ("kind", "action", "is_drill", "status")
    search_fields = ("message",)
    filter_horizontal = ("schools",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # alerts start through their two steps (services.arm), never here


@admin.register(AccountabilityReport)
class AccountabilityReportAdmin(RecordAdmin):
    list_display = ("pk", "alert", "school", "area", "present_count", "needs_help", "reported_at")
    list_filter = ("needs_help",)
    raw_id_fields = ("alert", "reporter", "missing", "extra", "injured")
