"""Disclosure pages: record a disclosure from a student, and the student's printable disclosure log.

Disclosures are append-only and written only by :func:`srodesk.people.services.disclose`; their list,
detail and history pages are the generic ones (``people:disclosure_*``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import has_perm, perm_name, restrict
from srodesk.core.views import is_partial

from . import services
from .choices import DisclosureBasis
from .forms import DisclosureForm
from .models import Disclosure, Student
from .profile import student_in_scope

FORM_TEMPLATE = "people/disclosure_form.html"
LOG_TEMPLATE = "people/student_disclosure_log.html"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

#: The form in fieldsets: (legend, field names).
FIELDSETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "When and to whom",
        ("disclosed_at", "recipient_name", "recipient_organization", "recipient_kind", "requested_by"),
    ),
    (
        "Legal basis",
        ("basis", "legitimate_interest", "threat_description", "court_order_reference", "parent_notified_on"),
    ),
    ("What was disclosed", ("records_disclosed",)),
    ("Redisclosure", ("redisclosure_allowed", "redisclosure_note")),
)


class StudentDisclosureForm(DisclosureForm):
    """The disclosure form reached from a student: the student comes from the URL, not the form."""

    class Meta(DisclosureForm.Meta):
        fields = tuple(name for name in DisclosureForm.Meta.fields if name != "student")  # type: ignore[assignment]
        widgets = {
            **DisclosureForm.Meta.widgets,
            # A datetime-local input only accepts its own value format.
            "disclosed_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        }
        labels = {
            "disclosed_at": "Disclosed at",
            "threat_description": "Articulable and significant threat",
            "court_order_reference": "Subpoena or court order reference",
        }
        help_texts = {
            "basis": (
                f"For “{DisclosureBasis.EMERGENCY.label}”, describe the articulable and significant threat below; "
                f"for “{DisclosureBasis.SUBPOENA.label}”, give the order's reference."
            ),
            "threat_description": (
                "Required for a health or safety emergency (34 CFR 99.36): the articulable and significant threat "
                "to the health or safety of the student or others that made the disclosure necessary."
            ),
            "court_order_reference": "Required for a subpoena or court order: its number or title.",
        }

    def fieldsets(self) -> list[dict[str, Any]]:
        """Groups shaped like a form for ``components/form_fields.html``."""
        groups = []
        for legend, names in FIELDSETS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                groups.append({"legend": legend, "visible_fields": fields, "hidden_fields": []})
        return groups


def _check_grant(request: HttpRequest, action: str) -> None:
    """403 for a user with no grant for the action on disclosures anywhere."""
    if not has_perm(request.user, perm_name(Disclosure, action)):
        raise PermissionDenied


def _add_errors(form: StudentDisclosureForm, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)


def _render_form(
    request: HttpRequest, form: StudentDisclosureForm, student: Student, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "student": student,
        "page_title": f"Record a disclosure: {student}",
        "log_url": reverse("people:student_disclosure_log", args=[student.pk]),
    }
    template = f"{FORM_TEMPLATE}#form" if is_partial(request) else FORM_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def student_disclose(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one disclosure of the student's education records (34 CFR 99.32)."""
    _check_grant(request, "add")
    student = student_in_scope(request, pk)
    if request.method == "GET":
        AuditEvent.record_access(
            action=AuditEvent.Action.VIEW, model=Student, objects=[student], detail={"page": "disclose"}
        )
        now = timezone.localtime().replace(second=0, microsecond=0)
        return _render_form(request, StudentDisclosureForm(initial={"disclosed_at": now}, user=request.user), student)
    form = StudentDisclosureForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_form(request, form, student, status=422)
    try:
        disclosure = services.disclose(actor=request.user, student=student, **form.cleaned_data)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _render_form(request, form, student, status=422)
    except PermissionDenied:
        form.add_error(None, "You may not record a disclosure for this student: it is outside your scope.")
        return _render_form(request, form, student, status=403)
    messages.success(request, f"Disclosure “{disclosure}” recorded in {student}'s disclosure log.")
    url = disclosure.get_absolute_url()
    if is_partial(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string in which every character but letters, digits and spaces is escaped."""
    out = "".join(c if (c.isascii() and c.isalnum()) or c == " " else f"\\{ord(c):06x}" for c in text)
    return mark_safe(f'"{out}"')  # noqa: S308 - only ASCII letters, digits, spaces and hex escapes remain


@login_required
@require_GET
def student_disclosure_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Every disclosure of the student the viewer may see, oldest first: what a parent may inspect (99.32(c))."""
    _check_grant(request, "view")
    student = student_in_scope(request, pk)
    rows = list(
        restrict(Disclosure.objects.alive().filter(student=student), request.user, "view")
        .select_related("created_by", "school")
        .order_by("disclosed_at", "pk")
    )
    AuditEvent.record_access(
        action=AuditEvent.Action.PRINT, model=Disclosure, objects=rows, detail={"student": student.pk}
    )
    printed_at = timezone.localtime()
    header = f"Disclosure log · {student.full_name} · {student.district} · printed {printed_at:%Y-%m-%d %H:%M}"
    context = {
        "student": student,
        "disclosures": rows,
        "printed_at": printed_at,
        "print_header_css": css_string(header),
        "page_title": f"Disclosure log: {student}",
        "emergency": DisclosureBasis.EMERGENCY,
        "subpoena": DisclosureBasis.SUBPOENA,
        "can_disclose": has_perm(request.user, perm_name(Disclosure, "add")),
        "disclose_url": reverse("people:student_disclose", args=[student.pk]),
    }
    return render(request, LOG_TEMPLATE, context)
