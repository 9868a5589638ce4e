"""Case packet pages: request a packet of an incident, follow its generation, download it, give it out.

Who may do what:

- every page needs ``export`` on the incident. A user with no sight of incidents at all gets 403; an incident
  outside the user's scope (or not shared with a school administrator's school) is 404, as for every
  out-of-scope lookup; a user who can see the incident but may not export it gets 403 and nothing is created;
- generating a packet (the ``generate_packet`` task) and each download write an access row for the incident;
- giving a packet to an outside party records a disclosure (see :func:`srodesk.incidents.packet.give_packet`).

The packet's page polls :func:`status` every second while the packet is generated, like a roster import.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import VIEW_SHARED, has_perm, perm_name, restrict
from srodesk.core.views import is_partial
from srodesk.people.choices import DisclosureBasis, RecipientKind

from .models import CasePacket, Incident
from .packet import give_packet, request_packet
from .tasks import packet_filename

FORM_TEMPLATE = "incidents/packet_form.html"
DETAIL_TEMPLATE = "incidents/packet_detail.html"
GIVE_TEMPLATE = "incidents/packet_give.html"
LIST_TEMPLATE = "incidents/packet_list_page.html"
LIST_PARTIAL = "incidents/packet_list.html"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
FINISHED = frozenset({CasePacket.Status.DONE, CasePacket.Status.FAILED})


# --- access --------------------------------------------------------------------------------------------


def _check_grant(request: HttpRequest) -> None:
    """403 for a user who can see no incident anywhere (neither in scope nor shared)."""
    user = request.user
    if not (has_perm(user, perm_name(Incident, "view")) or has_perm(user, perm_name(Incident, VIEW_SHARED))):
        raise PermissionDenied


def _visible_incidents(request: HttpRequest) -> QuerySet[Incident]:
    return restrict(Incident.objects.alive(), request.user, "view")


def _require_export(request: HttpRequest, incident: Incident) -> None:
    if not has_perm(request.user, perm_name(Incident, "export"), incident):
        raise PermissionDenied


def _incident(request: HttpRequest, pk: int) -> Incident:
    """The incident, if the user sees it (404 otherwise) and may export it (403 otherwise)."""
    _check_grant(request)
    incident: Incident = get_object_or_404(_visible_incidents(request).select_related("agency", "school"), pk=pk)
    _require_export(request, incident)
    return incident


def _packet(request: HttpRequest, pk: int) -> CasePacket:
    """The packet, if the user sees its incident (404 otherwise) and may export it (403 otherwise)."""
    _check_grant(request)
    packets = CasePacket.objects.select_related("incident", "incident__agency", "requested_by").filter(
        incident__in=_visible_incidents(request)
    )
    packet: CasePacket = get_object_or_404(packets, pk=pk)
    _require_export(request, packet.incident)
    return packet


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if is_partial(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for name, texts in errors.items():
        form.add_error(name if name in form.fields else None, texts)


def _required_aria(form: forms.BaseForm) -> None:
    for bound in form.fields.values():
        if bound.required:
            bound.widget.attrs.setdefault("aria-required", "true")


# --- request a packet ----------------------------------------------------------------------------------


class CasePacketForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CasePacket
        fields = ("purpose", "minors_by_initials", "hide_victim_contact")
        labels = {
            "purpose": "Purpose",
            "minors_by_initials": "Name students and anyone under 18 by their initials",
            "hide_victim_contact": "Leave out victims' phone numbers and addresses",
        }
        error_messages = {"purpose": {"required": "State what the packet is for."}}
        help_texts = {
            "purpose": "Printed on the cover and kept in the access log, e.g. 'Juvenile court hearing 2026-12-14'.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required_aria(self)


@login_required
@require_http_methods(["GET", "POST"])
def packet_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Request a case packet of the incident: purpose and redaction choices."""
    incident = _incident(request, pk)
    if request.method == "POST":
        form = CasePacketForm(request.POST)
        if form.is_valid():
            packet = request_packet(actor=request.user, incident=incident, **form.cleaned_data)
            messages.success(request, f"Case packet #{packet.pk} requested: it is being generated.")
            return _redirect(request, reverse("incidents:casepacket_detail", args=[packet.pk]))
        status = 422
    else:
        form = CasePacketForm()
        status = 200
    context = {
        "form": form,
        "incident": incident,
        "page_title": f"Case packet of {incident}",
        "list_url": reverse("incidents:casepacket_list", args=[incident.pk]),
    }
    template = f"{FORM_TEMPLATE}#form" if is_partial(request) else FORM_TEMPLATE
    return render(request, template, context, status=status)


