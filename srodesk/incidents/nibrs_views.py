"""The NIBRS page of the records role: check a month, download a preview or the final submission, past files.

Checking a month shows the reports per type and every incident's edit errors (an access to law-enforcement
records, logged). Downloading calls :func:`srodesk.incidents.nibrs.export.build_export`, which checks the
permission (export for a preview, submit for a final submission), records the file and logs it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context
from srodesk.organizations.models import Agency

from .models import Incident, NibrsSubmission
from .nibrs import export
from .nibrs.reports import MonthError, parse_month

TEMPLATE = "incidents/nibrs_export.html"
PAST_SHOWN = 25


def default_month() -> str:
    first = timezone.localdate().replace(day=1)
    return f"{first - dt.timedelta(days=1):%Y-%m}"


class NibrsExportForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label=None)
    month = forms.CharField(
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"}),
        help_text="The month reported, e.g. 2026-10.",
    )
    format = forms.ChoiceField(
        choices=[("xml", "XML (IEPD 2019.1), one document per report in a ZIP"), ("flat", "Flat file (fixed length)")],
        initial="xml",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = export.agencies_for(user, final=False)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-required", "true")

    def clean_month(self) -> dt.date:
        try:
            return parse_month(self.cleaned_data["month"])
        except MonthError as exc:
            raise forms.ValidationError("Enter the month as YYYY-MM, e.g. 2026-10.") from exc


def _incident_url(incident: Incident) -> str | None:
    try:
        return reverse("incidents:incident_detail", args=[incident.pk])
    except NoReverseMatch:
        return None


def _past(user: Any) -> QuerySet[NibrsSubmission]:
    agencies = export.agencies_for(user, final=False)
    return NibrsSubmission.objects.filter(agency__in=agencies).select_related("agency", "created_by")[:PAST_SHOWN]


def _require_page(user: Any) -> None:
    if not export.agencies_for(user, final=False).exists():
        raise PermissionDenied


def _context(request: HttpRequest, form: NibrsExportForm, **extra: Any) -> dict[str, Any]:
    context = {
        "page_title": "NIBRS submission",
        "form": form,
        "past": _past(request.user),
        "may_submit": export.agencies_for(request.user, final=True).exists(),
    }
    context.update(extra)
    return context


def _preview_context(request: HttpRequest, form: NibrsExportForm) -> dict[str, Any]:
    agency = form.cleaned_data["agency"]
    result = export.preview(agency, form.cleaned_data["month"])
    shown = [data.incident for data in result.selection.incidents.values()]
    if shown:
        with audit_context(actor=request.user):
            AuditEvent.record_access(
                action=AuditEvent.Action.LIST,
                model=Incident,
                objects=shown,
                detail={"nibrs_preview": f"{agency.ori} {result.month:%Y-%m}"},
            )
    incidents_with_errors = []
    for pk, errors in result.errors.items():
        incident = result.selection.incidents[pk].incident
        incidents_with_errors.append({"incident": incident, "url": _incident_url(incident), "errors": errors})
    actions = [
        {"category": key.split("/")[0].title(), "action": key.split("/")[1], "count": n}
        for key, n in sorted(result.actions().items())
    ]
    may_submit_agency = export.agencies_for(request.user, final=True).filter(pk=agency.pk).exists()
    return {
        "preview": result,
        "counts": result.counts(),
        "actions": actions,
        "final_counts": result.counts(result.included(final=True)),
        "incidents_with_errors": incidents_with_errors,
        "may_submit_agency": may_submit_agency,
        "checked": {"agency": agency.pk, "month": f"{result.month:%Y-%m}", "format": form.cleaned_data["format"]},
    }


@login_required
@require_GET
def nibrs_export(request: HttpRequest) -> HttpResponse:
    """The page; with ``?check=1`` and a valid form, the month's reports and edit errors."""
    _require_page(request.user)
    status = 200
    extra: dict[str, Any] = {}
    if "check" in request.GET:
        form = NibrsExportForm(request.GET, user=request.user)
        if form.is_valid():
            extra = _preview_context(request, form)
        else:
            status = 422
    else:
        form = NibrsExportForm(user=request.user, initial={"month": default_month(), "format": "xml"})
    return render(request, TEMPLATE, _context(request, form, **extra), status=status)


@login_required
@require_POST
def nibrs_download(request: HttpRequest) -> HttpResponse:
    """Make the file (a preview, or the final submission with ``final=1``) and send it."""
    _require_page(request.user)
    form = NibrsExportForm(request.POST, user=request.user)
    final = request.POST.get("final") == "1"
    if not form.is_valid():
        return render(request, TEMPLATE, _context(request, form), status=422)
    agency = form.cleaned_data["agency"]
    try:
        with audit_context(actor=request.user):
            content, submission = export.build_export(
                agency, form.cleaned_data["month"], form.cleaned_data["format"], request.user, final
            )
    except export.ExportError as exc:
        return render(request, TEMPLATE, _context(request, form, export_error=str(exc)), status=422)
    content_type = "application/zip" if submission.format == "xml" else "text/plain; charset=us-ascii"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename(submission, agency.ori)}"'
    response["X-Content-SHA256"] = submission.sha256
    response["Cache-Control"] = "no-store"
    return response
