"""The factor method (因素法): method × regions × amounts → every region's task and reward money.

Pure and exact: Decimal at 60 significant digits inside, rounded once at the end by largest
remainder (:mod:`anju.allocation.rounding`) to the method's unit, so every program's parts add up
to its amount to the last unit. Regions are taken in GB/T 2260 code order whatever order they come
in, so the result never depends on it.

For a program with amount F, task share T and reward share R (T + R = 100%):

* each factor k's share of region i: ``q_ik ÷ Σ_j q_jk``; the task-volume index
  ``I_i = Σ_k (w_k ÷ T) · q_ik ÷ Σ_j q_jk`` (Σ_i I_i = 1). A factor no region has is left out and
  the others' weights are scaled up to T (stated in the result);
* the task part, by where the 财政困难程度系数 d applies — ``task_part``:
  ``T·F · I_i·d_i ÷ Σ_j I_j·d_j``; ``inside_factors``: ``Σ_k w_k·F · q_ik·d_i ÷ Σ_j q_jk·d_j``;
  ``none``: ``T·F · I_i``;
* the reward part: ``R·F · p_i·V_i ÷ Σ_j p_j·V_j`` with p the 绩效调节系数 derived from the region's
  score as the method declares and V the task-volume index (``task_index``) or 1 (``equal``).

The pool is split into its task and reward parts first (largest remainder over the two), then each
part over the regions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext

from anju.allocation.models import (
    HUNDRED,
    FactorMethod,
    GradeBands,
    ProgramMethod,
    RelativeToMean,
    ScoreRatio,
)
from anju.allocation.rounding import ApportionError, Rounded, apportion
from anju.decimals import plain
from anju.problems import AllocationCode, Problem, ProblemsError, Severity, Where

PRECISION = 60
ZERO = Decimal(0)
ONE = Decimal(1)
SCORE_MAX = HUNDRED
TASK_KEY, REWARD_KEY = "1", "2"
"""The pool's two parts in the order a tie between them is broken: the task part first."""
SHOWN_PLACES = 6
"""Places of an exact intermediate value in a trace shown to people."""


def computing() -> Context:
    return Context(prec=PRECISION)


class AllocationError(ProblemsError):
    """The inputs cannot be allocated by the method; ``problems`` lists every reason."""


@dataclass(frozen=True)
class RegionData:
    """What the engine knows of one region: its quantities, coefficient and scores."""

    code: str
    name: str
    fiscal_difficulty: Decimal | None = None
    quantities: Mapping[str, Mapping[str, Decimal | None]] = field(default_factory=dict)
    """program id → factor figure id → quantity (None: blank)."""
    scores: Mapping[str, Decimal] = field(default_factory=dict)
    """evaluated program id → last year's score (0–100)."""


@dataclass(frozen=True)
class FactorTrace:
    figure: str
    label: str
    unit: str
    declared_weight: Decimal
    weight: Decimal
    """Percent of the program's amount after leaving out factors no region has."""
    quantity: Decimal
    total: Decimal
    share: Decimal
    """quantity ÷ total (0 for a factor left out)."""
    adjusted: Decimal | None = None
    """quantity × 财政困难程度系数 (inside_factors)."""
    adjusted_total: Decimal | None = None
    exact: Decimal | None = None
    """This factor's money, before rounding (inside_factors)."""

    @property
    def dropped(self) -> bool:
        return self.total == 0


@dataclass(frozen=True)
class ScoreTrace:
    parts: tuple[tuple[str, Decimal, Decimal], ...]
    """(evaluated program, score, weight in percent as used)."""
    score: Decimal
    renormalised: bool = False
    filled_zero: bool = False
    no_task: bool = False
    """The region has no task volume in the program: its score does not matter and is not asked for."""


@dataclass(frozen=True)
class RewardTrace:
    score: ScoreTrace
    coefficient: Decimal
    mean: Decimal
    """The mean score of the regions sharing the reward (used by ``relative_to_mean``)."""
    volume: Decimal
    weighted: Decimal
    weighted_total: Decimal
    exact: Decimal


