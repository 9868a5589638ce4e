"""Pages of the law-enforcement records beyond the generic ones.

- The generic record pages, specialised: a school administrator's ``view_shared`` grant opens the read
  pages (showing only what was shared with their school); parts of a locked report cannot be edited or
  deleted; the add page of a part is pre-filled from the query string (``?incident=12``).
- The incident page with every part, the workflow buttons, supplements, attachments and shares.
- Workflow actions (submit, return, approve, close, void), supplements, attachments, sharing and revoking.
- Versions of a report, and the supervisor's review queue.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from srodesk.audit.models import AuditEvent
from srodesk.core import pages
from srodesk.core.permissions import VIEW_SHARED, has_perm, perm_name, restrict
from srodesk.core.views import (
    RecordDeleteView,
    RecordDetailView,
    RecordEditView,
    RecordHistoryView,
    RecordListView,
    is_partial,
)

from . import services
from .forms import (
    AttachmentUploadForm,
    IncidentShareForm,
    ReturnForm,
    RevokeShareForm,
    SupplementAddForm,
    VoidForm,
)
from .models import (
    Arrest,
    Attachment,
    EvidenceItem,
    Incident,
    IncidentShare,
    IncidentVersion,
    InvolvedPerson,
    Offense,
    Property,
    Pursuit,
    Search,
    Supplement,
    UseOfForce,
    VictimOffenderRelationship,
)
from .nibrs.edits import errors_for
from .tables import LIST_RELATED

NIBRS_CHECK_TEMPLATE = "incidents/nibrs_incident_errors.html"

ACTION_TEMPLATE = "incidents/incident_action.html"


def may_view(user: Any, model: type[Model]) -> bool:
    """A view grant in some scope, or a ``view_shared`` grant (rows shared into its scope)."""
    return has_perm(user, perm_name(model, "view")) or has_perm(user, perm_name(model, VIEW_SHARED))


def incident_of(obj: Any) -> Incident | None:
    if isinstance(obj, Incident):
        return obj
    incident = getattr(obj, "incident", None)
    return incident if isinstance(incident, Incident) else None


def lock_of(obj: Any) -> str:
    """Why the record cannot be changed: an incident, or a part of one, that is locked."""
    if isinstance(obj, Search | EvidenceItem | Pursuit):
        return ""  # linked to an incident, but kept on their own
    return services.lock_reason(incident_of(obj))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if is_partial(request):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return HttpResponseRedirect(url)


# --- the generic pages, specialised ------------------------------------------------------------------
class SharedGrantMixin:
    """Read pages also open to ``view_shared`` grants; edit and delete buttons hidden on a locked report."""

    def check_grant(self, request: HttpRequest, action: str | None = None) -> None:
        wanted = action or self.action  # type: ignore[attr-defined]
        if wanted == "view" and may_view(request.user, self.model):  # type: ignore[attr-defined]
            return
        super().check_grant(request, action)  # type: ignore[misc]

    def context(self, **extra: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().context(**extra)  # type: ignore[misc]
        obj = extra.get("object")
        if obj is not None:
            reason = lock_of(obj)
            context["lock_reason"] = reason
            if reason:
                context["can_change"] = False
                context["can_delete"] = False
        return context


class LawEnforcementListView(SharedGrantMixin, RecordListView):
    def base_queryset(self, action: str | None = None) -> QuerySet[Any]:
        qs = super().base_queryset(action)
        related = LIST_RELATED.get(self.model, ())
        return qs.select_related(*related) if related else qs


class LawEnforcementDetailView(SharedGrantMixin, RecordDetailView):
    pass


class LawEnforcementHistoryView(SharedGrantMixin, RecordHistoryView):
    pass


class LawEnforcementEditView(SharedGrantMixin, RecordEditView):
    """Add and edit; a part of a locked report is refused (the form says why, nothing is saved)."""

    PREFILL = ("incident", "arrestee", "subject", "victim", "offender", "offense", "student", "school")

    def _form(self, request: HttpRequest, instance: Any) -> Any:
        if request.method == "POST" or instance is not None:
            return super()._form(request, instance)
        initial = {k: request.GET[k] for k in self.PREFILL if request.GET.get(k, "").isdigit()}
        return self.record_type.form(initial=initial, user=request.user)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        if pk is not None:
            self.check_grant(request)
            reason = lock_of(self.get_object(pk))
            if reason:
                messages.error(request, reason)
                return HttpResponseRedirect(reverse(self.record_type.url_name("detail"), args=[pk]))
        return super().get(request, pk)


class LawEnforcementDeleteView(SharedGrantMixin, RecordDeleteView):
    """Soft delete, refused for a locked report (void it) and for parts of one."""

    def _refuse(self, request: HttpRequest, pk: int) -> HttpResponse | None:
        self.check_grant(request)
        obj = self.get_object(pk)
        reason = lock_of(obj)
        if not reason:
            return None
        if isinstance(obj, Incident):
            reason = f"{reason} A report entered in error is voided instead."
        messages.error(request, reason)
        return HttpResponseRedirect(reverse(self.record_type.url_name("detail"), args=[pk]))

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._refuse(request, pk) or super().get(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._refuse(request, pk) or super().post(request, pk)


# --- the incident page ---------------------------------------------------------------------------------
def _visible(model: type[Model], user: Any, **filters: Any) -> QuerySet[Any]:
    qs: QuerySet[Any] = model._default_manager.alive().filter(**filters)  # type: ignore[attr-defined]
    return restrict(qs, user, "view")


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=list(args))
    except NoReverseMatch:
        return ""


def _add_link(user: Any, model: type[Model], incident: Incident, label: str, **params: Any) -> dict[str, str] | None:
    if not has_perm(user, perm_name(model, "add")):
        return None
    query = "&".join(f"{k}={v}" for k, v in {"incident": incident.pk, **params}.items())
    return {"label": label, "url": f"{reverse(f'incidents:{model._meta.model_name}_add')}?{query}"}


class IncidentDetailView(LawEnforcementDetailView):
    """The report with all of its parts, its versions, shares and the workflow actions open to the user."""

    def context(self, **extra: Any) -> dict[str, Any]:
        context = super().context(**extra)
        incident = extra.get("object")
        if not isinstance(incident, Incident):
            return context
        user = self.request.user
        pk = incident.pk
        can_export = has_perm(user, perm_name(Incident, "export"), incident)
        persons = _visible(InvolvedPerson, user, incident_id=pk).select_related(
            "student", "staff_member", "other_person"
        )
        context.update(
            offenses=list(_visible(Offense, user, incident_id=pk)),
            persons=list(
                persons.prefetch_related(Prefetch("offenses", queryset=Offense.objects.alive().order_by("pk")))
            ),
            relationships=list(
                _visible(VictimOffenderRelationship, user, incident_id=pk).select_related(
                    "victim__student", "offender__student", "victim__staff_member", "offender__staff_member"
                )
            ),
            property_items=list(_visible(Property, user, incident_id=pk)),
            arrests=list(_visible(Arrest, user, incident_id=pk).select_related("arrestee__student")),
            forces=list(_visible(UseOfForce, user, incident_id=pk).select_related("subject__student")),
            searches=list(_visible(Search, user, incident_id=pk).select_related("student")),
            evidence=list(_visible(EvidenceItem, user, incident_id=pk)),
            pursuits=list(_visible(Pursuit, user, incident_id=pk)),
            supplements=list(_visible(Supplement, user, incident_id=pk).select_related("author")),
            attachments=list(_visible(Attachment, user, incident_id=pk)),
            shares=list(_visible(IncidentShare, user, incident_id=pk).select_related("school", "created_by")),
            versions=list(incident.versions.select_related("created_by").order_by("-number")),
            actions={
                name: services.can(user, name, incident)
                for name in ("submit", "approve", "return", "close", "void", "supplement", "share", "edit")
            },
            can_revoke=has_perm(user, perm_name(IncidentShare, "change"))
            and has_perm(user, perm_name(Incident, "change"), incident),
            can_attach=not services.lock_reason(incident)
            and has_perm(user, perm_name(Attachment, "add"))
            and has_perm(user, perm_name(Incident, "change"), incident),
            add_links=[]
            if services.lock_reason(incident)
            else [
                link
                for link in (
                    _add_link(user, Offense, incident, "Add offense"),
                    _add_link(user, InvolvedPerson, incident, "Add person"),
                    _add_link(user, VictimOffenderRelationship, incident, "Add relationship"),
                    _add_link(user, Property, incident, "Add property"),
                    _add_link(user, Arrest, incident, "Add arrest or citation"),
                    _add_link(user, UseOfForce, incident, "Add use of force"),
                )
                if link is not None and has_perm(user, perm_name(Incident, "change"), incident)
            ],
            linked_links=[
                link
                for link in (
                    _add_link(user, Search, incident, "Record a search", school=incident.school_id or ""),
                    _add_link(user, EvidenceItem, incident, "Add evidence", school=incident.school_id or ""),
                    _add_link(user, Pursuit, incident, "Record a pursuit", school=incident.school_id or ""),
                )
                if link is not None
            ],
            packets_url=_url("incidents:casepacket_list", pk) if can_export else "",
            # The FBI edit checks, for the agency users who prepare and export the report: they read the
            # whole report again, so they load after the page (``incident_nibrs_check``).
            nibrs_check_url=_url("incidents:incident_nibrs_check", pk) if can_export else "",
            wizard_url=_url("incidents:incident_wizard", pk)
            if services.can(user, "edit", incident) and incident.status in ("draft", "returned")
            else "",
        )
        return context


@login_required
@require_http_methods(["GET"])
def incident_nibrs_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The FBI edit checks of one report, for those who may export it: the section the report's page loads
    after itself (htmx), or a page of its own (the link the page offers without script)."""
    incident = _incident(request, pk)
    if not has_perm(request.user, perm_name(Incident, "export"), incident):
        raise Http404("No such report")
    context = {
        "incident": incident,
        "nibrs_errors": errors_for(incident),
        "page_title": f"NIBRS edit checks: {incident}",
    }
    if is_partial(request):
        return render(request, NIBRS_CHECK_TEMPLATE, context)
    return render(request, "incidents/nibrs_incident_check.html", context)


