"""API views that differ from the generic ones: disclosures are created through their service."""

from __future__ import annotations

from typing import Any, ClassVar

from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from srodesk.core.api import ReadOnlyRecordViewSet

from .. import services
from ..models import Disclosure


class DisclosureViewSet(ReadOnlyRecordViewSet):
    """List, retrieve and record disclosures (``POST``); never change or delete one."""

    http_method_names: ClassVar[list[str]] = ["get", "head", "options", "post"]  # type: ignore[misc]
    queryset = Disclosure.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        student = fields.pop("student")
        disclosure = services.disclose(actor=request.user, student=student, **fields)
        return Response(self.get_serializer(disclosure).data, status=status.HTTP_201_CREATED)
