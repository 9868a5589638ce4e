"""Disclosure pages reached from a student; included in ``people/urls.py`` (namespace ``people``)."""

from django.urls import URLPattern, path

from . import disclosure_views

urlpatterns: list[URLPattern] = [
    path("students/<int:pk>/disclose/", disclosure_views.student_disclose, name="student_disclose"),
    path(
        "students/<int:pk>/disclosures/",
        disclosure_views.student_disclosure_log,
        name="student_disclosure_log",
    ),
]
