"""Pages of the law-enforcement records: each part of the app keeps its own URL module."""

from django.urls import URLPattern, URLResolver

from srodesk.core import registry

from . import evidence_urls, nibrs_urls, packet_urls, record_urls, wizard_urls

app_name = "incidents"

urlpatterns: list[URLPattern | URLResolver] = [
    *record_urls.urlpatterns,
    *wizard_urls.urlpatterns,
    *evidence_urls.urlpatterns,
    *nibrs_urls.urlpatterns,
    *packet_urls.urlpatterns,
    *registry.urlpatterns("incidents"),
]
