from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "srodesk.organizations"
    label = "organizations"
    verbose_name = "Organisations"
