"""Allocation methods (因素法) as data: strict, frozen pydantic models.

A :class:`FactorMethod` says, per program, which task quantities (factors) share the money and
with what weights, where the 财政困难程度系数 (``fiscal_difficulty``) applies, what share goes to
the performance reward and how the reward's 绩效调节系数 (``performance_coefficient``) is derived
from last year's evaluation scores, and to what unit money is rounded. Every number carries a
provenance tag (official / seed / inferred / assumed, as in the indicator framework): the weights
of the 2022 and 2024 methods are not published and stay ``assumed``.

Weights are percentages of the program's amount: the factor weights and the reward share of a
program add up to 100 (checked at load, :mod:`anju.allocation.loader`).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from anju.framework.models import ID_PATTERN, ProgramId, Provenance, canonical_hash

HUNDRED = Decimal(100)
WAN = Decimal(10000)
"""元 in a 万元."""
MAX_DECIMALS_WAN = 6
"""万元 to six places is a cent."""
MAX_DECIMALS_YUAN = 2


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Percent = Annotated[Decimal, Field(ge=0, le=100)]


class FactorFigure(Strict):
    """A task quantity the method allocates by (e.g. 改造面积, 平方米)."""

    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: str
    unit: str
    kind: Literal["count", "quantity"] = "count"
    """``count``: whole units (套, 户, 栋, 个); ``quantity``: measured, two decimals (平方米)."""
    description: str | None = None


class Factor(Strict):
    """One factor of a program and its weight, in percent of the program's amount."""

    figure: Annotated[str, Field(pattern=ID_PATTERN)]
    weight: Annotated[Decimal, Field(gt=0, le=100)]
    provenance: Provenance
    note: str | None = None


DifficultyMode = Literal["task_part", "inside_factors", "none"]
DIFFICULTY_LABELS: dict[str, str] = {
    "task_part": "调节任务资金：各因素加权后的任务量指数乘以财政困难程度系数",
    "inside_factors": "调节每个因素：各因素的任务量乘以财政困难程度系数后分别分配",
    "none": "不使用财政困难程度系数",
}


class FiscalDifficulty(Strict):
    """Where the 财政困难程度系数 applies."""

    applies: DifficultyMode
    provenance: Provenance
    note: str | None = None


VolumeMode = Literal["task_index", "equal"]
VOLUME_LABELS: dict[str, str] = {
    "task_index": "奖励资金按绩效调节系数 × 任务量指数分配",
    "equal": "奖励资金只按绩效调节系数分配（不结合任务量）",
}


class Reward(Strict):
    """The performance reward of a program: its share and how it is divided."""

    share: Annotated[Decimal, Field(gt=0, le=100)]
    """Percent of the program's amount."""
    volume: VolumeMode = "task_index"
    scores: dict[ProgramId, Annotated[Decimal, Field(gt=0, le=100)]] | None = None
    """Which evaluated programs' scores make this program's score, with weights in percent adding to
    100 (default: the program's own score). A region without a score for one of them has the others'
    weights renormalised."""
    provenance: Provenance
    """Where the share comes from."""
    volume_provenance: Provenance = Provenance.assumed
    scores_provenance: Provenance = Provenance.assumed
    note: str | None = None

    def score_weights(self, program_id: str) -> dict[str, Decimal]:
        return dict(self.scores) if self.scores else {program_id: HUNDRED}


class ProgramMethod(Strict):
    id: ProgramId
    label: str
    figures: Annotated[list[FactorFigure], Field(min_length=1)]
    factors: Annotated[list[Factor], Field(min_length=1)]
    fiscal_difficulty: FiscalDifficulty
    reward: Reward | None = None
    note: str | None = None

    def figure(self, figure_id: str) -> FactorFigure:
        for spec in self.figures:
            if spec.id == figure_id:
                return spec
        raise KeyError(figure_id)

    @property
    def task_share(self) -> Decimal:
        return sum((f.weight for f in self.factors), Decimal(0))

    @property
    def reward_share(self) -> Decimal:
        return self.reward.share if self.reward is not None else Decimal(0)


class _Coefficient(Strict):
    floor: Annotated[Decimal, Field(ge=0)] | None = None
    """The coefficient is never below this (declared floors only)."""
    cap: Annotated[Decimal, Field(gt=0)] | None = None
    provenance: Provenance
    note: str | None = None

    @model_validator(mode="after")
    def _floor_below_cap(self) -> _Coefficient:
        if self.floor is not None and self.cap is not None and self.floor > self.cap:
            raise ValueError(f"下限 floor（{self.floor}）高于上限 cap（{self.cap}）")
        return self


class ScoreRatio(_Coefficient):
    """绩效调节系数 = score ÷ divisor (e.g. 88 ÷ 100 = 0.88)."""

    kind: Literal["score_ratio"]
    kind_label: ClassVar[str] = "得分除以基数"
    divisor: Annotated[Decimal, Field(gt=0)] = HUNDRED


