"""API views: events, cards and exceptions are created and moved through their services (``POST``);
nothing is edited or deleted through the generic routes."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from srodesk.core.api import ReadOnlyRecordViewSet

from .. import services
from ..models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException
from .serializers import (
    CardCheckSerializer,
    CardReleaseSerializer,
    EventCloseSerializer,
    ExceptionResolveSerializer,
    ReunificationCardSerializer,
    ReunificationEventSerializer,
    ReunificationExceptionSerializer,
    ReunificationSummarySerializer,
)


class _WorkflowViewSet(ReadOnlyRecordViewSet):
    """List, retrieve, create through a service (``POST``) and take workflow steps (``POST …/<step>/``)."""

    http_method_names: ClassVar[list[str]] = ["get", "head", "options", "post"]  # type: ignore[misc]
    #: Viewset action → the policy action it needs (``release`` → ``reunification.release_reunificationcard``).
    step_actions: ClassVar[dict[str, str]] = {}

    @property
    def policy_action(self) -> str:
        step = self.step_actions.get(getattr(self, "action", None) or "")
        return step or super().policy_action

    def _answer(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().model._default_manager.get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)


class ReunificationEventViewSet(_WorkflowViewSet):
    queryset = ReunificationEvent.objects.all()
    step_actions: ClassVar[dict[str, str]] = {"close": "close", "summary": "view"}

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("district")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event = services.start_event(
            actor=request.user,
            district=data["district"],
            schools=data.get("schools", []),
            site_name=data.get("site_name", ""),
            site_address=data.get("site_address", ""),
            assembly_area=data.get("assembly_area", ""),
            alert=data.get("alert"),
            is_drill=data.get("is_drill", False),
        )
        return self._answer(event, status.HTTP_201_CREATED)

    @extend_schema(request=EventCloseSerializer, responses=ReunificationEventSerializer, summary="Close the event")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        event = self.get_object()
        form = EventCloseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(services.close_event(actor=request.user, event=event, note=form.validated_data["note"]))

    @extend_schema(request=None, responses=ReunificationSummarySerializer, summary="Live counts and the reconciliation")
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, pk: Any = None) -> Response:
        event = self.get_object()
        figures = services.counts(event)
        check = services.reconciliation(event)
        data = {
            "expected": figures.expected,
            "released": figures.released,
            "handed_over": figures.handed_over,
            "waiting": figures.waiting,
            "in_exception": figures.in_exception,
            "not_released": figures.not_released,
            "open_exceptions": figures.open_exceptions,
            "by_status": figures.by_status,
            "cards_released": check.cards_released,
            "cards_by_status": check.cards_by_status,
            "balanced": check.balanced,
        }
        return Response(ReunificationSummarySerializer(data).data)


class EventStudentViewSet(ReadOnlyRecordViewSet):
    queryset = EventStudent.objects.all()


class ReunificationCardViewSet(_WorkflowViewSet):
    queryset = ReunificationCard.objects.all()
    serializer_class = ReunificationCardSerializer
    step_actions: ClassVar[dict[str, str]] = {"check": "check", "bring": "run", "release": "release"}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        card = services.issue_card(
            actor=request.user,
            event_student=data["event_student"],
            adult_name=data.get("adult_name", ""),
            relationship=data.get("relationship", ""),
            phone=data.get("phone", ""),
        )
        return self._answer(card, status.HTTP_201_CREATED)

    @extend_schema(request=CardCheckSerializer, responses=ReunificationCardSerializer, summary="Checker: ID, custody")
    @action(detail=True, methods=["post"])
    def check(self, request: Request, pk: Any = None) -> Response:
        card = self.get_object()
        form = CardCheckSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = services.check_card(
            actor=request.user,
            card=card,
            guardian_id=data["guardian"],
            id_type=data["id_type"],
            id_last4=data["id_last4"],
            id_verified=data["id_verified"],
        )
        return self._answer(result.card)

    @extend_schema(request=None, responses=ReunificationCardSerializer, summary="Runner: the student was brought")
    @action(detail=True, methods=["post"])
    def bring(self, request: Request, pk: Any = None) -> Response:
        return self._answer(services.bring_student(actor=request.user, card=self.get_object()))

    @extend_schema(request=CardReleaseSerializer, responses=ReunificationCardSerializer, summary="Release the student")
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: Any = None) -> Response:
        card = self.get_object()
        form = CardReleaseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = services.release(actor=request.user, card=card, student_agreed=form.validated_data["student_agreed"])
        return self._answer(result.card)


class ReunificationExceptionViewSet(_WorkflowViewSet):
    queryset = ReunificationException.objects.all()
    serializer_class = ReunificationExceptionSerializer
    step_actions: ClassVar[dict[str, str]] = {"resolve": "resolve"}

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        exception = services.raise_exception(
            actor=request.user, event_student=data["event_student"], kind=data["kind"], note=data.get("note", "")
        )
        return self._answer(exception, status.HTTP_201_CREATED)

    @extend_schema(request=ExceptionResolveSerializer, responses=ReunificationExceptionSerializer, summary="Resolve")
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        exception = self.get_object()
        form = ExceptionResolveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        resolved = services.resolve_exception(
            actor=request.user, exception=exception, resolution=data["resolution"], note=data["resolution_note"]
        )
        return self._answer(resolved)
