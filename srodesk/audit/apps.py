from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "srodesk.audit"
    label = "audit"
    verbose_name = "Audit log"
