from django.urls import path

from srodesk.core import registry

from . import views
from .models import EmergencyPlan

app_name = "drills"
PLAN = registry.get(EmergencyPlan)

urlpatterns = [
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/schools/<int:pk>/", views.school_compliance, name="compliance_school"),
    path("compliance/schools/<int:pk>/drills.ics", views.school_calendar, name="compliance_calendar"),
    path("calendar/<str:token>/drills.ics", views.calendar_feed, name="calendar_feed"),
    path("emergency-plans/<int:pk>/floor-plan/", views.floor_plan, name="emergencyplan_floor_plan"),
    # The plan's add and edit pages upload a file: the same view, a multipart form.
    path("emergency-plans/add/", views.EmergencyPlanEditView.as_view(record_type=PLAN), name="emergencyplan_add"),
    path(
        "emergency-plans/<int:pk>/edit/",
        views.EmergencyPlanEditView.as_view(record_type=PLAN),
        name="emergencyplan_edit",
    ),
    *registry.urlpatterns("drills"),
]
