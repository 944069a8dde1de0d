"""Allocation inputs: the examples resolve (evaluations, units' figures over the region tree,
unit-level evaluations), and every problem in an inputs file names the file and the line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from anju.allocation import FactorMethod, InputsError, allocate, builtin_method, load_inputs
from anju.allocation.engine import AllocationError
from anju.allocation.inputs import locate, read_inputs, resolve
from anju.collect.regions import builtin_region_tree
from anju.collect.units import load_units
from anju.framework import builtin_framework
from anju.problems import AllocationCode, Severity

from .helpers import EXAMPLES

D = Decimal


def test_national_example_takes_jilin_scores_from_its_evaluation(method_2022: FactorMethod) -> None:
    resolved = load_inputs(EXAMPLES / "national.yaml", method_2022)
    jilin = next(r for r in resolved.regions if r.code == "220000")
    assert jilin.scores == {"rental": 88, "renovation": 85, "shantytown": 93}
    assert resolved.evaluations["220000"].region_name == "吉林省"
    assert jilin.quantities["renovation"]["planned_communities"] == 1142
    assert [n.code for n in resolved.notes] == [AllocationCode.SCORE_BASIS_DIFFERS]
    assert resolved.notes[0].severity is Severity.warning


def test_prefecture_quantities_are_the_units_subtree_totals(method_2022: FactorMethod) -> None:
    resolved = load_inputs(EXAMPLES / "jilin-prefectures.yaml", method_2022)
    tree = builtin_region_tree("220000")
    units = load_units(EXAMPLES.parent / "jilin-2022" / "units.yaml", builtin_framework("2022"), tree)
    assert [r.code for r in resolved.regions] == [u.code for u in tree.children("220000", 2023)]
    for region in resolved.regions:
        members = [u.code for u in tree.reporting_units(2022, region.code)]
        expected = D(0)
        for code in members:
            report = units.units[code].program("shantytown")
            if report is not None and not report.no_task:
                value = report.figures["planned_units"]
                assert isinstance(value, Decimal)
                expected += value
        assert region.quantities["shantytown"]["planned_units"] == expected, region.name
    total = sum(r.quantities["renovation"]["planned_communities"] or 0 for r in resolved.regions)
    province = sum(
        u.program("renovation").figures["planned_communities"]  # type: ignore[union-attr,misc]
        for u in units.units.values() if u.program("renovation") and not u.program("renovation").no_task  # type: ignore[union-attr]
    )
    assert total == province


def test_prefectures_are_scored_from_their_own_figures(method_2022: FactorMethod) -> None:
    resolved = load_inputs(EXAMPLES / "jilin-prefectures.yaml", method_2022)
    assert set(resolved.evaluations) == {r.code for r in resolved.regions}
    changchun = resolved.evaluations["220100"]
    assert changchun.region_name == "长春市"
    assert {p.id for p in changchun.programs} == {"rental", "renovation", "shantytown"}
    baishan = resolved.evaluations["220600"]
    assert "renovation" not in {p.id for p in baishan.programs}  # 白山 has no old-community task
    allocation = allocate(method_2022, resolved.regions, resolved.amounts)
    share = allocation.program("renovation").share("220600")
    assert share.amount == 0
    assert share.reward_trace is not None and share.reward_trace.score.no_task
    assert any("按满分计" in n.message for n in resolved.notes)


BASE = """\
title: 测试
year: 2023
level: province
amounts:
  renovation: 1000
regions:
  "220000":
    fiscal_difficulty: 1.1
    scores: {renovation: 85}
    quantities:
      renovation: {planned_area: 100, planned_households: 10, planned_buildings: 5, planned_communities: 2}
  "210000":
    fiscal_difficulty: 1.0
    scores: {renovation: 90}
    quantities:
      renovation: {planned_area: 200, planned_households: 20, planned_buildings: 5, planned_communities: 3}