@dataclass(frozen=True)
class Share:
    """One region's money in one program, with how it was reached."""

    code: str
    name: str
    program: str
    factors: tuple[FactorTrace, ...]
    index: Decimal
    """Task-volume index I (the factors' weighted shares; all regions' add up to 1)."""
    fiscal_difficulty: Decimal | None
    adjusted_index: Decimal | None
    """I × d (task_part)."""
    adjusted_total: Decimal | None
    task: Rounded
    reward_trace: RewardTrace | None
    reward: Rounded | None

    @property
    def task_amount(self) -> Decimal:
        return self.task.amount

    @property
    def reward_amount(self) -> Decimal:
        return self.reward.amount if self.reward is not None else ZERO

    @property
    def amount(self) -> Decimal:
        return self.task_amount + self.reward_amount

    @property
    def exact(self) -> Decimal:
        return self.task.exact + (self.reward.exact if self.reward is not None else ZERO)


@dataclass(frozen=True)
class ProgramAllocation:
    method: ProgramMethod
    amount: Decimal
    task_pool: Decimal
    reward_pool: Decimal
    shares: tuple[Share, ...]
    notes: tuple[Problem, ...] = ()

    @property
    def id(self) -> str:
        return self.method.id

    @property
    def label(self) -> str:
        return self.method.label

    def share(self, code: str) -> Share:
        for share in self.shares:
            if share.code == code:
                return share
        raise KeyError(code)


@dataclass(frozen=True)
class Allocation:
    method: FactorMethod
    programs: tuple[ProgramAllocation, ...]
    regions: tuple[tuple[str, str], ...]
    """(code, name) in code order."""
    inputs: tuple[RegionData, ...] = ()
    """The regions as given to the engine, in code order (to ask what a score point is worth)."""
    notes: tuple[Problem, ...] = ()
    """Warnings and advisories (factors left out, scores renormalised, …)."""

    def program(self, program_id: str) -> ProgramAllocation:
        for program in self.programs:
            if program.id == program_id:
                return program
        raise KeyError(program_id)

    def region_total(self, code: str) -> Decimal:
        return sum((p.share(code).amount for p in self.programs), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.programs), ZERO)

    def rows(self) -> Iterator[Share]:
        """Every region × program, regions in code order, programs in the method's order."""
        for code, _ in self.regions:
            for program in self.programs:
                yield program.share(code)

    def all_notes(self) -> list[Problem]:
        return [*self.notes, *(n for p in self.programs for n in p.notes)]


# --- the computation ------------------------------------------------------------------------


def allocate(method: FactorMethod, regions: Sequence[RegionData], amounts: Mapping[str, Decimal]) -> Allocation:
    """Allocate ``amounts`` (program id → 万元) over ``regions`` by ``method``.

    Raises :class:`AllocationError` listing every problem (unknown program, amount not in the unit,
    blank quantity, missing coefficient or score, nothing to allocate by …).
    """
    with localcontext(computing()):
        ordered = sorted(regions, key=lambda r: r.code)
        problems = _region_problems(method, ordered, amounts)
        programs: list[ProgramAllocation] = []
        if not problems:
            for program in method.programs:
                if program.id not in amounts:
                    continue
                try:
                    programs.append(_allocate_program(method, program, ordered, amounts[program.id]))
                except AllocationError as exc:
                    problems.extend(exc.problems)
        if problems:
            raise AllocationError(problems)
        return Allocation(method, tuple(programs), tuple((r.code, r.name) for r in ordered), tuple(ordered))


def _error(code: AllocationCode, message: str, *, severity: Severity = Severity.error, program: str | None = None,
           unit: str | None = None, figure: str | None = None) -> Problem:
    return Problem(code, severity, message, Where(program=program, unit=unit, figure=figure))