# --- the list of an incident's packets -----------------------------------------------------------------


@never_cache
@vary_on_headers("HX-Request")
@login_required
@require_GET
def packet_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The incident's packets (a page, or the region the incident's page loads into its "Case packets" panel)."""
    incident = _incident(request, pk)
    packets = list(incident.packets.select_related("requested_by").order_by("-requested_at", "-pk"))
    context = {
        "incident": incident,
        "packets": packets,
        "packets_loaded": True,
        "page_title": f"Case packets of {incident}",
    }
    if is_partial(request):
        return render(request, f"{LIST_PARTIAL}#packets", context)
    return render(request, LIST_TEMPLATE, context)


# --- a packet's page and its progress ------------------------------------------------------------------


def state_token(packet: CasePacket) -> str:
    """Changes whenever what the progress region shows changes."""
    return hashlib.sha256(f"{packet.status}\x1f{packet.progress}".encode()).hexdigest()[:16]


def _handovers(packet: CasePacket) -> list[dict[str, Any]]:
    """The disclosures of this packet recorded in the audit log, oldest first."""
    rows = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.DISCLOSURE,
        content_type=ContentType.objects.get_for_model(Incident),
        object_id=str(packet.incident_id),
        detail__case_packet=packet.pk,
    ).order_by("seq")
    bases = dict(DisclosureBasis.choices)
    result = []
    for row in rows:
        detail: dict[str, Any] = row.detail if isinstance(row.detail, dict) else {}
        given = parse_datetime(str(detail.get("disclosed_at") or "")) or row.at
        result.append(
            {
                "given_at": given,
                "recipient": ", ".join(
                    str(x) for x in (detail.get("recipient_name"), detail.get("recipient_organization")) if x
                ),
                "basis": bases.get(str(detail.get("basis")), str(detail.get("basis") or "—")),
                "purpose": str(detail.get("purpose") or ""),
                "by": row.actor_repr,
            }
        )
    return result


def _packet_context(packet: CasePacket, **extra: Any) -> dict[str, Any]:
    return {
        "packet": packet,
        "incident": packet.incident,
        "finished": packet.status in FINISHED,
        "state": state_token(packet),
        "done": packet.status == CasePacket.Status.DONE,
        "failed": packet.status == CasePacket.Status.FAILED,
        **extra,
    }


@login_required
@require_GET
def packet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    packet = _packet(request, pk)
    context = _packet_context(
        packet,
        page_title=f"Case packet #{packet.pk} · {packet.incident}",
        handovers=_handovers(packet),
        list_url=reverse("incidents:casepacket_list", args=[packet.incident_id]),
    )
    return render(request, DETAIL_TEMPLATE, context)


@never_cache
@vary_on_headers("HX-Request")
@login_required
@require_GET
def packet_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress region of a packet's page (and, once finished, its result, swapped out of band)."""
    packet = _packet(request, pk)
    if request.GET.get("v") == state_token(packet):
        # Nothing changed since the page's last update: no swap, so nothing is announced again.
        return HttpResponse(status=204)
    return render(request, f"{DETAIL_TEMPLATE}#progress", _packet_context(packet, oob=True))


# --- download ------------------------------------------------------------------------------------------


