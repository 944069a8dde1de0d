"""The 2019 and 2020 old-community weights reproduce a hand computation for three regions.

Regions A (220100, 财政困难程度系数 1), B (220200, 1.5), C (220300, 0.5); 1000 万元 to allocate.

            改造面积  户数  楼栋数  小区个数   ×d: 面积  户数  楼栋  小区
    A         100     10      5       2              100    10     5     2
    B         200     20      0       2              300    30     0     3
    C         200     40     10       4              100    20     5     2
    Σ(q×d)                                           500    60    10     7

2019 (面积 40%、户数 40%、楼栋数 10%、小区个数 10%, the coefficient inside each factor, no reward):
    A = 400×100/500 + 400×10/60 + 100×5/10 + 100×2/7 = 80 + 66.6667 + 50 + 28.5714 = 130 + 2000/21 = 225.238095…
    B = 400×300/500 + 400×30/60 + 0 + 100×3/7       = 240 + 200 + 42.8571      = 440 + 300/7   = 482.857142…
    C = 80 + 400×20/60 + 50 + 100×2/7               = 80 + 133.3333 + 50 + 28.5714 = 130 + 3400/21 = 291.904761…
  cut to cents: 225.23 + 482.85 + 291.90 = 999.98; the two cents left go to the largest remainders,
  A (0.8095) and B (0.7143): 225.24, 482.86, 291.90.

2020 (面积 40%、户数 30%、楼栋数 10%、小区个数 10%、绩效评价结果 10%; scores A 90, B 80, C 70):
    task A = 80 + 300×10/60 + 50 + 200/7 = 180 + 200/7 = 208.571428…   → 208.57
    task B = 240 + 150 + 0 + 300/7      = 390 + 300/7 = 432.857142…   → 432.85 + 0.01 (largest remainder) = 432.86
    task C = 80 + 100 + 50 + 200/7      = 230 + 200/7 = 258.571428…   → 258.57
    reward (score ÷ 100, shared by coefficient only): 100 × 0.9/2.4 = 37.50, 100 × 0.8/2.4 = 33.333… → 33.33,
                                                      100 × 0.7/2.4 = 29.1666… → 29.16 + 0.01 = 29.17
    totals: 246.07, 466.19, 287.74 (= 1000.00)
"""

from __future__ import annotations

from decimal import Context, Decimal, localcontext
from fractions import Fraction

import pytest

from anju.allocation import allocate, builtin_method

from .helpers import region

D = Decimal
TOLERANCE = Decimal("1e-40")


def _regions(with_scores: bool) -> list:
    scores = {"A": {"renovation": "90"}, "B": {"renovation": "80"}, "C": {"renovation": "70"}} if with_scores else {}
    rows = [
        ("220100", "1", "A", (100, 10, 5, 2)),
        ("220200", "1.5", "B", (200, 20, 0, 2)),
        ("220300", "0.5", "C", (200, 40, 10, 4)),
    ]
    return [
        region(code, d, scores.get(key), renovation={"planned_area": q[0], "planned_households": q[1],
                                                     "planned_buildings": q[2], "planned_communities": q[3]})
        for code, d, key, q in rows
    ]


def _close(value: Decimal, fraction: Fraction) -> bool:
    """Equal to the hand-computed fraction to 40 places (the engine computes to 60 digits)."""
    with localcontext(Context(prec=60)):
        return abs(value - D(fraction.numerator) / D(fraction.denominator)) < TOLERANCE


def test_2019_weights_reproduce_the_hand_computation() -> None:
    method = builtin_method("2019")
    weights = {f.figure: f.weight for f in method.program("renovation").factors}
    assert weights == {"planned_area": 40, "planned_households": 40, "planned_buildings": 10, "planned_communities": 10}
    result = allocate(method, _regions(False), {"renovation": D(1000)}).program("renovation")
    exact = {s.code: s.task.exact for s in result.shares}
    assert _close(exact["220100"], 130 + Fraction(2000, 21))
    assert _close(exact["220200"], 440 + Fraction(300, 7))
    assert _close(exact["220300"], 130 + Fraction(3400, 21))
    assert [s.amount for s in result.shares] == [D("225.24"), D("482.86"), D("291.90")]
    assert [s.task.rounded_up for s in result.shares] == [True, True, False]
    assert all(s.reward is None and s.reward_amount == 0 for s in result.shares)
    assert sum(s.amount for s in result.shares) == D(1000)


def test_2020_weights_reproduce_the_hand_computation() -> None:
    method = builtin_method("2020")
    program = method.program("renovation")
    assert [f.weight for f in program.factors] == [40, 30, 10, 10]
    assert program.reward is not None and program.reward.share == 10
    result = allocate(method, _regions(True), {"renovation": D(1000)}).program("renovation")
    assert (result.task_pool, result.reward_pool) == (D(900), D(100))
    exact = {s.code: s.task.exact for s in result.shares}
    assert _close(exact["220100"], 180 + Fraction(200, 7))
    assert _close(exact["220200"], 390 + Fraction(300, 7))
    assert _close(exact["220300"], 230 + Fraction(200, 7))
    assert [s.task_amount for s in result.shares] == [D("208.57"), D("432.86"), D("258.57")]
    assert [s.reward_amount for s in result.shares] == [D("37.50"), D("33.33"), D("29.17")]
    assert [s.amount for s in result.shares] == [D("246.07"), D("466.19"), D("287.74")]
    assert [s.reward_trace.coefficient for s in result.shares if s.reward_trace] == [D("0.9"), D("0.8"), D("0.7")]


@pytest.mark.parametrize("method_id", ["2019", "2020"])
def test_the_factor_trace_shows_each_share(method_id: str) -> None:
    method = builtin_method(method_id)
    share = allocate(method, _regions(True), {"renovation": D(1000)}).program("renovation").share("220200")
    area = share.factors[0]
    assert (area.quantity, area.total, area.adjusted, area.adjusted_total) == (200, 500, 300, 500)
    assert area.share == D("0.4")
    assert area.exact == D(240)
    assert share.factors[2].exact == 0  # no buildings

