"""Record pages of the law-enforcement records: the generic pages, specialised (shared sight, the lock,
pre-filled parts), the incident page, its workflow, versions and sharing, and the supervisor's review queue.

The specialised generic pages keep the registry's paths and URL names; being listed first, they answer.
"""

from django.urls import URLPattern, path

from srodesk.core import registry

from . import views
from .models import Incident

app_name = "incidents"


def _generic() -> list[URLPattern]:
    patterns: list[URLPattern] = []
    for entry in registry.for_app("incidents"):
        slug, name = entry.url_slug, entry.model_name
        kwargs = {"record_type": entry}
        detail = views.IncidentDetailView if entry.model is Incident else views.LawEnforcementDetailView
        patterns += [
            path(f"{slug}/", views.LawEnforcementListView.as_view(**kwargs), name=f"{name}_list"),
            path(f"{slug}/<int:pk>/", detail.as_view(**kwargs), name=f"{name}_detail"),
            path(
                f"{slug}/<int:pk>/history/", views.LawEnforcementHistoryView.as_view(**kwargs), name=f"{name}_history"
            ),
        ]
        if entry.editable:
            patterns += [
                path(f"{slug}/add/", views.LawEnforcementEditView.as_view(**kwargs), name=f"{name}_add"),
                path(f"{slug}/<int:pk>/edit/", views.LawEnforcementEditView.as_view(**kwargs), name=f"{name}_edit"),
                path(
                    f"{slug}/<int:pk>/delete/", views.LawEnforcementDeleteView.as_view(**kwargs), name=f"{name}_delete"
                ),
            ]
    return patterns


urlpatterns: list[URLPattern] = [
    path("review/", views.review_queue, name="review_queue"),
    path("incidents/<int:pk>/return/", views.incident_return, name="incident_return"),
    path("incidents/<int:pk>/void/", views.incident_void, name="incident_void"),
    path("incidents/<int:pk>/supplement/", views.incident_supplement, name="incident_supplement"),
    path("incidents/<int:pk>/attach/", views.incident_attach, name="incident_attach"),
    path("incidents/<int:pk>/share/", views.incident_share, name="incident_share"),
    path("incidents/<int:pk>/nibrs-check/", views.incident_nibrs_check, name="incident_nibrs_check"),
    path("incidents/<int:pk>/versions/", views.incident_versions, name="incident_versions"),
    path("incidents/<int:pk>/versions/<int:number>/", views.incident_version, name="incident_version"),
    path("incidents/<int:pk>/submit/", views.incident_workflow, {"action": "submit"}, name="incident_submit"),
    path("incidents/<int:pk>/approve/", views.incident_workflow, {"action": "approve"}, name="incident_approve"),
    path("incidents/<int:pk>/close/", views.incident_workflow, {"action": "close"}, name="incident_close"),
    path("incident-shares/<int:pk>/revoke/", views.share_revoke, name="incidentshare_revoke"),
    path("searches/<int:pk>/review/", views.search_review, name="search_review"),
    *_generic(),
]
