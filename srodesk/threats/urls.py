from django.urls import path

from srodesk.core import registry

from . import views

app_name = "threats"

urlpatterns = [
    path("threat-cases/<int:pk>/steps/<slug:action>/", views.case_action, name="threatcase_action"),
    path("teams/<int:pk>/members/add/", views.team_member_add, name="team_member_add"),
    path("teams/<int:pk>/members/<int:member_pk>/remove/", views.team_member_remove, name="team_member_remove"),
    *registry.urlpatterns("threats"),
]
