"""Generic record pages: list (filter, sort, paginate, CSV), detail, add/edit, delete and history.

These views are an enforcement point of the policy engine: every lookup goes through
``alive().restrict(user, action)``, so a record outside the user's scope answers 404, and a user who
holds no grant for the action at all gets 403.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import select_template
from django.urls import reverse
from django.views import View

from srodesk.audit.models import AuditEvent

from . import audit, services
from .exports import export_csv
from .forms import ReasonForm
from .models import ACCESS_LOGGED_CLASSES
from .pagination import rows_between
from .permissions import has_perm, hidden_fields, masked_fields, perm_name, restrict
from .registry import RecordType
from .tables import RecordTable


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts at most ``limit`` rows, through a ``LIMIT``ed subquery without the list's ordering, so a page of
    a long list costs the same whatever the size of the district; ``capped`` says there are more (the pages
    then reach the first ``limit`` rows; filters and sorting reach the others)."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, limit: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.rows = object_list
        self.limit = limit
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.rows.order_by()[: self.limit + 1].count()
        self.capped = counted > self.limit
        return min(counted, self.limit)


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]


def access_logged(model: type[Model]) -> bool:
    return getattr(model, "record_class", None) in ACCESS_LOGGED_CLASSES


class RecordViewMixin(LoginRequiredMixin):
    record_type: RecordType = None  # type: ignore[assignment]  # set by as_view(record_type=...)
    action = "view"

    @property
    def model(self) -> type[Model]:
        return self.record_type.model

    def perm(self, action: str) -> str:
        return perm_name(self.model, action)

    def check_grant(self, request: HttpRequest, action: str | None = None) -> None:
        """403 for a user with no grant for the action anywhere (in-scope lookups then answer 404)."""
        if not has_perm(request.user, self.perm(action or self.action)):
            raise PermissionDenied

    def base_queryset(self, action: str | None = None) -> QuerySet[Any]:
        qs = self.record_type.table.with_related(self.model._default_manager.alive())  # type: ignore[attr-defined]
        return restrict(qs, self.request.user, action or self.action)  # type: ignore[attr-defined]

    def get_object(self, pk: int, action: str | None = None) -> Any:
        try:
            return self.base_queryset(action).get(pk=pk)
        except self.model.DoesNotExist as exc:  # type: ignore[attr-defined]
            raise Http404(f"No {self.record_type.verbose_name} matches the given query.") from exc

    @property
    def restricted(self) -> bool:
        return bool(getattr(self.model, "restricted_fields", None))

    def context(self, **extra: Any) -> dict[str, Any]:
        entry = self.record_type
        user = self.request.user  # type: ignore[attr-defined]
        return {
            "record_type": entry,
            "verbose_name": entry.verbose_name,
            "verbose_name_plural": entry.verbose_name_plural,
            "list_url": reverse(entry.url_name("list")),
            "add_url": reverse(entry.url_name("add")) if entry.editable else "",
            "can_add": entry.editable and has_perm(user, self.perm("add")),
            "can_export": has_perm(user, self.perm("export")),
            **extra,
        }


class RecordListView(RecordViewMixin, View):
    template_name = "generic/list.html"

    def get(self, request: HttpRequest) -> HttpResponseBase:
        self.check_grant(request)
        entry = self.record_type
        # Bound only when a filter has a value: sorting or paging alone is not filtering.
        data = request.GET.copy()
        for key in ("sort", "page", "export"):
            data.pop(key, None)
        has_filters = any(v.strip() for values in data.lists() for v in values[1])
        filterset = entry.filterset(data if has_filters else None, queryset=self.base_queryset(), request=request)
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else self.base_queryset()
        if filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        sort = request.GET.get("sort", "")
        order_by = entry.table.sort_key(sort) if sort else None
        if order_by:
            queryset = queryset.order_by(order_by, "pk")
        elif not queryset.query.order_by and not self.model._meta.ordering:
            queryset = queryset.order_by("-pk")
        filters = {k: v for k, v in request.GET.items() if k not in {"page", "export"}}
        if request.GET.get("export") == "csv":
            self.check_grant(request, "export")
            export_qs = queryset & self.base_queryset("export")
            return export_csv(
                queryset=export_qs,
                table_class=entry.table,
                actor=request.user,
                filters=filters,
                filename=entry.url_slug,
                hidden=hidden_fields(request.user, self.model),
            )
        paginator = CappedPaginator(queryset, self.page_size(), self.count_limit(), allow_empty_first_page=True)
        page = paginator.get_page(request.GET.get("page"))
        start = (page.number - 1) * paginator.per_page
        rows = page.object_list = rows_between(queryset, start, min(start + paginator.per_page, paginator.count))
        if access_logged(self.model) and rows:
            AuditEvent.record_access(
                action=AuditEvent.Action.LIST, model=self.model, objects=rows, detail={"filters": filters}
            )
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context = self.context(
            filterset=filterset,
            table=entry.table(
                rows,
                hidden=hidden_fields(request.user, self.model),
                masks=masked_fields(request.user, self.model, [r.pk for r in rows]) if self.restricted else None,
            ),
            page=page,
            sort=sort,
            querystring=query.urlencode(),
            sort_querystring=sort_query.urlencode(),
            page_title=entry.verbose_name_plural.capitalize(),
        )
        template = f"{self.template_name}#table" if is_partial(request) else self.template_name
        return render(request, template, context)

    @staticmethod
    def page_size() -> int:
        from django.conf import settings

        return int(settings.LIST_PAGE_SIZE)

    @staticmethod
    def count_limit() -> int:
        from django.conf import settings

        return int(settings.LIST_COUNT_LIMIT)


def _foreign_keys(model: type[Any]) -> tuple[str, ...]:
    """The record's own foreign keys, which the detail page names (a query each if fetched one by one)."""
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.many_to_one and f.name != "deleted_by" and not getattr(f.related_model, "bulky_fields", ())
    )


