from django.apps import AppConfig
from django.db.models.signals import pre_delete, pre_save


class SubmissionsConfig(AppConfig):
    name = "anju_web.submissions"
    label = "submissions"
    verbose_name = "填报与审核"

    def ready(self) -> None:
        from anju_web.submissions.cycles import refuse_archived_writes
        from anju_web.text import clean_model_text

        pre_save.connect(refuse_archived_writes, dispatch_uid="anju_archived_cycle_save")
        pre_save.connect(clean_model_text, dispatch_uid="anju_clean_model_text")
        pre_delete.connect(refuse_archived_writes, dispatch_uid="anju_archived_cycle_delete")
