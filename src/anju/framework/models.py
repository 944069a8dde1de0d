"""Indicator framework models (strict, frozen pydantic).

A framework is a tree: program (住房租赁保障 …) → dimension (一级指标) → indicator (二级指标)
→ criterion (评分要点, any depth). Leaves carry a ``rule`` (a tagged union on ``kind``);
inner nodes score as the sum of their children. Every rule carries a provenance tag so a
user can tell an official threshold from an assumption.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from anju.decimals import percent_text, plain
from anju.fields import bounded_decimal
from anju.problems import EntryCode
from anju.yamlio import CUSTOM_ERROR_PREFIX

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
ProgramId = Annotated[str, Field(pattern=ID_PATTERN)]
"""A program's id (``rental`` …): declared by the framework, never a fixed list in code."""
PLACEHOLDER_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([0-9]))?\}")
BUILTIN_PLACEHOLDERS = frozenset({"rate", "score", "points", "year", "region", "deduction", "as_of", "our_region",
                                  "whole_region"})


class Strict(BaseModel):
    """The base of every model: unknown fields refused, frozen, and no Decimal too large to compute
    with (:func:`anju.fields.bounded_decimal`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _bounded(cls, value: object, info: ValidationInfo) -> object:
        return bounded_decimal(value, info.field_name or "")


class Provenance(StrEnum):
    """Where a rule or a maximum comes from."""

    official = "official"  # read in an official table
    seed = "seed"  # stated in the seed document
    inferred = "inferred"  # derived from the seed's numbers
    assumed = "assumed"  # chosen so the seed is reproduced; verify against the official table

    @property
    def label(self) -> str:
        return {"official": "官方", "seed": "样本", "inferred": "推断", "assumed": "假设"}[self.value]


FigureKind = Literal["amount", "count", "quantity", "percent"]


@dataclass(frozen=True)
class FigureLimit:
    """What a figure of a kind may hold, at every entry (workbook, form, API, dataset and units YAML)."""

    decimals: int
    maximum: Decimal
    """Exclusive upper bound of the magnitude; far above any real province's figure, so a value
    beyond it is a unit typed wrongly (元 for 万元) or a slip of the keyboard."""


PERCENT_MAX = Decimal(100)
FIGURE_LIMITS: dict[str, FigureLimit] = {
    # 万元: 10^10 万元 is 100 万亿元, about China's GDP; a province's housing funds are below 10^7
    "amount": FigureLimit(2, Decimal("1e10")),
    # 平方米 and other measures: China's whole urban housing stock is about 3 × 10^10 平方米
    "quantity": FigureLimit(2, Decimal("1e11")),
    # 套, 户, 个, 栋, 件: China has about 5 × 10^8 households
    "count": FigureLimit(0, Decimal("1e9")),
    # a rate reported directly, in percent: 0–100 (checked with its own message)
    "percent": FigureLimit(2, PERCENT_MAX + 1),
}
"""amount: money in 万元 (two decimals); count: whole units (套, 户, 个, 栋, 件);
quantity: measured (平方米, two decimals); percent: a rate reported directly, 0–100, two decimals.
README（数值上限）lists the same table."""
PLACES_TEXT = {0: "零", 1: "一", 2: "两", 3: "三", 4: "四"}


@dataclass(frozen=True)
class LimitBreach:
    """Why a value breaks its kind's limits: a code (:class:`anju.problems.EntryCode`) and the reason,
    to follow the figure's name (“中央财政资金”最多保留两位小数（万元））."""

    code: EntryCode
    reason: str


def limit_breach(kind: str, unit: str, value: Decimal) -> LimitBreach | None:
    """The first limit of ``kind`` that ``value`` breaks (sign aside: a negative figure is for the
    caller to refuse or flag), or None."""
    limit = FIGURE_LIMITS[kind]
    if kind == "percent" and value > PERCENT_MAX:
        return LimitBreach(EntryCode.PERCENT_RANGE, "应在0—100之间（按百分数填写）")
    if abs(value) >= limit.maximum:
        return LimitBreach(EntryCode.TOO_LARGE,
                           f"数值过大，超过本项上限 {plain(limit.maximum)}{unit}：请检查计量单位（{unit}）")
    if limit.decimals == 0 and value != value.to_integral_value():
        return LimitBreach(EntryCode.NOT_WHOLE, f"应为整数（{unit}）")
    if value != value.quantize(Decimal(1).scaleb(-limit.decimals)):
        places = PLACES_TEXT.get(limit.decimals, str(limit.decimals))
        return LimitBreach(EntryCode.TOO_MANY_DECIMALS, f"最多保留{places}位小数（{unit}）")
    return None


