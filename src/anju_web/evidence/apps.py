from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "anju_web.evidence"
    label = "evidence"
    verbose_name = "佐证材料"
