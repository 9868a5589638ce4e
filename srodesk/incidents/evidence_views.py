"""Evidence custody pages: the chain-of-custody timeline with its verification, recording the next custody
event, photos, and the printable evidence label with a QR code.

The item's list, detail and edit pages are the generic ones (``incidents:evidenceitem_*``). Every lookup goes
through the policy engine: a user with no grant for the action anywhere gets 403, an item outside their scope
404. A school administrator sees an item only once its incident was shared with their school, and never
records custody. Viewing and printing write access rows, as the generic pages do.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePath
from typing import Any

import qrcode
import qrcode.constants
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from srodesk.audit.models import AuditEvent
from srodesk.core.permissions import VIEW_SHARED, has_perm, perm_name, restrict
from srodesk.core.views import access_logged, is_partial

from . import custody
from .choices import CustodyAction
from .models import CustodyEvent, EvidenceItem, EvidencePhoto

TIMELINE_TEMPLATE = "incidents/custody_timeline.html"
PANEL_TEMPLATE = "incidents/custody_panel_content.html"
RECORD_TEMPLATE = "incidents/custody_record.html"
FORM_TEMPLATE = "incidents/custody_form.html"
PHOTO_TEMPLATE = "incidents/evidence_photo_add.html"
LABEL_TEMPLATE = "incidents/evidence_label.html"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATETIME_FORMATS = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


# --- forms ---------------------------------------------------------------------------------------------


class CustodyEventForm(forms.Form):
    """The next custody event: only the actions that may follow the item's last event are offered."""

    action = forms.ChoiceField(label="What happened")
    at = forms.DateTimeField(
        label="When",
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="Leave blank for now.",
    )
    from_party = forms.CharField(
        label="From", max_length=200, required=False, help_text="Who or where the item came from."
    )
    to_party = forms.CharField(label="To", max_length=200, required=False, help_text="Who received it.")
    location = forms.CharField(
        label="Location",
        max_length=200,
        required=False,
        help_text="Where the item is now, e.g. 'Property room, bin 4'.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why. Required to release or destroy the item.",
    )

    def __init__(self, *args: Any, actions: tuple[CustodyAction, ...] = (), first: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a.value, a.label) for a in actions]  # type: ignore[attr-defined]
        if first:
            self.fields["at"].help_text = "Leave blank for the time the item was collected."


class EvidencePhotoForm(forms.Form):
    file = forms.FileField(
        label="Photo",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text="Stored with its SHA-256 fingerprint; it cannot be replaced afterwards.",
    )
    caption = forms.CharField(max_length=custody.CAPTION_MAX_LENGTH, required=False)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)


# --- lookups -------------------------------------------------------------------------------------------


def _check_grant(request: HttpRequest, *actions: str) -> None:
    """403 for a user who holds none of the actions on evidence items anywhere (in-scope lookups then 404)."""
    if not any(has_perm(request.user, perm_name(EvidenceItem, action)) for action in actions):
        raise PermissionDenied


def _items(request: HttpRequest, action: str) -> QuerySet[EvidenceItem]:
    qs = EvidenceItem.objects.alive().select_related("agency", "incident", "school", "created_by")
    return restrict(qs, request.user, action)


def _visible_item(request: HttpRequest, pk: int) -> EvidenceItem:
    """The item if the user may see it: in their scope, or shared with their school (404 otherwise)."""
    _check_grant(request, "view", VIEW_SHARED)
    item: EvidenceItem = get_object_or_404(_items(request, "view"), pk=pk)
    return item


def _changeable_item(request: HttpRequest, pk: int) -> EvidenceItem:
    _check_grant(request, "change")
    item: EvidenceItem = get_object_or_404(_items(request, "change"), pk=pk)
    return item


def _can_change(request: HttpRequest, item: EvidenceItem) -> bool:
    return has_perm(request.user, perm_name(EvidenceItem, "change"), item)


def _log_access(item: EvidenceItem, action: str, page: str, **detail: Any) -> None:
    if access_logged(EvidenceItem):
        AuditEvent.record_access(action=action, model=EvidenceItem, objects=[item], detail={"page": page, **detail})


def _urls(item: EvidenceItem) -> dict[str, str]:
    return {
        "detail_url": item.get_absolute_url(),
        "timeline_url": reverse("incidents:evidenceitem_custody", args=[item.pk]),
        "record_url": reverse("incidents:evidenceitem_custody_record", args=[item.pk]),
        "photo_url": reverse("incidents:evidenceitem_photo_add", args=[item.pk]),
        "label_url": reverse("incidents:evidenceitem_label", args=[item.pk]),
        "list_url": reverse("incidents:evidenceitem_list"),
    }


def _custody_context(request: HttpRequest, item: EvidenceItem) -> dict[str, Any]:
    events = list(CustodyEvent.objects.filter(item=item).select_related("by").order_by("sequence", "pk"))
    result = custody.verify_item(item)
    last = events[-1] if events else None
    actions = custody.next_actions(last.action if last is not None else None)
    can_change = _can_change(request, item)
    return {
        "item": item,
        "events": events,
        "verification": result,
        "actions": actions,
        "can_change": can_change,
        "form": CustodyEventForm(actions=actions, first=last is None) if can_change and actions else None,
        "photos": list(EvidencePhoto.objects.filter(item=item).select_related("added_by").order_by("pk")),
        **_urls(item),
    }


