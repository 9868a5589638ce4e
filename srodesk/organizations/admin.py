from django.contrib import admin

from srodesk.core.admin import RecordAdmin

from .models import Agency, District, Partnership, School


@admin.register(District)
class DistrictAdmin(RecordAdmin):
    list_display = ("name", "slug", "state", "nces_id")
    search_fields = ("name", "slug", "nces_id")


@admin.register(School)
class SchoolAdmin(RecordAdmin):
    list_display = ("name", "district", "level", "nces_id", "city")
    list_filter = ("district", "level", "deleted_at")
    search_fields = ("name", "nces_id", "city")


@admin.register(Agency)
class AgencyAdmin(RecordAdmin):
    list_display = ("name", "ori", "state")
    search_fields = ("name", "ori")


@admin.register(Partnership)
class PartnershipAdmin(RecordAdmin):
    list_display = ("agency", "district", "state", "drill_rule_set", "mandated_report_rules")
    list_filter = ("state", "drill_rule_set", "deleted_at")
