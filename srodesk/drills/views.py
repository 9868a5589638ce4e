"""Drill pages beyond the generic record pages: compliance per school and for a district, the
iCalendar feeds of a school's drills, and the floor-plan image of an emergency plan.

Each page checks the grant first (403), then finds the school or plan through the policy engine
(404 out of scope).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from srodesk.core.permissions import has_perm, restrict
from srodesk.core.views import RecordEditView
from srodesk.organizations.models import School

from . import ical, services
from .compliance import STATUS_LABELS
from .models import Drill, EmergencyPlan
from .queries import compliance_for_schools, drill_schools

CALENDAR_SALT = "srodesk.drills.calendar"


class ComplianceQueryForm(forms.Form):
    as_of = forms.DateField(
        label="As of", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Today when empty."
    )
    year = forms.IntegerField(
        label="School year starting in", required=False, min_value=2000, max_value=2100, help_text="e.g. 2026"
    )


def _query(request: HttpRequest) -> tuple[ComplianceQueryForm, dt.date | None, int | None]:
    data = request.POST if request.method == "POST" else request.GET
    form = ComplianceQueryForm(data if any(data.get(k) for k in ("as_of", "year")) else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["as_of"], form.cleaned_data["year"]
    return form, None, None


def _require_view(request: HttpRequest) -> None:
    if not has_perm(request.user, "drills.view_drill"):
        raise PermissionDenied


def _school(request: HttpRequest, pk: int) -> School:
    school = drill_schools(request.user).filter(pk=pk).first()
    if school is None:
        raise Http404("No school matches the given query.")
    return school


def _status_code(form: ComplianceQueryForm) -> int:
    return 422 if form.is_bound and not form.is_valid() else 200


@never_cache
@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """Every school in the user's scope, grouped by district: its status and what needs doing first."""
    _require_view(request)
    form, as_of, year = _query(request)
    schools = list(drill_schools(request.user).order_by("district__name", "name"))
    results = compliance_for_schools(request.user, schools, as_of=as_of, start_year=year)
    districts: OrderedDict[Any, list[Any]] = OrderedDict()
    for result in results:
        districts.setdefault(result.school.district, []).append(result)
    totals = dict.fromkeys(STATUS_LABELS, 0)
    for result in results:
        totals[result.status] += 1
    context = {
        "page_title": "Drill compliance",
        "form": form,
        "districts": districts,
        "totals": [(STATUS_LABELS[k], k, v) for k, v in totals.items()],
        "query": request.GET.urlencode(),
    }
    return render(request, "drills/compliance_overview.html", context, status=_status_code(form))


def calendar_token(user: Any, school: School) -> str:
    """A subscription token for one user and school; a password change revokes it."""
    check = salted_hmac(CALENDAR_SALT, user.password).hexdigest()[:16]
    return signing.dumps({"u": user.pk, "s": school.pk, "h": check}, salt=CALENDAR_SALT, compress=True)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def school_compliance(request: HttpRequest, pk: int) -> HttpResponse:
    """One school: each requirement's status, what is missing and by when, and a suggested schedule.
    A POST schedules every suggested drill (``drills.add_drill``)."""
    _require_view(request)
    school = _school(request, pk)
    form, as_of, year = _query(request)
    (result,) = compliance_for_schools(request.user, [school], as_of=as_of, start_year=year)
    can_schedule = has_perm(request.user, "drills.add_drill")
    if request.method == "POST":
        if not can_schedule:
            raise PermissionDenied
        try:
            created = services.schedule_suggestions(actor=request.user, school=school, suggestions=result.suggestions)
        except PermissionDenied:
            messages.error(request, "You may not schedule drills at this school. Nothing was scheduled.")
        except ValidationError as exc:
            messages.error(request, "Nothing was scheduled: " + " ".join(exc.messages))
        else:
            messages.success(request, f"{len(created)} drills scheduled.")
        url = reverse("drills:compliance_school", args=[school.pk])
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        return HttpResponseRedirect(f"{url}?{query.urlencode()}" if query else url)
    feed = reverse("drills:calendar_feed", args=[calendar_token(request.user, school)])
    context = {
        "page_title": f"Drill compliance: {school.name}",
        "school": school,
        "result": result,
        "form": form,
        "can_schedule": can_schedule and bool(result.suggestions),
        "can_add": can_schedule,
        "calendar_url": reverse("drills:compliance_calendar", args=[school.pk]),
        "subscribe_url": request.build_absolute_uri(feed),
        "drills_url": reverse("drills:drill_list") + f"?school_id={school.pk}",
        "plans_url": reverse("drills:emergencyplan_list") + f"?school_id={school.pk}",
    }
    return render(request, "drills/compliance_school.html", context, status=_status_code(form))


def _calendar_response(user: Any, school: School, request: HttpRequest) -> HttpResponse:
    drills = (
        restrict(Drill.objects.alive(), user, "view")
        .filter(school=school)
        .select_related("school")
        .order_by("scheduled_for", "conducted_at", "pk")
    )
    body = ical.calendar(
        drills, name=f"Drills – {school.name}", host=request.get_host().split(":")[0], stamp=timezone.now()
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="drills-{school.pk}.ics"'
    return response


@never_cache
@login_required
@require_GET
def school_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """The school's drills as iCalendar, for the signed-in user."""
    _require_view(request)
    return _calendar_response(request.user, _school(request, pk), request)


@never_cache
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The same feed for calendar applications, which cannot sign in: the token names the user and
    school, and every fetch re-checks that user's grants (a lost grant or a new password ends it)."""
    try:
        data = signing.loads(token, salt=CALENDAR_SALT)
        user = get_user_model().objects.get(pk=data["u"], is_active=True)
    except (signing.BadSignature, KeyError, TypeError, get_user_model().DoesNotExist) as exc:
        raise Http404 from exc
    check = salted_hmac(CALENDAR_SALT, user.password).hexdigest()[:16]
    if not constant_time_compare(check, str(data.get("h", ""))) or not has_perm(user, "drills.view_drill"):
        raise Http404
    school = drill_schools(user).filter(pk=data.get("s")).first()
    if school is None:
        raise Http404
    return _calendar_response(user, school, request)


@login_required
@require_GET
def floor_plan(request: HttpRequest, pk: int) -> FileResponse:
    """The floor-plan image of a plan, for those who may see the plan (never a public media URL)."""
    if not has_perm(request.user, "drills.view_emergencyplan"):
        raise PermissionDenied
    plan = restrict(EmergencyPlan.objects.alive(), request.user, "view").filter(pk=pk).first()
    if plan is None or not plan.floor_plan:
        raise Http404
    response = FileResponse(plan.floor_plan.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    return response


class EmergencyPlanEditView(RecordEditView):
    """The generic add and edit pages, with a form that can upload the floor-plan image."""

    template_name = "drills/emergencyplan_edit.html"
