from django.apps import AppConfig


class ReunificationConfig(AppConfig):
    name = "srodesk.reunification"
    label = "reunification"
    verbose_name = "Reunification"
