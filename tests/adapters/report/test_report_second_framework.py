"""A second framework (tests/fixtures/second_framework: two programs, other figure ids, three
appendix tables of its own) renders its appendix with no code change."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from anju.adapters.report import ReportFiles, write_report
from anju.adapters.report.appendix import UnitRow
from anju.dataset import Dataset, load_dataset
from anju.framework import Framework, builtin_framework, load_framework
from anju.scoring import evaluate

from ...helpers import FIXTURES, ROOT

SECOND = FIXTURES / "second_framework"
CITIES: list[UnitRow] = [
    ("沈阳市", {"leasing": {"grant_budget": Decimal(600), "grant_spent": Decimal(500), "own_money": Decimal("150.5"),
                            "homes_target": Decimal(300), "homes_delivered": Decimal(290)},
                "retrofit": {"grant_budget": Decimal(1200), "grant_spent": Decimal(900), "city_outlay": Decimal(100),
                             "estates_target": Decimal(30), "estates_begun": Decimal(28),
                             "floor_target": Decimal(70000), "floor_begun": Decimal(60000)}}),
    ("大连市", {"leasing": {"grant_budget": Decimal(400), "grant_spent": Decimal(300), "own_money": Decimal(100),
                            "homes_target": Decimal(100), "homes_delivered": Decimal(90)},
                "retrofit": {"grant_budget": Decimal(800), "grant_spent": Decimal(600), "city_outlay": "not_applicable",
                             "estates_target": Decimal(20), "estates_begun": Decimal(17),
                             "floor_target": Decimal(50000), "floor_begun": Decimal(40000)}}),
]


@pytest.fixture(scope="module")
def second() -> tuple[Dataset, Framework]:
    framework = load_framework(SECOND)
    dataset, _ = load_dataset(SECOND / "dataset.yaml", framework)
    return dataset, framework


@pytest.fixture(scope="module")
def files(second: tuple[Dataset, Framework], tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    dataset, framework = second
    return write_report(evaluate(framework, dataset), framework, dataset, tmp_path_factory.mktemp("second"),
                        rows=CITIES)


def number(value: object) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(str(value))


def test_its_own_tables_titles_and_headers(files: ReportFiles) -> None:
    assert files.appendix.name == "辽宁省2030年度绩效评价附件1-3统计表.xlsx"
    assert files.appendix_label == "附件1–3 统计表（Excel，3个工作表）"
    book = load_workbook(files.appendix)
    assert book.sheetnames == ["附表一 补助资金", "附表二 地方投入", "附表三 任务完成"]
    money = book["附表一 补助资金"]
    assert [money[c].value for c in ("A1", "A2", "B2", "A3", "A7")] == ["辽宁省2030年度补助资金执行表", "附件1", "金额单位：万元",
                                                                    "地区", "全省合计"]
    assert [money.cell(3, c).value for c in (2, 5, 7)] == ["两项合计", "保障性租赁住房", "老旧小区更新"]  # program labels
    assert [money.cell(4, c).value for c in range(2, 9)] == ["预算", "支出", "执行率", "预算", "支出", "预算", "支出"]
    assert {"B3:D3", "E3:F3", "G3:H3", "A3:A4"} <= {str(r) for r in money.merged_cells.ranges}
    local = book["附表二 地方投入"]
    assert [local.cell(4, c).value for c in (3, 4)] == ["保障性租赁住房", "老旧小区更新"]
    assert "B3:B4" in {str(r) for r in local.merged_cells.ranges}  # a group without a header: both rows
    notes = " ".join(str(local.cell(r, 1).value) for r in range(8, local.max_row + 1))
    assert "口径：保障性租赁住房：本级财政投入；老旧小区更新：市县财政支出。" in notes


def test_totals_equal_the_sums_and_ratios_come_from_the_sums(files: ReportFiles) -> None:
    values, formulas = load_workbook(files.appendix, data_only=True), load_workbook(files.appendix)
    money = values["附表一 补助资金"]
    assert [money.cell(r, 1).value for r in (5, 6, 7)] == ["沈阳市", "大连市", "全省合计"]
    for col in range(2, 9):
        if col == 4:  # 执行率
            continue
        assert number(money.cell(7, col).value) == number(money.cell(5, col).value) + number(money.cell(6, col).value)
        letter = money.cell(7, col).column_letter
        assert formulas["附表一 补助资金"].cell(7, col).value == f"=SUM({letter}5:{letter}6)"
    assert number(money["B5"].value) == Decimal(1800) and number(money["C7"].value) == Decimal(2300)
    assert money["D7"].value == pytest.approx(2300 / 3000)  # from the sums, not the mean of the two cities' rates
    assert money["D7"].number_format == "0.0%" and money["B5"].number_format == "#,##0.00"
    local = values["附表二 地方投入"]
    assert local["D6"].value == "不适用" and number(local["D7"].value) == Decimal(100)  # 不适用 adds nothing
    assert number(local["B6"].value) == Decimal(100) and number(local["B7"].value) == Decimal("350.5")
    tasks = values["附表三 任务完成"]
    assert [tasks.cell(4, c).value for c in range(2, 10)] == ["计划", "完成", "完成率", "计划小区", "开工小区", "计划面积",
                                                              "开工面积", "面积开工率"]
    assert tasks["C3"].value is None and tasks["E3"].value == "老旧小区更新"
    assert tasks["B7"].number_format == "#,##0" and tasks["H7"].number_format == "#,##0"  # a whole area: no ".00"
    assert number(tasks["H7"].value) == Decimal(100000)
    assert tasks["I7"].value == pytest.approx(100000 / 120000)


def test_the_documents_number_the_attachments_after_its_tables(
    files: ReportFiles, second: tuple[Dataset, Framework], tmp_path: Path
) -> None:
    text = files.markdown.read_text(encoding="utf-8")
    assert "1. 辽宁省2030年度补助资金执行表" in text and "3. 辽宁省2030年度任务完成表" in text
    assert "## 附件4　2030年辽宁省城镇保障性安居工程绩效评价指标得分表" in text
    assert "附件5" not in text  # no charts asked for, no evidence cited
    dataset, framework = second
    charted = write_report(evaluate(framework, dataset), framework, dataset, tmp_path / "charted", rows=CITIES,
                           charts=True)
    text = charted.markdown.read_text(encoding="utf-8")
    assert "## 附件5　2030年辽宁省城镇保障性安居工程绩效评价得分情况图" in text and "附件6" not in text


def test_the_renderer_knows_no_year_of_figures_or_programs() -> None:
    """Nothing of the 2022 declaration is written in the code that renders the appendix."""
    framework = builtin_framework("2022")
    names = {f.id for p in framework.programs for f in p.figures if "_" in f.id} | {p.label for p in framework.programs}
    modules = ("adapters/report/appendix.py", "adapters/report/xlsx.py", "adapters/report/__init__.py",
               "framework/appendix.py")
    code = "".join((ROOT / "src/anju" / module).read_text(encoding="utf-8") for module in modules)
    assert sorted(n for n in names if n in code) == []
