"""The registry of record types: one entry wires a model's URLs, API route, navigation and search.

Each domain app declares its record types in ``<app>/records.py`` (discovered at start-up)::

    register(RecordType(model=School, filterset=SchoolFilterSet, table=SchoolTable, form=SchoolForm,
                        serializer=SchoolSerializer, nav_group="Organisations"))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import URLPattern, path
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django.db import models

    from .filtersets import RecordFilterSet
    from .forms import RecordForm
    from .tables import RecordTable


@dataclass
class RecordType:
    model: type[models.Model]
    filterset: type[RecordFilterSet]
    table: type[RecordTable]
    form: type[RecordForm]
    serializer: type[Any]
    viewset: type[Any] | None = None
    nav_group: str = ""
    nav_order: int = 100
    #: False for the parts of another record (an incident's offenses): reached from it, not from the menu.
    in_nav: bool = True
    #: A short API path beside ``/api/v1/<app>/<slug>/`` (``"incidents"`` → ``/api/v1/incidents/``,
    #: route names ``api:alias-incidents-list`` / ``-detail``).
    api_alias: str = ""
    #: The template for the detail page; the generic one when empty.
    detail_template: str = ""
    #: Whether the generic create/edit/delete pages exist for this type (a workflow type may say no).
    editable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return str(self.model._meta.model_name)

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def url_slug(self) -> str:
        return self.verbose_name_plural.replace(" ", "-").lower()

    def url_name(self, action: str) -> str:
        return f"{self.app_label}:{self.model_name}_{action}"

    @property
    def api_basename(self) -> str:
        return f"{self.app_label}-{self.model_name}"


_registry: dict[type[Any], RecordType] = {}
#: Bumped by every change of the registry or the navigation links (caches built from them compare it).
_version = [0]


def version() -> int:
    return _version[0]


def register(entry: RecordType) -> RecordType:
    if entry.model in _registry:
        raise ValueError(f"{entry.model.__name__} is registered twice")
    if entry.viewset is None:
        from .api import ReadOnlyRecordViewSet, RecordViewSet

        entry.viewset = type(
            f"{entry.model.__name__}ViewSet",
            (RecordViewSet if entry.editable else ReadOnlyRecordViewSet,),
            {
                "__module__": entry.model.__module__.replace(".models", ".api"),
                "queryset": entry.model._default_manager.all(),
                "serializer_class": entry.serializer,
                "filterset_class": entry.filterset,
                "record_type": entry,
            },
        )
    else:
        viewset = entry.viewset
        viewset.record_type = entry
        viewset.serializer_class = viewset.serializer_class or entry.serializer
        viewset.filterset_class = getattr(viewset, "filterset_class", None) or entry.filterset
    _registry[entry.model] = entry
    _version[0] += 1
    return entry


@dataclass(frozen=True)
class NavLink:
    """A page that is not a record list (a queue, an export, a wizard), shown to holders of ``perm``."""

    group: str
    label: str
    url_name: str
    perm: str
    order: int = 100


_nav_links: list[NavLink] = []


def register_nav_link(link: NavLink) -> NavLink:
    if link not in _nav_links:
        _nav_links.append(link)
        _version[0] += 1
    return link


def nav_links() -> list[NavLink]:
    return sorted(_nav_links, key=lambda link: (link.order, link.label))


def unregister(model: type[Any]) -> RecordType:
    """Remove a type (tests use it to prove the conformance check notices missing wiring)."""
    _version[0] += 1
    return _registry.pop(model)


def get(model: type[Any]) -> RecordType:
    return _registry[model]


def entries() -> list[RecordType]:
    return sorted(_registry.values(), key=lambda e: (e.nav_order, e.verbose_name_plural))


def for_app(app_label: str) -> list[RecordType]:
    return [e for e in entries() if e.app_label == app_label]


def autodiscover() -> None:
    autodiscover_modules("records")


def urlpatterns(app_label: str) -> list[URLPattern]:
    """List, add, detail, edit, delete and history pages for every registered type of the app."""
    from . import views

    patterns: list[URLPattern] = []
    for entry in for_app(app_label):
        slug, name = entry.url_slug, entry.model_name
        kwargs = {"record_type": entry}
        patterns += [
            path(f"{slug}/", views.RecordListView.as_view(**kwargs), name=f"{name}_list"),
            path(f"{slug}/<int:pk>/", views.RecordDetailView.as_view(**kwargs), name=f"{name}_detail"),
            path(f"{slug}/<int:pk>/history/", views.RecordHistoryView.as_view(**kwargs), name=f"{name}_history"),
        ]
        if entry.editable:
            patterns += [
                path(f"{slug}/add/", views.RecordEditView.as_view(**kwargs), name=f"{name}_add"),
                path(f"{slug}/<int:pk>/edit/", views.RecordEditView.as_view(**kwargs), name=f"{name}_edit"),
                path(f"{slug}/<int:pk>/delete/", views.RecordDeleteView.as_view(**kwargs), name=f"{name}_delete"),
            ]
    return patterns


def api_routes(router: Any) -> None:
    for entry in entries():
        router.register(f"{entry.app_label}/{entry.url_slug}", entry.viewset, basename=entry.api_basename)


def api_alias_routes(router: Any) -> None:
    """The short paths of the types that declare one (a separate router: no second API root)."""
    for entry in entries():
        if entry.api_alias:
            router.register(entry.api_alias, entry.viewset, basename=f"alias-{entry.api_alias}")
