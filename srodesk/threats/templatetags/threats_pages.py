"""Template tags of the threat-assessment pages.

``{% threat_case_page object as page %}`` — everything the case page shows: the step, what is still due,
each part of the case and, for those who may change the case, the forms of the steps open to them;
``{% team_page object as page %}`` — a team's members and whether the viewer may change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.db.models import Prefetch
from django.template.context import Context
from django.urls import reverse

from srodesk.core.permissions import has_perm

from .. import services
from ..choices import Classification, InterviewSubject, Step, Theme
from ..models import DUE_PREFETCH, DueItem, SafetyPlanItem, Team, TeamMember, ThemeFinding, ThreatCase
from ..views import BoundAction, action_url, bound_action

register = template.Library()


@dataclass
class CasePage:
    case: ThreatCase
    step: Step
    due: list[DueItem]
    can_change: bool
    team_members: list[TeamMember]
    themes: list[tuple[str, ThemeFinding | None]]
    closure_problems: list[str]
    forms: dict[str, BoundAction] = field(default_factory=dict)
    done_url: str = ""
    remove_member_url: str = ""

    @property
    def overdue(self) -> list[DueItem]:
        return [d for d in self.due if d.overdue]


def case_forms(case: ThreatCase) -> dict[str, BoundAction]:
    """The step forms open at the case's current step."""
    names = [f"interview_{s}" for s in InterviewSubject.values]
    names += ["protective_action", "classify", "monitoring", "themes", "discipline", "add_member"]
    if case.step == Step.SAFETY_EVALUATION:
        names.append("safety_evaluation")
    if case.classification in (Classification.SERIOUS, Classification.VERY_SERIOUS):
        names.append("plan_item")
    names.append("close")
    return {name: bound_action(case, name) for name in names}


@register.simple_tag(takes_context=True)
def threat_case_page(context: Context, case: ThreatCase) -> CasePage:
    request = context["request"]
    plan = SafetyPlanItem.objects.filter(deleted_at__isnull=True).select_related("owner")
    full = (
        ThreatCase.objects.select_related("team", "student", "school", "classified_by", "closed_by")
        .prefetch_related(
            *DUE_PREFETCH,
            Prefetch("safety_plan_items", queryset=plan, to_attr="plan_rows"),
            "interviews__interviewer",
            "protective_actions__taken_by",
            "monitoring_entries__author",
            "discipline_records__decided_by",
            "theme_findings",
            "added_members",
            "events__actor",
        )
        .get(pk=case.pk)
    )
    findings = {f.theme: f for f in full.theme_findings.all() if f.deleted_at is None}
    can_change = not full.is_closed and has_perm(request.user, services.CHANGE_CASE, full)
    page = CasePage(
        case=full,
        step=full.step,
        due=full.due(),
        can_change=can_change,
        team_members=list(full.team.active_members()),
        themes=[(str(theme.label), findings.get(theme.value)) for theme in Theme],
        closure_problems=services.closure_problems(full) if not full.is_closed else [],
    )
    if can_change:
        page.forms = case_forms(full)
        page.done_url = action_url(full, "plan_item_done")
        page.remove_member_url = action_url(full, "remove_member")
    return page


@dataclass
class TeamPage:
    members: list[TeamMember]
    can_manage: bool
    add_url: str


@register.simple_tag(takes_context=True)
def team_page(context: Context, team: Team) -> TeamPage:
    request = context["request"]
    return TeamPage(
        members=list(team.active_members()),
        can_manage=has_perm(request.user, services.MANAGE_TEAM, team),
        add_url=reverse("threats:team_member_add", args=[team.pk]),
    )


@register.simple_tag
def remove_member_url(team: Team, membership: TeamMember) -> str:
    return reverse("threats:team_member_remove", args=[team.pk, membership.pk])


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def split(text: str) -> list[str]:
    return text.split()
