from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "anju_web.reports"
    label = "reports"
    verbose_name = "统计与文书"
