from django.contrib import admin

from srodesk.core.admin import RecordAdmin

from .models import Drill, EmergencyPlan


@admin.register(Drill)
class DrillAdmin(RecordAdmin):
    list_display = ("drill_type", "school", "status", "scheduled_for", "conducted_at")
    list_filter = ("drill_type", "status", "district")
    search_fields = ("conducted_by", "observed_by", "law_enforcement_agency")
    raw_id_fields = ("school",)


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(RecordAdmin):
    list_display = ("building", "name", "school", "map_kind", "reviewed_on")
    list_filter = ("map_kind", "district")
    search_fields = ("building", "name")
    raw_id_fields = ("school",)
