"""Saved allocations: each save is a new version (never updated), with the inputs that produced it
and the engine's result (table, trace, points-to-money) as it was computed."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju.decimals import plain
from anju_web.audit.models import AuditObject, AuditTarget
from anju_web.regions.models import Region
from anju_web.submissions.models import Cycle


class Allocation(models.Model):
    """One version of a province's allocation of one year's funds to its prefectures."""

    region = models.ForeignKey(Region, verbose_name="分配资金的省", on_delete=models.PROTECT, related_name="allocations")
    cycle = models.ForeignKey(Cycle, verbose_name="所用评价年度", on_delete=models.PROTECT, related_name="allocations")
    year = models.PositiveIntegerField("资金年度")
    version = models.PositiveIntegerField("版本")
    method_id = models.CharField("分配办法", max_length=32)
    method_label = models.CharField("分配办法名称", max_length=200)
    method_digest = models.CharField("分配办法哈希", max_length=64)
    inputs = models.JSONField("测算输入（各地因素、系数、得分）")
    result = models.JSONField("测算结果（分配表、计算过程、每一分值多少钱）")
    total = models.DecimalField("下达合计（万元）", max_digits=20, decimal_places=6)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="测算人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("测算时间", auto_now_add=True)

    class Meta:
        verbose_name = "资金分配测算"
        verbose_name_plural = "资金分配测算"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "version"], name="one_version_number_per_year")]
        permissions = [("run_allocation", "测算并保存资金分配")]

    def __str__(self) -> str:
        return f"{self.region.name}{self.year}年资金分配（第{self.version}版）"

    @property
    def target(self) -> AuditTarget:
        return AuditTarget(AuditObject.allocation, self.pk, str(self), self.region, self.cycle_id)


class NationalAllocation(models.Model):
    """One version of the central allocation (中央 → 各省、计划单列市、兵团) of one year's funds, run by
    财政部 from the national dashboard: the scores and quantities are each region's stored evaluation
    run of the year before (``scores_year``), the coefficients and amounts are typed by 财政部."""

    year = models.PositiveIntegerField("资金年度")
    scores_year = models.PositiveIntegerField("所用评价年度")
    version = models.PositiveIntegerField("版本")
    method_id = models.CharField("分配办法", max_length=32)
    method_label = models.CharField("分配办法名称", max_length=200)
    method_digest = models.CharField("分配办法哈希", max_length=64)
    inputs = models.JSONField("测算输入（各地因素、系数、得分）")
    result = models.JSONField("测算结果（分配表、计算过程）")
    total = models.DecimalField("下达合计（万元）", max_digits=20, decimal_places=6)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="测算人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("测算时间", auto_now_add=True)

    class Meta:
        verbose_name = "中央资金分配测算"
        verbose_name_plural = "中央资金分配测算"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="one_national_version_number_per_year")]

    def __str__(self) -> str:
        return f"{self.year}年中央资金分配（第{self.version}版）"

    @property
    def total_text(self) -> str:
        """下达合计 as people write it (no trailing zeros)."""
        return plain(self.total)

    def shares(self) -> dict[str, str]:
        """Each region's total (万元, as text), by region code."""
        return dict(self.result.get("totals", {}).get("regions", {}))