class Band(Strict):
    at_least: Annotated[Decimal, Field(ge=0, le=100)]
    coefficient: Annotated[Decimal, Field(ge=0)]
    label: str | None = None


class GradeBands(_Coefficient):
    """绩效调节系数 by band of score (e.g. 优 ≥90 → 1.2, 良 ≥80 → 1.0 …)."""

    kind: Literal["grade_bands"]
    kind_label: ClassVar[str] = "按得分分档"
    bands: Annotated[list[Band], Field(min_length=1)]


class RelativeToMean(_Coefficient):
    """绩效调节系数 = score ÷ the mean score of the regions sharing the program."""

    kind: Literal["relative_to_mean"]
    kind_label: ClassVar[str] = "得分除以平均分"


PerformanceCoefficient = Annotated[ScoreRatio | GradeBands | RelativeToMean, Field(discriminator="kind")]


class Rounding(Strict):
    """The unit amounts are rounded to (largest remainder, so the parts add up to the whole)."""

    unit: Literal["万元", "元"] = "万元"
    decimals: Annotated[int, Field(ge=0, le=MAX_DECIMALS_WAN)] = 2
    provenance: Provenance
    note: str | None = None

    @model_validator(mode="after")
    def _yuan_decimals(self) -> Rounding:
        if self.unit == "元" and self.decimals > MAX_DECIMALS_YUAN:
            raise ValueError("以元为单位时最多保留两位小数（分）")
        return self

    @property
    def step(self) -> Decimal:
        """The rounding step in 万元 (0.01 for 万元 with two decimals, 0.0001 for whole 元)."""
        step = Decimal(1).scaleb(-self.decimals)
        return step if self.unit == "万元" else step / WAN

    @property
    def places(self) -> int:
        """Decimal places of the step in 万元."""
        return self.decimals if self.unit == "万元" else self.decimals + 4

    def describe(self) -> str:
        places = f"保留{self.decimals}位小数" if self.decimals else "取整"
        return f"以{self.unit}为单位{places}"


ScoreBasis = Literal["self_assessed", "audited"]
SCORE_BASIS_LABELS: dict[str, str] = {"self_assessed": "自评得分", "audited": "监管局审核后的得分"}


class FactorMethod(Strict):
    """An allocation method (因素法) for one year's funds."""

    id: Annotated[str, Field(min_length=1)]
    year: int
    label: str
    source: str | None = None
    note: str | None = None
    framework: str | None = None
    """The indicator framework whose figure ids the factors use (so units' reports can supply them)."""
    rounding: Rounding
    performance_coefficient: PerformanceCoefficient | None = None
    score_basis: ScoreBasis = "audited"
    """Whose scores the reward uses: the MoF's 2019 notice settles on the audited results."""
    score_basis_provenance: Provenance = Provenance.assumed
    if_score_missing: Literal["error", "zero"] = "error"
    score_labels: dict[ProgramId, str] = Field(default_factory=dict)
    """Names of the evaluated programs whose scores a reward uses, where they are not programs of
    this method (e.g. 2024's 住房保障 rewarded by the 住房租赁保障 score)."""
    programs: Annotated[list[ProgramMethod], Field(min_length=1)]

    def program(self, program_id: str) -> ProgramMethod:
        for program in self.programs:
            if program.id == program_id:
                return program
        raise KeyError(program_id)

    @property
    def program_ids(self) -> list[str]:
        return [p.id for p in self.programs]

    def score_label(self, program_id: str) -> str:
        if program_id in self.score_labels:
            return self.score_labels[program_id]
        try:
            return self.program(program_id).label
        except KeyError:
            return program_id

    @property
    def score_programs(self) -> list[str]:
        """The evaluated programs whose scores the rewards use, in first-use order."""
        seen: list[str] = []
        for program in self.programs:
            if program.reward is not None:
                seen.extend(p for p in program.reward.score_weights(program.id) if p not in seen)
        return seen

    @cached_property
    def digest(self) -> str:
        return canonical_hash(self.model_dump(mode="json"))

    @property
    def short_label(self) -> str:
        return f"{self.year}年方法"

    def assumed(self) -> bool:
        """Whether any number of the method is an assumption."""
        return any(tag is Provenance.assumed for tag in provenances(self))


def provenances(method: FactorMethod) -> list[Provenance]:
    """Every provenance tag of the method's numbers."""
    tags: list[Provenance] = [method.rounding.provenance]
    if method.performance_coefficient is not None:
        tags.append(method.performance_coefficient.provenance)
    for program in method.programs:
        tags.extend(f.provenance for f in program.factors)
        tags.append(program.fiscal_difficulty.provenance)
        if program.reward is not None:
            tags.append(program.reward.provenance)
            tags.append(program.reward.volume_provenance)
            if program.reward.scores:
                tags.append(program.reward.scores_provenance)
    return tags
