"""Evidence files (佐证材料) attached to a unit, a year and optionally an item."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju.framework.describe import item_label
from anju_web.regions.models import Region
from anju_web.submissions.models import Cycle


class EvidenceQuerySet(models.QuerySet["EvidenceFile"]):
    def current(self) -> EvidenceQuerySet:
        """The files in force: not withdrawn (withdrawn and replaced files stay on record)."""
        return self.filter(withdrawn_at__isnull=True)


class EvidenceFile(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="evidence", verbose_name="评价年度")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="evidence", verbose_name="单位")
    program = models.CharField("项目", max_length=16, blank=True)
    item_path = models.CharField("指标", max_length=200, blank=True)
    title = models.CharField("材料名称", max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by", verbose_name="替换的材料",
        help_text="本文件替换的旧文件（旧文件随之撤回，仍保留在案）")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="撤回人")
    withdraw_reason = models.TextField("撤回理由", blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["region__position", "program", "item_path", "uploaded_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def item_text(self) -> str:
        """The program and indicator the file is tied to, as people read them ("" when none)."""
        if not self.program:
            return ""
        framework = self.cycle.framework
        try:
            program = framework.program(self.program)
        except KeyError:
            return self.program
        if not self.item_path:
            return program.label
        return item_label(framework, self.program, self.item_path)
