"""Property tests: for any figures, scores stay within [0, max] and parents equal their children."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from anju.dataset import Dataset
from anju.framework import Framework
from anju.scoring import evaluate
from anju.scoring.rules import score_proportional, score_ratio_tiers

from .helpers import EXECUTION, PROP

percent = st.decimals(min_value=0, max_value=500, places=4, allow_nan=False, allow_infinity=False)
count = st.integers(min_value=1, max_value=10_000_000).map(Decimal)


@given(percent, percent)
def test_tiers_are_monotonic(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert score_ratio_tiers(EXECUTION, Decimal(3), low).score <= score_ratio_tiers(EXECUTION, Decimal(3), high).score


@given(percent, percent)
def test_proportional_is_monotonic_and_bounded(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    s_low = score_proportional(PROP, Decimal(10), low, 2).score
    s_high = score_proportional(PROP, Decimal(10), high, 2).score
    assert Decimal(0) <= s_low <= s_high <= Decimal(10)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["planned_communities", "started_communities", "central_budget", "central_spent",
                                        "funds_in_place", "planned_households", "started_households"]), count))
def test_any_renovation_figures_give_consistent_tree(jilin: tuple[Dataset, Framework], figures: dict[str, Decimal]) -> None:
    dataset, framework = jilin
    data = dataset.programs["renovation"]
    merged = {**data.figures, **figures}
    changed = dataset.model_copy(update={"programs": {**dataset.programs, "renovation": data.model_copy(update={"figures": merged})}})
    result = evaluate(framework, changed).program("renovation")  # counts are ≥ 1: no zero denominators
    for item in result.items():
        assert Decimal(0) <= item.score <= item.points
        assert item.deduction == item.points - item.score
        if item.children:
            assert item.score == sum((c.score for c in item.children), Decimal(0))
    assert result.score == sum((d.score for d in result.dimensions), Decimal(0))
