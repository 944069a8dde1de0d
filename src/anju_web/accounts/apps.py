from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "anju_web.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, sender=self)
        from anju_web.accounts.signals import connect

        connect()


def _after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from anju_web.accounts.services import ensure_groups
    from anju_web.regions.services import sync_regions

    ensure_groups(using=using)
    sync_regions()
