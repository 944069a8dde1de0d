"""Checks that a framework can score every value it may meet, beyond what the models express.

* the tiers of a ``ratio_tiers`` rule cover the metric's whole domain (from 0 up, to 100 for a
  ``rate`` and without end for a share or a completion) with neither gap nor overlap, and no tier is
  empty (``at_least`` < ``below``) — a gap makes ``evaluate`` fail on a value in it, an overlap
  silently takes the first band;
* a proportional rule's ``zero_below`` lies under its ``full_at``;
* a plausibility range has ``min`` ≤ ``max``;
* grade bands have distinct labels and distinct thresholds.

Each problem is (location in the YAML, Chinese message, code); the loader adds file and line.
"""

from __future__ import annotations

from decimal import Decimal

from anju.decimals import HUNDRED, percent_text
from anju.framework.models import Framework, GradeBand, Item, Program, Proportional, RatioTiers, Tier
from anju.problems import LoadCode

Loc = tuple[int | str, ...]
Coded = list[tuple[Loc, str, LoadCode]]
ZERO = Decimal(0)


def soundness_problems(program: Program) -> Coded:
    """Every problem of the program's tiers, proportional rules and plausibility ranges."""
    problems: Coded = scheme_problems(program.grading.bands, ("grading", "bands")) if program.grading else []
    for item, loc, path in _items(program.dimensions, ("dimensions",), ""):
        name = f"“{item.label}”（{program.id}.{path}）"
        rule = item.rule
        if isinstance(rule, RatioTiers):
            problems += tier_problems(rule, (*loc, "rule", "tiers"), name)
        elif isinstance(rule, Proportional) and rule.zero_below is not None and rule.zero_below >= rule.full_at:
            problems.append(((*loc, "rule", "zero_below"),
                             f"{name}的 zero_below（{percent_text(rule.zero_below, None)}）应低于 full_at"
                             f"（{percent_text(rule.full_at, None)}）", LoadCode.RANGE_INVERTED))
    for index, check in enumerate(program.plausibility):
        if check.min > check.max:
            problems.append((("plausibility", index),
                             f"合理性检查“{check.label}”的下限 min（{check.min}）大于上限 max（{check.max}）：任何数据都会被提示",
                             LoadCode.RANGE_INVERTED))
    return problems


def _items(items: list[Item], loc: Loc, prefix: str) -> list[tuple[Item, Loc, str]]:
    out: list[tuple[Item, Loc, str]] = []
    for index, item in enumerate(items):
        item_loc = (*loc, index)
        path = f"{prefix}.{item.id}" if prefix else item.id
        out.append((item, item_loc, path))
        out += _items(item.children, (*item_loc, "children"), path)
    return out


def _bound(value: Decimal | None) -> str:
    return percent_text(value, None) if value is not None else "∞"


def tier_problems(rule: RatioTiers, loc: Loc, name: str) -> Coded:
    """Gaps, overlaps and empty tiers over the metric's domain: [0, 100] for a rate, [0, ∞) otherwise."""
    problems: Coded = []
    tiers: list[tuple[int, Tier]] = []
    for index, tier in enumerate(rule.tiers):
        if tier.at_least is not None and tier.below is not None and tier.at_least >= tier.below:
            problems.append(((*loc, index), f"{name}的第{index + 1}档下限 {_bound(tier.at_least)} 不低于上限 "
                                            f"{_bound(tier.below)}，这一档是空的", LoadCode.RANGE_INVERTED))
        else:
            tiers.append((index, tier))
    tiers.sort(key=lambda pair: (pair[1].at_least is not None, pair[1].at_least or ZERO))
    top = HUNDRED if rule.metric.kind == "rate" else None
    reached: Decimal | None = ZERO  # the domain is covered below this value (None: to the end)
    first = True
    for index, tier in tiers:
        low = tier.at_least
        if first:
            if low is not None and low > ZERO:
                problems.append(((*loc, index), f"{name}的分档没有覆盖 0—{_bound(low)}：指标值落在这里时无法计分",
                                 LoadCode.TIER_GAP))
        elif reached is None or low is None or low < reached:
            if reached is None or tier.below is None:
                upto = tier.below if reached is None else reached
            else:
                upto = min(reached, tier.below)
            problems.append(((*loc, index), f"{name}的第{index + 1}档与其他档在 {_bound(low or ZERO)}—{_bound(upto)} 重叠："
                                            "同一指标值属于两档", LoadCode.TIER_OVERLAP))
        elif low > reached:
            problems.append(((*loc, index), f"{name}的分档在 {_bound(reached)}—{_bound(low)} 之间有空档："
                                            "指标值落在这里时无法计分", LoadCode.TIER_GAP))
        first = False
        if reached is not None:
            reached = None if tier.below is None else max(reached, tier.below)
    if tiers and reached is not None and (top is None or reached <= top):
        shown = f"{_bound(reached)}及以上" if top is None else f"{_bound(reached)}—{_bound(top)}"
        problems.append((loc, f"{name}的分档没有覆盖{shown}：指标值落在这里时无法计分", LoadCode.TIER_GAP))
    return problems


def grade_band_problems(framework: Framework) -> Coded:
    """Grade bands with the same label or the same boundary, or more than one band without a bound,
    in the framework's bands (a program's own scheme is checked with the program)."""
    return scheme_problems(framework.grade_bands, ("grade_bands",))


def scheme_problems(bands: list[GradeBand], base: Loc) -> Coded:
    problems: Coded = []
    labels: dict[str, int] = {}
    bounds: dict[tuple[Decimal | None, bool], int] = {}
    for index, band in enumerate(bands):
        loc: Loc = (*base, index)
        if band.label in labels:
            problems.append((loc, f"等级“{band.label}”重复（第{labels[band.label] + 1}项已有）", LoadCode.DUPLICATE_LABEL))
        else:
            labels[band.label] = index
        key = (band.bound, band.above is not None)
        if key in bounds:
            what = "没有给出分数线" if band.bound is None else f"的分数线 {band.bound}"
            problems.append((loc, f"等级“{band.label}”{what}与第{bounds[key] + 1}项相同", LoadCode.DUPLICATE_LABEL))
        else:
            bounds[key] = index
    return problems
