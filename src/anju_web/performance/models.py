"""A cycle's performance targets (绩效目标) and its monitoring rounds (双监控), kept as the YAML files
the engine reads (``targets.yaml``, ``monitoring.yaml``): the web and the command line read one format,
and every check is the engine's."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju_web.submissions.models import Cycle


class YearPlan(models.Model):
    cycle = models.OneToOneField(Cycle, on_delete=models.PROTECT, related_name="year_plan", verbose_name="评价年度")
    targets = models.TextField("绩效目标（targets.yaml）")
    targets_name = models.CharField("绩效目标文件名", max_length=255)
    monitoring = models.TextField("绩效运行监控（monitoring.yaml）", blank=True)
    monitoring_name = models.CharField("监控文件名", max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="导入人")
    updated_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "绩效目标与运行监控"
        verbose_name_plural = "绩效目标与运行监控"

    def __str__(self) -> str:
        return f"{self.cycle}绩效目标与运行监控"
