"""API views of the law-enforcement records.

Every viewset is a ``RecordViewSet`` (the policy engine decides); in addition:

- a school administrator's ``view_shared`` grant opens the read endpoints, whose rows are then only the
  ones shared with their school;
- parts of an approved (locked) report cannot be changed or deleted;
- supplements, attachments and shares are written by their services (``POST``), never edited;
- an incident's workflow actions (submit, return, approve, close, void) are ``POST`` actions.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from srodesk.core.api import ReadOnlyRecordViewSet, RecordViewSet
from srodesk.core.permissions import VIEW_SHARED, has_perm, perm_name

from .. import services
from ..models import (
    Arrest,
    Attachment,
    DisciplineReferral,
    EvidenceItem,
    Incident,
    IncidentShare,
    InvolvedPerson,
    Offense,
    Property,
    Pursuit,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)
from ..tables import LIST_RELATED
from .serializers import IncidentSerializer

#: Workflow actions on an incident: looked up among the incidents the user may view; the service decides.
WORKFLOW_ACTIONS = frozenset({"submit", "approve", "return_for_changes", "close", "void"})


def _validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    return exceptions.ValidationError(serializers.as_serializer_error(exc))


class SharedViewMixin:
    """Reading is also open to ``view_shared`` grants (the rows are then those shared into their scope)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            super().initial(request, *args, **kwargs)  # type: ignore[misc]
        except exceptions.PermissionDenied:
            model = self.queryset.model  # type: ignore[attr-defined]
            shared = has_perm(request.user, perm_name(model, VIEW_SHARED))
            if self.policy_action != "view" or not shared:  # type: ignore[attr-defined]
                raise


class LockedPartMixin:
    """A part of a locked report is not deleted (changes are refused by the serializer)."""

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        reason = services.lock_reason(instance.incident)
        if reason:
            raise exceptions.ValidationError({"non_field_errors": [serializers.ErrorDetail(reason, "locked")]})
        return super().destroy(request, *args, **kwargs)  # type: ignore[misc,no-any-return]


class IncidentViewSet(SharedViewMixin, RecordViewSet):
    """Incidents with their offenses, involved persons and arrests; workflow actions as ``POST``."""

    queryset = Incident.objects.all()
    serializer_class = IncidentSerializer

    @property
    def policy_action(self) -> str:
        if getattr(self, "action", None) in WORKFLOW_ACTIONS:
            return "view"
        return super().policy_action

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("offense_set", "involvedperson_set", "arrest_set")

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        reason = services.lock_reason(instance)
        if reason:
            raise exceptions.ValidationError(
                {"non_field_errors": [serializers.ErrorDetail(f"{reason} Void it instead.", "locked")]}
            )
        return super().destroy(request, *args, **kwargs)

    def _run(self, fn: Any, *args: Any) -> Response:
        incident = self.get_object()
        try:
            result = fn(incident, self.request.user, *args)
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        fresh = self.get_queryset().model.objects.get(pk=result.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=None, responses=IncidentSerializer, summary="Submit the report for review")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.submit)

    @extend_schema(request=None, responses=IncidentSerializer, summary="Approve the submitted report")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.approve)

    @extend_schema(
        request=inline_serializer("IncidentReturnRequest", {"comment": serializers.CharField()}),
        responses=IncidentSerializer,
        summary="Return the submitted report to the officer with comments",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_for_changes(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.return_for_changes, str(request.data.get("comment", "")))

    @extend_schema(request=None, responses=IncidentSerializer, summary="Close the approved report")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.close)

    @extend_schema(
        request=inline_serializer("IncidentVoidRequest", {"reason": serializers.CharField()}),
        responses=IncidentSerializer,
        summary="Void the report",
    )
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.void, str(request.data.get("reason", "")))


class _PartViewSet(SharedViewMixin, LockedPartMixin, RecordViewSet):
    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        related = LIST_RELATED.get(self.queryset.model, ())  # type: ignore[union-attr]
        return qs.select_related(*related) if related else qs


class OffenseViewSet(_PartViewSet):
    queryset = Offense.objects.all()


class InvolvedPersonViewSet(_PartViewSet):
    queryset = InvolvedPerson.objects.all()


class VictimOffenderRelationshipViewSet(_PartViewSet):
    queryset = VictimOffenderRelationship.objects.all()


class PropertyViewSet(_PartViewSet):
    queryset = Property.objects.all()


class ArrestViewSet(_PartViewSet):
    queryset = Arrest.objects.all()


class UseOfForceViewSet(_PartViewSet):
    queryset = UseOfForce.objects.all()


class _ServiceWrittenViewSet(SharedViewMixin, ReadOnlyRecordViewSet):
    """List, retrieve, and ``POST`` through the type's service; never changed or deleted through the API."""

    http_method_names: ClassVar[list[str]] = ["get", "head", "options", "post"]  # type: ignore[misc]

    def write(self, fields: dict[str, Any]) -> Any:
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            obj = self.write(dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class SupplementViewSet(_ServiceWrittenViewSet):
    queryset = Supplement.objects.all()

    def write(self, fields: dict[str, Any]) -> Any:
        return services.add_supplement(fields["incident"], self.request.user, fields.get("narrative", ""))


class AttachmentViewSet(_ServiceWrittenViewSet):
    queryset = Attachment.objects.all()
    parser_classes: ClassVar[list[Any]] = [MultiPartParser, FormParser, JSONParser]  # type: ignore[misc]

    def write(self, fields: dict[str, Any]) -> Any:
        return services.store_attachment(
            fields["incident"], fields.get("file"), self.request.user, fields.get("description", "")
        )


class IncidentShareViewSet(_ServiceWrittenViewSet):
    queryset = IncidentShare.objects.all()

    @property
    def policy_action(self) -> str:
        if getattr(self, "action", None) == "revoke":
            return "change"
        return super().policy_action

    def write(self, fields: dict[str, Any]) -> Any:
        return services.share(fields["incident"], fields.get("school"), self.request.user, fields.get("reason", ""))

    @extend_schema(
        request=inline_serializer("IncidentShareRevokeRequest", {"reason": serializers.CharField()}),
        responses={204: None},
        summary="Revoke the share: the school no longer sees the report",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None) -> Response:
        share = self.get_object()
        try:
            services.unshare(share, request.user, str(request.data.get("reason", "")))
        except DjangoValidationError as exc:
            raise _validation(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class SearchViewSet(SharedViewMixin, RecordViewSet):
    queryset = Search.objects.all()


class EvidenceItemViewSet(SharedViewMixin, RecordViewSet):
    queryset = EvidenceItem.objects.all()


class PursuitViewSet(SharedViewMixin, RecordViewSet):
    queryset = Pursuit.objects.all()


class DisciplineReferralViewSet(RecordViewSet):
    queryset = DisciplineReferral.objects.all()