RegionLevel = Literal["province", "prefecture", "county"]
"""The three levels of the region tree (省 / 地级 / 县级), GB/T 2260."""

RegionKind = Literal[
    "province",  # 省
    "autonomous_region",  # 自治区
    "municipality",  # 直辖市
    "corps",  # 新疆生产建设兵团
    "prefecture_city",  # 地级市
    "autonomous_prefecture",  # 自治州
    "prefecture_region",  # 地区
    "league",  # 盟
    "district",  # 市辖区
    "county_city",  # 县级市
    "county",  # 县
    "autonomous_county",  # 自治县
    "banner",  # 旗
    "autonomous_banner",  # 自治旗
    "forestry_district",  # 林区
    "special_district",  # 特区
]
"""What kind of administrative unit a region is; figures that count units (e.g. 地级及以上城市)
name the kinds they count."""

AggregationMethod = Literal["sum", "weighted_mean", "min", "max", "count_units"]


class Aggregation(Strict):
    """How a figure reported by cities and counties becomes the province's figure.

    ``sum`` (the default): amounts, counts and quantities add up the region tree.
    ``weighted_mean``: a percent figure averaged with the ``weight`` figures of each unit
    (Σ weight × value ÷ Σ weight, rounded half up to ``decimals``).
    ``min`` / ``max``: a percent figure the province reaches only if every unit does.
    ``count_units``: the number of reporting units of the given ``kinds`` that have a task for the
    program and, when ``question`` is set, answered it 是 (yes); the units answer the question, not
    the figure.
    """

    method: AggregationMethod = "sum"
    weight: list[str] | None = None
    decimals: Annotated[int, Field(ge=0, le=4)] = 2
    kinds: list[RegionKind] | None = None
    question: str | None = None
    provenance: Provenance = Provenance.assumed
    note: str | None = None

    @model_validator(mode="after")
    def _fields_match_method(self) -> Aggregation:
        if self.method == "weighted_mean" and not self.weight:
            raise ValueError("weighted_mean（加权平均）须给出 weight（权重数据项）")
        if self.method != "weighted_mean" and self.weight:
            raise ValueError("只有 weighted_mean 可以给出 weight")
        if self.method == "count_units" and not self.kinds:
            raise ValueError("count_units（计数单位）须给出 kinds（计入哪些类型的单位）")
        if self.method != "count_units" and (self.kinds or self.question):
            raise ValueError("只有 count_units 可以给出 kinds 和 question")
        return self

    @property
    def asks_units(self) -> bool:
        """Whether units answer a yes/no question instead of reporting the figure."""
        return self.method == "count_units"


SUM = Aggregation()


