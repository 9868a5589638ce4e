"""Pages reached from a student's profile (its disclosures, its lazy panels); included in ``people/urls.py``
(namespace ``people``)."""

from django.urls import URLPattern, path

from . import disclosure_views, profile_views

urlpatterns: list[URLPattern] = [
    path("students/<int:pk>/disclose/", disclosure_views.student_disclose, name="student_disclose"),
    path(
        "students/<int:pk>/disclosures/",
        disclosure_views.student_disclosure_log,
        name="student_disclosure_log",
    ),
    path("students/<int:pk>/panels/", profile_views.student_panels, name="student_panels"),
]
