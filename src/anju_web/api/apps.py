from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "anju_web.api"
    label = "api"
    verbose_name = "数据接口"