"""


def _line(text: str, marker: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(marker)


CASES = {
    # name: (replace this, with this, marker of the line, message fragment, code)
    "unknown_program": ("  renovation: 1000\n", "  renovation: 1000\n  rentals: 5\n", "rentals: 5", "没有项目“rentals”",
                        AllocationCode.PROGRAM_UNKNOWN),
    "unknown_factor": ("planned_communities: 3}", "planned_communities: 3, planned_roads: 1}", "planned_roads",
                       "没有因素“planned_roads”", AllocationCode.FIGURE_UNDECLARED),
    "not_a_province": ('"210000":', '"210100":', '"210100":', "不是省级行政区划代码", AllocationCode.REGION_UNKNOWN),
    "score_range": ("{renovation: 90}", "{renovation: 190}", "renovation: 190", "字段“renovation”", "FIELD_INVALID"),
    "wrong_name": ('  "220000":\n', '  "220000":\n    name: 辽宁省\n', "name: 辽宁省", "是全国的“吉林省”", AllocationCode.REGION_UNKNOWN),
    "region_on_province_level": ("level: province\n", "level: province\nregion: \"220000\"\n", 'region: "220000"',
                                 "不应给出 region", AllocationCode.REGION_LEVEL),
    "negative_difficulty": ("fiscal_difficulty: 1.0", "fiscal_difficulty: -1", "fiscal_difficulty: -1", "取值过小",
                            "FIELD_INVALID"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_inputs_problems_name_file_and_line(name: str, tmp_path: Path, test_method: FactorMethod) -> None:
    old, new, marker, fragment, code = CASES[name]
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputsError) as info:
        load_inputs(path, builtin_method("2020"))
    found = [p for p in info.value.problems if fragment in p.message]
    assert found, [str(p) for p in info.value.problems]
    assert found[0].where.file == str(path)
    assert found[0].where.line == _line(text, marker), str(found[0])
    assert found[0].code == code


ENGINE_CASES = {
    # problems the engine finds (it knows region, program and figure): located back to the line
    "blank_quantity": ("planned_buildings: 5, planned_communities: 3}", "planned_buildings: 5, planned_communities: null}",
                       "planned_communities: null", "“改造小区个数”（个）未填写", AllocationCode.QUANTITY_BLANK),
    "missing_difficulty": ("    fiscal_difficulty: 1.0\n", "", '"210000":', "缺少财政困难程度系数", AllocationCode.DIFFICULTY_MISSING),
    "missing_score": ("    scores: {renovation: 90}\n", "", '"210000":', "缺少renovation的上年绩效评价得分", AllocationCode.SCORE_MISSING),
}


@pytest.mark.parametrize("name", sorted(ENGINE_CASES))
def test_engine_problems_are_located_in_the_inputs(name: str, tmp_path: Path) -> None:
    old, new, marker, fragment, code = ENGINE_CASES[name]
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    method = builtin_method("2020")
    inputs, doc = read_inputs(path)
    resolved = resolve(inputs, method, doc)
    with pytest.raises(AllocationError) as info:
        allocate(method, resolved.regions, resolved.amounts)
    located = locate(info.value.problems, resolved.path, doc)
    found = [p for p in located if fragment in p.message]
    assert found, [str(p) for p in located]
    assert found[0].code == code
    assert found[0].where.file == str(path)
    assert found[0].where.line == _line(text, marker)


def test_amount_not_in_the_unit_is_refused() -> None:
    method = builtin_method("2020")
    with pytest.raises(AllocationError) as info:
        allocate(method, [], {"renovation": D("1000.001")})
    codes = {p.code for p in info.value.problems}
    assert {AllocationCode.AMOUNT_NOT_IN_UNIT, AllocationCode.NO_REGIONS} <= codes


def test_prefecture_level_checks_the_tree(tmp_path: Path, method_2022: FactorMethod) -> None:
    text = """\
year: 2023
level: prefecture
region: "220000"
amounts: {shantytown: 100}
regions:
  "220122": {fiscal_difficulty: 1, quantities: {shantytown: {planned_units: 5}}, scores: {shantytown: 90}}
  "229900": {fiscal_difficulty: 1, quantities: {shantytown: {planned_units: 5}}, scores: {shantytown: 90}}
"""
    path = tmp_path / "pref.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputsError) as info:
        load_inputs(path, method_2022)
    messages = {p.where.line: p.message for p in info.value.problems}
    assert "不是吉林省直接管辖的地级单位" in messages[6]
    assert "不在吉林省行政区划表中" in messages[7]


def test_scores_typed_and_evaluated_must_agree(tmp_path: Path, method_2022: FactorMethod) -> None:
    dataset = EXAMPLES.parent / "jilin-2022"
    text = (EXAMPLES / "national.yaml").read_text(encoding="utf-8").replace(
        "    evaluation: ../jilin-2022\n", f"    evaluation: {dataset}\n    scores: {{rental: 90}}\n")
    path = tmp_path / "conflict.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputsError) as info:
        load_inputs(path, method_2022)
    problem = info.value.problems[0]
    assert problem.code == AllocationCode.SOURCE_CONFLICT
    assert "88分" in problem.message and "90分" in problem.message
    assert problem.where.line == _line(text, "scores: {rental: 90}")
