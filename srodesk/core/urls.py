from django.urls import path

from . import pages

app_name = "core"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("search/", pages.search, name="search"),
]