def _region_problems(method: FactorMethod, regions: Sequence[RegionData], amounts: Mapping[str, Decimal]) -> list[Problem]:
    problems: list[Problem] = []
    if not regions:
        problems.append(_error(AllocationCode.NO_REGIONS, "没有参与分配的地区"))
    counts = Counter(r.code for r in regions)
    for code in sorted(c for c, n in counts.items() if n > 1):
        problems.append(_error(AllocationCode.REGION_DUPLICATE, f"地区代码“{code}”重复出现", unit=code))
    step = method.rounding.step
    for program_id, amount in amounts.items():
        if program_id not in method.program_ids:
            problems.append(_error(AllocationCode.PROGRAM_UNKNOWN, f"分配办法“{method.label}”没有项目“{program_id}”"
                                   f"（有：{'、'.join(method.program_ids)}）", program=program_id))
            continue
        if amount < 0:
            problems.append(_error(AllocationCode.AMOUNT_NOT_IN_UNIT, f"{method.program(program_id).label}的下达金额不能为负数"
                                   f"（{plain(amount)}万元）", program=program_id))
        elif (amount / step) != (amount / step).to_integral_value():
            problems.append(_error(AllocationCode.AMOUNT_NOT_IN_UNIT,
                                   f"{method.program(program_id).label}的下达金额 {plain(amount)} 万元不是分配单位"
                                   f"（{method.rounding.describe()}）的整数倍", program=program_id))
    if not amounts:
        problems.append(_error(AllocationCode.AMOUNT_MISSING, "没有给出任何项目的下达金额"))
    used = [method.program(p) for p in amounts if p in method.program_ids]
    needs_difficulty = any(p.fiscal_difficulty.applies != "none" for p in used)
    for region in regions:
        name = f"{region.name}（{region.code}）"
        d = region.fiscal_difficulty
        if needs_difficulty and d is None:
            problems.append(_error(AllocationCode.DIFFICULTY_MISSING, f"{name}缺少财政困难程度系数", unit=region.code))
        elif d is not None and d <= 0:
            problems.append(_error(AllocationCode.DIFFICULTY_INVALID, f"{name}的财政困难程度系数应大于0，实为{plain(d)}",
                                   unit=region.code))
        for program_id, score in region.scores.items():
            if score < 0 or score > SCORE_MAX:
                problems.append(_error(AllocationCode.SCORE_RANGE, f"{name}的{program_id}得分应在0至100分之间，实为{plain(score)}",
                                       unit=region.code, program=program_id))
        for program in used:
            problems.extend(_quantity_problems(program, region))
    return problems


def _quantity_problems(program: ProgramMethod, region: RegionData) -> list[Problem]:
    problems: list[Problem] = []
    given = region.quantities.get(program.id, {})
    for factor in program.factors:
        spec = program.figure(factor.figure)
        value = given.get(factor.figure)
        name = f"{region.name}（{region.code}）{program.label}的“{spec.label}”"
        message: tuple[AllocationCode, str] | None = None
        if value is None:
            message = (AllocationCode.QUANTITY_BLANK, f"{name}（{spec.unit}）未填写（没有任务的填0）")
        elif value < 0:
            message = (AllocationCode.QUANTITY_INVALID, f"{name}不能为负数，实为{plain(value)}")
        elif spec.kind == "count" and value != value.to_integral_value():
            message = (AllocationCode.QUANTITY_INVALID, f"{name}应为整数（{spec.unit}），实为{plain(value)}")
        if message is not None:
            problems.append(_error(message[0], message[1], program=program.id, unit=region.code, figure=factor.figure))
    return problems


@dataclass(frozen=True)
class FactorTotals:
    """A program's factors over all regions: each region's quantities (blank as 0), the totals, the
    weights used (a factor no region has is left out, its weight spread over the others) and notes."""

    figures: tuple[str, ...]
    quantities: dict[str, tuple[Decimal, ...]]
    """region code → quantity of each factor, in the method's order."""
    totals: tuple[Decimal, ...]
    weights: tuple[Decimal, ...]
    """Percent of the program's amount, after leaving out factors no region has."""
    notes: list[Problem]

    def weight(self, figure: str) -> Decimal:
        return self.weights[self.figures.index(figure)]

    def total(self, figure: str) -> Decimal:
        return self.totals[self.figures.index(figure)]


def factor_totals(program: ProgramMethod, regions: Sequence[RegionData]) -> FactorTotals:
    figures = tuple(f.figure for f in program.factors)
    quantities: dict[str, tuple[Decimal, ...]] = {}
    for region in regions:
        given = region.quantities.get(program.id, {})
        quantities[region.code] = tuple(given.get(f) or ZERO for f in figures)
    totals = tuple(sum((q[k] for q in quantities.values()), ZERO) for k in range(len(figures)))
    task = program.task_share
    kept = sum((f.weight for f, total in zip(program.factors, totals, strict=True) if total > 0), ZERO)
    notes: list[Problem] = []
    weights: list[Decimal] = []
    for factor, total in zip(program.factors, totals, strict=True):
        if total > 0:
            weights.append(factor.weight * task / kept)
            continue
        weights.append(ZERO)
        spec = program.figure(factor.figure)
        notes.append(_error(AllocationCode.FACTOR_WITHOUT_TASK,
                            f"{program.label}：各地“{spec.label}”均为0，该因素的权重{plain(factor.weight)}%按比例并入其他因素",
                            program=program.id, figure=factor.figure, severity=Severity.advisory))
    return FactorTotals(figures, quantities, totals, tuple(weights), notes)


