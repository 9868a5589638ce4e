"""Threat-assessment pages beyond the generic ones: the workflow steps of a case and team membership.

The case and team list, detail, add, edit, delete and history pages are the registry's generic pages
(with ``threats/threatcase_detail.html`` and ``threats/team_detail.html`` as detail templates). Each
workflow step is one form posted to ``case_action``; the form parses, the service decides. A refused
step answers 422 with the service's reason on the form and everything typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import has_perm, restrict
from srodesk.core.views import is_partial

from . import services
from .choices import InterviewSubject
from .forms import (
    CaseMemberForm,
    CaseMemberRemoveForm,
    ClassifyForm,
    CloseForm,
    DisciplineForm,
    InterviewForm,
    MonitoringForm,
    PlanItemDoneForm,
    PlanItemForm,
    ProtectiveActionForm,
    RemovalForm,
    SafetyEvaluationForm,
    TeamMemberForm,
    ThemesForm,
)
from .models import Team, TeamMember, ThreatCase

ACTION_TEMPLATE = "threats/case_action.html"
MEMBER_TEMPLATE = "threats/team_member_form.html"

FormMaker = Callable[[ThreatCase, "QueryDict | None", str], forms.Form]
Runner = Callable[[Any, ThreatCase, Any], object]


@dataclass(frozen=True)
class CaseAction:
    """One workflow step of a case: its form and the service it calls."""

    name: str
    title: str
    button: str
    anchor: str
    make_form: FormMaker
    run: Runner


@dataclass(frozen=True)
class BoundAction:
    """A step's form ready to render on a page."""

    name: str
    title: str
    button: str
    url: str
    form: forms.Form


def _plain(form_class: type[forms.Form]) -> FormMaker:
    return lambda case, data, prefix: form_class(data, prefix=prefix)


def _for_case(form_class: Any) -> FormMaker:
    return lambda case, data, prefix: form_class(data, prefix=prefix, case=case)


def _interview(subject: str) -> CaseAction:
    form_class = InterviewForm.for_subject(subject)

    def run(actor: Any, case: ThreatCase, form: Any) -> object:
        data = form.cleaned_data
        return services.record_interview(
            actor=actor,
            case=case,
            subject=subject,
            person_name=data["person_name"],
            answers=form.answers(),
            interviewed_at=data["interviewed_at"],
            notes=data["notes"],
        )

    label = {"student": "the student", "recipient": "a recipient", "witness": "a witness"}[subject]
    return CaseAction(
        f"interview_{subject}", f"Interview {label}", "Save the interview", "interviews", _plain(form_class), run
    )


def _cd(form: Any) -> dict[str, Any]:
    return dict(form.cleaned_data)


