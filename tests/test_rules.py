"""Each rule kind with its edge cases (pure functions, Decimal in and out)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from anju.dataset.models import Judgement
from anju.framework.models import (
    Checklist,
    Clause,
    Deduction,
    Judged,
    Metric,
    Threshold,
    Tier,
)
from anju.scoring.metrics import compute_metric
from anju.scoring.rules import (
    RuleInputError,
    score_checklist,
    score_deduction,
    score_judged,
    score_proportional,
    score_ratio_tiers,
    score_threshold,
)

from .helpers import EXECUTION, METRIC, PROP


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("0", 0), ("59.9999", 0), ("60", 1), ("60.0001", 1), ("79.9999", 1), ("80", 2),
        ("89.9999", 2), ("90", 3), ("100", 3), ("250", 3),
    ],
)
def test_ratio_tiers_boundaries(value: str, points: int) -> None:
    assert score_ratio_tiers(EXECUTION, D(3), D(value)).score == D(points)


def test_ratio_tiers_gap_is_reported() -> None:
    rule = EXECUTION.model_copy(update={"tiers": [Tier(at_least=D(50), points=D(3))]})
    with pytest.raises(RuleInputError, match="不落在任何一档"):
        score_ratio_tiers(rule, D(3), D(10))


def test_ratio_tiers_lower_is_better() -> None:
    rule = EXECUTION.model_copy(
        update={"tiers": [Tier(below=D(50), points=D(2)), Tier(at_least=D(50), below=D(70), points=D(1)), Tier(at_least=D(70), points=D(0))]}
    )
    assert score_ratio_tiers(rule, D(2), D("75.81")).score == 0
    assert score_ratio_tiers(rule, D(2), D("49.99")).score == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [("100", "10"), ("101.49", "10"), ("250", "10"), ("0", "0"), ("50", "5.00"), ("33.3333", "3.33"), ("99.995", "10.00")],
)
def test_proportional_caps_and_rounds(value: str, expected: str) -> None:
    assert score_proportional(PROP, D(10), D(value), 2).score == D(expected)


def test_proportional_half_up_integer() -> None:
    assert score_proportional(PROP, D(25), D("80.2506"), 0).score == D(20)  # 20.06 → 20
    assert score_proportional(PROP, D(25), D("82"), 0).score == D(21)  # 20.5 → 21 (half up, not to even)
    assert score_proportional(PROP, D(25), D("98"), 0).score == D(25)  # 24.5 → 25


def test_proportional_zero_below_and_full_at() -> None:
    rule = PROP.model_copy(update={"zero_below": D(60), "full_at": D(90)})
    assert score_proportional(rule, D(10), D("59.99"), 2).score == 0
    assert score_proportional(rule, D(10), D("90"), 2).score == 10
    assert score_proportional(rule, D(10), D("72"), 2).score == D("8.00")


def test_threshold_at_least_and_at_most() -> None:
    at_least = Threshold(kind="threshold", metric=METRIC, provenance="assumed", at_least=D(80))
    assert score_threshold(at_least, D(5), D(80)).score == 5
    assert score_threshold(at_least, D(5), D("79.9999")).score == 0
    at_most = Threshold(kind="threshold", metric=METRIC, provenance="assumed", at_most=D(50))
    assert score_threshold(at_most, D(2), D(50)).score == 2
    assert score_threshold(at_most, D(2), D("50.0001")).score == 0


def test_threshold_needs_exactly_one_bound() -> None:
    with pytest.raises(ValueError, match="at_least 或 at_most"):
        Threshold(kind="threshold", metric=METRIC, provenance="assumed")


CHECKLIST = Checklist(
    kind="checklist",
    provenance="seed",
    clauses=[Clause(id="method", label="办法健全", points=D(2)), Clause(id="credit", label="信贷支持", points=D(2), partial=True)],
)


def test_checklist_all_met() -> None:
    outcome = score_checklist(CHECKLIST, D(4), Judgement(clauses={"method": True, "credit": True}))
    assert outcome.score == 4
    assert outcome.clause_scores == (("method", D(2)), ("credit", D(2)))


def test_checklist_partial_needs_reason() -> None:
    with pytest.raises(RuleInputError, match="须说明扣分理由"):
        score_checklist(CHECKLIST, D(4), Judgement(clauses={"method": True, "credit": D(1)}))
    outcome = score_checklist(CHECKLIST, D(4), Judgement(clauses={"method": True, "credit": D(1)}, reason="仅对接"))
    assert outcome.score == 3


def test_checklist_partial_refused_on_whole_clause() -> None:
    with pytest.raises(RuleInputError, match="只能得0分或满分"):
        score_checklist(CHECKLIST, D(4), Judgement(clauses={"method": D(1), "credit": True}, reason="x"))


def test_checklist_clause_above_its_points() -> None:
    with pytest.raises(RuleInputError, match="0至2分之间"):
        score_checklist(CHECKLIST, D(4), Judgement(clauses={"method": True, "credit": D(3)}))


def test_checklist_missing_clause_and_missing_judgement() -> None:
    with pytest.raises(RuleInputError, match="credit"):
        score_checklist(CHECKLIST, D(4), Judgement(clauses={"method": True}))
    with pytest.raises(RuleInputError, match="缺少评价人员"):
        score_checklist(CHECKLIST, D(4), None)


def test_checklist_unmet_clause_scores_zero() -> None:
    outcome = score_checklist(CHECKLIST, D(4), Judgement(clauses={"method": False, "credit": True}, reason="办法未印发"))
    assert outcome.score == 2


JUDGED = Judged(kind="judged", provenance="seed")


def test_judged_bounds_and_reason() -> None:
    assert score_judged(JUDGED, D(2), Judgement(points=D(2))).score == 2
    assert score_judged(JUDGED, D(2), Judgement(points=D("1.5"), reason="部分落实")).score == D("1.5")
    with pytest.raises(RuleInputError, match="须说明理由"):
        score_judged(JUDGED, D(2), Judgement(points=D(1)))
    with pytest.raises(RuleInputError, match="0至2分之间"):
        score_judged(JUDGED, D(2), Judgement(points=D(3)))
    with pytest.raises(RuleInputError, match="0至2分之间"):
        score_judged(JUDGED, D(2), Judgement(points=D(-1), reason="x"))
    with pytest.raises(RuleInputError, match="缺少评价人员给出的得分"):
        score_judged(JUDGED, D(2), Judgement(reason="x"))


DEDUCTION = Deduction(kind="deduction", findings="violations", per_finding=D(2), provenance="assumed")


@pytest.mark.parametrize(("findings", "score"), [("0", 5), ("1", 3), ("2", 1), ("3", 0), ("40", 0)])
def test_deduction_floor_zero(findings: str, score: int) -> None:
    assert score_deduction(DEDUCTION, D(5), D(findings)).score == D(score)


def test_deduction_refuses_negative_and_fractional() -> None:
    with pytest.raises(RuleInputError, match="负数"):
        score_deduction(DEDUCTION, D(5), D(-1))
    with pytest.raises(RuleInputError, match="整数"):
        score_deduction(DEDUCTION, D(5), D("1.5"))


def test_metric_zero_plan_blank_and_na_are_distinct() -> None:
    zero = compute_metric(METRIC, {"spent": D(0), "budget": D(0)})
    assert zero.value is None and zero.zero_denominator
    blank = compute_metric(METRIC, {"spent": None, "budget": D(10)})
    assert blank.value is None and blank.blank == ("spent",)
    na = compute_metric(METRIC, {"spent": "not_applicable", "budget": D(10)})
    assert na.value is None and na.not_applicable == ("spent",)
    zero_spent = compute_metric(METRIC, {"spent": D(0), "budget": D(10)})
    assert zero_spent.value == 0


def test_metric_sums_parts_and_rounds_half_up() -> None:
    metric = Metric(label="占比", numerator=["a"], denominator=["a", "b"])
    value = compute_metric(metric, {"a": D("248916.93"), "b": D(19788)})
    assert value.value == D("92.6358")
    assert value.denominator == D("268704.93")
    # a value exactly on the half: 1/8 = 12.5% → 4 decimals exact; 1/16 = 6.25%
    assert compute_metric(Metric(label="x", numerator=["a"], denominator=["b"]), {"a": D(1), "b": D(3)}).value == D("33.3333")
    assert compute_metric(Metric(label="x", numerator=["a"], denominator=["b"]), {"a": D(2), "b": D(3)}).value == D("66.6667")