class FigureSpec(Strict):
    """A figure a unit reports (填报数据项)."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: str
    unit: str
    kind: FigureKind
    description: str | None = None
    aggregation: Aggregation = SUM
    """How the units' values become the province's value (default: sum)."""
    allow_not_applicable: bool = False
    """Whether a unit may answer 不适用 (e.g. only the 人口净流入大城市 have a 十四五 target)."""


MetricKind = Literal["share", "completion", "rate"]


class Metric(Strict):
    """What a rule measures: a ratio of summed figures (in percent) or one percent figure."""

    label: str
    numerator: Annotated[list[str], Field(min_length=1)]
    denominator: list[str] | None = None
    kind: MetricKind = "share"
    """``share``: a part of a whole, above 100% is suspicious; ``completion``: actual against
    plan, may exceed 100%; ``rate``: a percent figure reported as such."""
    alternate_denominator: list[str] | None = None
    """The other base a document might have used (e.g. communities started instead of planned)."""

    def figure_ids(self) -> list[str]:
        return [*self.numerator, *(self.denominator or []), *(self.alternate_denominator or [])]


BlankPolicy = Literal["error", "zero", "full"]


class _MetricRule(Strict):
    metric: Metric
    provenance: Provenance
    note: str | None = None
    if_blank: BlankPolicy = "error"
    if_not_applicable: BlankPolicy = "error"
    if_zero_denominator: BlankPolicy = "error"


class Tier(Strict):
    """A band of the metric, in percent: ``at_least`` ≤ metric < ``below``."""

    at_least: Decimal | None = None
    below: Decimal | None = None
    points: Annotated[Decimal, Field(ge=0)]

    def contains(self, value: Decimal) -> bool:
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.below is not None and value >= self.below)

    def describe(self) -> str:
        if self.at_least is not None and self.below is not None:
            return f"{percent_text(self.at_least, None)}≤指标<{percent_text(self.below, None)}"
        if self.at_least is not None:
            return f"指标≥{percent_text(self.at_least, None)}"
        if self.below is not None:
            return f"指标<{percent_text(self.below, None)}"
        return "任意值"


class RatioTiers(_MetricRule):
    """Points by band of a ratio (e.g. 预算执行率 <60% → 0, 60–80% → 1 …)."""

    kind: Literal["ratio_tiers"]
    kind_label: ClassVar[str] = "分档"
    tiers: Annotated[list[Tier], Field(min_length=1)]


class Proportional(_MetricRule):
    """points × min(metric, full_at) ÷ full_at; zero below ``zero_below``; rounded half up."""

    kind: Literal["proportional"]
    kind_label: ClassVar[str] = "按比例"
    full_at: Annotated[Decimal, Field(gt=0)] = Decimal(100)
    zero_below: Decimal | None = None
    decimals: Annotated[int, Field(ge=0, le=4)] | None = None
    """Not to be declared here: a framework rounds every proportional score the same way
    (:class:`Rounding`, ``rounding:`` in framework.yaml); the loader refuses a value here."""


class Threshold(_MetricRule):
    """Full points when the metric reaches the bound, otherwise zero."""

    kind: Literal["threshold"]
    kind_label: ClassVar[str] = "达标"
    at_least: Decimal | None = None
    at_most: Decimal | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("threshold 规则须且只须给出 at_least 或 at_most 之一")
        return self


class Clause(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: str
    points: Annotated[Decimal, Field(gt=0)]
    partial: bool = False
    """Whether an evaluator may award part of the clause's points."""


class Checklist(Strict):
    """Clauses judged met or not by an evaluator, each worth its points."""

    kind: Literal["checklist"]
    kind_label: ClassVar[str] = "评分要点"
    clauses: Annotated[list[Clause], Field(min_length=1)]
    provenance: Provenance
    note: str | None = None


class Judged(Strict):
    """An evaluator awards points within [0, max]; below full needs a reason."""

    kind: Literal["judged"]
    kind_label: ClassVar[str] = "人工评分"
    guidance: str | None = None
    provenance: Provenance
    note: str | None = None


class Deduction(Strict):
    """Full points less ``per_finding`` for each finding counted in a figure, never below 0."""

    kind: Literal["deduction"]
    kind_label: ClassVar[str] = "按问题扣分"
    findings: Annotated[str, Field(pattern=ID_PATTERN)]
    per_finding: Annotated[Decimal, Field(gt=0)]
    provenance: Provenance
    note: str | None = None
    if_blank: BlankPolicy = "error"


class SumOfChildren(Strict):
    """An inner node: the sum of its children (the default for any node with children)."""

    kind: Literal["sum"]
    kind_label: ClassVar[str] = "下级合计"
    provenance: Provenance = Provenance.seed
    note: str | None = None


Rule = Annotated[
    RatioTiers | Proportional | Threshold | Checklist | Judged | Deduction | SumOfChildren,
    Field(discriminator="kind"),
]
METRIC_RULES = (RatioTiers, Proportional, Threshold)
MetricRule = RatioTiers | Proportional | Threshold
RuleKind = Literal["ratio_tiers", "proportional", "threshold", "checklist", "judged", "deduction", "sum"]
"""Every rule kind; a test keeps it equal to the union's members (:data:`RULE_KINDS`)."""
RuleType = (
    type[RatioTiers] | type[Proportional] | type[Threshold] | type[Checklist] | type[Judged] | type[Deduction]
    | type[SumOfChildren]
)
RULE_TYPES: tuple[RuleType, ...] = (RatioTiers, Proportional, Threshold, Checklist, Judged, Deduction, SumOfChildren)
RULE_KIND_LABELS: dict[str, str] = {get_args(t.model_fields["kind"].annotation)[0]: t.kind_label for t in RULE_TYPES}
"""Rule kind → its Chinese name (分档 …), derived from the union's members."""
RULE_KINDS: tuple[str, ...] = tuple(RULE_KIND_LABELS)


