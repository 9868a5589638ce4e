from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "srodesk.people"
    label = "people"
    verbose_name = "People"
