from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "anju_web.submissions"
    label = "submissions"
    verbose_name = "填报与审核"
