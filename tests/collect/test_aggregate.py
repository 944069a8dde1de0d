"""Aggregation up the tree: exact sums, blanks that stay blank, 不适用, no task, unit counts,
weighted means of percents, and the example's breakdown equal to the seed's province figures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.collect.aggregate import aggregate_units, figure_differences, with_unit_figures
from anju.collect.regions import RegionTree
from anju.collect.units import UnitProgram, UnitReport, UnitsFile
from anju.dataset import load_dataset
from anju.dataset.models import NOT_APPLICABLE
from anju.framework import Framework

from ..helpers import EXAMPLE


def replace_program(units: UnitsFile, code: str, program: str, **changes: Any) -> UnitsFile:
    report = units.units[code]
    data = report.program(program)
    assert data is not None
    new_data = data.model_copy(update=changes)
    programs = {**report.programs, program: new_data}
    return units.model_copy(update={"units": {**units.units, code: report.model_copy(update={"programs": programs})}})


def with_figure(units: UnitsFile, code: str, program: str, figure: str, value: Any) -> UnitsFile:
    data = units.units[code].program(program)
    assert data is not None
    return replace_program(units, code, program, figures={**data.figures, figure: value})


def test_the_example_adds_up_to_the_seed(framework: Framework, tree: RegionTree, example_units: UnitsFile) -> None:
    dataset, _ = load_dataset(EXAMPLE)
    result = aggregate_units(framework, tree, example_units)
    assert result.problems == [] and result.missing == []
    assert figure_differences(dataset, result) == []
    province = result.province()
    assert province["rental"]["total_funds"] == Decimal("89805.62")
    assert province["rental"]["satisfaction_rate"] == Decimal("94.00")  # weighted mean, rounded half up
    assert province["rental"]["low_income_coverage_rate"] == Decimal(100)  # the lowest unit
    assert province["rental"]["target_new_rental"] == Decimal(30000)  # only 长春 reports it, the rest 不适用
    assert province["renovation"]["prefecture_cities_with_task"] == Decimal(7)  # 8 地级市 less 白山; 延边州 not a city
    assert province["renovation"]["cities_issuing_bonds"] == Decimal(3)


def test_prefecture_totals_are_own_report_plus_counties(framework: Framework, tree: RegionTree,
                                                         example_units: UnitsFile) -> None:
    result = aggregate_units(framework, tree, example_units)
    own = example_units.units["220100"].program("rental")
    assert own is not None
    parts = [example_units.units[c].program("rental") for c in ("220100", "220122", "220182", "220183", "220184")]
    expected = sum((p.figures["total_funds"] for p in parts if p is not None), Decimal(0))  # type: ignore[misc]
    assert result.figure("220100", "rental", "total_funds") == expected
    county = example_units.units["220122"].program("rental")
    assert county is not None
    assert result.figure("220122", "rental", "total_funds") == county.figures["total_funds"]
    prefectures = sum((result.figure(u.code, "rental", "total_funds") for u in tree.children("220000", 2022)),
                      Decimal(0))  # type: ignore[arg-type]
    assert prefectures == Decimal("89805.62")
    # 白山: every unit has no 老旧小区 task, so its subtotal is 不适用 rather than 0
    assert result.figure("220600", "renovation", "planned_communities") == NOT_APPLICABLE


def test_a_blank_in_one_unit_makes_the_total_blank_and_is_reported(framework: Framework, tree: RegionTree,
                                                                    example_units: UnitsFile) -> None:
    units = with_figure(example_units, "220122", "rental", "central_spent", None)
    result = aggregate_units(framework, tree, units)
    assert result.province()["rental"]["central_spent"] is None
    assert result.figure("220200", "rental", "central_spent") is not None  # 吉林市's subtotal is unaffected
    assert [str(p) for p in result.problems] == ["农安县（220122）住房租赁保障：“中央财政补助资金实际支出”未填报，合计为空"]


def test_a_missing_unit_blanks_every_total_unless_partial(framework: Framework, tree: RegionTree,
                                                          example_units: UnitsFile) -> None:
    units = example_units.model_copy(update={"units": {c: r for c, r in example_units.units.items() if c != "222426"}})
    strict = aggregate_units(framework, tree, units)
    assert strict.missing == ["222426"]
    assert strict.province()["shantytown"]["planned_units"] is None
    assert str(strict.problems[0]) == "安图县（222426）未报送，有关合计为空"
    partial = aggregate_units(framework, tree, units, partial=True)
    planned = example_units.units["222426"].program("shantytown")
    assert planned is not None
    assert partial.province()["shantytown"]["planned_units"] == Decimal(20445) - planned.figures["planned_units"]  # type: ignore[operator]


def test_no_task_leaves_the_denominator(framework: Framework, tree: RegionTree, example_units: UnitsFile) -> None:
    units = replace_program(example_units, "220200", "renovation", no_task=True, figures={}, answers={})
    province = aggregate_units(framework, tree, units).province()["renovation"]
    assert province["prefecture_cities_with_task"] == Decimal(6)
    jilin_city = example_units.units["220200"].program("renovation")
    assert jilin_city is not None
    expected_bonds = 3 - (1 if jilin_city.answers["cities_issuing_bonds"] else 0)
    assert province["cities_issuing_bonds"] == Decimal(expected_bonds)


def test_an_unanswered_question_blanks_the_count(framework: Framework, tree: RegionTree,
                                                 example_units: UnitsFile) -> None:
    units = replace_program(example_units, "220300", "renovation", answers={})
    result = aggregate_units(framework, tree, units)
    assert result.province()["renovation"]["cities_using_loans"] is None
    assert any(p.code == "ANSWER_BLANK" and p.unit == "220300" for p in result.problems)


def test_evaluation_uses_the_aggregated_figures(framework: Framework, tree: RegionTree,
                                                example_units: UnitsFile) -> None:
    dataset, _ = load_dataset(EXAMPLE)
    units = with_figure(example_units, "220100", "rental", "central_spent", Decimal(0))
    result = aggregate_units(framework, tree, units)
    merged = with_unit_figures(dataset, result)
    assert merged.programs["rental"].judgements == dataset.programs["rental"].judgements
    assert merged.programs["rental"].figures["central_spent"] < Decimal("31524.96")  # type: ignore[operator]


def _units_of(values: list[Decimal], tree: RegionTree) -> UnitsFile:
    codes = [u.code for u in tree.reporting_units(2022)]
    reports = {
        code: UnitReport(programs={"shantytown": UnitProgram(figures={"local_funds": value})})  # type: ignore[dict-item]
        for code, value in zip(codes, values, strict=True)
    }
    return UnitsFile(framework="2022", region="220000", year=2022, units=reports)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
                min_size=48, max_size=48))
def test_sums_are_exact_for_any_cents(framework: Framework, tree: RegionTree, values: list[Decimal]) -> None:
    result = aggregate_units(framework, tree, _units_of(values, tree), partial=True)
    assert result.province()["shantytown"]["local_funds"] == sum(values, Decimal(0))


@pytest.mark.parametrize(
    ("rates", "weights", "expected"),
    [((Decimal(90), Decimal(100)), (Decimal(1), Decimal(3)), Decimal("97.50")),
     ((Decimal("80.5"), Decimal("80.5")), (Decimal(7), Decimal(9)), Decimal("80.50"))],
)
def test_weighted_mean_of_a_percent(framework: Framework, tree: RegionTree, rates: tuple[Decimal, Decimal],
                                    weights: tuple[Decimal, Decimal], expected: Decimal) -> None:
    codes = ["220122", "220182"]
    reports = {
        code: UnitReport(programs={"rental": UnitProgram(figures={  # type: ignore[dict-item]
            "satisfaction_rate": rate, "rental_units_total": weight, "subsidy_paid": Decimal(0)})})
        for code, rate, weight in zip(codes, rates, weights, strict=True)
    }
    units = UnitsFile(framework="2022", region="220000", year=2022, units=reports)
    result = aggregate_units(framework, tree, units, partial=True)
    assert result.province()["rental"]["satisfaction_rate"] == expected
