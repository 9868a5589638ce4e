from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "srodesk.incidents"
    label = "incidents"
    verbose_name = "Law-enforcement records"
