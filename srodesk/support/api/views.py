"""API views that differ from the generic ones: who the reporter or staff member is, and the workflow
actions (report to the agency, written report, sharing a referral, releasing records) that go through
their services and write disclosures."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from srodesk.core.api import ReadOnlyRecordViewSet, RecordViewSet
from srodesk.core.permissions import restrict

from .. import services
from ..models import AgencyRequest, AttendanceImport, AttendanceRecord, MandatedReport, Referral, StudentContact
from .serializers import (
    MandatedReportSerializer,
    OralReportSerializer,
    ReleaseSerializer,
    ShareSerializer,
    WrittenReportSerializer,
)

#: Custom actions are changes of the record they act on.
CHANGE_ACTIONS = frozenset({"oral_report", "written_report", "share", "release"})


class _SupportViewSet(RecordViewSet):
    @property
    def policy_action(self) -> str:
        if getattr(self, "action", None) in CHANGE_ACTIONS:
            return "change"
        return super().policy_action

    def _create_as(self, serializer: Any, **extra: Any) -> Any:
        with transaction.atomic():
            obj = serializer.save(**extra)
            if not restrict(type(obj)._default_manager.filter(pk=obj.pk), self.request.user, "add").exists():
                raise exceptions.PermissionDenied("The record would be outside your scope.")
        return obj

    def _respond(self, obj: Any) -> Response:
        return Response(self.get_serializer(obj).data, status=status.HTTP_200_OK)


class MandatedReportViewSet(_SupportViewSet):
    queryset = MandatedReport.objects.all()

    def perform_create(self, serializer: Any) -> None:
        self._create_as(serializer, reporter=self.request.user)

    @extend_schema(request=OralReportSerializer, responses=MandatedReportSerializer)
    @action(detail=True, methods=["post"], url_path="oral-report")
    def oral_report(self, request: Request, pk: Any = None) -> Response:
        """Record the report to child protective services or the police (a logged disclosure)."""
        report = self.get_object()
        data = OralReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.record_oral_report(actor=request.user, report=report, **data.validated_data))

    @extend_schema(request=WrittenReportSerializer, responses=MandatedReportSerializer)
    @action(detail=True, methods=["post"], url_path="written-report")
    def written_report(self, request: Request, pk: Any = None) -> Response:
        report = self.get_object()
        data = WrittenReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.record_written_report(actor=request.user, report=report, **data.validated_data))


class ReferralViewSet(_SupportViewSet):
    queryset = Referral.objects.all()

    @extend_schema(request=ShareSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: Any = None) -> Response:
        """Record what was shared with the agency (a logged disclosure)."""
        referral = self.get_object()
        data = ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.share_referral(actor=request.user, referral=referral, **data.validated_data))


class AgencyRequestViewSet(_SupportViewSet):
    queryset = AgencyRequest.objects.all()

    @extend_schema(request=ReleaseSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: Any = None) -> Response:
        """Record a release of records in answer to the request (a logged disclosure)."""
        agency_request = self.get_object()
        data = ReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(
            services.release_to_agency(actor=request.user, request=agency_request, **data.validated_data)
        )


class StudentContactViewSet(_SupportViewSet):
    queryset = StudentContact.objects.all()

    def perform_create(self, serializer: Any) -> None:
        self._create_as(serializer, staff=self.request.user)


class AttendanceRecordViewSet(_SupportViewSet):
    queryset = AttendanceRecord.objects.all()

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            record = self._create_as(serializer)
            services.record_attendance(actor=self.request.user, record=record)

    def perform_update(self, serializer: Any) -> None:
        with transaction.atomic():
            super().perform_update(serializer)
            services.record_attendance(actor=self.request.user, record=serializer.instance)


class AttendanceImportViewSet(ReadOnlyRecordViewSet):
    """Imports are started from the upload page; the API lists them with their errors."""

    http_method_names: ClassVar[list[str]] = ["get", "head", "options"]  # type: ignore[misc]
    queryset = AttendanceImport.objects.all()
