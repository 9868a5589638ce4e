"""Incident entry: the wizard at /incidents/new/ and its row and search endpoints."""

from django.urls import path

from . import wizard_views as views

urlpatterns = [
    path("new/", views.wizard_start, name="incident_new"),
    path("new/<int:pk>/", views.wizard_resume, name="incident_wizard"),
    path("new/<int:pk>/students/", views.student_search, name="incident_wizard_students"),
    path("new/<int:pk>/offenses/<int:offense_pk>/", views.offense_save, name="incident_wizard_offense"),
    path(
        "new/<int:pk>/offenses/<int:offense_pk>/remove/",
        views.offense_remove,
        name="incident_wizard_offense_remove",
    ),
    path("new/<int:pk>/people/<int:person_pk>/", views.person_save, name="incident_wizard_person"),
    path(
        "new/<int:pk>/people/<int:person_pk>/remove/",
        views.person_remove,
        name="incident_wizard_person_remove",
    ),
    path("new/<int:pk>/<slug:step>/", views.wizard_step, name="incident_wizard_step"),
]
