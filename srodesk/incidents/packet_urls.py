"""Case packet pages; included in ``incidents/urls.py`` (namespace ``incidents``)."""

from django.urls import URLPattern, path

from . import packet_views

urlpatterns: list[URLPattern] = [
    path("incidents/<int:pk>/packets/", packet_views.packet_list, name="casepacket_list"),
    path("incidents/<int:pk>/packets/new/", packet_views.packet_add, name="casepacket_add"),
    path("packets/<int:pk>/", packet_views.packet_detail, name="casepacket_detail"),
    path("packets/<int:pk>/status/", packet_views.packet_status, name="casepacket_status"),
    path("packets/<int:pk>/download/", packet_views.packet_download, name="casepacket_download"),
    path("packets/<int:pk>/give/", packet_views.packet_give, name="casepacket_give"),
]