class Item(Strict):
    """A node of the indicator tree: a dimension, an indicator or a criterion."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: str
    points: Annotated[Decimal, Field(ge=0)]
    provenance: Provenance = Provenance.seed
    """Where the maximum points come from."""
    rule: Rule | None = None
    children: list[Item] = Field(default_factory=list)
    template: str | None = None
    """Explanation sentence; placeholders are figure ids and {rate} {score} {points} {year} {region} {as_of}."""
    template_full: str | None = None
    """Used instead of ``template`` when the item earns full points (e.g. "没有发现违规违纪行为。")."""
    ref: str | None = None
    """Cross-reference to the reconstruction notes (e.g. R3, O1a)."""
    note: str | None = None
    criteria: str | None = None
    """The official table's 评分标准 in its own words, when someone typed it in (``anju framework
    import``); without it the criteria are described from the rule."""

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def walk(self, prefix: str = "") -> Iterator[tuple[str, Item]]:
        path = f"{prefix}.{self.id}" if prefix else self.id
        yield path, self
        for child in self.children:
            yield from child.walk(path)


IDENTITY_TOLERANCE = Decimal("0.005")
"""A total and the sum of its parts agree when they differ by at most half a cent of a 万元 figure
(the one tolerance of every identity, on the province's figures and on each unit's report)."""


class Identity(Strict):
    """total = sum(parts), e.g. 全部财政资金 = 中央 + 市县.

    Checked on the province's figures (:mod:`anju.checks.consistency`) and, as the validation rule
    ``<program>_<id>``, on every unit's report (:mod:`anju.collect.validation`): declared once, here."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: str
    total: str
    parts: Annotated[list[str], Field(min_length=2)]


class Plausibility(Strict):
    """A ratio of two figures must lie within bounds, e.g. 平方米 per household in 20–300."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: str
    numerator: str
    denominator: str
    unit: str
    min: Decimal
    max: Decimal
    hint: str | None = None


PLACES_WORDS = {0: "整数", 1: "一位小数", 2: "两位小数", 3: "三位小数", 4: "四位小数"}


class Rounding(Strict):
    """How a framework rounds a proportional score (points × value ÷ full_at): once, half up (四舍五入),
    from the exact value, to ``proportional`` places — the same for every item, shown the same way
    everywhere ("25 × 87.43% = 21.86，按规定保留整数计22分")."""

    proportional: Annotated[int, Field(ge=0, le=4)] = 2
    provenance: Provenance = Provenance.assumed
    note: str | None = None

    @property
    def places_text(self) -> str:
        """“整数” or “两位小数”, as in 按规定保留整数."""
        return PLACES_WORDS[self.proportional]


class GradeBand(Strict):
    """A grade and where it starts, with its boundary explicit: ``at_least`` (得分≥线) or ``above``
    (得分>线); the lowest band may give neither (其余分数)."""

    label: Annotated[str, Field(min_length=1)]
    at_least: Decimal | None = None
    above: Decimal | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> GradeBand:
        if self.at_least is not None and self.above is not None:
            raise ValueError("等级只能给出 at_least（≥）或 above（>）之一")
        return self

    @property
    def bound(self) -> Decimal | None:
        return self.at_least if self.at_least is not None else self.above

    def contains(self, score: Decimal) -> bool:
        if self.at_least is not None:
            return score >= self.at_least
        if self.above is not None:
            return score > self.above
        return True

    def describe(self) -> str:
        if self.at_least is not None:
            return f"{self.label}（≥{plain(self.at_least)}）"
        if self.above is not None:
            return f"{self.label}（>{plain(self.above)}）"
        return f"{self.label}（其余）"


def _band_order(band: GradeBand) -> tuple[int, Decimal, int]:
    """Highest first; at one score, "> x" before "≥ x"; the band without a bound last."""
    if band.bound is None:
        return (1, Decimal(0), 0)
    return (0, -band.bound, 0 if band.above is not None else 1)


class GradeScheme(Strict):
    """A set of grade bands under its own name (财政部 优/良/中/差, or a province's 优秀/良好/合格/差),
    for a framework or for one program."""

    label: Annotated[str, Field(min_length=1)]
    bands: Annotated[list[GradeBand], Field(min_length=1)]
    provenance: Provenance = Provenance.assumed
    note: str | None = None

    def grade(self, score: Decimal) -> str | None:
        for band in sorted(self.bands, key=_band_order):
            if band.contains(score):
                return band.label
        return None

    def describe(self) -> str:
        """财政部绩效评价等级：优（≥90）、良（≥80）、中（≥60）、差（其余）."""
        return f"{self.label}：" + "、".join(b.describe() for b in sorted(self.bands, key=_band_order))


DEFAULT_SCHEME_LABEL = "绩效评价等级"


class Program(Strict):
    id: ProgramId
    label: str
    points: Annotated[Decimal, Field(gt=0)]
    figures: list[FigureSpec]
    dimensions: Annotated[list[Item], Field(min_length=1)]
    identities: list[Identity] = Field(default_factory=list)
    plausibility: list[Plausibility] = Field(default_factory=list)
    grading: GradeScheme | None = None
    """This program's own grade bands (e.g. a province's 老旧小区 scheme 优秀 >95 …); default: the
    framework's."""

    def figure(self, figure_id: str) -> FigureSpec:
        for spec in self.figures:
            if spec.id == figure_id:
                return spec
        raise KeyError(figure_id)

    def items(self) -> Iterator[tuple[str, Item]]:
        """Every node with its path inside the program (``fund_management.budget_execution.rate``)."""
        for dimension in self.dimensions:
            yield from dimension.walk()

    @cached_property
    def item_map(self) -> Mapping[str, Item]:
        """:meth:`items` as a mapping by path, built once (the program is frozen)."""
        return dict(self.items())


