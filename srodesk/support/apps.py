from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "srodesk.support"
    label = "support"
    verbose_name = "Student support"

    def ready(self) -> None:
        from . import profile  # noqa: F401 - registers the student-profile panels and the dashboard panel
