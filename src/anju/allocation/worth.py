"""What a point of score is worth in money (每一分值多少钱).

Two answers for a region, each ceteris paribus (the other regions' scores and everyone's quantities
unchanged, the method's own formula recomputed exactly):

* :func:`point_values` — for each evaluated program, how much next year's reward money changes when
  the region's score rises by one point (summed over every program whose reward uses that score);
* :func:`item_gains` — for every indicator where the region lost points, what reaching the next tier
  and full marks would gain in score and in money, read from the indicator framework's rules and the
  evaluation's results (e.g. "预算执行率由64.93%提高到80%，得分+1，按2022年方法约增加奖励资金12.34万元").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext

from anju.allocation.engine import (
    ZERO,
    Allocation,
    ProgramAllocation,
    computing,
    reward_parts,
)
from anju.decimals import plain, round_half_up
from anju.framework.models import (
    Checklist,
    Deduction,
    Framework,
    Item,
    Judged,
    Proportional,
    RatioTiers,
    Threshold,
    Tier,
)
from anju.scoring.result import Evaluation, ItemResult, ProgramResult

SCORE_MAX = Decimal(100)
ONE_POINT = Decimal(1)
METRIC_PLACES = 2


@dataclass(frozen=True)
class PointValue:
    """How much one more point in ``program`` (an evaluated program) brings ``code`` next year."""

    code: str
    name: str
    program: str
    program_label: str
    score: Decimal
    per_point: Decimal
    """Exact change of the reward money (万元), over every program that uses this score."""
    by_program: tuple[tuple[str, Decimal], ...]
    """(allocated program, change) for each program whose reward uses the score."""


@dataclass(frozen=True)
class ItemGain:
    """Reaching a better result on one indicator, and what it brings."""

    code: str
    name: str
    program: str
    program_label: str
    path: str
    item_label: str
    target: str
    """``next_tier`` or ``full``."""
    action: str
    """What would have to happen (预算执行率由64.93%提高到80%)."""
    score_gain: Decimal
    money: Decimal
    """Exact change of next year's reward money (万元)."""
    sentence: str


def score_programs(allocation: Allocation) -> list[str]:
    """The evaluated programs whose scores the allocated programs' rewards use, in first-use order."""
    seen: list[str] = []
    for program in allocation.programs:
        reward = program.method.reward
        if reward is not None:
            seen.extend(p for p in reward.score_weights(program.id) if p not in seen)
    return seen


def reward_change(allocation: Allocation, code: str, score_program: str, new_score: Decimal) -> dict[str, Decimal]:
    """Exact change of ``code``'s reward in every allocated program when its ``score_program`` score
    becomes ``new_score``."""
    changes: dict[str, Decimal] = {}
    with localcontext(computing()):
        for program in allocation.programs:
            reward = program.method.reward
            if reward is None or score_program not in reward.score_weights(program.id):
                continue
            before = program.share(code).reward
            assert before is not None
            after = _recomputed(allocation, program, code, score_program, new_score)
            changes[program.id] = after - before.exact
    return changes


def _recomputed(allocation: Allocation, program: ProgramAllocation, code: str, score_program: str, score: Decimal) -> Decimal:
    indices = {share.code: share.index for share in program.shares}
    parts = reward_parts(allocation.method, program.method, allocation.inputs, indices, program.reward_pool,
                         overrides={code: {score_program: score}})
    return parts.traces[code].exact


def _score_of(allocation: Allocation, code: str, score_program: str) -> Decimal | None:
    region = next(r for r in allocation.inputs if r.code == code)
    return region.scores.get(score_program)


def point_values(allocation: Allocation) -> list[PointValue]:
    """For every region and every evaluated program the rewards use, the money of one more point.

    A region already at 100 points is asked about its last point (99 → 100) instead."""
    out: list[PointValue] = []
    names = dict(allocation.regions)
    for code, _ in allocation.regions:
        for score_program in score_programs(allocation):
            score = _score_of(allocation, code, score_program)
            if score is None:
                continue
            if score + ONE_POINT <= SCORE_MAX:
                changes = reward_change(allocation, code, score_program, score + ONE_POINT)
            else:
                changes = {p: -v for p, v in reward_change(allocation, code, score_program, score - ONE_POINT).items()}

            with localcontext(computing()):
                per_point = sum(changes.values(), ZERO)
            out.append(PointValue(
                code=code, name=names[code], program=score_program,
                program_label=allocation.method.score_label(score_program),
                score=score, per_point=per_point, by_program=tuple(changes.items()),
            ))
    return out


# --- lost points and what winning them back brings ------------------------------------------


@dataclass(frozen=True)
class _Option:
    target: str
    action: str
    gain: Decimal


