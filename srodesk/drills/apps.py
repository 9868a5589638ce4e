from django.apps import AppConfig


class DrillsConfig(AppConfig):
    name = "srodesk.drills"
    label = "drills"
    verbose_name = "Drills and emergency plans"
