from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "srodesk.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from . import profile  # noqa: F401 - registers the profile panels and the dashboard panel
