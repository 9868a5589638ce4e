from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "srodesk.alerts"
    label = "alerts"
    verbose_name = "Alerts and accountability"