# --- the appendix tables (附件统计表) --------------------------------------------------------

APPENDIX_PLACEHOLDERS = frozenset({"year", "region"})
"""What an appendix table's title may contain (``{year}年{region}……统计表``)."""
COLUMN_SHAPE_ERROR = f"{CUSTOM_ERROR_PREFIX}column_shape"
ColumnId = Annotated[str, Field(pattern=ID_PATTERN)]
Label = Annotated[str, Field(min_length=1)]


class FigureColumn(Strict):
    """A figure one program reports; on the totals row, the sum of the rows."""

    id: ColumnId
    program: ProgramId
    """May be left out when the column's group names the program."""
    figure: Annotated[str, Field(pattern=ID_PATTERN)]
    label: Label | None = None
    """Header; default: the program's label, and the table's notes then give the figure's label as
    the column's 口径 (e.g. 住房租赁保障：市县安排财政资金)."""


class SumColumn(Strict):
    """The sum of figure columns of the same row (e.g. the three programs), blank-aware."""

    id: ColumnId
    label: Label
    sum: Annotated[list[str], Field(min_length=2)]
    """Ids of figure columns of the same table, all of one kind (万元 with 万元)."""


class RatioColumn(Strict):
    """numerator ÷ denominator of two columns of the same row, shown as a percentage. On the totals
    row it is recomputed from the summed columns, never an average of the rows' ratios."""

    id: ColumnId
    label: Label
    numerator: str
    denominator: str


def _column_shape(value: object) -> str | None:
    """Which kind of column a declaration is, from the keys it gives."""
    if isinstance(value, FigureColumn | SumColumn | RatioColumn):
        return {FigureColumn: "figure", SumColumn: "sum", RatioColumn: "ratio"}[type(value)]
    if not isinstance(value, dict):
        return None
    for key, shape in (("figure", "figure"), ("sum", "sum"), ("numerator", "ratio"), ("denominator", "ratio")):
        if key in value:
            return shape
    return None


AppendixColumn = Annotated[
    Annotated[FigureColumn, Tag("figure")] | Annotated[SumColumn, Tag("sum")] | Annotated[RatioColumn, Tag("ratio")],
    Discriminator(
        _column_shape,
        custom_error_type=COLUMN_SHAPE_ERROR,
        custom_error_message="列须给出 figure（数据项）、sum（相加的列）或 numerator 与 denominator（比率的分子与分母）之一",
    ),
]


