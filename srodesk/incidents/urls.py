"""Pages of the law-enforcement records: each part of the app keeps its own URL module."""

from importlib import import_module

from django.urls import URLPattern, URLResolver

from srodesk.core import registry

app_name = "incidents"

_PARTS = ("record_urls", "wizard_urls", "evidence_urls", "nibrs_urls", "packet_urls")


def _part(name: str) -> list[URLPattern | URLResolver]:
    try:
        module = import_module(f"{__package__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.{name}":
            raise
        return []
    return list(module.urlpatterns)


urlpatterns: list[URLPattern | URLResolver] = [url for part in _PARTS for url in _part(part)]
urlpatterns += registry.urlpatterns("incidents")
