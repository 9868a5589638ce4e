"""API views that differ from the generic ones: a team lists its members without a query per team."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from srodesk.core.api import RecordViewSet

from ..models import Team, TeamMember


class TeamViewSet(RecordViewSet):
    queryset = Team.objects.all()

    def get_queryset(self) -> Any:
        members = TeamMember.objects.filter(deleted_at__isnull=True).select_related("user")
        return super().get_queryset().prefetch_related(Prefetch("memberships", queryset=members))
