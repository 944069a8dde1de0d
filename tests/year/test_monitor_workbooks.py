"""The monitoring round through Excel: ``anju monitor template`` → filled with openpyxl → ``anju monitor import``."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from anju.adapters.monitoring.workbook import META_SHEET
from anju.cli import app
from anju.yamlio import read_yaml

from ..helpers import EXAMPLE
from .conftest import raw, write

runner = CliRunner()
DAY = "2022-06-30"
ENV = {"COLUMNS": "300"}


def _round(data: dict[str, Any], day: str) -> dict[str, Any]:
    return next(r for r in data["rounds"] if str(r["date"]) == day)


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    result = runner.invoke(app, ["monitor", "template", str(EXAMPLE), "--date", DAY, "-o", str(out)], env=ENV)
    assert result.exit_code == 0, result.output
    return out


def _workdir(tmp_path: Path) -> Path:
    """A copy of the example whose round of ``DAY`` has no reports yet."""
    tmp_path.mkdir()
    shutil.copy(EXAMPLE / "targets.yaml", tmp_path / "targets.yaml")
    data = raw("monitoring.yaml")
    _round(data, DAY)["reports"] = {}
    write(tmp_path / "monitoring.yaml", data)
    return tmp_path


def _fill(template: Path, target: Path, report: dict[str, Any]) -> Path:
    """Type the example's report into the workbook, as a unit's clerk would."""
    wb = openpyxl.load_workbook(template)
    for ws in wb.worksheets:
        if ws.title in ("说明", META_SHEET):
            continue
        program_id = _PROGRAMS[ws.title]
        if program_id not in report["programs"]:
            continue
        data = report["programs"][program_id]
        answers = {(e["rule"], e.get("indicator")): e for e in data.get("explanations", [])}
        for row in range(4, ws.max_row + 1):
            label = str(ws[f"A{row}"].value or "")
            if label.startswith("预算（中央补助）"):
                ws[f"D{row}"] = float(data["budget"])
            elif label.startswith("实际支出"):
                ws[f"D{row}"] = float(data["spent"])
            for indicator, value in data.get("progress", {}).items():
                if label.startswith(_indicator_label(program_id, indicator) + "（自年初累计完成）"):
                    ws[f"D{row}"] = int(value) if value == int(value) else float(value)
            for (rule, indicator), answer in answers.items():
                if label == _answer_label(program_id, rule, indicator):
                    ws[f"D{row}"], ws[f"E{row}"] = answer["reason"], answer["measure"]
    path = target / template.name
    wb.save(path)
    return path


_TARGETS = raw("targets.yaml")
_MONITORING = raw("monitoring.yaml")
_PROGRAMS = {"住房租赁保障": "rental", "城镇老旧小区改造": "renovation", "城市棚户区改造": "shantytown"}


def _indicator_label(program_id: str, indicator: str) -> str:
    return str(next(i["label"] for i in _TARGETS["programs"][program_id]["indicators"] if i["id"] == indicator))


def _answer_label(program_id: str, rule: str, indicator: str | None) -> str:
    rule_label = next(r["label"] for r in _MONITORING["rules"] if r["id"] == rule)
    subject = "预算执行" if indicator is None else _indicator_label(program_id, indicator)
    return f"{subject}：{rule_label}"


def _filled(templates: Path, target: Path, codes: list[str] | None = None) -> list[Path]:
    reports = _round(raw("monitoring.yaml"), DAY)["reports"]
    paths = []
    for template in sorted(templates.glob("*.xlsx")):
        code = template.name.split("_")[0]
        if code in reports and (codes is None or code in codes):
            paths.append(_fill(template, target, reports[code]))
    return paths


def _import(files: list[Path], work: Path, *extra: str) -> Any:
    return runner.invoke(app, ["monitor", "import", *map(str, files), "--targets", str(work),
                               "-o", str(work / "monitoring.yaml"), *extra], env=ENV)


def test_round_trip_gives_the_examples_values(templates: Path, tmp_path: Path) -> None:
    work = _workdir(tmp_path / "work")
    filled = tmp_path / "filled"
    filled.mkdir()
    files = _filled(templates, filled)
    expected = _round(raw("monitoring.yaml"), DAY)["reports"]
    assert len(files) == len(expected) > 10
    result = _import(files, work)
    assert "已导入2022年6月30日监控填报表" in result.output, result.output
    assert result.exit_code == 0, result.output
    assert "本轮监控情况可以报送" in result.output
    got = _round(read_yaml(work / "monitoring.yaml").data, DAY)["reports"]
    assert set(got) == set(expected)
    for code, report in expected.items():
        for program_id, data in report["programs"].items():
            mine = got[code]["programs"][program_id]
            assert Decimal(mine["budget"]) == Decimal(data["budget"]), (code, program_id)
            assert Decimal(mine["spent"]) == Decimal(data["spent"])
            assert {k: Decimal(v) for k, v in mine["progress"].items()} == {k: Decimal(v) for k, v in data.get("progress", {}).items()}
            key = lambda e: (e["rule"], e.get("indicator") or "")  # noqa: E731
            assert sorted(mine["explanations"], key=key) == sorted(data.get("explanations", []), key=key), (code, program_id)
    # the other round is kept as it was
    assert _round(read_yaml(work / "monitoring.yaml").data, "2022-09-30") == _round(raw("monitoring.yaml"), "2022-09-30")


def test_a_bad_cell_is_named_by_sheet_and_cell_and_nothing_is_written(templates: Path, tmp_path: Path) -> None:
    work = _workdir(tmp_path / "work")
    before = (work / "monitoring.yaml").read_bytes()
    filled = tmp_path / "filled"
    filled.mkdir()
    files = _filled(templates, filled, ["220100", "220122"])
    bad = next(f for f in files if f.name.startswith("220100"))
    wb = openpyxl.load_workbook(bad)
    ws = wb["住房租赁保障"]
    ws["D5"] = "两千"
    wb.save(bad)
    result = _import(files, work)
    assert result.exit_code == 2, result.output
    assert "全部未导入" in result.output
    assert "住房租赁" in result.output and "D5" in result.output and "两千" in result.output
    assert (work / "monitoring.yaml").read_bytes() == before


def test_a_workbook_for_another_date_is_refused(templates: Path, tmp_path: Path) -> None:
    work = _workdir(tmp_path / "work")
    before = (work / "monitoring.yaml").read_bytes()
    filled = tmp_path / "filled"
    filled.mkdir()
    files = _filled(templates, filled, ["220100"])
    result = _import(files, work, "--date", "2022-09-30")
    assert result.exit_code == 2, result.output
    assert "这是2022年6月30日的监控填报表，本次导入的是2022年9月30日" in result.output
    assert (work / "monitoring.yaml").read_bytes() == before


@pytest.mark.parametrize(("key", "value"), [("date", "2022-09-30"), ("unit", "220122"), ("checksum", "0" * 32)])
def test_altered_metadata_is_refused(templates: Path, tmp_path: Path, key: str, value: str) -> None:
    work = _workdir(tmp_path / "work")
    before = (work / "monitoring.yaml").read_bytes()
    filled = tmp_path / "filled"
    filled.mkdir()
    [path] = _filled(templates, filled, ["220100"])
    wb = openpyxl.load_workbook(path)
    meta = wb[META_SHEET]
    row = next(r for r in range(1, meta.max_row + 1) if meta.cell(row=r, column=1).value == key)
    meta.cell(row=row, column=2, value=value)
    wb.save(path)
    result = _import([path], work)
    assert result.exit_code == 2, result.output
    assert "模板校验码不符" in result.output or "隐藏的模板标识被改动" in result.output, result.output
    assert (work / "monitoring.yaml").read_bytes() == before


def test_an_unfilled_workbook_is_refused(templates: Path, tmp_path: Path) -> None:
    work = _workdir(tmp_path / "work")
    before = (work / "monitoring.yaml").read_bytes()
    result = _import([next(templates.glob("220100_*.xlsx"))], work)
    assert result.exit_code == 2, result.output
    assert "没有填写任何项目的预算和实际支出" in result.output and "住房租赁保障!D4" in result.output
    assert (work / "monitoring.yaml").read_bytes() == before


def test_a_warning_left_unexplained_is_imported_but_cannot_be_submitted(templates: Path, tmp_path: Path) -> None:
    work = _workdir(tmp_path / "work")
    filled = tmp_path / "filled"
    filled.mkdir()
    [path] = _filled(templates, filled, ["220100"])
    wb = openpyxl.load_workbook(path)
    ws = wb["住房租赁保障"]
    for row in range(4, ws.max_row + 1):
        ws[f"D{row}"].value = None if str(ws[f"A{row}"].value or "").startswith("预算执行：") else ws[f"D{row}"].value
        if str(ws[f"A{row}"].value or "").startswith("预算执行："):
            ws[f"E{row}"].value = None
    wb.save(path)
    result = _import([path], work)
    assert result.exit_code == 2, result.output
    assert "已导入" in result.output and "本轮监控情况不能报送" in result.output
    got = _round(read_yaml(work / "monitoring.yaml").data, DAY)["reports"]["220100"]["programs"]["rental"]
    assert all(e["rule"] not in ("execution_behind", "execution_far_behind") for e in got["explanations"])


def test_a_template_for_an_undeclared_date_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["monitor", "template", str(EXAMPLE), "--date", "2022-07-01", "-o", str(tmp_path / "out")], env=ENV)
    assert result.exit_code == 2, result.output
    assert "不是声明的监控日期" in result.output
    assert not (tmp_path / "out").exists()