# --- workflow actions ----------------------------------------------------------------------------------
def _incident(request: HttpRequest, pk: int) -> Incident:
    """An incident the user may view (404 otherwise); the services decide about the action itself."""
    qs = restrict(Incident.objects.alive().select_related("school", "district", "agency"), request.user, "view")
    incident: Incident = get_object_or_404(qs, pk=pk)
    return incident


def _refused(request: HttpRequest, incident: Incident, exc: Exception) -> HttpResponse:
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, "You may not do this with this report.")
    return _redirect(request, incident.get_absolute_url())


SIMPLE_ACTIONS = {
    "submit": (services.submit, "Report submitted for review."),
    "approve": (services.approve, "Report approved. It is now locked; add later facts as supplements."),
    "close": (services.close, "Report closed."),
}


@login_required
@require_POST
def incident_workflow(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, approve or close (one button each on the incident page)."""
    if action not in SIMPLE_ACTIONS:
        raise Http404("No such action.")
    incident = _incident(request, pk)
    fn, done = SIMPLE_ACTIONS[action]
    try:
        fn(incident, request.user)
    except PermissionDenied as exc:
        needed = "change" if action == "submit" else "approve"
        if not has_perm(request.user, perm_name(Incident, needed), incident):
            raise
        if action == "approve" and services.is_author(incident, request.user):
            messages.error(request, "You cannot approve your own report: another supervisor must review it.")
            return _redirect(request, incident.get_absolute_url())
        return _refused(request, incident, exc)
    except ValidationError as exc:
        return _refused(request, incident, exc)
    messages.success(request, done)
    return _redirect(request, incident.get_absolute_url())


def _action_page(
    request: HttpRequest,
    incident: Incident,
    form: forms.BaseForm,
    *,
    title: str,
    button: str,
    intro: str = "",
    status: int = 200,
    multipart: bool = False,
) -> HttpResponse:
    context = {
        "page_title": title,
        "object": incident,
        "form": form,
        "button": button,
        "intro": intro,
        "multipart": multipart,
        "list_url": reverse("incidents:incident_list"),
    }
    template = f"{ACTION_TEMPLATE}#form" if is_partial(request) else ACTION_TEMPLATE
    return render(request, template, context, status=status)


def _form_action(
    request: HttpRequest,
    incident: Incident,
    form_class: type[forms.Form],
    run: Any,
    *,
    allowed: bool,
    title: str,
    button: str,
    done: str,
    intro: str = "",
    multipart: bool = False,
) -> HttpResponse:
    if not allowed:
        raise PermissionDenied
    if request.method != "POST":
        return _action_page(
            request, incident, form_class(), title=title, button=button, intro=intro, multipart=multipart
        )
    form = form_class(request.POST, request.FILES or None)
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied:
            form.add_error(None, "You may not do this with this report.")
            return _action_page(
                request, incident, form, title=title, button=button, intro=intro, status=403, multipart=multipart
            )
        else:
            messages.success(request, done)
            return _redirect(request, incident.get_absolute_url())
    return _action_page(
        request, incident, form, title=title, button=button, intro=intro, status=422, multipart=multipart
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_return(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return _form_action(
        request,
        incident,
        ReturnForm,
        lambda data: services.return_for_changes(incident, request.user, data["comment"]),
        allowed=services.can(request.user, "return", incident),
        title=f"Return {incident.number} for changes",
        button="Return to the officer",
        done="Report returned to the officer.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_void(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return _form_action(
        request,
        incident,
        VoidForm,
        lambda data: services.void(incident, request.user, data["reason"]),
        allowed=services.can(request.user, "void", incident),
        title=f"Void {incident.number}",
        button="Void the report",
        intro="A voided report stays on record and readable; it is sent to NIBRS as a deletion.",
        done="Report voided.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_supplement(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    return _form_action(
        request,
        incident,
        SupplementAddForm,
        lambda data: services.add_supplement(incident, request.user, data["narrative"]),
        allowed=services.can(request.user, "supplement", incident),
        title=f"Supplement to {incident.number}",
        button="Add supplement",
        intro="A supplement is dated and kept with the report; it does not change the approved text.",
        done="Supplement added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_attach(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    allowed = has_perm(request.user, perm_name(Attachment, "add")) and has_perm(
        request.user, perm_name(Incident, "change"), incident
    )
    if allowed and services.lock_reason(incident):
        messages.error(request, services.lock_reason(incident))
        return _redirect(request, incident.get_absolute_url())
    return _form_action(
        request,
        incident,
        AttachmentUploadForm,
        lambda data: services.store_attachment(incident, data["file"], request.user, data.get("description", "")),
        allowed=allowed,
        title=f"Attach a file to {incident.number}",
        button="Upload",
        intro="The file is stored with its SHA-256 fingerprint.",
        done="File attached.",
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share with a school of the incident's district: a logged disclosure."""
    incident = _incident(request, pk)
    if not services.can(request.user, "share", incident):
        raise PermissionDenied
    title = f"Share {incident.number} with a school"
    intro = (
        "The school's administrators will see this report and its parts. The share is recorded as a disclosure "
        "in the audit log, and can be revoked."
    )
    if request.method != "POST":
        form = IncidentShareForm(incident=incident, user=request.user, initial={"school": incident.school_id})
        return _action_page(request, incident, form, title=title, button="Share", intro=intro)
    form = IncidentShareForm(request.POST, incident=incident, user=request.user)
    if form.is_valid():
        try:
            services.share(incident, form.cleaned_data["school"], request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Report shared with {form.cleaned_data['school']}.")
            return _redirect(request, incident.get_absolute_url())
    return _action_page(request, incident, form, title=title, button="Share", intro=intro, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    qs = restrict(IncidentShare.objects.alive().select_related("incident", "school"), request.user, "change")
    share = get_object_or_404(qs, pk=pk)
    incident = share.incident
    return _form_action(
        request,
        incident,
        RevokeShareForm,
        lambda data: services.unshare(share, request.user, data["reason"]),
        allowed=True,
        title=f"Revoke the share of {incident.number} with {share.school}",
        button="Revoke",
        intro="The school will no longer see the report. The share stays on record.",
        done=f"Share with {share.school} revoked.",
    )


# --- versions ------------------------------------------------------------------------------------------
def _labels(model: type[Model]) -> dict[str, str]:
    return {f.attname: str(f.verbose_name).capitalize() for f in model._meta.concrete_fields}


def _rows(data: dict[str, Any], model: type[Model]) -> list[tuple[str, Any]]:
    labels = _labels(model)
    return [(labels.get(k, k.replace("_", " ").capitalize()), v) for k, v in data.items() if k not in {"id", "display"}]


@login_required
def incident_versions(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _incident(request, pk)
    versions = list(incident.versions.select_related("created_by").order_by("-number"))
    AuditEvent.record_access(
        action=AuditEvent.Action.VIEW, model=Incident, objects=[incident], detail={"versions": True}
    )
    context = {
        "page_title": f"Versions of {incident}",
        "object": incident,
        "versions": versions,
        "list_url": reverse("incidents:incident_list"),
    }
    return render(request, "incidents/incident_versions.html", context)


@login_required
def incident_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    incident = _incident(request, pk)
    version = get_object_or_404(IncidentVersion.objects.select_related("created_by"), incident=incident, number=number)
    AuditEvent.record_access(
        action=AuditEvent.Action.VIEW, model=Incident, objects=[incident], detail={"version": version.number}
    )
    snapshot = version.snapshot or {}
    parts = [
        {
            "heading": heading,
            "rows": [{"display": row.get("display", ""), "fields": _rows(row, model)} for row in snapshot.get(key, [])],
        }
        for key, model, heading in services.VERSION_PARTS
    ]
    context = {
        "page_title": f"{incident.number} version {version.number}",
        "object": incident,
        "version": version,
        "head": _rows(snapshot.get("incident", {}), Incident),
        "narrative": snapshot.get("incident", {}).get("narrative", ""),
        "parts": parts,
        "list_url": reverse("incidents:incident_list"),
    }
    return render(request, "incidents/incident_version.html", context)


# --- supervisor review -----------------------------------------------------------------------------------
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, perm_name(Incident, "approve")):
        raise PermissionDenied
    queue = services.review_queue(request.user)
    for model, rows in ((Incident, queue.incidents), (Search, queue.searches), (Pursuit, queue.pursuits)):
        if rows:
            AuditEvent.record_access(
                action=AuditEvent.Action.LIST, model=model, objects=rows, detail={"review_queue": True}
            )
    context = {"page_title": "Supervisor review", "queue": queue}
    return render(request, "incidents/review_queue.html", context)


@login_required
@require_POST
def search_review(request: HttpRequest, pk: int) -> HttpResponse:
    search = get_object_or_404(restrict(Search.objects.alive(), request.user, "approve"), pk=pk)
    services.review_search(search, request.user)
    messages.success(request, "Search marked as reviewed.")
    back = reverse("incidents:search_detail", args=[pk]) if request.POST.get("back") == "search" else ""
    return _redirect(request, back or reverse("incidents:review_queue"))


def review_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Dashboard panel for supervisors: how much waits for review."""
    user = request.user
    if not has_perm(user, perm_name(Incident, "approve")):
        return None
    incidents = restrict(Incident.objects.alive(), user, "approve").filter(status="submitted").count()
    searches = restrict(Search.objects.alive(), user, "approve").filter(flagged=True, reviewed_at__isnull=True).count()
    pursuits = restrict(Pursuit.objects.alive(), user, "approve").filter(flagged=True).count()
    return {
        "template": "incidents/_dashboard_review.html",
        "incidents": incidents,
        "searches": searches,
        "pursuits": pursuits,
        "url": reverse("incidents:review_queue"),
    }


pages.register_panel(review_panel)
