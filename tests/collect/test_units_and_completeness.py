"""units.yaml: strict loading against the framework and the tree; completeness and timeliness;
the example breakdown (labelled illustrative, deterministic)."""

from __future__ import annotations

import datetime as dt
import runpy
from pathlib import Path

import pytest

from anju.collect.completeness import completeness
from anju.collect.regions import RegionTree
from anju.collect.units import UnitsError, UnitsFile, dump_units, load_units, parse_units, write_units
from anju.framework import Framework
from anju.yamlio import parse_yaml

from ..helpers import EXAMPLE


def test_the_example_is_labelled_illustrative() -> None:
    text = (EXAMPLE / "units.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 示例数据，非真实分地区数据")
    assert "note: 示例数据，非真实分地区数据" in text


def test_the_example_is_regenerated_byte_for_byte() -> None:
    module = runpy.run_path(str(EXAMPLE / "make_units.py"))
    assert module["render"]() == (EXAMPLE / "units.yaml").read_text(encoding="utf-8")


def test_baishan_has_no_renovation_task(example_units: UnitsFile) -> None:
    for code in ("220600", "220621", "220622", "220623", "220681"):
        data = example_units.units[code].program("renovation")
        assert data is not None and data.no_task


def test_units_file_round_trips_through_yaml(tmp_path: Path, framework: Framework, tree: RegionTree,
                                              example_units: UnitsFile) -> None:
    path = tmp_path / "units.yaml"
    write_units(path, example_units, header="测试")
    assert load_units(path, framework, tree) == example_units
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('  "229999": {programs: {}}', "单位代码“229999”不在吉林省行政区划表中"),
        ('  长春: {programs: {}}', "单位代码“长春”不在吉林省行政区划表中（单位须以6位代码为键，“长春”应写作“220100”，即长春市（市本级及市辖区））"),
        ('  通化: {programs: {}}', "（单位须以6位代码为键；“通化”有歧义，可指 通化市（220500）、通化县（220521），请填写全称或6位代码）"),
        ('  "220381": {programs: {}}', "单位代码“220381”（公主岭市）在2022年不使用"),
        ('  "220000": {programs: {}}', "吉林省（220000）不单独报表"),
        ('  "220122": {programs: {rental: {figures: {no_such: 1}}}}', "农安县（220122）住房租赁保障：未知的数据项“no_such”"),
        ('  "220122": {programs: {rental: {figures: {total_funds: 不适用}}}}', "“用于租赁住房保障的全部财政资金”不能为“不适用”"),
        ('  "220122": {programs: {renovation: {answers: {cities_issuing_bonds: true}}}}', "只由prefecture_city回答"),
        ('  "220100": {programs: {renovation: {figures: {cities_issuing_bonds: 1}}}}', "由各单位的回答汇总，不能直接填报数值"),
        ('  "220122": {programs: {rental: {no_task: true, figures: {total_funds: 1}}}}', "标记为“无此项任务”的项目不能再填报数据"),
        ('  "220122": {programs: {rental: {figures: {total_funds: 约3万}}}}', "数据项“total_funds”应为数值，实为“约3万”"),
    ],
)
def test_broken_units_files(framework: Framework, tree: RegionTree, body: str, message: str) -> None:
    text = f'framework: "2022"\nregion: "220000"\nyear: 2022\nunits:\n{body}\n'
    with pytest.raises(UnitsError) as error:
        parse_units(parse_yaml(text, "units.yaml"), framework, tree)
    problems = "\n".join(str(p) for p in error.value.problems)
    assert message in problems and "units.yaml:5" in problems


def test_completeness_and_timeliness(tree: RegionTree, example_units: UnitsFile) -> None:
    report = completeness(tree, example_units)
    assert report.rate == (48, 48)
    assert report.deadline == dt.date(2023, 1, 20)
    assert [(s.unit.code, s.days_late) for s in report.late] == [("220623", 3), ("222402", 2)]
    fewer = example_units.model_copy(update={"units": {c: r for c, r in example_units.units.items()
                                                        if c not in ("220100", "222426")}})
    later = completeness(tree, fewer, dt.date(2023, 1, 10))
    assert [s.unit.code for s in later.missing] == ["220100", "222426"]
    assert later.rate == (46, 48)
    assert all(s.submitted_on is not None and s.submitted_on > dt.date(2023, 1, 10) for s in later.late)


def test_file_timestamp_stands_in_for_a_missing_date(tree: RegionTree, example_units: UnitsFile) -> None:
    report = example_units.units["220122"].model_copy(
        update={"submitted_at": None, "received_at": dt.datetime(2023, 1, 25, 9, 30)})
    units = example_units.model_copy(update={"units": {**example_units.units, "220122": report}})
    status = next(s for s in completeness(tree, units).statuses if s.unit.code == "220122")
    assert (status.date_source, status.days_late) == ("file", 5)


def test_dump_writes_not_applicable_in_chinese(example_units: UnitsFile) -> None:
    text = dump_units(example_units)
    assert "target_new_rental: 不适用" in text and "&id" not in text
