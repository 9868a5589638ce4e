"""Alert pages. The live alert page replaces the generic detail page of the registry (same URL name)."""

from importlib import import_module

from django.urls import URLPattern, URLResolver, path

from srodesk.core import registry

from . import views

app_name = "alerts"


def _delivery_urls() -> list[URLPattern | URLResolver]:
    """The delivery engine's live stream, when it is installed."""
    try:
        module = import_module("srodesk.alerts.delivery_urls")
    except ModuleNotFoundError as exc:
        if exc.name != "srodesk.alerts.delivery_urls":
            raise
        return []
    patterns: list[URLPattern | URLResolver] = module.urlpatterns
    return patterns


urlpatterns: list[URLPattern | URLResolver] = [
    path("start/", views.alert_start, name="alert_start"),
    path("<int:pk>/", views.alert_detail, name="alert_detail"),
    path("<int:pk>/cancel/", views.alert_cancel, name="alert_cancel"),
    path("<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("<int:pk>/all-clear/", views.alert_all_clear, name="alert_all_clear"),
    path("<int:pk>/report/", views.alert_report, name="alert_report"),
    path("<int:pk>/cap.xml", views.alert_cap, name="alert_cap"),
    *_delivery_urls(),
    *(p for p in registry.urlpatterns("alerts") if getattr(p, "name", None) != "alert_detail"),
]
