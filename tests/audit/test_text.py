"""Normalisation and number tokens: full/half width, spaces, thousands, 万/亿, %, 个百分点, lists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anju.audit.text import NumberKind, normalise, numbers


def tokens(text: str) -> list[tuple[str, Decimal, str | None, NumberKind]]:
    norm = normalise(text)
    return [(n.text, n.value, n.unit, n.kind) for n in numbers(norm.text)]


def test_full_width_digits_percent_and_punctuation() -> None:
    norm = normalise("资金拨付进度１００％, 完成率为９８．５%; 见(附件)")
    assert norm.text == "资金拨付进度100%，完成率为98.5%；见（附件）"
    assert [t[:2] for t in tokens("资金拨付进度１００％")] == [("100%", Decimal(100))]


def test_every_character_maps_back_to_the_original() -> None:
    original = "实际开工198800 户，完成计划的１０１％"
    norm = normalise(original)
    number = numbers(norm.text)[0]
    first, last = norm.span(number.start, number.end)
    assert original[first:last] == "198800 户"


def test_thousands_separator_and_spaces_before_units() -> None:
    assert tokens("共计1,234.50 万元") == [("1234.50万元", Decimal("1234.50"), "万元", NumberKind.quantity)]


def test_multipliers_give_canonical_units() -> None:
    found = tokens("新增3万套，资金2.5亿元，另有500元，面积19.7万平方米，合计1667.43万m²")
    assert [(t[1], t[2]) for t in found] == [
        (Decimal(30000), "套"), (Decimal("25000.0"), "万元"), (Decimal("0.0500"), "万元"),
        (Decimal("197000.0"), "平方米"), (Decimal("16674300.00"), "平方米"),
    ]


def test_percentage_points_dates_references_and_scores() -> None:
    found = tokens("截至2023年1月5日，执行率提高3.5个百分点，依据财综〔2022〕37号，得分88分，30日内")
    kinds = [(t[0], t[3]) for t in found]
    assert kinds == [
        ("2023年", NumberKind.year), ("1月", NumberKind.date), ("5日", NumberKind.date),
        ("3.5个百分点", NumberKind.points), ("2022", NumberKind.reference), ("37号", NumberKind.reference),
        ("88分", NumberKind.score), ("30日", NumberKind.quantity),
    ]


def test_numbered_list_running_into_a_year() -> None:
    norm = normalise("（3分）。2.2022年，长春市")
    found = numbers(norm.text)
    assert [(n.text, n.kind) for n in found] == [
        ("3分", NumberKind.score), ("2", NumberKind.list_marker), ("2022年", NumberKind.year)]


def test_points_merged_into_a_heading_stay_two_numbers() -> None:
    assert [t[0] for t in tokens("项目投入评价 5 15 分")] == ["5", "15分"]


@pytest.mark.parametrize(("text", "bound"), [("均在80%以上", True), ("约30%", True), ("20多份", True),
                                             ("均达到100%", False)])
def test_bounds_and_approximations_are_never_checked(text: str, bound: bool) -> None:
    number = numbers(normalise(text).text)[0]
    assert number.bound is bound
    assert number.checkable is not bound


def test_precision_gives_the_tolerance() -> None:
    one, whole = numbers(normalise("52.9%，101%").text)
    assert one.tolerance == Decimal("0.05")
    assert whole.tolerance == Decimal("0.5")


def test_word_artefacts_are_dropped() -> None:
    assert normalise("[bookmark: _GoBack]吉林省").text == "吉林省"
