from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "anju_web.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        # The built-in kinds register themselves; other apps may register more (a national run).
        from anju_web.jobs import kinds  # noqa: F401
