from django.contrib import admin

from srodesk.core.admin import RecordAdmin

from .models import Team, ThreatCase


@admin.register(Team)
class TeamAdmin(RecordAdmin):
    list_display = ("name", "school", "active")
    list_filter = ("active",)
    search_fields = ("name",)


@admin.register(ThreatCase)
class ThreatCaseAdmin(RecordAdmin):
    list_display = ("pk", "reported_at", "school", "team", "classification", "status")
    list_filter = ("classification", "status")
    raw_id_fields = ("student", "team", "added_members")
