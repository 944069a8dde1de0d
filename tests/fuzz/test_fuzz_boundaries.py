"""Campaign 6: the boundary oracle. For every ratio, threshold and proportional leaf of the 2022
framework, figures are generated so that the metric lands on, just below or just above a declared
bound (and elsewhere); the score the engine gives must equal the one computed with
:class:`fractions.Fraction` straight from the YAML (read as text, not through anju's loader), and
the value shown in the branch text must lie in the band the score came from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from anju.dataset import Dataset
from anju.framework import Framework
from anju.framework.loader import BUILTIN_DIR
from anju.scoring import evaluate

from ..helpers import with_figures
from .fuzzing import TALLY, campaign_settings

pytestmark = pytest.mark.fuzz

METRIC_KINDS = ("ratio_tiers", "threshold", "proportional")
STEP = {"amount": Fraction(1, 100), "quantity": Fraction(1, 100), "count": Fraction(1), "percent": Fraction(1, 100)}


@dataclass(frozen=True)
class Leaf:
    program: str
    path: str
    points: Fraction
    rule: dict[str, Any]

    @property
    def numerator(self) -> list[str]:
        return list(self.rule["metric"]["numerator"])

    @property
    def denominator(self) -> list[str]:
        return list(self.rule["metric"].get("denominator") or [])

    def bounds(self) -> list[Fraction]:
        rule = self.rule
        found = [Fraction(t[k]) for t in rule.get("tiers", []) for k in ("at_least", "below") if k in t]
        found += [Fraction(rule[k]) for k in ("at_least", "at_most", "zero_below", "full_at") if k in rule]
        if rule["kind"] == "proportional" and "full_at" not in rule:
            found.append(Fraction(100))
        return found or [Fraction(50)]


def _walk(items: list[dict[str, Any]], prefix: str) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for item in items:
        path = f"{prefix}.{item['id']}" if prefix else item["id"]
        out.append((path, item))
        out += _walk(item.get("children", []), path)
    return out


def leaves() -> list[Leaf]:
    """Straight from the YAML text (every scalar a string), independent of anju's loader."""
    found: list[Leaf] = []
    for name in ("rental", "renovation", "shantytown"):
        raw = yaml.load((BUILTIN_DIR / "2022" / f"{name}.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        for path, item in _walk(raw["dimensions"], ""):
            rule = item.get("rule")
            if rule and rule.get("kind") in METRIC_KINDS:
                found.append(Leaf(raw["id"], path, Fraction(item["points"]), rule))
    return found


LEAVES = leaves()


def oracle(leaf: Leaf, ratio: Fraction) -> tuple[Fraction, tuple[Fraction | None, Fraction | None, bool]]:
    """The score the YAML declares for ``ratio`` (percent), and the band applied (low, high, high inclusive)."""
    rule = leaf.rule
    if rule["kind"] == "ratio_tiers":
        for tier in rule["tiers"]:
            low = Fraction(tier["at_least"]) if "at_least" in tier else None
            high = Fraction(tier["below"]) if "below" in tier else None
            if (low is None or ratio >= low) and (high is None or ratio < high):
                return Fraction(tier["points"]), (low, high, False)
        raise AssertionError(f"{leaf.path}: no tier for {ratio}")
    if rule["kind"] == "threshold":
        if "at_least" in rule:
            bound = Fraction(rule["at_least"])
            return (leaf.points, (bound, None, False)) if ratio >= bound else (Fraction(0), (None, bound, False))
        bound = Fraction(rule["at_most"])
        return (leaf.points, (None, bound, True)) if ratio <= bound else (Fraction(0), (bound, None, False))
    full = Fraction(rule.get("full_at", "100"))
    zero = Fraction(rule["zero_below"]) if "zero_below" in rule else None
    if zero is not None and ratio < zero:
        return Fraction(0), (None, zero, False)
    if ratio >= full:
        return leaf.points, (full, None, False)
    if ratio <= 0:
        return Fraction(0), (None, Fraction(0), True)
    places = _declared_places()
    exact = leaf.points * ratio / full * 10**places
    whole, rest = divmod(exact.numerator, exact.denominator)
    return Fraction(whole + (1 if 2 * rest >= exact.denominator else 0), 10**places), (zero, full, False)


def _declared_places() -> int:
    """The framework's one declared rounding of proportional scores, read from the raw YAML."""
    raw = yaml.load((BUILTIN_DIR / "2022" / "framework.yaml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return int(raw["rounding"]["proportional"])


def _in_band(value: Fraction, band: tuple[Fraction | None, Fraction | None, bool]) -> bool:
    low, high, high_inclusive = band
    return (low is None or value >= low) and (high is None or value < high or (high_inclusive and value == high))


def _solve(leaf: Leaf, target: Fraction, figures: dict[str, Any]) -> Fraction | None:
    """The value of the numerator's first figure that puts the metric at ``target`` percent."""
    first = leaf.numerator[0]
    rest = sum((Fraction(figures[f]) for f in leaf.numerator[1:]), Fraction(0))
    if not leaf.denominator:
        return target - rest
    others = sum((Fraction(figures[f]) for f in leaf.denominator if f != first), Fraction(0))
    share = 1 if first in leaf.denominator else 0
    factor = 1 - share * target / 100
    if factor <= 0:
        return None
    return (target * others / 100 - rest) / factor


@given(data=st.data())
@campaign_settings("boundary")
def test_scores_at_the_bounds_follow_the_yaml(data: Any, jilin: tuple[Dataset, Framework]) -> None:
    dataset, framework = jilin
    leaf = data.draw(st.sampled_from(LEAVES))
    program = framework.program(leaf.program)
    figures = dict(dataset.programs[leaf.program].figures)
    first = leaf.numerator[0]
    step = STEP[program.figure(first).kind]
    bound = data.draw(st.sampled_from([*leaf.bounds(), None]))
    target = Fraction(data.draw(st.decimals(0, 250, places=4))) if bound is None else bound
    value = _solve(leaf, target, figures)
    if value is None:
        value = Fraction(data.draw(st.integers(0, 10**6)))
    value = (value / step).__floor__() * step + data.draw(st.integers(-3, 3)) * step
    if value < 0:
        value = Fraction(0)
    changed = with_figures(dataset, leaf.program, **{first: Decimal(value.numerator) / Decimal(value.denominator)})
    data_figures = changed.programs[leaf.program].figures
    numerator = sum((Fraction(data_figures[f]) for f in leaf.numerator), Fraction(0))
    denominator = sum((Fraction(data_figures[f]) for f in leaf.denominator), Fraction(0)) if leaf.denominator else None
    if denominator == 0:
        return
    ratio = numerator * 100 / denominator if denominator is not None else numerator
    expected, band = oracle(leaf, ratio)
    result = evaluate(framework, changed).program(leaf.program).item(leaf.path)
    TALLY.record("boundary", "on a bound" if bound is not None and ratio == bound else
                 "within 0.01 of a bound" if any(abs(ratio - b) < Fraction(1, 100) for b in leaf.bounds()) else "elsewhere")
    assert Fraction(result.score) == expected, (leaf.path, float(ratio), result.branch)
    shown = re.match(rf"^{re.escape(result.metric.label if result.metric else '')}([0-9.]+)%", result.branch)
    assert shown is not None, result.branch
    assert _in_band(Fraction(shown.group(1)), band), (leaf.path, float(ratio), result.branch)
    if result.metric is not None and result.metric.value is not None:
        assert _in_band(Fraction(result.metric.value), band), (leaf.path, result.metric.value, result.branch)
