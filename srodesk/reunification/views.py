"""Reunification pages beyond the generic ones: starting an event, its live dashboard, the live list of
students not yet released, the checker's card page (phone-sized), the runner's queue, the exceptions area,
the accountant's reconciliation and closing the event.

Lists that change during the event are htmx partials polled every few seconds; every page also works as a
plain page without JavaScript. Each step is one form; the form parses, the service decides. A refused step
answers 422 with the reason and keeps what was typed. Pages that name students write an access row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import has_perm, restrict
from srodesk.core.views import is_partial
from srodesk.people.choices import Grade

from . import services
from .choices import GONE, CardStatus, StudentStatus
from .forms import (
    CheckForm,
    CloseForm,
    RaiseForm,
    ReleaseForm,
    ResolveForm,
    ReunificationCardForm,
    ReunificationEventForm,
)
from .models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException

#: How many rows a live list shows at once (search to narrow it).
LIVE_LIMIT = 100
POLL = "every 10s"


# --- access ---------------------------------------------------------------------------------------


def _event(request: HttpRequest, pk: int, perm: str = services.VIEW_STUDENTS) -> ReunificationEvent:
    """The event, for a page needing ``perm`` in it: 403 without the grant anywhere, 404 out of scope."""
    if not has_perm(request.user, perm):
        raise PermissionDenied
    events = restrict(ReunificationEvent.objects.alive(), request.user, "view").select_related("district")
    event: ReunificationEvent = get_object_or_404(events, pk=pk)
    if not services.in_event_scope(request.user, perm, event):
        raise Http404("No reunification event matches the given query.")
    return event


def _part(request: HttpRequest, model: Any, pk: int, perm: str) -> Any:
    """A card, expected student or exception the user may act on (same 403/404 rules)."""
    if not has_perm(request.user, perm):
        raise PermissionDenied
    action = perm.split(".", 1)[1].rsplit("_", 1)[0]
    related = ("event", "school", "student") if model is EventStudent else ("event", "event_student")
    rows = restrict(model.objects.alive(), request.user, action).select_related(*related)
    return get_object_or_404(rows, pk=pk)


def _log(model: Any, rows: list[Any], action: str = AuditEvent.Action.LIST, **detail: Any) -> None:
    if rows:
        AuditEvent.record_access(action=action, model=model, objects=rows, detail=detail)


def _service_errors(form: Any, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for name, reasons in errors.items():
        form.add_error(name if name in form.fields else None, reasons)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if is_partial(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def event_context(request: HttpRequest, event: ReunificationEvent) -> dict[str, Any]:
    """What the event's pages show around their content: counts and the steps open to the viewer."""
    user = request.user
    return {
        "event": event,
        "counts": services.counts(event),
        "poll": POLL if event.is_open else "",
        "may_see_students": services.may(user, services.VIEW_STUDENTS, event),
        "may_issue": event.is_open and services.may(user, services.ISSUE_CARD, event),
        "may_check": event.is_open and services.may(user, services.CHECK_CARD, event),
        "may_run": event.is_open and services.may(user, services.RUN_CARD, event),
        "may_release": event.is_open and services.may(user, services.RELEASE_CARD, event),
        "may_see_exceptions": services.may(user, services.VIEW_EXCEPTIONS, event),
        "may_resolve": event.is_open and services.may(user, services.RESOLVE_EXCEPTION, event),
        "may_see_cards": services.may(user, services.VIEW_CARDS, event),
        "may_close": event.is_open and has_perm(user, services.CLOSE_EVENT, event),
    }