def task_index(program: ProgramMethod, factors: FactorTotals, code: str) -> Decimal:
    """I = Σ_k (w_k ÷ T) · q_k ÷ Σ q_k (the ratio first, so that scaling every quantity leaves every digit)."""
    task = program.task_share
    index = ZERO
    for q, total, weight in zip(factors.quantities[code], factors.totals, factors.weights, strict=True):
        if total > 0:
            index += weight / task * (q / total)
    return index


def _allocate_program(method: FactorMethod, program: ProgramMethod, regions: Sequence[RegionData],
                      amount: Decimal) -> ProgramAllocation:
    step = method.rounding.step
    factors = factor_totals(program, regions)
    if not any(t > 0 for t in factors.totals) and amount > 0:
        raise AllocationError([_error(AllocationCode.NOTHING_TO_ALLOCATE,
                                      f"{program.label}：各地的分配因素均为0，无法分配{plain(amount)}万元", program=program.id)])
    task_exact = amount * program.task_share / HUNDRED
    pools = apportion(amount, [(TASK_KEY, task_exact), (REWARD_KEY, amount - task_exact)], step)
    task_pool, reward_pool = pools[0].amount, pools[1].amount
    indices = {r.code: task_index(program, factors, r.code) for r in regions}
    task_parts, factor_traces, adjusted = _task_parts(program, factors, regions, indices, task_pool)
    rewards: dict[str, RewardTrace] = {}
    notes = list(factors.notes)
    if program.reward is not None:
        reward = reward_parts(method, program, regions, indices, reward_pool)
        rewards, reward_notes = reward.traces, reward.notes
        notes.extend(reward_notes)
    try:
        task_rounded = apportion(task_pool, [(r.code, task_parts[r.code]) for r in regions], step)
        reward_rounded = (apportion(reward_pool, [(r.code, rewards[r.code].exact) for r in regions], step)
                          if program.reward is not None else None)
    except ApportionError as exc:  # pragma: no cover - the parts add up by construction
        raise AllocationError([_error(AllocationCode.NOTHING_TO_ALLOCATE, f"{program.label}：{exc}", program=program.id)]) from None
    uses_difficulty = program.fiscal_difficulty.applies != "none"
    shares = []
    for index, region in enumerate(regions):
        adj = adjusted.get(region.code)
        shares.append(Share(
            code=region.code, name=region.name, program=program.id,
            factors=factor_traces[region.code], index=indices[region.code],
            fiscal_difficulty=region.fiscal_difficulty if uses_difficulty else None,
            adjusted_index=adj[0] if adj else None, adjusted_total=adj[1] if adj else None,
            task=task_rounded[index],
            reward_trace=rewards.get(region.code),
            reward=reward_rounded[index] if reward_rounded is not None else None,
        ))
    return ProgramAllocation(program, amount, task_pool, reward_pool, tuple(shares), tuple(notes))


@dataclass(frozen=True)
class _Labels:
    """What every factor trace of a program repeats, looked up once."""

    figures: tuple[str, ...]
    labels: tuple[str, ...]
    units: tuple[str, ...]
    declared: tuple[Decimal, ...]


def _labels(program: ProgramMethod) -> _Labels:
    specs = {f.id: f for f in program.figures}
    return _Labels(
        tuple(f.figure for f in program.factors), tuple(specs[f.figure].label for f in program.factors),
        tuple(specs[f.figure].unit for f in program.factors), tuple(f.weight for f in program.factors),
    )


