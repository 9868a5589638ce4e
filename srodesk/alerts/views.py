"""Alert pages: start (two deliberate steps), the countdown with Cancel, the live page with the
accountability roll-up, all-clear, acknowledgement, "Report my room" and the CAP 1.2 feed of an alert.

The alert history list and the report pages are the registry's generic pages. Every page looks the alert
up among those the user may see (404 otherwise); the services decide about grants and state.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import has_perm, restrict
from srodesk.core.views import is_partial
from srodesk.organizations.models import School
from srodesk.people.models import Student

from . import cap, services
from .choices import AlertStatus
from .forms import AccountabilityReportForm, AlertForm, AllClearForm
from .models import AccountabilityReport, Alert, Recipient

START_TEMPLATE = "alerts/alert_start.html"
CONFIRM_TEMPLATE = "alerts/alert_confirm.html"
DETAIL_TEMPLATE = "alerts/alert_live.html"
ALL_CLEAR_TEMPLATE = "alerts/alert_all_clear.html"
REPORT_TEMPLATE = "alerts/alert_report.html"

#: Seconds between roll-up refreshes on the live page, and between countdown refreshes.
LIVE_POLL_SECONDS = 3
COUNTDOWN_POLL_SECONDS = 1


def _add_errors(form: Any, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, reasons in errors.items():
        form.add_error(field if field in form.fields else None, reasons)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if is_partial(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _visible_alert(request: HttpRequest, pk: int) -> Alert:
    if not has_perm(request.user, services.VIEW_ALERT):
        raise PermissionDenied
    alerts = restrict(Alert.objects.alive(), request.user, "view").select_related(
        "district", "agency", "initiated_by", "cancelled_by", "all_clear_by"
    )
    alert: Alert = get_object_or_404(alerts, pk=pk)
    return alert


# --- starting an alert ------------------------------------------------------------------------------


def _carried(request: HttpRequest) -> list[tuple[str, str]]:
    """Step 1's answers, carried through the confirmation screen as hidden fields."""
    skip = {"csrfmiddlewaretoken", "confirm", "back"}
    return [(name, value) for name in request.POST if name not in skip for value in request.POST.getlist(name)]


def _render_start(request: HttpRequest, form: AlertForm, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "page_title": "Start an alert",
        "window": int(services.cancel_window().total_seconds()),
    }
    template = f"{START_TEMPLATE}#form" if is_partial(request) else START_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def alert_start(request: HttpRequest) -> HttpResponse:
    """Step 1 (choose and fill in) → step 2 (confirm exactly what is sent and to how many) → Start."""
    if not has_perm(request.user, services.ADD_ALERT):
        raise PermissionDenied
    if request.method == "GET":
        return _render_start(request, AlertForm(user=request.user))
    form = AlertForm(request.POST, user=request.user)
    if "back" in request.POST:
        form.is_valid()
        return _render_start(request, form)
    if not form.is_valid():
        return _render_start(request, form, status=422)
    try:
        if "confirm" in request.POST:
            alert = services.arm(request.user, **form.arm_fields())
            messages.warning(request, f"{alert} starts in {services.cancel_window().seconds} s unless you cancel it.")
            return _done(request, alert.get_absolute_url())
        draft = services.prepare(request.user, **form.arm_fields())
    except ValidationError as exc:
        _add_errors(form, exc)
        return _render_start(request, form, status=422)
    except PermissionDenied:
        form.add_error("schools", "You may not start an alert for every school chosen.")
        return _render_start(request, form, status=403)
    schools: list[School] = draft.chosen_schools  # type: ignore[attr-defined]
    people = services.audience(
        district_id=draft.district_id,
        school_ids=[s.pk for s in schools],
        audience=draft.audience,
        agency_id=draft.agency_id,
    )
    context = {
        "draft": draft,
        "schools": schools,
        "recipient_count": len(people),
        "carried": _carried(request),
        "window": int(services.cancel_window().total_seconds()),
        "page_title": f"Confirm: {draft}",
    }
    return render(request, CONFIRM_TEMPLATE, context)


# --- the live page ----------------------------------------------------------------------------------


