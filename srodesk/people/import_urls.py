"""Roster upload and import status pages; included in ``people/urls.py`` (namespace ``people``)."""

from django.urls import URLPattern, path

from . import import_views

urlpatterns: list[URLPattern] = [
    path("roster-imports/upload/", import_views.upload, name="rosterimport_upload"),
    path("roster-imports/<int:pk>/status/", import_views.status, name="rosterimport_status"),
]
