"""framework check finds tiers that leave values unscored or score them twice (anju.framework.soundness)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from anju.framework.models import RatioTiers, Tier
from anju.framework.soundness import tier_problems
from anju.problems import LoadCode

from .helpers import EXECUTION, METRIC


def tiers(*bands: tuple[str | None, str | None], kind: str = "completion") -> RatioTiers:
    metric = METRIC.model_copy(update={"kind": kind})
    return EXECUTION.model_copy(update={"metric": metric, "tiers": [
        Tier(at_least=D(lo) if lo else None, below=D(hi) if hi else None, points=D(1)) for lo, hi in bands]})


def codes(rule: RatioTiers) -> list[LoadCode]:
    return [code for _loc, _msg, code in tier_problems(rule, ("tiers",), "“x”")]


def test_the_shipped_shapes_are_sound() -> None:
    assert codes(EXECUTION) == []
    assert codes(tiers(("40", None), ("20", "40"), ("10", "20"), (None, "10"))) == []  # any order
    assert codes(tiers(("0", "50"), ("50", None))) == []  # from 0 is enough: a ratio is never negative


@pytest.mark.parametrize(
    ("bands", "expected", "text"),
    [
        ([(None, "60"), ("65", None)], [LoadCode.TIER_GAP], "60%—65% 之间有空档"),
        ([(None, "70"), ("60", None)], [LoadCode.TIER_OVERLAP], "60%—70% 重叠"),
        ([("10", None)], [LoadCode.TIER_GAP], "没有覆盖 0—10%"),
        ([(None, "90")], [LoadCode.TIER_GAP], "没有覆盖90%及以上"),
        ([(None, "50"), ("50", "50"), ("50", None)], [LoadCode.RANGE_INVERTED], "这一档是空的"),
        ([(None, None), ("50", None)], [LoadCode.TIER_OVERLAP], "重叠"),
    ],
)
def test_gaps_overlaps_and_empty_tiers(bands: list[tuple[str | None, str | None]], expected: list[LoadCode], text: str) -> None:
    found = tier_problems(tiers(*bands), ("tiers",), "“x”")
    assert [code for _l, _m, code in found] == expected
    assert text in found[0][1]


def test_a_rate_needs_tiers_only_up_to_100() -> None:
    assert codes(tiers((None, "60"), ("60", "100.01"), kind="rate")) == []
    assert codes(tiers((None, "60"), ("60", "100"), kind="rate")) == [LoadCode.TIER_GAP]  # 100 itself unscored
