"""Evidence custody pages; included by ``incidents/urls.py`` (namespace ``incidents``), next to the generic
evidence item pages at the same address (``/incidents/evidence-items/<pk>/…``)."""

from django.urls import URLPattern, path

from . import evidence_views as views
from .models import EvidenceItem

#: The generic pages' address of evidence items (the registry's slug: the plural verbose name, hyphenated).
SLUG = str(EvidenceItem._meta.verbose_name_plural).replace(" ", "-").lower()

urlpatterns: list[URLPattern] = [
    path(f"{SLUG}/<int:pk>/custody/", views.custody_timeline, name="evidenceitem_custody"),
    path(f"{SLUG}/<int:pk>/custody/panel/", views.custody_panel, name="evidenceitem_custody_panel"),
    path(f"{SLUG}/<int:pk>/custody/record/", views.custody_record, name="evidenceitem_custody_record"),
    path(f"{SLUG}/<int:pk>/photos/add/", views.photo_add, name="evidenceitem_photo_add"),
    path(f"{SLUG}/<int:pk>/photos/<int:photo_pk>/", views.photo_file, name="evidenceitem_photo"),
    path(f"{SLUG}/<int:pk>/label/", views.evidence_label, name="evidenceitem_label"),
]