class ColumnGroup(Strict):
    """Columns under one header of the first header row; each column's label is on the second.

    ``label`` is that header; ``program`` gives the group's figure columns their program and, without
    a ``label``, the header (the program's label). With neither, each column's label spans both rows."""

    label: Label | None = None
    program: ProgramId | None = None
    columns: Annotated[list[AppendixColumn], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _columns_inherit_program(cls, data: object) -> object:
        if not isinstance(data, dict) or not isinstance(data.get("program"), str):
            return data
        columns = data.get("columns")
        if not isinstance(columns, list):
            return data
        inherited = [
            {**c, "program": data["program"]} if isinstance(c, dict) and "figure" in c and "program" not in c else c
            for c in columns
        ]
        return {**data, "columns": inherited}


class AppendixTable(Strict):
    """One appendix table (附件N), one sheet of the appendix workbook: a row per unit (a city, or only
    the province), then the totals row; figure and sum columns are summed down the rows, ratio
    columns recomputed from the sums."""

    number: Annotated[int, Field(ge=1)]
    """附件N: the tables are numbered 1, 2, … in order, before the score table and the charts."""
    sheet: Label
    """The worksheet's name (at most 31 characters, none of [ ] : * ? / \\)."""
    title: Label
    """Placeholders {year} and {region}."""
    unit: Label
    """The unit line above the header (单位：万元)."""
    groups: Annotated[list[ColumnGroup], Field(min_length=1)]
    notes: list[Label] = Field(default_factory=list)
    row_header: Label = "单位"
    """Header of the first column, which names each row's unit."""
    totals_label: Label = "合计"

    def columns(self) -> list[FigureColumn | SumColumn | RatioColumn]:
        return [column for group in self.groups for column in group.columns]

    def column(self, column_id: str) -> FigureColumn | SumColumn | RatioColumn:
        for column in self.columns():
            if column.id == column_id:
                return column
        raise KeyError(column_id)

    def title_text(self, *, year: int, region: str) -> str:
        return self.title.replace("{year}", str(year)).replace("{region}", region)


class Appendix(Strict):
    """The appendix tables a framework's explanation lists (附件1–4 in 2022)."""

    tables: list[AppendixTable] = Field(default_factory=list)


FigureId = Annotated[str, Field(pattern=ID_PATTERN)]


class ProgramMapping(Strict):
    """Where one program of this framework comes from in the older one."""

    from_program: ProgramId | None = None
    """The older program (default: the same id)."""
    figures: dict[FigureId, list[FigureId]] = Field(default_factory=dict)
    """This program's figure → the older program's figures it sums."""
    note: str | None = None


class FigureMapping(Strict):
    """How the figures of an older framework (``from``) become this framework's
    (:mod:`anju.framework.mapping`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    from_framework: Annotated[str, Field(min_length=1, alias="from")]
    programs: dict[ProgramId, ProgramMapping] = Field(default_factory=dict)
    note: str | None = None


class Framework(Strict):
    id: Annotated[str, Field(min_length=1)]
    year: int
    label: str
    source: str | None = None
    provenance_note: str | None = None
    grade_bands: list[GradeBand] = Field(default_factory=list)
    grade_bands_provenance: Provenance = Provenance.assumed
    rounding: Rounding = Field(default_factory=Rounding)
    """The one rounding of proportional scores (``rounding:``; two decimals, assumed, if not declared)."""
    grade_scheme: str | None = None
    """The name of the framework's band set (财政部预算绩效评价等级); a program may declare its own
    ``grading``."""
    programs: Annotated[list[Program], Field(min_length=1)]
    appendix: Appendix = Field(default_factory=Appendix)
    """The appendix tables; ``framework.yaml`` names the file that declares them (``appendix.yaml``)."""
    mappings: list[FigureMapping] = Field(default_factory=list)
    """Figure mappings from older frameworks, for comparisons across a change of framework."""
    extends: str | None = None
    """For a variant (a province's 实施细则): the framework it extends (``"2022"`` or a directory)."""
    _parent: Framework | None = PrivateAttr(default=None)

    def set_parent(self, parent: Framework) -> None:
        """Remember the framework this variant was resolved from (the loader's job)."""
        self._parent = parent

    @property
    def parent(self) -> Framework | None:
        """The framework this variant extends, as loaded (None for a framework that extends none)."""
        return self._parent

    def program(self, program_id: str) -> Program:
        for program in self.programs:
            if program.id == program_id:
                return program
        raise KeyError(program_id)

    @cached_property
    def digest(self) -> str:
        """sha256 of the framework's canonical JSON (computed once; the model is frozen)."""
        return canonical_hash(self.model_dump(mode="json"))

    def mapping_from(self, framework_id: str) -> FigureMapping | None:
        """The declared mapping from the framework ``framework_id``, if any."""
        return next((m for m in self.mappings if m.from_framework == framework_id), None)

    def scheme(self, program_id: str | None = None) -> GradeScheme | None:
        """The grade bands that apply to a program: its own ``grading``, else the framework's."""
        if program_id is not None:
            own = self.program(program_id).grading
            if own is not None:
                return own
        if not self.grade_bands:
            return None
        return GradeScheme(label=self.grade_scheme or DEFAULT_SCHEME_LABEL, bands=self.grade_bands,
                           provenance=self.grade_bands_provenance)

    def grade(self, score: Decimal, program_id: str | None = None) -> str | None:
        scheme = self.scheme(program_id)
        return scheme.grade(score) if scheme is not None else None


def canonical_hash(payload: object) -> str:
    """sha256 of ``payload`` as canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
