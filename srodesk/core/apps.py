from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "srodesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import audit, registry

        audit.connect_change_hook()
        registry.autodiscover()
