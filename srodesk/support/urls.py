from django.urls import path

from srodesk.core import registry

from . import views

app_name = "support"

urlpatterns = [
    path("mandated-reports/overdue/", views.overdue, name="mandatedreport_overdue"),
    path("mandated-reports/<int:pk>/oral-report/", views.report_oral, name="mandatedreport_oral_report"),
    path("mandated-reports/<int:pk>/written-report/", views.report_written, name="mandatedreport_written_report"),
    path("referrals/<int:pk>/share/", views.referral_share, name="referral_share"),
    path("agency-requests/<int:pk>/release/", views.request_release, name="agencyrequest_release"),
    path("attendance-imports/upload/", views.attendance_upload, name="attendanceimport_upload"),
    path("attendance-imports/<int:pk>/status/", views.attendance_import_status, name="attendanceimport_status"),
    *registry.urlpatterns("support"),
]
