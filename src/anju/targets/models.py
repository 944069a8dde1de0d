"""Performance targets (绩效目标) of one region, year and program, in the MoF 区域绩效目标表 layout.

A program's targets are its 年度总体目标 (text) and its indicators: 一级指标 产出/效益/满意度, each
under its 二级指标 (数量、质量、时效、成本 / 经济效益、社会效益、生态效益、可持续影响 / 服务对象满意度),
with an 指标值 that is a comparison (≥, ≤, =) with a number and a unit, or a 定性 text. An indicator
may name the framework figure that holds its actual value at year end (``figure``) and the one that
holds its planned quantity (``planned_figure``); then the year-end value is read from the
evaluation and the projected score from the framework's rule (:mod:`anju.monitoring`).

The province breaks its targets down (分解下达) to prefectures (``prefectures``: each prefecture as
a whole, counties included) and to reporting units (``units``). An indicator with ``adds_up`` is a
quantity whose parts must add up: the units of a prefecture to the prefecture, the prefectures and
the units to the province (:func:`anju.targets.breakdown.breakdown_problems`).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from anju.decimals import plain
from anju.fields import Date, Narrative, Note, RegionCode, Title, Year
from anju.framework.models import ID_PATTERN, ProgramId, Strict

IndicatorId = Annotated[str, Field(pattern=ID_PATTERN)]
Label = Annotated[str, Field(min_length=1, max_length=100)]


class Dimension(StrEnum):
    """一级指标 of the 区域绩效目标表."""

    output = "output"
    benefit = "benefit"
    satisfaction = "satisfaction"

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self]


DIMENSION_LABELS = {Dimension.output: "产出指标", Dimension.benefit: "效益指标", Dimension.satisfaction: "满意度指标"}


class Category(StrEnum):
    """二级指标 of the 区域绩效目标表, each under one :class:`Dimension`."""

    quantity = "quantity"
    quality = "quality"
    timeliness = "timeliness"
    cost = "cost"
    economic = "economic"
    social = "social"
    ecological = "ecological"
    sustainability = "sustainability"
    beneficiary = "beneficiary"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self][1]

    @property
    def dimension(self) -> Dimension:
        return CATEGORY_LABELS[self][0]


CATEGORY_LABELS: dict[Category, tuple[Dimension, str]] = {
    Category.quantity: (Dimension.output, "数量指标"),
    Category.quality: (Dimension.output, "质量指标"),
    Category.timeliness: (Dimension.output, "时效指标"),
    Category.cost: (Dimension.output, "成本指标"),
    Category.economic: (Dimension.benefit, "经济效益指标"),
    Category.social: (Dimension.benefit, "社会效益指标"),
    Category.ecological: (Dimension.benefit, "生态效益指标"),
    Category.sustainability: (Dimension.benefit, "可持续影响指标"),
    Category.beneficiary: (Dimension.satisfaction, "服务对象满意度指标"),
}


class Comparison(StrEnum):
    """How an actual value is held against the 指标值."""

    at_least = "≥"
    at_most = "≤"
    equal = "="
    qualitative = "定性"


class Indicator(Strict):
    """One row of the 区域绩效目标表."""

    id: IndicatorId
    label: Label
    category: Category
    comparison: Comparison
    value: Decimal | None = None
    """The 指标值 of a ≥/≤/= indicator."""
    text: Annotated[str, Field(max_length=200)] | None = None
    """The 指标值 of a 定性 indicator (e.g. 有效改善)."""
    unit: Annotated[str, Field(max_length=20)] = ""
    figure: IndicatorId | None = None
    """The framework figure holding the actual value at year end."""
    planned_figure: IndicatorId | None = None
    """The framework figure holding the planned quantity (the denominator of a completion rate)."""
    item: Annotated[str, Field(max_length=200)] | None = None
    """The framework item (indicator path) that scores this target, e.g. ``outputs.quality``."""
    adds_up: bool = False
    """A quantity whose parts (prefectures, units) must add up to the whole."""

    @model_validator(mode="after")
    def _value_or_text(self) -> Indicator:
        if self.comparison is Comparison.qualitative:
            if not self.text:
                raise ValueError(f"定性指标“{self.label}”缺少指标值文字（text）")
            if self.value is not None or self.adds_up:
                raise ValueError(f"定性指标“{self.label}”不能有数值指标值（value）或分解合计（adds_up）")
        elif self.value is None:
            raise ValueError(f"指标“{self.label}”缺少指标值（value）")
        if self.adds_up and self.comparison is not Comparison.at_least and self.comparison is not Comparison.equal:
            raise ValueError(f"指标“{self.label}”：只有“≥”或“=”的数量指标可以分解合计（adds_up）")
        return self

    @property
    def dimension(self) -> Dimension:
        return self.category.dimension

    def value_text(self, value: Decimal | None = None) -> str:
        """The 指标值 as the table writes it: ``≥12670套``, ``≥85%``, ``有效改善``."""
        if self.comparison is Comparison.qualitative:
            return self.text or ""
        shown = self.value if value is None else value
        return f"{self.comparison.value}{plain(shown) if shown is not None else ''}{self.unit}"

    def met(self, actual: Decimal, target: Decimal | None = None) -> bool:
        """Whether ``actual`` meets the target (``target``: a unit's part; default the indicator's
        value). Never for a 定性 indicator: that is judged."""
        target = self.value if target is None else target
        if target is None:
            return False
        if self.comparison is Comparison.at_least:
            return actual >= target
        if self.comparison is Comparison.at_most:
            return actual <= target
        return actual == target


Parts = dict[IndicatorId, Decimal]


class ProgramTargets(Strict):
    overall: Annotated[str, Field(min_length=1, max_length=2000)]
    """年度总体目标."""
    funds: Decimal | None = None
    """The central funds issued with the targets (万元)."""
    indicators: Annotated[list[Indicator], Field(min_length=1)]
    prefectures: dict[RegionCode, Parts] = Field(default_factory=dict)
    """分解到市（州）: each prefecture as a whole (its counties included)."""
    units: dict[RegionCode, Parts] = Field(default_factory=dict)
    """分解到报表单位."""

    @model_validator(mode="after")
    def _unique(self) -> ProgramTargets:
        seen: set[str] = set()
        for indicator in self.indicators:
            if indicator.id in seen:
                raise ValueError(f"指标编号“{indicator.id}”重复")
            seen.add(indicator.id)
        return self

    def indicator(self, indicator_id: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(indicator_id)


class Issuance(Strict):
    """How the targets were issued: with the fund document (随同指标文件一同下发)."""

    date: Date
    document: Annotated[str, Field(min_length=1, max_length=100)]
    """文号, e.g. 吉财建〔2022〕123号."""
    title: Title | None = None


class Targets(Strict):
    """The targets file (``targets.yaml``)."""

    region: RegionCode
    year: Year
    framework: Annotated[str, Field(min_length=1, max_length=40)]
    title: Title | None = None
    note: Note | None = None
    issued: Issuance
    programs: Annotated[dict[ProgramId, ProgramTargets], Field(min_length=1)]
    remarks: Narrative | None = None
