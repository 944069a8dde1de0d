"""Grade bands per framework and per program, with explicit boundaries (">95" is not "≥95")."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from anju.framework import builtin_framework
from anju.framework.models import GradeBand, GradeScheme
from anju.framework.soundness import scheme_problems

PROVINCE = GradeScheme(
    label="某省老旧小区改造考评等级",
    bands=[
        GradeBand(label="优秀", above=D(95)),
        GradeBand(label="良好", at_least=D(85)),
        GradeBand(label="合格", at_least=D(75)),
        GradeBand(label="差"),
    ],
)


@pytest.mark.parametrize(("score", "grade"), [
    (D(100), "优秀"), (D("95.01"), "优秀"), (D(95), "良好"), (D(85), "良好"), (D("84.99"), "合格"),
    (D(75), "合格"), (D("74.99"), "差"), (D(0), "差"),
])
def test_above_is_strict_and_at_least_is_not(score: D, grade: str) -> None:
    assert PROVINCE.grade(score) == grade


def test_declared_order_does_not_matter_and_above_beats_at_least_at_one_score() -> None:
    scheme = GradeScheme(label="x", bands=[GradeBand(label="B", at_least=D(90)), GradeBand(label="A", above=D(90)),
                                           GradeBand(label="C")])
    assert [scheme.grade(D(s)) for s in ("90.5", "90", "89")] == ["A", "B", "C"]


def test_describe_gives_the_scheme_words_and_boundaries() -> None:
    assert PROVINCE.describe() == "某省老旧小区改造考评等级：优秀（>95）、良好（≥85）、合格（≥75）、差（其余）"


def test_both_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="只能给出"):
        GradeBand(label="x", at_least=D(1), above=D(1))


def test_two_unbounded_bands_are_a_problem() -> None:
    problems = scheme_problems([GradeBand(label="a"), GradeBand(label="b")], ("bands",))
    assert len(problems) == 1 and "没有给出分数线" in problems[0][1]


def test_2022_keeps_the_ministry_bands_and_names_them() -> None:
    framework = builtin_framework("2022")
    scheme = framework.scheme("rental")
    assert scheme is not None and scheme.label == "财政部预算绩效评价等级"
    assert [framework.grade(D(s), "rental") for s in (88, 85, 93, 90, "89.99", 60, "59.99")] == [
        "良", "良", "优", "优", "良", "中", "差"]
