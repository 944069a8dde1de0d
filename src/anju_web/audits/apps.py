from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "anju_web.audits"
    label = "audits"
    verbose_name = "说明材料核查"
