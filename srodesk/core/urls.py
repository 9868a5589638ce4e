from django.urls import path

from . import pages

app_name = "core"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("dashboard/counts/", pages.dashboard_counts, name="dashboard_counts"),
    path("search/", pages.search, name="search"),
]
