"""The NIBRS page; included by ``incidents/urls.py`` (namespace ``incidents``)."""

from django.urls import URLPattern, path

from . import nibrs_views

urlpatterns: list[URLPattern] = [
    path("nibrs/", nibrs_views.nibrs_export, name="nibrs_export"),
    path("nibrs/download/", nibrs_views.nibrs_download, name="nibrs_download"),
]
