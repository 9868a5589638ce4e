"""Workflow pages of student support: the report to the agency and the written report of a mandated
report, sharing a referral, releasing records to an agency, the overdue list, and the attendance upload.

Each page checks the grant first (403), then finds the record through ``restrict()`` (404 out of scope),
and hands the input to one service. An invalid form answers 422 and keeps what was typed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context
from srodesk.core.permissions import has_perm, perm_name, restrict
from srodesk.core.views import is_partial

from . import services
from .choices import ImportStatus
from .forms import AttendanceUploadForm, OralReportForm, ReleaseForm, ShareForm, WrittenReportForm
from .models import AgencyRequest, AttendanceImport, MandatedReport, Referral

UPLOAD_DIR = "attendance-imports"
#: Files up to this size are imported while the page waits; larger ones by the task worker.
SYNC_LIMIT_BYTES = 256 * 1024


def _get(request: HttpRequest, model: type[models.Model], pk: int, action: str) -> Any:
    if not has_perm(request.user, perm_name(model, action)):
        raise PermissionDenied
    qs = restrict(model._default_manager.alive(), request.user, action)  # type: ignore[attr-defined]
    try:
        return qs.get(pk=pk)
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise Http404 from exc


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _action(
    request: HttpRequest,
    *,
    obj: Any,
    form_class: type[forms.Form],
    run: Callable[[dict[str, Any]], Any],
    title: str,
    intro: str,
    done: str,
) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                run(form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
                status = 422
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "You may not do this.")
                status = 403
            else:
                messages.success(request, done)
                url = obj.get_absolute_url()
                if is_partial(request):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return HttpResponseRedirect(url)
        else:
            status = 422
    else:
        form = form_class()
    context = {"form": form, "object": obj, "page_title": title, "intro": intro}
    template = "support/action_form.html"
    return render(request, f"{template}#form" if is_partial(request) else template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_oral(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(request, MandatedReport, pk, "change")
    return _action(
        request,
        obj=report,
        form_class=OralReportForm,
        run=lambda data: services.record_oral_report(actor=request.user, report=report, **data),
        title=f"Record the report to the agency – {report}",
        intro="The report to child protective services or the police is recorded in the student's "
        "disclosure log. Only the reporter records it: the duty to report is personal.",
        done="The report to the agency is recorded, and logged as a disclosure.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_written(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(request, MandatedReport, pk, "change")
    return _action(
        request,
        obj=report,
        form_class=WrittenReportForm,
        run=lambda data: services.record_written_report(actor=request.user, report=report, **data),
        title=f"Record the written report – {report}",
        intro="When the written follow-up report was sent to the agency.",
        done="The written report is recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_share(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _get(request, Referral, pk, "change")
    return _action(
        request,
        obj=referral,
        form_class=ShareForm,
        run=lambda data: services.share_referral(actor=request.user, referral=referral, **data),
        title=f"Record what was shared – {referral}",
        intro="What was shared with the agency is logged as a disclosure from the student's records, "
        "under the consent (or the exception) recorded on the referral.",
        done="What was shared is recorded in the disclosure log.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_release(request: HttpRequest, pk: int) -> HttpResponse:
    agency_request = _get(request, AgencyRequest, pk, "change")
    return _action(
        request,
        obj=agency_request,
        form_class=ReleaseForm,
        run=lambda data: services.release_to_agency(actor=request.user, request=agency_request, **data),
        title=f"Record a release – {agency_request}",
        intro="Each release is logged as a disclosure under the request's legal basis.",
        done="The release is recorded in the disclosure log.",
    )


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Overdue mandated-report deadlines of every report the viewer may see."""
    if not has_perm(request.user, perm_name(MandatedReport, "view")):
        raise PermissionDenied
    items = services.overdue_for(request.user)
    if items:
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=MandatedReport,
            objects=[i.report for i in items],
            detail={"page": "overdue"},
        )
    context = {"page_title": "Overdue mandated reports", "items": items}
    return render(request, "support/mandatedreport_overdue.html", context)


# --- Attendance upload ----------------------------------------------------------------------------


def store_upload(content: bytes) -> Path:
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4()}.csv"
    target.write_bytes(content)
    return target


def start_import(*, actor: Any, school: Any, name: str, content: bytes) -> AttendanceImport:
    """Create the import; small files are applied at once, larger ones by the task worker."""
    attendance_import = AttendanceImport(district_id=school.district_id, school=school, source_name=name[:255])
    if not has_perm(actor, perm_name(AttendanceImport, "add"), attendance_import):
        raise PermissionDenied
    if len(content) <= SYNC_LIMIT_BYTES:
        with audit_context(actor=actor):
            attendance_import.save()
        services.import_attendance(actor=actor, attendance_import=attendance_import, content=content)
        attendance_import.refresh_from_db()
        return attendance_import
    path = store_upload(content)
    with transaction.atomic(), audit_context(actor=actor):
        attendance_import.source_path = str(path)
        attendance_import.save()
        import_id = attendance_import.pk

        def enqueue() -> None:
            from .tasks import run_attendance_import

            run_attendance_import.enqueue(import_id)

        transaction.on_commit(enqueue)
    return attendance_import


@login_required
@require_http_methods(["GET", "POST"])
def attendance_upload(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, perm_name(AttendanceImport, "add")):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = AttendanceUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                attendance_import = start_import(
                    actor=request.user,
                    school=form.cleaned_data["school"],
                    name=Path(upload.name or "attendance.csv").name,
                    content=upload.read(),
                )
            except PermissionDenied:
                form.add_error("school", "You may not import attendance for this school.")
                status = 403
            else:
                url = attendance_import.get_absolute_url()
                if is_partial(request):
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return HttpResponseRedirect(url)
        else:
            status = 422
    else:
        form = AttendanceUploadForm(user=request.user)
    context = {
        "page_title": "Import attendance",
        "form": form,
        "list_url": reverse("support:attendanceimport_list"),
    }
    template = "support/attendance_upload.html"
    return render(request, f"{template}#form" if is_partial(request) else template, context, status=status)


@never_cache
@login_required
@require_GET
def attendance_import_status(request: HttpRequest, pk: int) -> HttpResponse:
    if not has_perm(request.user, perm_name(AttendanceImport, "view")):
        raise PermissionDenied
    attendance_import = get_object_or_404(restrict(AttendanceImport.objects.alive(), request.user, "view"), pk=pk)
    if request.GET.get("v") == attendance_import.status and attendance_import.status == ImportStatus.QUEUED:
        return HttpResponse(status=204)
    return render(request, "support/attendanceimport_detail.html#progress", {"object": attendance_import})