def _task_parts(
    program: ProgramMethod, factors: FactorTotals, regions: Sequence[RegionData], indices: Mapping[str, Decimal],
    pool: Decimal,
) -> tuple[dict[str, Decimal], dict[str, tuple[FactorTrace, ...]], dict[str, tuple[Decimal, Decimal]]]:
    """Exact task money per region, each factor's trace, and (I·d, Σ I·d) for ``task_part``."""
    mode = program.fiscal_difficulty.applies
    labels = _labels(program)
    per_factor = tuple(pool * w / program.task_share for w in factors.weights)
    parts: dict[str, Decimal] = {}
    traces: dict[str, tuple[FactorTrace, ...]] = {}
    adjusted: dict[str, tuple[Decimal, Decimal]] = {}
    if mode == "inside_factors":
        adjusted_totals = tuple(
            sum((factors.quantities[r.code][k] * _d(r) for r in regions), ZERO) for k in range(len(factors.figures))
        )
        for region in regions:
            rows = []
            total = ZERO
            d = _d(region)
            for k, q in enumerate(factors.quantities[region.code]):
                qd = q * d
                adj_total = adjusted_totals[k]
                # the ratio first, so that scaling every quantity leaves every digit unchanged
                exact = per_factor[k] * (qd / adj_total) if adj_total > 0 else ZERO
                total += exact
                rows.append(_trace(labels, k, factors, q, adjusted=(qd, adj_total, exact)))
            parts[region.code] = total
            traces[region.code] = tuple(rows)
        return parts, traces, adjusted
    for region in regions:
        traces[region.code] = tuple(_trace(labels, k, factors, q) for k, q in enumerate(factors.quantities[region.code]))
    if mode == "task_part":
        weighted_total = sum((indices[r.code] * _d(r) for r in regions), ZERO)
        for region in regions:
            weighted = indices[region.code] * _d(region)
            parts[region.code] = pool * (weighted / weighted_total) if weighted_total > 0 else ZERO
            adjusted[region.code] = (weighted, weighted_total)
    else:
        for region in regions:
            parts[region.code] = pool * indices[region.code]
    return parts, traces, adjusted


def _d(region: RegionData) -> Decimal:
    return region.fiscal_difficulty if region.fiscal_difficulty is not None else ONE


def _trace(labels: _Labels, k: int, factors: FactorTotals, q: Decimal,
           adjusted: tuple[Decimal, Decimal, Decimal] | None = None) -> FactorTrace:
    """One factor of one region; ``adjusted`` is (q × d, Σ q × d, money) for ``inside_factors``."""
    total = factors.totals[k]
    return FactorTrace(
        figure=labels.figures[k], label=labels.labels[k], unit=labels.units[k], declared_weight=labels.declared[k],
        weight=factors.weights[k], quantity=q, total=total, share=q / total if total > 0 else ZERO,
        adjusted=adjusted[0] if adjusted else None, adjusted_total=adjusted[1] if adjusted else None,
        exact=adjusted[2] if adjusted else None,
    )


# --- the reward -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RewardParts:
    traces: dict[str, RewardTrace]
    notes: list[Problem]


def region_score(method: FactorMethod, program: ProgramMethod, region: RegionData,
                 overrides: Mapping[str, Decimal] | None = None) -> tuple[ScoreTrace | None, list[Problem]]:
    """The score a region's reward in ``program`` uses (own, or several programs' weighted), or None
    when it has none and the method refuses to fill it."""
    assert program.reward is not None
    weights = program.reward.score_weights(program.id)
    scores = dict(region.scores)
    if overrides:
        scores.update(overrides)
    present = [(p, scores[p], w) for p, w in weights.items() if p in scores]
    name = f"{region.name}（{region.code}）"
    if not present:
        wanted = "、".join(weights)
        if method.if_score_missing == "zero":
            return ScoreTrace(tuple((p, ZERO, w) for p, w in weights.items()), ZERO, filled_zero=True), [
                _error(AllocationCode.SCORE_FILLED_ZERO, f"{name}没有{wanted}的上年绩效评价得分，按分配办法以0分计",
                       program=program.id, unit=region.code, severity=Severity.warning)]
        return None, [_error(AllocationCode.SCORE_MISSING, f"{name}缺少{wanted}的上年绩效评价得分（{program.label}的奖励资金需要）",
                             program=program.id, unit=region.code)]
    used = sum((w for _, _, w in present), ZERO)
    score = sum((s * w for _, s, w in present), ZERO) / used
    renormalised = len(present) < len(weights)
    notes = []
    if renormalised:
        missing = "、".join(p for p in weights if p not in scores)
        notes.append(_error(AllocationCode.SCORES_RENORMALISED, f"{name}没有{missing}的得分，{program.label}奖励所用得分按其余项目的权重折算",
                            program=program.id, unit=region.code, severity=Severity.advisory))
    parts = tuple((p, s, w * HUNDRED / used) for p, s, w in present)
    return ScoreTrace(parts, score, renormalised=renormalised), notes


