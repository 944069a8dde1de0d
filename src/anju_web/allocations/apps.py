from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "anju_web.allocations"
    label = "allocations"
    verbose_name = "资金分配"