CASE_ACTIONS: dict[str, CaseAction] = {
    a.name: a
    for a in (
        _interview(InterviewSubject.STUDENT),
        _interview(InterviewSubject.RECIPIENT),
        _interview(InterviewSubject.WITNESS),
        CaseAction(
            "protective_action",
            "Record a protective action",
            "Record the action",
            "protective-actions",
            _plain(ProtectiveActionForm),
            lambda actor, case, form: services.record_protective_action(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "classify",
            "Classify the threat",
            "Save the classification",
            "classification",
            _plain(ClassifyForm),
            lambda actor, case, form: services.classify(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "safety_evaluation",
            "Complete the safety evaluation",
            "Complete the safety evaluation",
            "safety-evaluation",
            _plain(SafetyEvaluationForm),
            lambda actor, case, form: services.complete_safety_evaluation(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "plan_item",
            "Add a safety-plan item",
            "Add the item",
            "safety-plan",
            _for_case(PlanItemForm),
            lambda actor, case, form: services.add_plan_item(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "plan_item_done",
            "Mark a safety-plan item done",
            "Mark done",
            "safety-plan",
            _for_case(PlanItemDoneForm),
            lambda actor, case, form: services.complete_plan_item(actor=actor, item=form.cleaned_data["item"]),
        ),
        CaseAction(
            "monitoring",
            "Add a monitoring entry or plan review",
            "Save the entry",
            "monitoring",
            _plain(MonitoringForm),
            lambda actor, case, form: services.add_monitoring_entry(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "themes",
            "Investigative themes",
            "Save the themes",
            "themes",
            _for_case(ThemesForm),
            lambda actor, case, form: services.save_theme_findings(actor=actor, case=case, findings=form.findings()),
        ),
        CaseAction(
            "discipline",
            "Record discipline",
            "Record the discipline",
            "discipline",
            _plain(DisciplineForm),
            lambda actor, case, form: services.record_discipline(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "add_member",
            "Add a person to the case",
            "Add to the case",
            "people",
            _for_case(CaseMemberForm),
            lambda actor, case, form: services.add_case_member(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "remove_member",
            "Remove a person from the case",
            "Remove",
            "people",
            _for_case(CaseMemberRemoveForm),
            lambda actor, case, form: services.remove_case_member(actor=actor, case=case, **_cd(form)),
        ),
        CaseAction(
            "close",
            "Close the case",
            "Close the case",
            "closure",
            _plain(CloseForm),
            lambda actor, case, form: services.close_case(actor=actor, case=case, **_cd(form)),
        ),
    )
}


def action_url(case: ThreatCase, name: str) -> str:
    return reverse("threats:threatcase_action", args=[case.pk, name])


def bound_action(case: ThreatCase, name: str, data: QueryDict | None = None) -> BoundAction:
    spec = CASE_ACTIONS[name]
    return BoundAction(name, spec.title, spec.button, action_url(case, name), spec.make_form(case, data, name))


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on the named field when the form has it, else on top."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, reasons in errors.items():
        form.add_error(field if field in form.fields else None, reasons)


def _render_action(request: HttpRequest, case: ThreatCase, action: BoundAction, status: int = 200) -> HttpResponse:
    context = {"object": case, "action": action, "page_title": f"{action.title}: {case}"}
    template = f"{ACTION_TEMPLATE}#form" if is_partial(request) else ACTION_TEMPLATE
    return render(request, template, context, status=status)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if is_partial(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One workflow step of a case (GET: its form on a page of its own; POST: take the step)."""
    spec = CASE_ACTIONS.get(action)
    if spec is None:
        raise Http404("No such step.")
    if not has_perm(request.user, services.CHANGE_CASE):
        raise PermissionDenied
    cases = restrict(ThreatCase.objects.alive(), request.user, "change").select_related("team", "school")
    case: ThreatCase = get_object_or_404(cases, pk=pk)
    if request.method == "GET":
        AuditEvent.record_access(
            action=AuditEvent.Action.VIEW, model=ThreatCase, objects=[case], detail={"page": action}
        )
        return _render_action(request, case, bound_action(case, action))
    bound = bound_action(case, action, request.POST)
    if not bound.form.is_valid():
        return _render_action(request, case, bound, status=422)
    try:
        spec.run(request.user, case, bound.form)
    except ValidationError as exc:
        add_service_errors(bound.form, exc)
        return _render_action(request, case, bound, status=422)
    except PermissionDenied:
        bound.form.add_error(None, "You may not change this case.")
        return _render_action(request, case, bound, status=403)
    messages.success(request, f"{spec.title}: saved.")
    return _done(request, f"{case.get_absolute_url()}#{spec.anchor}")


# --- team membership ------------------------------------------------------------------------------


def _visible_team(request: HttpRequest, pk: int) -> Team:
    if not has_perm(request.user, services.MANAGE_TEAM):
        raise PermissionDenied
    team: Team = get_object_or_404(restrict(Team.objects.alive(), request.user, "view"), pk=pk)
    if not has_perm(request.user, services.MANAGE_TEAM, team):
        raise PermissionDenied
    return team


def _render_member(
    request: HttpRequest, team: Team, form: forms.Form, title: str, url: str, status: int = 200
) -> HttpResponse:
    context = {"object": team, "form": form, "page_title": f"{title}: {team}", "form_url": url, "title": title}
    template = f"{MEMBER_TEMPLATE}#form" if is_partial(request) else MEMBER_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _visible_team(request, pk)
    url = reverse("threats:team_member_add", args=[team.pk])
    title = "Add a team member"
    if request.method == "GET":
        return _render_member(request, team, TeamMemberForm(team=team), title, url)
    form = TeamMemberForm(request.POST, team=team)
    if not form.is_valid():
        return _render_member(request, team, form, title, url, status=422)
    try:
        services.add_team_member(actor=request.user, team=team, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _render_member(request, team, form, title, url, status=422)
    messages.success(request, f"{form.cleaned_data['user']} added to {team}.")
    return _done(request, team.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def team_member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    team = _visible_team(request, pk)
    membership = get_object_or_404(TeamMember.objects.filter(team=team, deleted_at__isnull=True), pk=member_pk)
    url = reverse("threats:team_member_remove", args=[team.pk, membership.pk])
    title = f"Remove {membership.user} from the team"
    if request.method == "GET":
        return _render_member(request, team, RemovalForm(), title, url)
    form = RemovalForm(request.POST)
    if not form.is_valid():
        return _render_member(request, team, form, title, url, status=422)
    services.remove_team_member(actor=request.user, membership=membership, reason=form.cleaned_data["reason"])
    messages.success(request, f"{membership.user} removed from {team}.")
    return _done(request, team.get_absolute_url())
