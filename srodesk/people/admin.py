from django.contrib import admin

from srodesk.core.admin import RecordAdmin

from .models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle


@admin.register(Student)
class StudentAdmin(RecordAdmin):
    list_display = ("display_name", "identifier", "grade", "school", "active")
    list_filter = ("active", "grade", "district")
    search_fields = ("search_name", "identifier", "sourced_id")
    filter_horizontal = ("schools",)


@admin.register(StaffMember)
class StaffMemberAdmin(RecordAdmin):
    list_display = ("full_name", "role", "email", "active")
    list_filter = ("active", "role", "district")
    search_fields = ("search_name", "identifier", "email")


@admin.register(Guardian)
class GuardianAdmin(RecordAdmin):
    list_display = ("full_name", "relationship", "phone", "active")
    search_fields = ("search_name", "phone", "email")
    raw_id_fields = ("students",)


@admin.register(OtherPerson)
class OtherPersonAdmin(RecordAdmin):
    list_display = ("full_name", "kind", "district", "school")
    search_fields = ("search_name",)


@admin.register(Vehicle)
class VehicleAdmin(RecordAdmin):
    list_display = ("plate", "plate_state", "make", "model", "colour")
    search_fields = ("plate_normalized",)


@admin.register(Disclosure)
class DisclosureAdmin(RecordAdmin):
    """Read-only: disclosures are written by the disclosure service and never edited."""

    list_display = ("disclosed_at", "student", "recipient_name", "basis")
    list_filter = ("basis", "recipient_kind")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(RosterImport)
class RosterImportAdmin(RecordAdmin):
    list_display = ("pk", "district", "status", "dry_run", "source_name", "created_at")
    list_filter = ("status",)