def _live_context(request: HttpRequest, alert: Alert) -> dict[str, Any]:
    # Safety net: whoever looks at a due alert delivers it (the scheduled task normally has).
    if alert.status == AlertStatus.ARMED and alert.deliver_at is not None and alert.deliver_at <= timezone.now():
        services.activate(alert)
        alert.refresh_from_db()
    user = request.user
    delivered = alert.status in (AlertStatus.ACTIVE, AlertStatus.ALL_CLEAR)
    recipient = Recipient.objects.filter(alert=alert, user_id=getattr(user, "pk", 0)).first()
    remaining = 0
    if alert.status == AlertStatus.ARMED and alert.deliver_at is not None:
        remaining = max(0, int((alert.deliver_at - timezone.now()).total_seconds() + 0.999))
    poll = COUNTDOWN_POLL_SECONDS if alert.status == AlertStatus.ARMED else LIVE_POLL_SECONDS
    return {
        "alert": alert,
        "object": alert,
        "schools": list(alert.schools.all().order_by("name", "pk")),
        "rollup": services.rollup(alert) if delivered else None,
        "recipient": recipient,
        "can_change": services.can_change(user, alert),
        "can_report": delivered and bool(services.report_schools(alert, user)),
        "show_names": services.may_see_names(user, alert),
        "remaining": remaining,
        "poll": poll if alert.status in (AlertStatus.ARMED, AlertStatus.ACTIVE) else 0,
        "page_title": str(alert),
    }


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The countdown (while armed), then the live alert: directive, acknowledgements, roll-up, all-clear."""
    alert = _visible_alert(request, pk)
    context = _live_context(request, alert)
    template = f"{DETAIL_TEMPLATE}#live" if is_partial(request) else DETAIL_TEMPLATE
    return render(request, template, context)


@login_required
@require_POST
def alert_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _visible_alert(request, pk)
    try:
        services.cancel(alert, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{alert} was cancelled. Nothing was sent.")
    return _done(request, alert.get_absolute_url())


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _visible_alert(request, pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        recipient = services.acknowledge(alert, request.user)
    except ValidationError as exc:
        if wants_json:
            return JsonResponse(
                {"errors": [{"field": None, "code": "invalid", "reason": r} for r in exc.messages]}, status=409
            )
        messages.error(request, " ".join(exc.messages))
    else:
        if wants_json:
            at = recipient.acknowledged_at
            return JsonResponse({"alert": alert.pk, "acknowledged_at": at.isoformat() if at else None})
    if is_partial(request):
        return render(request, f"{DETAIL_TEMPLATE}#live", _live_context(request, alert))
    return HttpResponseRedirect(alert.get_absolute_url())


def _render_all_clear(request: HttpRequest, alert: Alert, form: AllClearForm, status: int = 200) -> HttpResponse:
    context = {"alert": alert, "object": alert, "form": form, "page_title": f"All clear: {alert}"}
    template = f"{ALL_CLEAR_TEMPLATE}#form" if is_partial(request) else ALL_CLEAR_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def alert_all_clear(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _visible_alert(request, pk)
    if not services.can_change(request.user, alert):
        raise PermissionDenied
    if request.method == "GET":
        return _render_all_clear(request, alert, AllClearForm())
    form = AllClearForm(request.POST)
    if not form.is_valid():
        return _render_all_clear(request, alert, form, status=422)
    try:
        services.all_clear(alert, request.user, form.cleaned_data["message"])
    except ValidationError as exc:
        _add_errors(form, exc)
        return _render_all_clear(request, alert, form, status=422)
    messages.success(request, f"All clear sent for {alert}.")
    return _done(request, alert.get_absolute_url())


# --- "Report my room" -------------------------------------------------------------------------------


def _render_report(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = f"{REPORT_TEMPLATE}#form" if is_partial(request) else REPORT_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def alert_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A phone-sized page: the room, how many are present, and who is missing, extra or injured."""
    if not has_perm(request.user, services.ADD_REPORT):
        raise PermissionDenied
    alert = _visible_alert(request, pk)
    schools = services.report_schools(alert, request.user)
    if not schools:
        raise PermissionDenied
    chosen = request.GET.get("school") or request.POST.get("school")
    school = next((s for s in schools if str(s.pk) == chosen), schools[0] if len(schools) == 1 else None)
    context: dict[str, Any] = {"alert": alert, "object": alert, "schools": schools, "school": school}
    context["page_title"] = f"Report my room: {alert}"
    if school is None:
        return _render_report(request, context)
    url = f"{reverse('alerts:alert_report', args=[alert.pk])}?school={school.pk}"
    context["form_url"] = url
    if request.method == "GET":
        previous = (
            AccountabilityReport.objects.alive()
            .filter(alert=alert, school=school, reporter_id=request.user.pk)
            .order_by("-reported_at", "-pk")
            .first()
        )
        form = AccountabilityReportForm(instance=previous, user=request.user, school=school)
        roster: Any = form.fields["missing"]
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=Student,
            objects=list(roster.queryset.only("pk")),
            detail={"purpose": "accountability", "alert": alert.pk, "school": school.pk},
        )
        context["form"] = form
        return _render_report(request, context)
    form = AccountabilityReportForm(request.POST, user=request.user, school=school)
    context["form"] = form
    if not form.is_valid():
        return _render_report(request, context, status=422)
    data = form.cleaned_data
    try:
        services.report_accountability(
            alert,
            request.user,
            school,
            area=data["area"],
            present_count=data["present_count"],
            adults_present=data["adults_present"],
            missing=list(data["missing"]),
            extra=list(data["extra"]),
            injured=list(data["injured"]),
            needs_help=data["needs_help"],
            notes=data["notes"],
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _render_report(request, context, status=422)
    messages.success(request, f"{data['area']}: reported.")
    return _done(request, alert.get_absolute_url())


# --- CAP 1.2 ----------------------------------------------------------------------------------------


@login_required
@require_GET
def alert_cap(request: HttpRequest, pk: int) -> HttpResponse:
    """The alert as a CAP 1.2 message (for public alerting systems)."""
    alert = _visible_alert(request, pk)
    body = cap.to_xml(alert, host=request.get_host())
    return HttpResponse(body, content_type="application/cap+xml; charset=utf-8")
