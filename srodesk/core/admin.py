"""Admin base for records: audit fields read-only, delete means soft delete (audited), no bulk delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import audit, services


class RecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with audit.audit_context(actor=request.user, reason="administration"):
            super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.soft_delete(actor=request.user, obj=obj, reason="deleted in administration")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
