from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "anju_web.performance"
    label = "performance"
    verbose_name = "绩效目标与运行监控"