def coefficient(method: FactorMethod, score: Decimal, mean: Decimal) -> Decimal:
    """The 绩效调节系数 for ``score`` (``mean``: the mean score of the regions sharing the reward)."""
    rule = method.performance_coefficient
    assert rule is not None
    if isinstance(rule, ScoreRatio):
        value = score / rule.divisor
    elif isinstance(rule, GradeBands):
        value = max((b for b in rule.bands if score >= b.at_least), key=lambda b: b.at_least).coefficient
    else:
        assert isinstance(rule, RelativeToMean)
        value = score / mean if mean > 0 else ZERO
    if rule.floor is not None and value < rule.floor:
        value = rule.floor
    if rule.cap is not None and value > rule.cap:
        value = rule.cap
    return value


def coefficient_text(method: FactorMethod, trace: RewardTrace) -> str:
    """How the coefficient came from the score, in one Chinese phrase (written only when asked for)."""
    rule = method.performance_coefficient
    if rule is None or trace.score.no_task:
        return "无任务量，不参与奖励资金分配"
    score = trace.score.score
    if isinstance(rule, ScoreRatio):
        raw = score / rule.divisor
        text = f"{_shown(score)} ÷ {plain(rule.divisor)} = {_shown(raw)}"
    elif isinstance(rule, GradeBands):
        band = max((b for b in rule.bands if score >= b.at_least), key=lambda b: b.at_least)
        raw = band.coefficient
        label = f"（{band.label}）" if band.label else ""
        text = f"{_shown(score)}分属于{plain(band.at_least)}分以上一档{label}，系数{plain(raw)}"
    else:
        raw = score / trace.mean if trace.mean > 0 else ZERO
        text = f"{_shown(score)} ÷ 平均分{_shown(trace.mean)} = {_shown(raw)}"
    if rule.floor is not None and raw < rule.floor:
        text += f"，低于下限取{plain(rule.floor)}"
    if rule.cap is not None and raw > rule.cap:
        text += f"，高于上限取{plain(rule.cap)}"
    return text


def reward_parts(
    method: FactorMethod, program: ProgramMethod, regions: Sequence[RegionData], indices: Mapping[str, Decimal],
    pool: Decimal, *, overrides: Mapping[str, Mapping[str, Decimal]] | None = None,
) -> RewardParts:
    """Exact reward money per region; ``overrides`` (code → program → score) replaces scores, for
    asking what a point is worth."""
    assert program.reward is not None
    notes: list[Problem] = []
    score_traces: dict[str, ScoreTrace] = {}
    volume = {r.code: (indices[r.code] if program.reward.volume == "task_index" else ONE) for r in regions}
    idle = {code for code, v in volume.items() if v == 0}
    for region in regions:
        if region.code in idle:
            continue
        trace, found = region_score(method, program, region, (overrides or {}).get(region.code))
        notes.extend(found)
        if trace is not None:
            score_traces[region.code] = trace
    errors = [n for n in notes if n.is_error]
    if errors:
        raise AllocationError(errors)
    mean = sum((t.score for t in score_traces.values()), ZERO) / len(score_traces) if score_traces else ZERO
    coefficients = {code: coefficient(method, t.score, mean) for code, t in score_traces.items()}
    for code in idle:
        score_traces[code] = ScoreTrace((), ZERO, no_task=True)
        coefficients[code] = ZERO
    weighted = {code: coefficients[code] * volume[code] for code in coefficients}
    weighted_total = sum(weighted.values(), ZERO)
    if weighted_total == 0 and pool > 0:
        raise AllocationError([_error(AllocationCode.REWARD_BASE_ZERO,
                                      f"{program.label}：各地绩效调节系数与任务量之积均为0，奖励资金{plain(pool)}万元无法分配",
                                      program=program.id)])
    traces = {
        code: RewardTrace(
            score=score_traces[code], coefficient=coefficients[code], mean=mean,
            volume=volume[code], weighted=weighted[code], weighted_total=weighted_total,
            exact=pool * (weighted[code] / weighted_total) if weighted_total > 0 else ZERO,
        )
        for code in coefficients
    }
    return RewardParts(traces, notes)


def _shown(value: Decimal) -> str:
    """An exact intermediate value as people read it (six places at most, no trailing zeros)."""
    return plain(value.quantize(Decimal(1).scaleb(-SHOWN_PLACES)))
