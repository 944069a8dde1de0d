"""The audit log: who changed what, when, from which value to which. Rows are never updated."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju_web.regions.models import Region


class AuditEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField("操作人（角色与单位）", max_length=200)
    action = models.CharField("操作", max_length=64)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    object_label = models.CharField("对象", max_length=300)
    field = models.CharField("字段", max_length=200, blank=True)
    old_value = models.TextField("原值", blank=True)
    new_value = models.TextField("新值", blank=True)
    note = models.TextField("说明", blank=True)
    region = models.ForeignKey(Region, verbose_name="区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cycle_id = models.BigIntegerField("评价年度编号", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-pk"]
        permissions = [("export_auditevent", "导出审计日志")]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("审计事件只能新增，不能修改")
        super().save(*args, **kwargs)
