from django.apps import AppConfig


class ThreatsConfig(AppConfig):
    name = "srodesk.threats"
    label = "threats"
    verbose_name = "Threat assessment"

    def ready(self) -> None:
        from . import profile  # noqa: F401 - registers the student-profile panel and the dashboard panel
