"""Audited documents: a province's (or a city's, a county's) explanation or self-evaluation report
uploaded by the 监管局 reviewer or the province evaluator, kept with the cycle together with what
``anju audit`` found in it at the time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju_web.audit.models import AuditObject, AuditTarget
from anju_web.submissions.models import Cycle


class DocumentAudit(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="document_audits", verbose_name="评价年度")
    title = models.CharField("材料名称", max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    document_format = models.CharField("格式", max_length=8)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    framework_id = models.CharField("指标体系", max_length=32, blank=True)
    region_name = models.CharField("文中地区", max_length=64, blank=True)
    errors = models.PositiveIntegerField("错误")
    warnings = models.PositiveIntegerField("警告")
    checked = models.PositiveIntegerField("已核对数字")
    numbers = models.PositiveIntegerField("数字总数")
    result = models.JSONField("核查结果（问题、覆盖、各项目总分）")
    blocks = models.JSONField("文中段落（用于原位显示问题）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "说明材料核查"
        verbose_name_plural = "说明材料核查"
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def target(self) -> AuditTarget:
        return AuditTarget(AuditObject.document_audit, self.pk, f"{self.cycle} › {self.title}", self.cycle.region,
                           self.cycle_id)
