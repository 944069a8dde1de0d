from __future__ import annotations

from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "anju_web.national"
    label = "national"
    verbose_name = "全国"

    def ready(self) -> None:
        from anju_web.national import jobs  # noqa: F401  (registers the national run job kind)
