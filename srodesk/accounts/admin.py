from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from srodesk.core.admin import RecordAdmin

from .models import ApiToken, Role, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    fk_name = "user"
    fields = ("role", "district", "school", "agency", "deleted_at")
    readonly_fields = ("deleted_at",)
    extra = 0
    can_delete = False


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    inlines = (RoleAssignmentInline,)
    list_display = ("username", "first_name", "last_name", "email", "is_active", "locked_until")
    readonly_fields = ("failed_login_count", "locked_until", "last_login", "date_joined")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Work", {"fields": ("title", "phone")}),
        ("Sign-in protection", {"fields": ("failed_login_count", "locked_until")}),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Roles are declared in accounts/roles.py; the table mirrors the code and is read-only here."""

    list_display = ("name", "slug", "personal_data")
    readonly_fields = ("slug", "name", "description", "permissions", "personal_data", "scope_kinds")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(RecordAdmin):
    list_display = ("user", "role", "district", "school", "agency", "deleted_at")
    list_filter = ("role", "deleted_at")
    search_fields = ("user__username",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "user", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
