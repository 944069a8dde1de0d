"""Generate templates, fill them like a clerk, import, aggregate, evaluate → the seed's scores."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.worksheet.datavalidation import DataValidation

from anju.adapters.excel import importer
from anju.adapters.excel.importer import ImportContext, import_workbooks, merge_outcomes
from anju.adapters.excel.layout import META_SHEET, build_layout
from anju.collect.aggregate import aggregate_units, with_unit_figures
from anju.collect.regions import RegionTree
from anju.collect.units import UnitsFile
from anju.dataset import load_dataset
from anju.framework import Framework
from anju.scoring import evaluate

from ..helpers import EXAMPLE


def test_one_template_per_reporting_unit(blank_templates: Path) -> None:
    names = sorted(p.name for p in blank_templates.glob("*.xlsx"))
    assert len(names) == 48
    assert "220100_长春市.xlsx" in names and "222426_安图县.xlsx" in names
    assert "220381_公主岭市.xlsx" not in names  # a code retired in 2019


def test_template_structure(blank_templates: Path, framework: Framework, tree: RegionTree) -> None:
    wb = openpyxl.load_workbook(blank_templates / "220100_长春市.xlsx")
    assert wb.sheetnames == ["说明", "封面", "住房租赁保障", "城镇老旧小区改造", "城市棚户区改造", META_SHEET]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert wb.security is not None and wb.security.lockStructure
    layout = build_layout(framework, tree, tree.unit("220100"))
    meta = {row[0].value: row[1].value for row in wb[META_SHEET].iter_rows()}
    assert meta["template_id"] == "anju/2022/220000/220100" and meta["checksum"] == layout.checksum
    ws = wb["住房租赁保障"]
    assert ws.protection.sheet
    assert ws["B7"].value == "中央财政资金" and ws["B7"].protection.locked
    assert not ws["C7"].protection.locked and not ws["F7"].protection.locked and not ws["C3"].protection.locked
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    amount, count, percent = rules["C7"], rules["C11"], rules["C24"]
    assert (amount.type, amount.operator, amount.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert (count.type, count.operator) == ("whole", "greaterThanOrEqual")
    assert (percent.type, percent.formula1, percent.formula2) == ("decimal", "0", "100")
    assert rules["C3"].type == "list" and rules["C3"].formula1 == '"是,否"'
    na: DataValidation = rules["C19"]  # “十四五”新增保障性租赁住房: a number or 不适用
    assert na.type == "custom" and "不适用" in (na.formula1 or "")
    guide = "\n".join(str(c.value) for c in wb["说明"]["A"] if c.value)
    assert "报送截止日期：2023年1月20日" in guide and "无此项任务" in guide and "【错误】" in guide


def test_questions_are_asked_of_prefecture_cities_only(blank_templates: Path) -> None:
    city = openpyxl.load_workbook(blank_templates / "220100_长春市.xlsx")["城镇老旧小区改造"]
    county = openpyxl.load_workbook(blank_templates / "220122_农安县.xlsx")["城镇老旧小区改造"]
    yanbian = openpyxl.load_workbook(blank_templates / "222400_延边朝鲜族自治州.xlsx")["城镇老旧小区改造"]

    def questions(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[str]:
        return [str(c.value) for c in ws["B"] if c.value and str(c.value).startswith("本市是否")]

    assert len(questions(city)) == 3
    assert questions(county) == [] and questions(yanbian) == []  # 自治州 is not a 地级及以上城市


def test_round_trip_reproduces_the_seed_scores(filled_templates: Path, framework: Framework, tree: RegionTree,
                                               context: ImportContext, example_units: UnitsFile) -> None:
    paths = sorted(filled_templates.glob("*.xlsx"))
    outcomes = import_workbooks(paths, context)
    assert [str(p) for o in outcomes for p in o.problems] == []
    assert all(o.accepted and not o.warnings for o in outcomes)
    imported = merge_outcomes(outcomes, framework, tree, 2022)
    assert list(imported.units) == list(example_units.units)
    for code, report in imported.units.items():
        expected = example_units.units[code]
        assert report.programs == expected.programs, code
        assert report.submitted_at == expected.submitted_at
        assert report.reporter == "张三" and report.source and report.sha256
    result = aggregate_units(framework, tree, imported)
    assert result.problems == []
    dataset, _ = load_dataset(EXAMPLE)
    for program_id, data in dataset.programs.items():
        assert result.province()[program_id] == data.figures
    evaluation = evaluate(framework, with_unit_figures(dataset, result))
    assert [p.score for p in evaluation.programs] == [Decimal(88), Decimal(85), Decimal(93)]


def test_parallel_import_gives_the_same_outcomes(filled_templates: Path, context: ImportContext, tmp_path: Path) -> None:
    """Two processes read the batch: same outcomes in the same order, a second copy still refused."""
    import shutil

    paths = sorted(filled_templates.glob("*.xlsx"))
    copies = []
    for index, path in enumerate(paths[:20]):
        copy = tmp_path / f"副本{index}_{path.name}"
        shutil.copy(path, copy)
        copies.append(copy)
    batch = [*paths, *copies]
    assert len(batch) >= importer.PARALLEL_MIN_FILES

    def shown(outcomes: list[importer.ImportOutcome]) -> list[tuple[str, str | None, bool, list[str]]]:
        return [(o.path.name, o.unit, o.accepted, [str(p) for p in o.refusals]) for o in outcomes]

    serial = import_workbooks(batch, context)
    parallel = import_workbooks(batch, context, workers=2)
    assert shown(parallel) == shown(serial)
    assert sum(o.accepted for o in parallel) == len(paths)
    assert all(not o.accepted and "同一批次只能导入一份" in str(o.refusals[0]) for o in parallel[len(paths):])
    assert [o.report for o in parallel] == [o.report for o in serial]
