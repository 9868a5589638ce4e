"""The drills API: the generic record endpoints, plus each school's compliance."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from srodesk.core.api import RecordViewSet

from ..models import Drill
from ..queries import compliance_for_schools, drill_schools
from .serializers import ComplianceQuerySerializer, ComplianceSerializer


class DrillViewSet(RecordViewSet):
    queryset = Drill.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter("school", int, required=True, description="The school's id."),
            OpenApiParameter("as_of", str, description="The day to judge on (YYYY-MM-DD); today by default."),
            OpenApiParameter("year", int, description="The calendar year the school year starts in."),
        ],
        responses=ComplianceSerializer,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def compliance(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The school's drill compliance: each requirement's status, what is missing and by when."""
        query = ComplianceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        school = drill_schools(request.user).filter(pk=query.validated_data["school"]).first()
        if school is None:
            raise Http404
        (result,) = compliance_for_schools(
            request.user,
            [school],
            as_of=query.validated_data.get("as_of"),
            start_year=query.validated_data.get("year"),
        )
        return Response(ComplianceSerializer(result).data)
