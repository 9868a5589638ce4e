"""The live alert stream (included by the alerts app's URL map, at /alerts/stream/)."""

from django.urls import path

from . import delivery_views

app_name = "alerts"

urlpatterns = [
    path("stream/", delivery_views.alert_stream, name="alert_stream"),
]
