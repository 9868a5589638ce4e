from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: Any, **kwargs: Any) -> None:
    from .roles import sync_roles

    sync_roles(using=kwargs.get("using", "default"))


class AccountsConfig(AppConfig):
    name = "srodesk.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # The role catalogue is declarative (roles.py); like Django's own permissions it is written
        # after every migrate, so the database always matches the code.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="srodesk.accounts.sync_roles")
