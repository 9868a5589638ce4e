from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "srodesk.incidents"
    label = "incidents"
    verbose_name = "Law-enforcement records"

    def ready(self) -> None:
        # The supervisor's review panel on the dashboard, and the student-profile and draft panels.
        from . import profile, views  # noqa: F401
