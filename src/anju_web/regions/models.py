"""Regions (GB/T 2260 codes): the province, its prefecture-level units and counties."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Level(models.TextChoices):
    province = "province", "省"
    prefecture = "prefecture", "地级市"
    county = "county", "县（市）"


class Region(models.Model):
    """A region. Prefecture-level and county regions are reporting units (填报单位); a
    prefecture-level unit reports for its own city (市本级) and reviews its counties."""

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    kind = models.CharField("类型", max_length=32, blank=True, help_text="地级市、自治州、县级市、县、自治县……")
    report_name = models.CharField("报表口径名称", max_length=100, blank=True, help_text="如：长春市（市本级及市辖区）")
    reports = models.BooleanField("单独报表", default=True)
    valid_from = models.PositiveIntegerField("启用年度", null=True, blank=True)
    valid_to = models.PositiveIntegerField("停用年度", null=True, blank=True)
    position = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reporting_unit(self) -> bool:
        return self.reports and self.level != Level.province

    @property
    def display_name(self) -> str:
        """What the unit's own report covers: 长春市（市本级及市辖区）, or the plain name."""
        return self.report_name or self.name

    def valid_in(self, year: int) -> bool:
        if self.valid_from is not None and year < self.valid_from:
            return False
        return not (self.valid_to is not None and year > self.valid_to)

    def subtree_q(self, prefix: str = "") -> Q:
        """Filter for this region and everything below it (three levels at most)."""
        return Q(**{f"{prefix}pk": self.pk}) | Q(**{f"{prefix}parent": self.pk}) | Q(**{f"{prefix}parent__parent": self.pk})

    def contains(self, other: Region) -> bool:
        node: Region | None = other
        while node is not None:
            if node.pk == self.pk:
                return True
            node = node.parent
        return False

    def prefecture(self) -> Region | None:
        """The prefecture-level region this region belongs to (itself for a prefecture)."""
        if self.level == Level.prefecture:
            return self
        if self.level == Level.county:
            return self.parent
        return None
