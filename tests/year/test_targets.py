"""Performance targets: the MoF layout, references, and breakdowns that must add up."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from anju.collect.regions import RegionTree
from anju.dataset import Dataset
from anju.framework import Framework
from anju.problems import TargetsCode
from anju.targets import Comparison, Targets, TargetsError, load_targets

from ..helpers import EXAMPLE
from .conftest import raw, write


def test_example_targets_are_the_seed_planned_figures(targets: Targets, jilin: tuple[Dataset, Framework]) -> None:
    dataset, _ = jilin
    assert "示例" in (targets.note or "") and "示例" in (targets.title or "")
    rental = targets.programs["rental"].indicator("rental_housing")
    assert rental.value == D(12670) and rental.value_text() == "≥12670套"
    for program_id, program in targets.programs.items():
        for indicator in program.indicators:
            if indicator.planned_figure:
                assert indicator.value == dataset.figure(program_id, indicator.planned_figure)
    assert targets.programs["renovation"].indicator("communities").value == D(1142)
    assert targets.programs["shantytown"].indicator("started").value == D(20445)
    assert targets.programs["rental"].indicator("quality").comparison is Comparison.qualitative


def test_example_breakdown_adds_up_over_prefectures_and_units(targets: Targets, tree: RegionTree) -> None:
    rental = targets.programs["rental"]
    assert len(rental.prefectures) == 9 and len(rental.units) == 48
    for indicator in rental.indicators:
        if indicator.adds_up:
            assert sum(p[indicator.id] for p in rental.units.values()) == indicator.value
            assert sum(p[indicator.id] for p in rental.prefectures.values()) == indicator.value
    changchun = [c for c in rental.units if (p := tree.prefecture_of(c)) is not None and p.code == "220100"]
    assert sum(rental.units[c]["rental_housing"] for c in changchun) == rental.prefectures["220100"]["rental_housing"]


def test_example_file_is_what_the_generator_writes() -> None:
    result = subprocess.run([sys.executable, str(EXAMPLE / "make_year.py"), "--check"], check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _refused(tmp_path: Path, data: object, framework: Framework, tree: RegionTree) -> TargetsError:
    path = write(tmp_path / "targets.yaml", data)
    with pytest.raises(TargetsError) as caught:
        load_targets(path, framework, tree)
    return caught.value


def test_units_that_do_not_add_up_are_refused_with_the_units_named(tmp_path: Path, framework: Framework,
                                                                   tree: RegionTree) -> None:
    data = raw("targets.yaml")
    units = data["programs"]["rental"]["units"]
    units["220122"]["rental_subsidy"] += 10  # 农安县 gets 10 more households than 长春市's breakdown holds
    error = _refused(tmp_path, data, framework, tree)
    messages = [p.message for p in error.problems]
    assert all(p.code == TargetsCode.BREAKDOWN_MISMATCH for p in error.problems)
    units_message = next(m for m in messages if "分解到各单位合计" in m)
    assert "住房租赁保障“发放租赁补贴户数”分解到各单位合计75184户，与全省目标75174户不符（差10户）" in units_message
    prefecture_message = next(m for m in messages if "所属单位合计" in m)
    assert "长春市所属单位合计" in prefecture_message and "农安县" in prefecture_message
    assert all(p.where.line > 0 and p.where.file for p in error.problems)


def test_a_unit_without_its_part_is_named(tmp_path: Path, framework: Framework, tree: RegionTree) -> None:
    data = raw("targets.yaml")
    del data["programs"]["shantytown"]["units"]["220582"]["started"]
    error = _refused(tmp_path, data, framework, tree)
    [problem] = error.problems
    assert problem.code == TargetsCode.BREAKDOWN_MISSING
    assert "城市棚户区改造“棚户区改造开工套数”未分解到以下单位（没有任务的单位请填 0）：集安市" in problem.message


def test_prefectures_that_do_not_add_up_to_the_province(tmp_path: Path, framework: Framework, tree: RegionTree) -> None:
    data = raw("targets.yaml")
    data["programs"]["renovation"]["indicators"][0]["value"] = 1150
    error = _refused(tmp_path, data, framework, tree)
    messages = " / ".join(p.message for p in error.problems)
    assert "分解到各市（州）合计1142个，与全省目标1150个不符（差-8个）" in messages
    assert "分解到各单位合计1142个，与全省目标1150个不符" in messages


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["programs"].update(gold=d["programs"]["rental"]), "指标体系中没有项目“gold”"),
    (lambda d: d["programs"]["rental"]["indicators"][0].update(figure="nope"), "指标体系中没有数据项“nope”"),
    (lambda d: d["programs"]["rental"]["indicators"][0].update(item="outputs.nope"), "指标体系中没有指标“outputs.nope”"),
    (lambda d: d["programs"]["rental"]["units"].update({"229999": {}}), "行政区划表中没有代码“229999”"),
    (lambda d: d["programs"]["rental"]["units"]["220100"].update(nope=1), "未定义的指标“nope”"),
    (lambda d: d["programs"]["rental"]["indicators"][3].pop("text"), "定性指标“工程质量”缺少指标值文字（text）"),
    (lambda d: d["programs"]["rental"]["indicators"][0].update(comparison=">="), "取值“>=”不在允许范围内"),
])
def test_bad_targets_are_refused_in_chinese_at_their_line(tmp_path: Path, framework: Framework, tree: RegionTree,
                                                          edit: object, expected: str) -> None:
    data = raw("targets.yaml")
    edit(data)  # type: ignore[operator]
    error = _refused(tmp_path, data, framework, tree)
    assert any(expected in p.message for p in error.problems), [p.message for p in error.problems]
    assert all(p.where.line > 0 for p in error.problems)
    assert not any("Traceback" in p.message or "Error" in p.message for p in error.problems)