# --- pages ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def custody_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The item's chain of custody, oldest first, with the result of verifying it."""
    item = _visible_item(request, pk)
    _log_access(item, AuditEvent.Action.VIEW, "custody")
    context = _custody_context(request, item)
    context.update(page_title=f"Chain of custody: {item.number or item}", photo_form=EvidencePhotoForm())
    return render(request, TIMELINE_TEMPLATE, context)


@login_required
@require_GET
def custody_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The custody panel of the item's detail page (loaded into it by htmx)."""
    item = _visible_item(request, pk)
    _log_access(item, AuditEvent.Action.VIEW, "custody_panel")
    return render(request, PANEL_TEMPLATE, _custody_context(request, item))


def _render_record(request: HttpRequest, item: EvidenceItem, form: CustodyEventForm, status: int = 200) -> HttpResponse:
    context = {
        "item": item,
        "form": form,
        "page_title": f"Record custody: {item.number or item}",
        **_urls(item),
    }
    template = FORM_TEMPLATE if is_partial(request) else RECORD_TEMPLATE
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def custody_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the next custody event; an invalid entry answers 422 and keeps what was typed."""
    item = _changeable_item(request, pk)
    actions = custody.allowed_actions(item)
    first = not CustodyEvent.objects.filter(item=item).exists()
    if request.method == "GET":
        _log_access(item, AuditEvent.Action.VIEW, "custody_record")
        return _render_record(request, item, CustodyEventForm(actions=actions, first=first))
    form = CustodyEventForm(request.POST, actions=actions, first=first)
    if not actions:
        form.add_error(None, "No custody event can follow: the item was released or destroyed.")
        return _render_record(request, item, form, status=422)
    if not form.is_valid():
        return _render_record(request, item, form, status=422)
    data = form.cleaned_data
    try:
        event = custody.record_event(
            item,
            data["action"],
            request.user,
            at=data["at"],
            from_party=data["from_party"],
            to_party=data["to_party"],
            location=data["location"],
            reason=data["reason"],
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return _render_record(request, item, form, status=422)
    messages.success(request, f"Custody event {event.sequence} ({event.get_action_display().lower()}) recorded.")
    url = reverse("incidents:evidenceitem_custody", args=[item.pk])
    if is_partial(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a photo of the item (stored with its SHA-256)."""
    item = _changeable_item(request, pk)
    if request.method == "GET":
        form = EvidencePhotoForm()
        status = 200
    else:
        form = EvidencePhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                photo = custody.add_photo(item, form.cleaned_data["file"], request.user, form.cleaned_data["caption"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"Photo added (SHA-256 {photo.sha256[:12]}…).")
                return HttpResponseRedirect(reverse("incidents:evidenceitem_custody", args=[item.pk]) + "#photos")
        status = 422
    context = {"item": item, "photo_form": form, "page_title": f"Add a photo: {item.number or item}", **_urls(item)}
    return render(request, PHOTO_TEMPLATE, context, status=status)


@login_required
@require_GET
def photo_file(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """One photo of the item, served only to those who may see the item (each opening is logged)."""
    item = _visible_item(request, pk)
    photo = get_object_or_404(EvidencePhoto.objects.filter(item=item), pk=photo_pk)
    _log_access(item, AuditEvent.Action.VIEW, "photo", photo=photo.pk, sha256=photo.sha256)
    name = PurePath(photo.file.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not content_type.startswith("image/"):
        content_type = "application/octet-stream"
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The photo file is missing from storage.") from exc
    response = FileResponse(handle, content_type=content_type, filename=name)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the label -----------------------------------------------------------------------------------------

_SVG_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')


def qr_svg(text: str, *, label: str) -> SafeString:
    """``text`` as a QR code (error correction M), an inline SVG image named ``label`` for assistive technology."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(text)
    qr.make(fit=True)
    image = qr.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    svg = _SVG_SIZE.sub(f'<svg class="qr" role="img" aria-label="{escape(label)}"', svg, count=1)
    return mark_safe(svg)  # noqa: S308 - path data generated by qrcode from numbers; the label is escaped


def _collected_by(item: EvidenceItem) -> str:
    first = CustodyEvent.objects.filter(item=item, sequence=1).select_related("by").first()
    user = first.by if first is not None and first.by is not None else item.created_by
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@login_required
@require_GET
def evidence_label(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable 4×2 inch label: item number, agency, incident, description, collection and a QR code."""
    item = _visible_item(request, pk)
    _log_access(item, AuditEvent.Action.PRINT, "label")
    item_url = request.build_absolute_uri(item.get_absolute_url())
    context = {
        "item": item,
        "item_url": item_url,
        "qr": qr_svg(item_url, label=f"QR code linking to evidence item {item.number}"),
        "collected_at": timezone.localtime(item.collected_at),
        "collected_by": _collected_by(item),
        "printed_at": timezone.localtime(),
        "page_title": f"Evidence label {item.number}",
        **_urls(item),
    }
    return render(request, LABEL_TEMPLATE, context)