@login_required
@require_GET
def packet_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The PDF, as an attachment; each download writes an access row (``export``) for the incident."""
    packet = _packet(request, pk)
    if packet.status != CasePacket.Status.DONE or not packet.file:
        raise Http404("The case packet is not ready.")
    try:
        handle = packet.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The case packet's file is missing.") from exc
    incident = packet.incident
    AuditEvent.append(
        kind=AuditEvent.Kind.ACCESS,
        action=AuditEvent.Action.EXPORT,
        content_type=ContentType.objects.get_for_model(Incident),
        object_id=str(incident.pk),
        object_repr=str(incident)[:200],
        detail={"case_packet": packet.pk, "sha256": packet.sha256, "purpose": packet.purpose},
        **AuditEvent.scope_ids(incident),
    )
    response = FileResponse(
        handle, as_attachment=True, filename=packet_filename(packet), content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    return response


# --- give to an outside party --------------------------------------------------------------------------


class HandoverForm(forms.Form):
    disclosed_at = forms.DateTimeField(
        label="Given at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    recipient_name = forms.CharField(label="Recipient (person)", max_length=200)
    recipient_organization = forms.CharField(
        label="Organisation", max_length=200, help_text="Court, prosecutor's office, agency …"
    )
    recipient_kind = forms.ChoiceField(label="Kind of recipient", choices=RecipientKind.choices)
    basis = forms.ChoiceField(
        label="Legal basis",
        choices=[("", "—"), *DisclosureBasis.choices],
        help_text=(
            f"For “{DisclosureBasis.SUBPOENA.label}”, give the order's reference; for "
            f"“{DisclosureBasis.EMERGENCY.label}”, describe the threat."
        ),
    )
    court_order_reference = forms.CharField(label="Subpoena or court order reference", max_length=200, required=False)
    parent_notified_on = forms.DateField(
        label="Parent notified on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Subpoena or court order: when the parent was notified in advance.",
    )
    threat_description = forms.CharField(
        label="Articulable and significant threat", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    purpose = forms.CharField(
        label="Purpose", widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the recipient needs the packet."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _required_aria(self)


def _render_give(request: HttpRequest, form: HandoverForm, packet: CasePacket, status: int = 200) -> HttpResponse:
    context = _packet_context(packet, form=form, page_title=f"Give case packet #{packet.pk} to an outside party")
    template = f"{GIVE_TEMPLATE}#form" if is_partial(request) else GIVE_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def packet_give(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the packet was given to an outside party (a disclosure row, and each student's log)."""
    packet = _packet(request, pk)
    if packet.status != CasePacket.Status.DONE:
        messages.error(request, "The packet is not ready: only a generated packet can be given out.")
        return _redirect(request, reverse("incidents:casepacket_detail", args=[packet.pk]))
    if request.method == "GET":
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = HandoverForm(initial={"disclosed_at": now, "recipient_kind": RecipientKind.COURT})
        return _render_give(request, form, packet)
    form = HandoverForm(request.POST)
    if not form.is_valid():
        return _render_give(request, form, packet, status=422)
    try:
        handover = give_packet(actor=request.user, packet=packet, **form.cleaned_data)
    except ValidationError as exc:
        _add_errors(form, exc)
        return _render_give(request, form, packet, status=422)
    text = f"Disclosure of case packet #{packet.pk} recorded."
    if handover.disclosures:
        count = len(handover.disclosures)
        text += f" It is also in the disclosure log of {count} student{'s' if count != 1 else ''}."
    messages.success(request, text)
    if handover.not_logged:
        count = len(handover.not_logged)
        messages.warning(
            request,
            f"The disclosure log of {count} student{'s' if count != 1 else ''} was not written: your role may "
            "not record education-record disclosures for them. The incident's disclosure row names them; ask the "
            "school to record it.",
        )
    return _redirect(request, reverse("incidents:casepacket_detail", args=[packet.pk]))
