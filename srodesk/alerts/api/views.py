"""The alerts API: list and detail, ``POST`` to start an alert, and its workflow as ``POST`` actions.

``POST /api/v1/alerts/`` arms an alert (delivered after the cancel window); ``…/<id>/cancel/``,
``…/<id>/all-clear/``, ``…/<id>/acknowledge/`` and ``…/<id>/accountability/`` call the services, which
decide about scope and state. ``GET …/<id>/rollup/`` is the accountability roll-up in numbers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from srodesk.core.api import RecordViewSet

from .. import services
from ..models import AccountabilityReport, Alert
from .serializers import (
    AccountabilityInputSerializer,
    AccountabilityReportSerializer,
    AlertArmSerializer,
    AlertSerializer,
    AllClearSerializer,
    RollupSerializer,
    rollup_data,
)

#: Actions looked up among the alerts the user may see; the service then checks its own grant.
VIEW_ACTIONS = frozenset({"cancel", "all_clear", "acknowledge", "accountability", "rollup"})


def _validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(serializers.as_serializer_error(exc))


class AlertViewSet(RecordViewSet):
    queryset = Alert.objects.all()
    serializer_class = AlertSerializer
    http_method_names: ClassVar[list[str]] = ["get", "post", "head", "options"]  # type: ignore[misc]

    @property
    def policy_action(self) -> str:
        if getattr(self, "action", None) in VIEW_ACTIONS:
            return "view"
        return super().policy_action

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # An alert is never edited or deleted: say so before asking about grants.
        if (request.method or "").lower() not in self.http_method_names:
            raise exceptions.MethodNotAllowed(request.method or "")
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("district", "agency")

    @extend_schema(request=AlertArmSerializer, responses={201: AlertSerializer}, summary="Start an alert")
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        parsed = AlertArmSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            alert = services.arm(request.user, **parsed.validated_data)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(self._fresh(alert)).data, status=status.HTTP_201_CREATED)

    def _fresh(self, alert: Alert) -> Alert:
        fresh: Alert = Alert.objects.prefetch_related("schools").get(pk=alert.pk)
        return fresh

    @extend_schema(request=None, responses=AlertSerializer, summary="Cancel the alert within the cancel window")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        try:
            services.cancel(alert, request.user)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(self._fresh(alert)).data)

    @extend_schema(request=AllClearSerializer, responses=AlertSerializer, summary="End the alert (all clear)")
    @action(detail=True, methods=["post"], url_path="all-clear")
    def all_clear(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        parsed = AllClearSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            services.all_clear(alert, request.user, parsed.validated_data["message"])
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(self._fresh(alert)).data)

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "AlertAcknowledgement",
            {
                "alert": serializers.IntegerField(),
                "user": serializers.IntegerField(),
                "acknowledged_at": serializers.DateTimeField(),
            },
        ),
        summary="Acknowledge the alert",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        try:
            recipient = services.acknowledge(alert, request.user)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response({"alert": alert.pk, "user": recipient.user_id, "acknowledged_at": recipient.acknowledged_at})

    @extend_schema(
        request=AccountabilityInputSerializer,
        responses={201: AccountabilityReportSerializer},
        summary="Report a room or area (a later report from the same room updates it)",
    )
    @action(detail=True, methods=["post"])
    def accountability(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        parsed = AccountabilityInputSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            report = services.report_accountability(alert, request.user, **parsed.validated_data)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        fresh = AccountabilityReport.objects.prefetch_related("missing", "extra", "injured").get(pk=report.pk)
        data = AccountabilityReportSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RollupSerializer, summary="The accountability roll-up per school")
    @action(detail=True, methods=["get"])
    def rollup(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        return Response(rollup_data(services.rollup(alert)))
