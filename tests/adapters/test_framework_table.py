"""The indicator table in and out of Excel: export → import gives the same framework (digest), and
a table with a wrong 分值 sum, an unknown rule kind or a tier gap is refused with sheet and cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from anju.adapters.framework_table import COL, HEADER_ROW, TableError, export_workbook, read_workbook
from anju.cli import app
from anju.framework import builtin_framework, load_framework

runner = CliRunner()


@pytest.mark.parametrize("year", ["2020", "2022", "2024"])
def test_round_trip_gives_the_same_digest(year: str, tmp_path: Path) -> None:
    book = tmp_path / "指标表.xlsx"
    result = runner.invoke(app, ["framework", "export", year, "-o", str(book)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["framework", "import", str(book), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert load_framework(tmp_path / "out").digest == builtin_framework(year).digest


def test_layout_has_the_official_columns_and_validation(tmp_path: Path) -> None:
    book = tmp_path / "t.xlsx"
    book.write_bytes(export_workbook(builtin_framework("2024")))
    wb = load_workbook(book)
    assert wb.sheetnames == ["说明", "指标体系", "住房保障", "城中村改造", "城镇老旧小区改造", "城市危旧房改造", "数据项", "附件统计表"]
    ws = wb["住房保障"]
    header = [ws.cell(row=HEADER_ROW, column=c).value for c in range(1, 7)]
    assert header == ["一级指标", "二级指标", "三级指标", "分值", "评分标准/评分要点", "指标说明"]
    assert ws.cell(row=HEADER_ROW + 1, column=1).value == "资金管理"
    assert ws.cell(row=HEADER_ROW + 1, column=COL["编号"]).value == "fund_management"
    formulas = [dv.formula1 for dv in ws.data_validations.dataValidation]
    assert any("ratio_tiers" in (f or "") for f in formulas)
    assert any("官方" in (f or "") for f in formulas)


def _row(ws, path: str) -> int:  # type: ignore[no-untyped-def]
    return next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(row=r, column=COL["编号"]).value == path)


def _edited(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    book = tmp_path / "t.xlsx"
    book.write_bytes(export_workbook(builtin_framework("2024")))
    wb = load_workbook(book)
    edit(wb["住房保障"])
    wb.save(book)
    return book


def _refusal(book: Path) -> str:
    with pytest.raises(TableError) as caught:
        read_workbook(book)
    return "\n".join(str(p) for p in caught.value.problems)


def test_wrong_points_sum_is_refused_at_the_cell(tmp_path: Path) -> None:
    def edit(ws) -> None:  # type: ignore[no-untyped-def]
        ws.cell(row=_row(ws, "fund_management.fund_use"), column=COL["分值"], value=4)
    book = _edited(tmp_path, edit)
    text = _refusal(book)
    row = _row(load_workbook(book)["住房保障"], "fund_management")
    assert f"住房保障!D{row}" in text and "分值为 20，但下级分值合计为 19" in text, text


def test_program_total_is_checked_against_the_dimensions(tmp_path: Path) -> None:
    def edit(ws) -> None:  # type: ignore[no-untyped-def]
        ws["B3"] = 95
    text = _refusal(_edited(tmp_path, edit))
    assert "住房保障!B3" in text and "总分值为 95，但一级指标分值合计为 100" in text, text


def test_unknown_rule_kind_is_refused_at_the_cell(tmp_path: Path) -> None:
    def edit(ws) -> None:  # type: ignore[no-untyped-def]
        ws.cell(row=_row(ws, "fund_management.fund_use"), column=COL["规则类型"], value="bonus")
    book = _edited(tmp_path, edit)
    row = _row(load_workbook(book)["住房保障"], "fund_management.fund_use")
    text = _refusal(book)
    assert f"住房保障!H{row}" in text and "规则类型“bonus”未知" in text, text


def test_tier_gap_is_refused_at_the_cell(tmp_path: Path) -> None:
    def edit(ws) -> None:  # type: ignore[no-untyped-def]
        cell = ws.cell(row=_row(ws, "fund_management.fund_raising"), column=COL["规则参数（JSON）"])
        cell.value = cell.value.replace('"at_least": "20", "below": "40"', '"at_least": "25", "below": "40"')
    book = _edited(tmp_path, edit)
    row = _row(load_workbook(book)["住房保障"], "fund_management.fund_raising")
    text = _refusal(book)
    assert f"住房保障!I{row}" in text and "20%" in text, text


def test_typed_official_criteria_are_kept(tmp_path: Path) -> None:
    def edit(ws) -> None:  # type: ignore[no-untyped-def]
        row = _row(ws, "fund_management.fund_use")
        ws.cell(row=row, column=COL["评分标准/评分要点"], value="发现1件违规扣1分，扣完为止（官方原文）")
        ws.cell(row=row, column=COL["规则来源"], value="官方")
    framework = read_workbook(_edited(tmp_path, edit))
    item = dict(framework.program("housing_security").items())["fund_management.fund_use"]
    assert item.criteria == "发现1件违规扣1分，扣完为止（官方原文）"
    assert item.rule is not None and item.rule.provenance.value == "official"


def test_nothing_is_written_when_refused(tmp_path: Path) -> None:
    def edit(ws) -> None:  # type: ignore[no-untyped-def]
        ws["B3"] = 95
    book = _edited(tmp_path, edit)
    result = runner.invoke(app, ["framework", "import", str(book), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0 and "未写入" in result.output
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".anju-import-")]