class RecordDetailView(RecordViewMixin, View):
    def base_queryset(self, action: str | None = None) -> QuerySet[Any]:
        related = _foreign_keys(self.model)
        qs = super().base_queryset(action)
        return qs.select_related(*related) if related else qs

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_grant(request)
        obj = self.get_object(pk)
        if access_logged(self.model):
            AuditEvent.record_access(action=AuditEvent.Action.VIEW, model=self.model, objects=[obj])
        entry = self.record_type
        skip = {"id", "deleted_at", "deleted_by", *getattr(self.model, "audit_exclude", ())}
        skip |= hidden_fields(request.user, self.model, obj)
        fields = [
            (f.verbose_name[:1].upper() + f.verbose_name[1:], RecordTable.text(RecordTable.raw_value(obj, f.name)))
            for f in self.model._meta.concrete_fields
            if f.name not in skip
        ]
        user = request.user
        template = select_template(
            [t for t in (entry.detail_template, f"{entry.app_label}/{entry.model_name}_detail.html") if t]
            + ["generic/detail.html"]
        )
        context = self.context(
            object=obj,
            fields=fields,
            page_title=str(obj),
            can_change=entry.editable and has_perm(user, self.perm("change"), obj),
            can_delete=entry.editable and has_perm(user, self.perm("delete"), obj),
            history_url=reverse(entry.url_name("history"), args=[obj.pk]),
            edit_url=reverse(entry.url_name("edit"), args=[obj.pk]) if entry.editable else "",
            delete_url=reverse(entry.url_name("delete"), args=[obj.pk]) if entry.editable else "",
        )
        return HttpResponse(template.render(context, request))


class RecordEditView(RecordViewMixin, View):
    template_name = "generic/edit.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.action = "change" if "pk" in kwargs else "add"

    def _form(self, request: HttpRequest, instance: Any) -> Any:
        data = request.POST if request.method == "POST" else None
        files = request.FILES if request.method == "POST" else None
        return self.record_type.form(data, files, instance=instance, user=request.user)

    def _render(self, request: HttpRequest, form: Any, instance: Any, status: int = 200) -> HttpResponse:
        title = f"Edit {instance}" if instance is not None else f"Add {self.record_type.verbose_name}"
        context = self.context(form=form, object=instance, page_title=title)
        template = f"{self.template_name}#form" if is_partial(request) else self.template_name
        return render(request, template, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self.check_grant(request)
        instance = self.get_object(pk) if pk is not None else None
        return self._render(request, self._form(request, instance), instance)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        self.check_grant(request)
        instance = self.get_object(pk) if pk is not None else None
        form = self._form(request, instance)
        if not form.is_valid():
            return self._render(request, form, instance, status=422)
        try:
            with transaction.atomic(), audit.audit_context(actor=request.user):
                obj = form.save()
                # The saved record must still lie inside the actor's scope for this action.
                if not restrict(self.model._default_manager.filter(pk=obj.pk), request.user, self.action).exists():
                    raise PermissionDenied
        except PermissionDenied:
            form.add_error(None, "You may not save a record there: it would be outside your scope.")
            return self._render(request, form, instance, status=403)
        verb = "added" if pk is None else "saved"
        messages.success(request, f"{self.record_type.verbose_name.capitalize()} “{obj}” {verb}.")
        url = reverse(self.record_type.url_name("detail"), args=[obj.pk])
        if is_partial(request):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)


class RecordDeleteView(RecordViewMixin, View):
    template_name = "generic/delete.html"
    action = "delete"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_grant(request)
        obj = self.get_object(pk)
        return render(
            request, self.template_name, self.context(object=obj, form=ReasonForm(), page_title=f"Delete {obj}")
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_grant(request)
        obj = self.get_object(pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            context = self.context(object=obj, form=form, page_title=f"Delete {obj}")
            return render(request, self.template_name, context, status=422)
        services.soft_delete(actor=request.user, obj=obj, reason=form.cleaned_data["reason"])
        messages.success(request, f"{self.record_type.verbose_name.capitalize()} “{obj}” deleted.")
        return HttpResponseRedirect(reverse(self.record_type.url_name("list")))


class RecordHistoryView(RecordViewMixin, View):
    template_name = "generic/history.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_grant(request)
        obj = self.get_object(pk)
        if access_logged(self.model):
            AuditEvent.record_access(action=AuditEvent.Action.HISTORY, model=self.model, objects=[obj])
        events = AuditEvent.objects.for_object(obj).filter(kind=AuditEvent.Kind.CHANGE).order_by("seq")
        labels = {f.attname: str(f.verbose_name) for f in self.model._meta.concrete_fields}
        changes = [
            (event, {labels.get(name, name): values for name, values in audit.diff(event.before, event.after).items()})
            for event in events
        ]
        return render(
            request, self.template_name, self.context(object=obj, changes=changes, page_title=f"History of {obj}")
        )
