"""The template writer (XlsxWriter): a pre-filled template imports back to exactly the report it was
filled from, its validation and protection are there when Excel (here openpyxl) opens it, user text
never becomes a formula, and a batch written by several processes is the same as one written by one."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from anju.adapters.excel import template
from anju.adapters.excel.importer import ImportContext, import_workbooks, merge_outcomes
from anju.adapters.excel.layout import (
    COVER_FIELDS,
    COVER_SHEET,
    GUIDE_SHEET,
    META_SHEET,
    NO_TASK_CELL,
    FigureRow,
    Layout,
    build_layout,
    cover_row,
)
from anju.adapters.excel.template import write_templates
from anju.collect.regions import RegionTree
from anju.collect.units import UnitProgram, UnitsFile
from anju.collect.validation import RuleSet
from anju.files import FileWriteError
from anju.framework import Framework

from ..helpers import workbook_cells

INJECTED = ["=HYPERLINK(\"http://example.com\",\"点此\")", "+1+1", "-2+3", "@SUM(1,2)", "http://example.com/x",
            "=1+1\n第二行", "3.5", "0012"]


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory: pytest.TempPathFactory, framework: Framework, tree: RegionTree, rules: RuleSet,
              example_units: UnitsFile) -> Path:
    """Every Jilin unit's template pre-filled with the example's report (``anju template --fill``),
    written with Python warnings as errors (XlsxWriter warns when it drops a validation)."""
    target = tmp_path_factory.mktemp("prefilled")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_templates(framework, tree, target, rules=rules, prefill=example_units.units)
    return target


def _layout(framework: Framework, tree: RegionTree, code: str) -> Layout:
    return build_layout(framework, tree, tree.unit(code))


def test_a_prefilled_template_imports_back_to_identical_figures(prefilled: Path, framework: Framework, tree: RegionTree,
                                                               context: ImportContext, example_units: UnitsFile) -> None:
    outcomes = import_workbooks(sorted(prefilled.glob("*.xlsx")), context)
    assert [str(p) for o in outcomes for p in o.refusals] == []
    imported = merge_outcomes(outcomes, framework, tree, 2022)
    assert list(imported.units) == list(example_units.units)
    for code, report in imported.units.items():
        expected = example_units.units[code]
        assert report.programs == expected.programs, code
        assert (report.submitted_at, report.reporter, report.phone) == (expected.submitted_at, expected.reporter,
                                                                       expected.phone), code


def _inputs(layout: Layout) -> dict[str, set[str]]:
    """Every cell a unit may type into, by sheet."""
    inputs = {COVER_SHEET: {f"B{cover_row(key)}" for key, _label, is_input in COVER_FIELDS if is_input}}
    for sheet in layout.sheets:
        inputs[sheet.name] = {NO_TASK_CELL} | {r.cell for r in sheet.rows} | {f"F{r.row}" for r in sheet.rows}
    return inputs


def test_validation_and_protection_survive(prefilled: Path, framework: Framework, tree: RegionTree) -> None:
    for code in ("220100", "220122"):  # a prefecture city (answers questions) and a county
        layout = _layout(framework, tree, code)
        wb = openpyxl.load_workbook(prefilled / layout.file_name)
        assert wb.sheetnames == [GUIDE_SHEET, COVER_SHEET, *(s.name for s in layout.sheets), META_SHEET]
        assert wb.security is not None and wb.security.lockStructure
        assert wb.active is not None and wb.active.title == COVER_SHEET
        assert wb[META_SHEET].sheet_state == "veryHidden"
        meta = {row[0].value: row[1].value for row in wb[META_SHEET].iter_rows()}
        assert meta == layout.meta()
        inputs = _inputs(layout)
        for ws in wb.worksheets:
            assert ws.protection.sheet, ws.title
            # still allowed on a protected sheet: selecting cells, resizing rows and columns
            assert not (ws.protection.selectLockedCells or ws.protection.selectUnlockedCells), ws.title
            assert not (ws.protection.formatColumns or ws.protection.formatRows), ws.title
            assert ws.protection.insertRows and ws.protection.deleteRows and ws.protection.formatCells, ws.title
            unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
            assert unlocked == inputs.get(ws.title, set()), ws.title
        cover = wb[COVER_SHEET]
        [date_rule] = cover.data_validations.dataValidation
        date_cell = f"B{cover_row('submitted_at')}"
        assert (str(date_rule.sqref), date_rule.type, date_rule.operator, date_rule.formula1) == (
            date_cell, "date", "greaterThanOrEqual", "36526")
        assert cover[date_cell].number_format == "yyyy-mm-dd"
        for sheet in layout.sheets:
            _check_program_sheet(wb[sheet.name], sheet.rows)


def _check_program_sheet(ws: Worksheet, rows: tuple[FigureRow, ...]) -> None:
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert set(rules) == {NO_TASK_CELL} | {r.cell for r in rows}
    switch = rules[NO_TASK_CELL]
    assert (switch.type, switch.formula1, switch.allow_blank) == ("list", '"是,否"', False)
    for row in rows:
        rule, spec = rules[row.cell], row.spec
        assert rule.showErrorMessage and rule.showInputMessage and rule.allow_blank, row.cell
        assert rule.promptTitle == row.label[:32] and rule.prompt == row.requirement, row.cell
        if row.question:
            assert (rule.type, rule.formula1) == ("list", '"是,否"')
        elif spec.allow_not_applicable:
            assert rule.type == "custom" and "不适用" in (rule.formula1 or "") and row.cell in (rule.formula1 or "")
        elif spec.kind == "count":
            assert (rule.type, rule.operator, rule.formula1) == ("whole", "greaterThanOrEqual", "0")
        elif spec.kind == "percent":
            assert (rule.type, rule.formula1, rule.formula2) == ("decimal", "0", "100")
        else:
            assert (rule.type, rule.operator, rule.formula1) == ("decimal", "greaterThanOrEqual", "0")
        value = ws[row.cell]
        if not row.question:
            assert value.number_format == template.NUMBER_FORMATS[spec.kind], row.cell
        assert str(value.fill.fgColor.rgb).endswith("FFF2CC"), row.cell
    assert ws.column_dimensions["G"].hidden and not ws.column_dimensions["F"].hidden
    assert ws.freeze_panes == "C6"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage


def test_user_text_is_never_a_formula(tmp_path: Path, framework: Framework, tree: RegionTree, rules: RuleSet,
                                      context: ImportContext, example_units: UnitsFile) -> None:
    code = "220122"
    report = example_units.units[code]
    layout = _layout(framework, tree, code)
    sheet = layout.sheets[0]
    program = report.programs[sheet.program.id]
    notes = {row.spec.id: text for row, text in zip(sheet.rows, INJECTED, strict=False)}
    changed = report.model_copy(update={
        "reporter": "=1+1", "phone": "+86 431 8888",
        "programs": {**report.programs, sheet.program.id: UnitProgram(
            figures=program.figures, answers=program.answers, explanations=notes)},
    })
    [path] = write_templates(framework, tree, tmp_path, units=[tree.unit(code)], rules=rules, prefill={code: changed})
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = wb[sheet.name]
    for row, text in zip(sheet.rows, INJECTED, strict=False):
        note = ws[f"F{row.row}"]
        assert (note.value, note.data_type) == (text, "s")
        assert not note.hyperlink
    assert wb[COVER_SHEET][f"B{cover_row('reporter')}"].value == "=1+1"
    [outcome] = import_workbooks([path], context)
    assert outcome.report is not None and not outcome.problems
    assert outcome.report.programs[sheet.program.id].explanations == notes
    assert (outcome.report.reporter, outcome.report.phone) == ("=1+1", "+86 431 8888")


def test_a_batch_on_two_processes_is_the_same_as_on_one(tmp_path: Path, framework: Framework, tree: RegionTree,
                                                         rules: RuleSet, example_units: UnitsFile,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    serial = write_templates(framework, tree, tmp_path / "serial", rules=rules, prefill=example_units.units)
    monkeypatch.setattr(template, "PARALLEL_MIN_UNITS", 2)
    parallel = write_templates(framework, tree, tmp_path / "parallel", rules=rules, prefill=example_units.units, workers=2)
    assert [p.name for p in parallel] == [p.name for p in serial]
    assert [p.parent for p in parallel] == [tmp_path / "parallel"] * len(serial)
    for one, other in zip(serial, parallel, strict=True):
        assert workbook_cells(one) == workbook_cells(other), one.name


def test_a_file_that_cannot_be_written_is_named_in_chinese(tmp_path: Path, framework: Framework, tree: RegionTree,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = _layout(framework, tree, "220122").file_name
    (tmp_path / blocked).mkdir()  # a directory where the workbook should go
    monkeypatch.setattr(template, "PARALLEL_MIN_UNITS", 2)
    for workers in (None, 2):
        with pytest.raises(FileWriteError) as caught:
            write_templates(framework, tree, tmp_path, workers=workers)
        [problem] = caught.value.problems
        assert problem.where.file is not None and blocked in problem.where.file, workers
        assert "无法写入" in problem.message and "目录" in problem.message, problem.message
    assert (tmp_path / blocked).is_dir() and not list(tmp_path.glob(".*.tmp"))