def item_gains(allocation: Allocation, framework: Framework, evaluation: Evaluation, code: str | None = None) -> list[ItemGain]:
    """Every indicator of ``evaluation`` where points were lost, with the gain of its next tier and
    of full marks in score and in next year's reward money for region ``code`` (the evaluation's
    region by default)."""
    region = code or evaluation.region_code
    names = dict(allocation.regions)
    if region not in names:
        return []
    used = set(score_programs(allocation))
    gains: list[ItemGain] = []
    for result in evaluation.programs:
        if result.id not in used:
            continue
        items = dict(framework.program(result.id).items())
        for item in _lost_leaves(result):
            spec = items.get(item.path)
            if spec is None:
                continue
            for option in _options(spec, item):
                new_score = min(SCORE_MAX, result.score + option.gain)
                changes = reward_change(allocation, region, result.id, new_score)
                with localcontext(computing()):
                    money = sum(changes.values(), ZERO)
                gains.append(_gain(allocation, region, result, item, option, money=money))
    return gains


def _lost_leaves(result: ProgramResult) -> Iterator[ItemResult]:
    for item in result.items():
        if not item.children and item.score < item.points:
            yield item


def _gain(allocation: Allocation, code: str, result: ProgramResult, item: ItemResult, option: _Option, *,
          money: Decimal) -> ItemGain:
    shown = money_text(allocation, money)
    sentence = (f"{option.action}，得分+{plain(option.gain)}，按{allocation.method.short_label}"
                f"约增加奖励资金{shown}万元")
    return ItemGain(code=code, name=dict(allocation.regions)[code], program=result.id, program_label=result.label, path=item.path,
                    item_label=item.label, target=option.target, action=option.action, score_gain=option.gain,
                    money=money, sentence=sentence)


def money_text(allocation: Allocation, money: Decimal) -> str:
    """Money as the method rounds it (万元)."""
    return format(round_half_up(money, allocation.method.rounding.places), "f")


def _options(spec: Item, item: ItemResult) -> list[_Option]:
    rule = spec.rule
    lost = item.points - item.score
    if isinstance(rule, RatioTiers | Threshold | Proportional):
        value = item.metric.value if item.metric is not None else None
        if value is None:
            return []
        label = rule.metric.label
        if isinstance(rule, RatioTiers):
            return _tier_options(rule, item, label, value)
        if isinstance(rule, Threshold):
            if rule.at_least is not None:
                return [_Option("full", f"{label}由{_pct(value)}提高到{_pct(rule.at_least)}", lost)]
            assert rule.at_most is not None
            return [_Option("full", f"{label}由{_pct(value)}降低到{_pct(rule.at_most)}", lost)]
        return [_Option("full", f"{label}由{_pct(value)}提高到{_pct(rule.full_at)}", lost)]
    if isinstance(rule, Checklist):
        earned = {c.id: c.score for c in item.clauses}
        return [
            _Option("full" if clause.points - earned.get(clause.id, ZERO) == lost else "next_tier",
                    f"{item.label}：落实“{clause.label}”", clause.points - earned.get(clause.id, ZERO))
            for clause in rule.clauses if earned.get(clause.id, ZERO) < clause.points
        ]
    if isinstance(rule, Judged):
        return [_Option("full", f"{item.label}达到满分要求", lost)]
    if isinstance(rule, Deduction):
        return [_Option("full", f"{item.label}：发现的问题全部整改、不再发生", lost)]
    return []


def _tier_options(rule: RatioTiers, item: ItemResult, label: str, value: Decimal) -> list[_Option]:
    better = [t for t in rule.tiers if t.points > item.score]
    if not better:
        return []
    reach = [(abs(_target(t, value)[0] - value), t) for t in better]
    nearest = min(reach, key=lambda pair: (pair[0], -pair[1].points))[1]
    top_points = max(t.points for t in better)
    full = min((pair for pair in reach if pair[1].points == top_points), key=lambda pair: pair[0])[1]
    options = [_Option("next_tier", _tier_action(label, value, nearest), nearest.points - item.score)]
    if full is not nearest:
        options.append(_Option("full", _tier_action(label, value, full), full.points - item.score))
    else:
        options = [_Option("full", options[0].action, options[0].gain)]
    return options


def _target(tier: Tier, value: Decimal) -> tuple[Decimal, str]:
    """The nearest value inside ``tier`` and the words for moving there."""
    if tier.at_least is not None and value < tier.at_least:
        return tier.at_least, "提高到"
    assert tier.below is not None  # the value is above the tier
    return tier.below, "降低到"


def _tier_action(label: str, value: Decimal, tier: Tier) -> str:
    target, verb = _target(tier, value)
    below = "以下" if verb == "降低到" else ""
    return f"{label}由{_pct(value)}{verb}{_pct(target)}{below}"


def _pct(value: Decimal) -> str:
    return f"{plain(round_half_up(value, METRIC_PLACES))}%"