# --- starting and closing -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def event_start(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, services.ADD_EVENT):
        raise PermissionDenied
    form = ReunificationEventForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                event = services.start_event(
                    actor=request.user,
                    district=data["district"],
                    schools=data["schools"],
                    site_name=data["site_name"],
                    site_address=data["site_address"],
                    assembly_area=data["assembly_area"],
                    alert=data["alert"],
                    is_drill=data["is_drill"],
                )
            except ValidationError as exc:
                _service_errors(form, exc)
                status = 422
            except PermissionDenied:
                form.add_error(None, "You may not start a reunification there: it would be outside your scope.")
                status = 403
            else:
                messages.success(request, f"{event} started: {services.counts(event).expected} students expected.")
                return _done(request, event.get_absolute_url())
        else:
            status = 422
    context = {"form": form, "page_title": "Start a reunification", "form_url": reverse("reunification:event_start")}
    template = "reunification/event_start.html"
    return render(request, f"{template}#form" if is_partial(request) else template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_close(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk, services.CLOSE_EVENT)
    if not has_perm(request.user, services.CLOSE_EVENT, event):
        raise Http404("No reunification event matches the given query.")
    form = CloseForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.close_event(actor=request.user, event=event, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _service_errors(form, exc)
            status = 422
        else:
            messages.success(request, f"{event} closed.")
            return _done(request, event.get_absolute_url())
    context = {**event_context(request, event), "form": form, "page_title": f"Close {event}"}
    return render(request, "reunification/event_close.html", context, status=status)


# --- live pages -----------------------------------------------------------------------------------


@login_required
def event_counts(request: HttpRequest, pk: int) -> HttpResponse:
    """The dashboard's counts (polled)."""
    event = _event(request, pk, "reunification.view_reunificationevent")
    return render(request, "reunification/_counts.html", event_context(request, event))


def _search(queryset: QuerySet[EventStudent], request: HttpRequest) -> QuerySet[EventStudent]:
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(EventStudent.search_q(q))
    grade = request.GET.get("grade", "")
    if grade in Grade.values:
        queryset = queryset.filter(grade=grade)
    return queryset


@login_required
def event_students(request: HttpRequest, pk: int) -> HttpResponse:
    """The live list of students not yet released, searchable by name and grade."""
    event = _event(request, pk, services.VIEW_STUDENTS)
    queryset = _search(services.not_released(event).select_related("school"), request)
    total = queryset.count()
    rows = list(queryset[:LIVE_LIMIT])
    _log(EventStudent, rows, page="not released", event=event.pk)
    context = {
        **event_context(request, event),
        "rows": rows,
        "total": total,
        "limit": LIVE_LIMIT,
        "q": request.GET.get("q", ""),
        "grade": request.GET.get("grade", ""),
        "grades": Grade.choices,
        "page_title": f"Not yet released · {event.site_name}",
    }
    template = "reunification/event_students.html"
    return render(request, f"{template}#students" if is_partial(request) else template, context)


@login_required
def event_checker(request: HttpRequest, pk: int) -> HttpResponse:
    """Greeters and checkers: find a student, then open the student's card page."""
    perm = services.CHECK_CARD if has_perm(request.user, services.CHECK_CARD) else services.ISSUE_CARD
    event = _event(request, pk, perm)
    rows: list[EventStudent] = []
    q = request.GET.get("q", "").strip()
    total = 0
    if q or request.GET.get("grade"):
        queryset = _search(EventStudent.objects.alive().filter(event=event).select_related("school"), request)
        total = queryset.count()
        rows = list(queryset.order_by("search_name", "pk")[:25])
        _log(EventStudent, rows, page="checker search", event=event.pk)
    context = {
        **event_context(request, event),
        "rows": rows,
        "total": total,
        "q": q,
        "grade": request.GET.get("grade", ""),
        "grades": Grade.choices,
        "searched": bool(q or request.GET.get("grade")),
        "page_title": f"Cards · {event.site_name}",
    }
    template = "reunification/event_checker.html"
    return render(request, f"{template}#results" if is_partial(request) else template, context)


def _card_page(
    request: HttpRequest,
    student: EventStudent,
    *,
    issue_form: Any = None,
    check_form: Any = None,
    raise_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    event = student.event
    roster = services.custody(student.student)
    card = (
        student.cards.filter(deleted_at__isnull=True)
        .exclude(status=CardStatus.REFUSED)
        .select_related("issued_by", "checked_by", "guardian")
        .order_by("-pk")
        .first()
    )
    exceptions = list(
        student.exceptions.filter(deleted_at__isnull=True).select_related("raised_by", "resolved_by").order_by("-pk")
    )
    context = {
        **event_context(request, event),
        "student": student,
        "custody": roster,
        "card": card,
        "exceptions": exceptions,
        "gone": student.status in GONE,
        "issue_form": issue_form or ReunificationCardForm(user=request.user),
        "check_form": check_form or CheckForm(custody=roster, prefix="check"),
        "raise_form": raise_form or RaiseForm(prefix="raise"),
        "page_title": f"{student.name} · card",
    }
    AuditEvent.record_access(
        action=AuditEvent.Action.VIEW,
        model=EventStudent,
        objects=[student],
        detail={"page": "card", "guardians": [a.guardian_id for a in roster.adults]},
    )
    return render(request, "reunification/student_card.html", context, status=status)


@login_required
def student_card(request: HttpRequest, pk: int) -> HttpResponse:
    """The checker's phone-sized page for one student: the card, the authorised adults and restrictions."""
    student = _part(request, EventStudent, pk, services.VIEW_STUDENTS)
    return _card_page(request, student)


@login_required
@require_POST
def card_issue(request: HttpRequest, pk: int) -> HttpResponse:
    student = _part(request, EventStudent, pk, services.VIEW_STUDENTS)
    if not services.may(request.user, services.ISSUE_CARD, student.event):
        raise PermissionDenied
    form = ReunificationCardForm(request.POST, user=request.user)
    if not form.is_valid():
        return _card_page(request, student, issue_form=form, status=422)
    try:
        services.issue_card(actor=request.user, event_student=student, **form.cleaned_data)
    except ValidationError as exc:
        _service_errors(form, exc)
        return _card_page(request, student, issue_form=form, status=422)
    messages.success(request, f"Card issued for {student.name}.")
    return _done(request, reverse("reunification:student_card", args=[student.pk]))


@login_required
@require_POST
def card_check(request: HttpRequest, pk: int) -> HttpResponse:
    card: ReunificationCard = _part(request, ReunificationCard, pk, services.CHECK_CARD)
    student = EventStudent.objects.select_related("event", "school", "student").get(pk=card.event_student_id)
    form = CheckForm(request.POST, custody=services.custody(student.student), prefix="check")
    if not form.is_valid():
        return _card_page(request, student, check_form=form, status=422)
    data = form.cleaned_data
    try:
        result = services.check_card(
            actor=request.user,
            card=card,
            guardian_id=form.guardian_id(),
            id_type=data["id_type"],
            id_last4=data["id_last4"],
            id_verified=data["id_verified"],
        )
    except ValidationError as exc:
        _service_errors(form, exc)
        return _card_page(request, student, check_form=form, status=422)
    if result.exception is not None:
        messages.warning(
            request, f"Not released: {result.exception.get_kind_display()}. Send the adult to the exceptions area."
        )
    else:
        messages.success(request, f"Checked: a runner will bring {student.name}.")
    return _done(request, reverse("reunification:student_card", args=[student.pk]))


@login_required
@require_POST
def exception_raise(request: HttpRequest, pk: int) -> HttpResponse:
    student = _part(request, EventStudent, pk, services.VIEW_STUDENTS)
    if not services.may(request.user, services.RAISE_EXCEPTION, student.event):
        raise PermissionDenied
    form = RaiseForm(request.POST, prefix="raise")
    if not form.is_valid():
        return _card_page(request, student, raise_form=form, status=422)
    try:
        services.raise_exception(actor=request.user, event_student=student, **form.cleaned_data)
    except ValidationError as exc:
        _service_errors(form, exc)
        return _card_page(request, student, raise_form=form, status=422)
    messages.warning(request, f"{student.name} is held in the exceptions area.")
    return _done(request, reverse("reunification:student_card", args=[student.pk]))


@login_required
def event_runner(request: HttpRequest, pk: int) -> HttpResponse:
    """The runner's queue: checked cards waiting for their student, and students brought, waiting for release."""
    perm = services.RUN_CARD if has_perm(request.user, services.RUN_CARD) else services.RELEASE_CARD
    event = _event(request, pk, perm)
    cards = (
        ReunificationCard.objects.alive()
        .filter(event=event, status__in=[CardStatus.CHECKED, CardStatus.BROUGHT])
        .select_related("event_student", "event_student__school")
        .order_by("checked_at", "pk")
    )
    rows = list(cards[: LIVE_LIMIT * 2])
    _log(ReunificationCard, rows, page="runner queue", event=event.pk)
    context = {
        **event_context(request, event),
        "to_bring": [c for c in rows if c.status == CardStatus.CHECKED],
        "to_release": [c for c in rows if c.status == CardStatus.BROUGHT],
        "page_title": f"Runner queue · {event.site_name}",
    }
    template = "reunification/event_runner.html"
    return render(request, f"{template}#queue" if is_partial(request) else template, context)


@login_required
@require_POST
def card_bring(request: HttpRequest, pk: int) -> HttpResponse:
    card: ReunificationCard = _part(request, ReunificationCard, pk, services.RUN_CARD)
    try:
        services.bring_student(actor=request.user, card=card)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _done(request, reverse("reunification:event_runner", args=[card.event_id]))


@login_required
@require_http_methods(["GET", "POST"])
def card_release(request: HttpRequest, pk: int) -> HttpResponse:
    card: ReunificationCard = _part(request, ReunificationCard, pk, services.RELEASE_CARD)
    form = ReleaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = services.release(
                    actor=request.user, card=card, student_agreed=form.cleaned_data["student_agreed"]
                )
            except ValidationError as exc:
                _service_errors(form, exc)
                status = 422
            else:
                if result.exception is not None:
                    messages.warning(request, f"{card.event_student.name} was not released: sent to exceptions.")
                else:
                    messages.success(request, f"{card.event_student.name} released to {card.adult_name}.")
                return _done(request, reverse("reunification:event_runner", args=[card.event_id]))
        else:
            status = 422
    AuditEvent.record_access(action=AuditEvent.Action.VIEW, model=ReunificationCard, objects=[card])
    context = {
        **event_context(request, card.event),
        "card": card,
        "form": form,
        "page_title": f"Release {card.event_student.name}",
    }
    return render(request, "reunification/card_release.html", context, status=status)


@login_required
def event_exceptions(request: HttpRequest, pk: int) -> HttpResponse:
    """The exceptions area: open exceptions first, then the resolved ones."""
    event = _event(request, pk, services.VIEW_EXCEPTIONS)
    rows = list(
        ReunificationException.objects.alive()
        .filter(event=event)
        .select_related("event_student", "card", "raised_by", "resolved_by")
        .order_by("resolved_at", "raised_at", "pk")[: LIVE_LIMIT * 2]
    )
    _log(ReunificationException, rows, page="exceptions", event=event.pk)
    context = {
        **event_context(request, event),
        "open_rows": [r for r in rows if r.resolved_at is None],
        "resolved_rows": [r for r in rows if r.resolved_at is not None],
        "page_title": f"Exceptions · {event.site_name}",
    }
    template = "reunification/event_exceptions.html"
    return render(request, f"{template}#exceptions" if is_partial(request) else template, context)


@login_required
@require_http_methods(["GET", "POST"])
def exception_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    exception: ReunificationException = _part(request, ReunificationException, pk, services.RESOLVE_EXCEPTION)
    form = ResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resolve_exception(
                    actor=request.user,
                    exception=exception,
                    resolution=form.cleaned_data["resolution"],
                    note=form.cleaned_data["resolution_note"],
                )
            except ValidationError as exc:
                _service_errors(form, exc)
                status = 422
            else:
                messages.success(request, f"Exception resolved for {exception.event_student.name}.")
                return _done(request, reverse("reunification:event_exceptions", args=[exception.event_id]))
        else:
            status = 422
    AuditEvent.record_access(action=AuditEvent.Action.VIEW, model=ReunificationException, objects=[exception])
    context = {
        **event_context(request, exception.event),
        "exception": exception,
        "form": form,
        "page_title": f"Resolve: {exception}",
    }
    return render(request, "reunification/exception_resolve.html", context, status=status)


@login_required
def event_reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    """The accountant's reconciliation: released students against released cards."""
    event = _event(request, pk, services.VIEW_CARDS)
    check = services.reconciliation(event)
    base = event_context(request, event)
    by_status = base["counts"].by_status
    context = {
        **base,
        "check": check,
        "card_rows": [(v, label, check.cards_by_status.get(v, 0)) for v, label in CardStatus.choices],
        "student_rows": [(v, label, by_status.get(v, 0)) for v, label in StudentStatus.choices],
        "page_title": f"Reconciliation · {event.site_name}",
    }
    return render(request, "reunification/event_reconciliation.html", context)
