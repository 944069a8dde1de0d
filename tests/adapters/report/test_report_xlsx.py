"""The Excel files, opened with openpyxl: figures match the dataset, totals equal the sums."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from anju.adapters.report import ReportFiles
from anju.adapters.report.appendix import UnitRow
from anju.adapters.report.content import ReportContent
from anju.adapters.report.xlsx import write_appendix_workbook
from anju.dataset import Dataset
from anju.decimals import plain
from anju.framework import builtin_framework
from anju.framework.appendix import group_header
from anju.framework.models import AppendixTable, FigureColumn, Framework, RatioColumn, SumColumn
from anju.scoring import Evaluation

CENT = Decimal("0.01")
FRAMEWORK = builtin_framework("2022")
APPENDIX_TABLES = FRAMEWORK.appendix.tables


def dec(value: Any) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(str(value)).quantize(CENT)


def sheets(path: Path) -> tuple[Any, Any]:
    return load_workbook(path, data_only=True), load_workbook(path, data_only=False)


def data_rows(ws: Worksheet) -> list[int]:
    """1-based rows between the header and the totals row."""
    rows = []
    for row in range(5, ws.max_row + 1):
        label = ws.cell(row, 1).value
        if label == "合计":
            return rows
        rows.append(row)
    raise AssertionError("no totals row")


def column_index(table: AppendixTable, key: str) -> int:
    return [c.id for c in table.columns()].index(key) + 2  # 1-based, after the 单位 column


# --- appendix tables -----------------------------------------------------------------------


def test_four_sheets_with_titles_units_and_merged_headers(report: ReportFiles, content: ReportContent) -> None:
    values, _ = sheets(report.appendix)
    assert values.sheetnames == [t.sheet for t in APPENDIX_TABLES]
    for table in APPENDIX_TABLES:
        ws = values[table.sheet]
        assert ws["A1"].value == content.appendix_titles[table.number]
        assert ws["A2"].value == f"附件{table.number}" and ws["B2"].value == table.unit
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert "A3:A4" in merged  # 单位 spans both header rows
        for group in table.groups:
            first = column_index(table, group.columns[0].id)
            label = group_header(FRAMEWORK, group)
            if label is not None and len(group.columns) > 1:
                last = column_index(table, group.columns[-1].id)
                start, end = ws.cell(3, first).coordinate, ws.cell(3, last).coordinate
                assert f"{start}:{end}" in merged
                assert ws.cell(3, first).value == label
        assert ws.freeze_panes == "B5"
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert ws.page_setup.fitToWidth in (None, 1)  # absent means 1 page wide (ECMA-376 default)
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$4"


def test_every_figure_matches_the_dataset(report: ReportFiles, scored_jilin: tuple[Dataset, Framework, Evaluation]) -> None:
    dataset, _, _ = scored_jilin
    values, _ = sheets(report.appendix)
    checked = 0
    for table in APPENDIX_TABLES:
        ws = values[table.sheet]
        (row,) = data_rows(ws)
        assert ws.cell(row, 1).value == "吉林省"
        for column in table.columns():
            if isinstance(column, FigureColumn):
                cell = ws.cell(row, column_index(table, column.id))
                expected = dataset.programs[column.program].figures[column.figure]  # type: ignore[index]
                assert isinstance(expected, Decimal)
                assert dec(cell.value) == expected.quantize(CENT), (table.sheet, column.id)
                assert "#,##0" in cell.number_format
                checked += 1
    assert checked == 6 + 3 + 10 + 8


def test_totals_rows_equal_the_sums_and_rates_are_recomputed(report: ReportFiles) -> None:
    values, formulas = sheets(report.appendix)
    for table in APPENDIX_TABLES:
        ws, wf = values[table.sheet], formulas[table.sheet]
        rows = data_rows(ws)
        total = rows[-1] + 1
        for column in table.columns():
            col = column_index(table, column.id)
            if isinstance(column, RatioColumn):
                num = ws.cell(total, column_index(table, column.numerator)).value
                den = ws.cell(total, column_index(table, column.denominator)).value
                assert ws.cell(total, col).value == pytest.approx(num / den)
                assert ws.cell(total, col).number_format == "0.0%"
                continue
            summed = sum(dec(ws.cell(r, col).value) for r in rows)
            assert dec(ws.cell(total, col).value) == summed, (table.sheet, column.id)
            letter = ws.cell(total, col).column_letter
            assert wf.cell(total, col).value == f"=SUM({letter}{rows[0]}:{letter}{rows[-1]})"
            if isinstance(column, SumColumn):
                parts = sum(dec(ws.cell(rows[0], column_index(table, p)).value) for p in column.sum)
                assert dec(ws.cell(rows[0], col).value) == parts


def test_execution_rates_are_the_computed_ones(report: ReportFiles) -> None:
    values, formulas = sheets(report.appendix)
    ws = values["附件1 中央财政资金支出"]
    table = APPENDIX_TABLES[0]
    row = data_rows(ws)[0]
    rate = ws.cell(row, column_index(table, "renovation_rate")).value
    assert round(rate * 100, 1) == 32.8  # the seed stated 52.9%
    assert round(ws.cell(row, column_index(table, "rental_rate")).value * 100, 1) == 64.9
    assert formulas["附件1 中央财政资金支出"].cell(row, column_index(table, "renovation_rate")).value == "=I5/H5"


def test_many_units_blank_and_not_applicable(tmp_path: Path, content: ReportContent,
                                             scored_jilin: tuple[Dataset, Framework, Evaluation]) -> None:
    _, framework, _ = scored_jilin
    rows: list[UnitRow] = [
        ("长春市", {"rental": {"county_funds": Decimal("100.5"), "central_budget": Decimal(200),
                               "central_spent": Decimal(150)},
                    "renovation": {"county_spending": Decimal(10), "central_budget": Decimal(40),
                                   "central_spent": Decimal(4)},
                    "shantytown": {"local_funds": Decimal(7), "central_budget": Decimal(0),
                                   "central_spent": Decimal(0)}}),
        ("吉林市", {"rental": {"county_funds": Decimal("0.25"), "central_budget": Decimal(100),
                               "central_spent": Decimal(50)},
                    "renovation": {"county_spending": "not_applicable", "central_budget": "not_applicable",
                                   "central_spent": "not_applicable"},
                    "shantytown": {"local_funds": None, "central_budget": Decimal(10),
                                   "central_spent": Decimal(5)}}),
    ]
    target = tmp_path / "附件.xlsx"
    write_appendix_workbook(target, content, framework, rows, APPENDIX_TABLES[:2])
    values, formulas = sheets(target)
    central = values["附件1 中央财政资金支出"]
    table = APPENDIX_TABLES[0]
    assert [central.cell(r, 1).value for r in (5, 6, 7)] == ["长春市", "吉林市", "合计"]
    col = column_index(table, "rental_budget")
    assert central.cell(7, col).value == 300
    assert central.cell(7, column_index(table, "rental_rate")).value == pytest.approx(200 / 300)  # not the mean rate
    assert central.cell(6, column_index(table, "renovation_budget")).value == "不适用"
    assert central.cell(6, column_index(table, "renovation_rate")).value == "不适用"
    assert central.cell(7, column_index(table, "renovation_budget")).value == 40  # 不适用 adds nothing
    assert central.cell(5, column_index(table, "shantytown_rate")).value == "—"  # budget 0: no rate
    local = values["附件2 市县财政资金支出"]
    table2 = APPENDIX_TABLES[1]
    shanty = column_index(table2, "shantytown")
    assert local.cell(6, shanty).value is None  # blank stays blank, never 0
    assert local.cell(7, shanty).value is None  # a total with a blank part is unknown
    assert formulas["附件2 市县财政资金支出"].cell(7, shanty).comment is not None
    assert local.cell(6, column_index(table2, "total")).value is None
    assert local.cell(5, column_index(table2, "total")).value == pytest.approx(117.5)
    assert local.cell(7, column_index(table2, "rental")).value == pytest.approx(100.75)
    assert "口径" in "".join(str(local.cell(r, 1).value) for r in range(8, local.max_row + 1))


# --- score table ---------------------------------------------------------------------------


def test_score_workbook(report: ReportFiles, scored_jilin: tuple[Dataset, Framework, Evaluation]) -> None:
    _, _, evaluation = scored_jilin
    values, formulas = sheets(report.scores)
    assert values.sheetnames == ["汇总", "住房租赁保障", "城镇老旧小区改造", "城市棚户区改造"]
    summary = values["汇总"]
    assert [(summary.cell(r, 1).value, summary.cell(r, 3).value) for r in (4, 5, 6)] == [
        ("住房租赁保障", 88), ("城镇老旧小区改造", 85), ("城市棚户区改造", 93)
    ]
    for program in evaluation.programs:
        ws, wf = values[program.label], formulas[program.label]
        items = list(program.items())
        for offset, item in enumerate(items):
            r = 4 + offset
            assert ws.cell(r, 9).value == item.path
            assert ws.cell(r, 2).value == item.label
            assert [dec(ws.cell(r, c).value) for c in (3, 4, 5)] == [item.points, item.score, item.deduction]
        total = 4 + len(items)
        assert ws.cell(total, 1).value == "合计"
        dimension_rows = [4 + i for i, item in enumerate(items) if item.level == 1]
        for col in (3, 4, 5):
            assert dec(ws.cell(total, col).value) == sum(dec(ws.cell(r, col).value) for r in dimension_rows)
            assert wf.cell(total, col).value.startswith("=SUM(")
        assert ws.cell(total, 4).value == int(program.score)
        assert ws.cell(total, 6).value == f"等级：{program.grade}"
        assert ws.freeze_panes == "C4"
        assert ws.page_setup.orientation == "landscape"
    lost = [r for r in range(4, 40) if values["住房租赁保障"].cell(r, 9).value == "outputs.support_policies"]
    assert values["住房租赁保障"].cell(lost[0], 7).value.startswith("信贷支持仅限指导")
    assert plain(Decimal(1)) == "1"
