"""API bases: every serializer extends RecordSerializer, every viewset RecordViewSet.

RecordViewSet is an enforcement point of the policy engine (HTTP method → action), and errors are
answered as JSON naming the field and the reason: ``{"errors": [{"field", "code", "reason"}]}``.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from srodesk.audit.models import AuditEvent

from . import audit, services
from .models import RecordModel
from .permissions import has_perm, hidden_fields, masked_fields, perm_name, restrict
from .views import access_logged

AUDIT_FIELDS = ("created_at", "created_by", "updated_at", "updated_by")


class RecordSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Adds ``url`` and ``display``, keeps audit fields read-only, restricts related-record choices and
    runs the model's own validation (``clean()`` and constraints) so bad input is a 400, never a 500."""

    url = serializers.SerializerMethodField()
    display = serializers.SerializerMethodField()

    class Meta:
        read_only_fields: ClassVar[tuple[str, ...]] = AUDIT_FIELDS

    def get_display(self, obj: Any) -> str:
        return str(obj)

    def get_url(self, obj: Any) -> str:
        opts = obj._meta
        path = reverse(f"api:{opts.app_label}-{opts.model_name}-detail", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        model = getattr(self.Meta, "model", None)
        if request is not None and model is not None and getattr(model, "restricted_fields", None):
            instance = self.instance if isinstance(self.instance, models.Model) else None
            for name in hidden_fields(user, model, instance):
                fields.pop(name, None)
        if request is not None and request.method in ("GET", "HEAD"):
            return fields  # the choices below only validate what is written; a read shows ids alone
        for field in fields.values():
            target: Any = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if queryset is not None and issubclass(queryset.model, RecordModel):
                target.queryset = restrict(queryset.alive(), user, "view")
        return fields

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        masks = self.context.get("masks")
        if masks is not None:
            hidden = masks.get(instance.pk, frozenset())
        elif getattr(type(instance), "restricted_fields", None):
            request = self.context.get("request")
            hidden = hidden_fields(getattr(request, "user", None), type(instance), instance)
        else:
            hidden = frozenset()
        for name in hidden:
            data.pop(name, None)
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        m2m = {f.name for f in model._meta.many_to_many}
        for name, value in attrs.items():
            if name not in m2m:
                setattr(instance, name, value)
        writable = {name for name, f in self.fields.items() if not f.read_only}
        exclude = [f.name for f in model._meta.concrete_fields if f.name not in writable]
        try:
            instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        return attrs


class RecordViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    """Set only ``queryset``, ``serializer_class`` and ``filterset_class``."""

    record_type: ClassVar[Any] = None
    METHOD_ACTIONS: ClassVar[dict[str, str]] = {
        "GET": "view",
        "HEAD": "view",
        "OPTIONS": "view",
        "POST": "add",
        "PUT": "change",
        "PATCH": "change",
        "DELETE": "delete",
    }

    @property
    def policy_action(self) -> str:
        return self.METHOD_ACTIONS.get(self.request.method or "GET", "view")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        audit.bind_actor(request.user)
        model = self.queryset.model  # type: ignore[union-attr]
        if not has_perm(request.user, perm_name(model, self.policy_action)):
            raise exceptions.PermissionDenied("You have no permission for this action.")

    def get_queryset(self) -> Any:
        qs = self.queryset.alive()  # type: ignore[union-attr]
        if self.record_type is not None:
            qs = self.record_type.table.with_related(qs)
        model = self.queryset.model  # type: ignore[union-attr]
        for name in self.many_to_many_fields():
            # The serializer shows the linked records' keys: an advisory naming every school of a large district
            # would otherwise build 150 complete schools (campus boundaries included) for each row.
            related = model._meta.get_field(name).related_model
            qs = qs.prefetch_related(Prefetch(name, queryset=related._default_manager.only("pk")))
        return restrict(qs, self.request.user, self.policy_action)

    def filter_queryset(self, queryset: Any) -> Any:
        # The filters are the list's (as the schema documents them): a single record is found by its id alone,
        # without building the filter set and its scoped choice querysets.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def many_to_many_fields(self) -> list[str]:
        """Many-to-many fields the serializer shows: prefetched, so a list makes no query per row."""
        model = self.queryset.model  # type: ignore[union-attr]
        shown = set(getattr(self.serializer_class.Meta, "fields", ()))  # type: ignore[union-attr]
        return [f.name for f in model._meta.many_to_many if f.name in shown]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        model = self.queryset.model  # type: ignore[union-attr]
        page = getattr(self.paginator, "page_objects", None)
        if access_logged(model) and page:
            AuditEvent.record_access(
                action=AuditEvent.Action.LIST,
                model=model,
                objects=page,
                detail={"api": True, **request.query_params.dict()},
            )
        return response

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if self.paginator is not None:
            self.paginator.page_objects = page  # type: ignore[attr-defined]
        model = self.queryset.model  # type: ignore[union-attr]
        if page is not None and getattr(model, "restricted_fields", None):
            self._masks = masked_fields(self.request.user, model, [o.pk for o in page])
        return page

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "_masks", None) is not None:
            context["masks"] = self._masks
        return context

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        if access_logged(type(instance)):
            AuditEvent.record_access(
                action=AuditEvent.Action.VIEW, model=type(instance), objects=[instance], detail={"api": True}
            )
        return Response(self.get_serializer(instance).data)

    def _save_in_scope(self, serializer: Any, action: str) -> None:
        with transaction.atomic():
            obj = serializer.save()
            if not restrict(type(obj)._default_manager.filter(pk=obj.pk), self.request.user, action).exists():
                raise exceptions.PermissionDenied("The record would be outside your scope.")

    def perform_create(self, serializer: Any) -> None:
        self._save_in_scope(serializer, "add")

    def perform_update(self, serializer: Any) -> None:
        self._save_in_scope(serializer, "change")

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        body_reason = request.data.get("reason", "") if isinstance(request.data, dict) else ""
        reason = str(request.query_params.get("reason") or body_reason)
        services.soft_delete(actor=request.user, obj=instance, reason=reason or "deleted through the API")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadOnlyRecordViewSet(RecordViewSet):
    """For types written only by their own services or workflows: list and retrieve."""

    http_method_names: ClassVar[list[str]] = ["get", "head", "options"]  # type: ignore[misc]


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        out: list[dict[str, Any]] = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else (f"{field}.{key}" if field else str(key))
            out += _flatten(value, name)
        return out
    if isinstance(detail, list):
        out = []
        for i, value in enumerate(detail):
            out += _flatten(value, f"{field}[{i}]" if isinstance(value, dict | list) and field else field)
        return out
    return [{"field": field, "code": getattr(detail, "code", "invalid"), "reason": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError({"non_field_errors": ["The change conflicts with an existing record."]})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _flatten(response.data)}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"errors": [{"field": None, "code": code, "reason": str(detail)}]}
    return response
