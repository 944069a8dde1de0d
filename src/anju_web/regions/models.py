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
    position = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reporting_unit(self) -> bool:
        return self.level != Level.province

    @property
    def display_name(self) -> str:
        """长春市本级 for a prefecture as a reporting unit; the plain name otherwise."""
        return f"{self.name}本级" if self.level == Level.prefecture else self.name

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
