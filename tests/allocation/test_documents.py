"""The documents: the 资金分配表 (totals equal sums, read with openpyxl), the draft notice (read with
python-docx), and the inputs workbook round trip and strict import (problems with sheet and cell)."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from anju.adapters.allocation import (
    import_inputs,
    write_allocation_table,
    write_inputs_template,
    write_notice,
)
from anju.adapters.allocation.layout import BASIC_SHEET, COEFFICIENT_SHEET, META_SHEET
from anju.adapters.allocation.notice import ONWARD_SENTENCE_KEY, notice_title
from anju.adapters.allocation.table import FIRST_DATA_ROW, SUMMARY_SHEET
from anju.adapters.excel.template import write_templates
from anju.allocation import (
    Allocation,
    FactorMethod,
    InputsError,
    Resolved,
    allocate,
    builtin_method,
    load_inputs,
)
from anju.allocation.inputs import resolve
from anju.collect.regions import builtin_region_tree
from anju.framework import builtin_framework
from anju.problems import EntryCode, ImportCode

from .helpers import EXAMPLES

D = Decimal


@pytest.fixture(scope="module")
def prefectures(method_2022: FactorMethod) -> tuple[Resolved, Allocation]:
    resolved = load_inputs(EXAMPLES / "jilin-prefectures.yaml", method_2022)
    return resolved, allocate(method_2022, resolved.regions, resolved.amounts)


def _cents(value: float | int | None) -> Decimal:
    assert value is not None
    return D(str(value)).quantize(D("0.01"))


def test_allocation_table_totals_equal_the_sums(prefectures: tuple[Resolved, Allocation], tmp_path: Path) -> None:
    resolved, allocation = prefectures
    path = write_allocation_table(allocation, tmp_path / "资金分配表.xlsx", resolved)
    values = openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(path)
    assert values.sheetnames == [SUMMARY_SHEET, "住房租赁保障", "城镇老旧小区改造", "城市棚户区改造", "计算过程", "测算说明"]
    count = len(allocation.regions)
    first, totals_row = FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 1 + count  # 1-based rows
    for program in allocation.programs:
        sheet, live = values[program.label], formulas[program.label]
        factors = len(program.method.factors)
        task_col, reward_col, total_col = 3 + factors + 4 + 1, 3 + factors + 4 + 2, 3 + factors + 4 + 3
        assert sheet.cell(row=totals_row, column=1).value == "合计"
        for col in (task_col, reward_col, total_col):
            column = [_cents(sheet.cell(row=r, column=col).value) for r in range(first, totals_row)]
            assert _cents(sheet.cell(row=totals_row, column=col).value) == sum(column)
            assert str(live.cell(row=totals_row, column=col).value).startswith("=SUM(")
        assert _cents(sheet.cell(row=totals_row, column=task_col).value) == program.task_pool
        assert _cents(sheet.cell(row=totals_row, column=reward_col).value) == program.reward_pool
        assert _cents(sheet.cell(row=totals_row, column=total_col).value) == program.amount
        for row in range(first, totals_row):
            task, reward = (_cents(sheet.cell(row=row, column=c).value) for c in (task_col, reward_col))
            assert _cents(sheet.cell(row=row, column=total_col).value) == task + reward
        names = [sheet.cell(row=r, column=2).value for r in range(first, totals_row)]
        assert names == [name for _, name in allocation.regions]
    summary = values[SUMMARY_SHEET]
    last_col = 3 + len(allocation.programs) + 1
    assert _cents(summary.cell(row=totals_row, column=last_col).value) == allocation.total == D(155000)
    for row, (code, _) in zip(range(first, totals_row), allocation.regions, strict=True):
        assert summary.cell(row=row, column=3).value == code
        assert _cents(summary.cell(row=row, column=last_col).value) == allocation.region_total(code)
    notes = [c.value for c in values["测算说明"]["A"] if c.value]
    assert any("示例数据" in str(v) for v in notes)
    assert any("最大余额法" in str(v) for v in notes)


def test_notice_is_an_official_document_with_the_table_attached(prefectures: tuple[Resolved, Allocation],
                                                               tmp_path: Path) -> None:
    resolved, allocation = prefectures
    path = write_notice(allocation, tmp_path / "通知.docx", resolved)
    document = docx.Document(str(path))
    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("公文标题", notice_title(2023))
    assert paragraphs[0][1] == "关于下达2023年中央财政城镇保障性安居工程补助资金预算的通知"
    texts = [text for _, text in paragraphs]
    assert "各市（州）财政局：" in texts
    assert any(ONWARD_SENTENCE_KEY in t and "分解下达到所辖县（市、区）" in t for t in texts)
    assert any("155000.00万元" in t for t in texts)
    assert any("假设" in t for t in texts)  # the 2022 weights are assumptions, and the draft says so
    assert ("附件说明", "附件：2023年中央财政城镇保障性安居工程补助资金分配表") in paragraphs
    assert ("附件标识", "附件") in paragraphs
    assert "吉林省财政厅" in texts
    assert any(t.startswith("抄送：财政部吉林监管局") for t in texts)
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "地区", "住房租赁保障", "城镇老旧小区改造", "城市棚户区改造", "合计"]
    body = table.rows[1:-1]
    assert [r.cells[1].text for r in body] == [name for _, name in allocation.regions]
    for col in range(2, 6):
        assert D(table.rows[-1].cells[col].text) == sum(D(r.cells[col].text) for r in body)
    for row in body:
        assert D(row.cells[5].text) == sum(D(row.cells[c].text) for c in range(2, 5))
    assert table.rows[-1].cells[0].text == "合计"
    section = document.sections[0]
    assert section.top_margin is not None and round(section.top_margin.mm) == 37


def test_inputs_workbook_round_trip(tmp_path: Path) -> None:
    method = builtin_method("2022")
    resolved = load_inputs(EXAMPLES / "national.yaml", method)
    path = tmp_path / "输入表.xlsx"
    write_inputs_template(method, path, level="province", region="", year=2023,
                          regions=[(r.code, r.name) for r in resolved.regions], values=resolved.inputs, prefill=resolved.regions)
    back = import_inputs(path, method)
    assert back.amounts == resolved.inputs.amounts
    assert (back.year, back.level, back.title, back.issuer, back.score_basis) == (2023, "province", resolved.inputs.title, "财政部",
                                                                                  "self_assessed")
    again = resolve(back, method)
    assert [(r.code, r.name, r.fiscal_difficulty, r.quantities, r.scores) for r in again.regions] == \
           [(r.code, r.name, r.fiscal_difficulty, r.quantities, r.scores) for r in resolved.regions]
    first = allocate(method, resolved.regions, resolved.amounts)
    second = allocate(method, again.regions, again.amounts)
    assert [s.amount for s in first.rows()] == [s.amount for s in second.rows()]


@pytest.fixture
def blank_template(tmp_path: Path) -> tuple[Path, FactorMethod]:
    method = builtin_method("2020")
    path = tmp_path / "blank.xlsx"
    write_inputs_template(method, path, level="province", region="", year=2021,
                          regions=[("220000", "吉林省"), ("210000", "辽宁省")])
    return path, method


def _fill(path: Path, cells: dict[tuple[str, str], object]) -> None:
    book = openpyxl.load_workbook(path)
    for (sheet, ref), value in cells.items():
        book[sheet][ref] = value  # type: ignore[assignment]
    book.save(path)


def _filled(path: Path) -> dict[tuple[str, str], object]:
    cells: dict[tuple[str, str], object] = {(BASIC_SHEET, "B10"): 1000}
    for row, d in ((5, 1.1), (6, 0.95)):
        cells[COEFFICIENT_SHEET, f"D{row}"] = d
        cells[COEFFICIENT_SHEET, f"E{row}"] = 88
        for col, value in zip("DEFG", (100.5, 10, 5, 2), strict=True):
            cells["城镇老旧小区改造", f"{col}{row}"] = value
    return cells


def test_a_filled_template_allocates(blank_template: tuple[Path, FactorMethod]) -> None:
    path, method = blank_template
    _fill(path, _filled(path))
    inputs = import_inputs(path, method)
    assert inputs.amounts == {"renovation": D(1000)}
    assert inputs.regions["220000"].quantities["renovation"]["planned_area"] == D("100.5")
    resolved = resolve(inputs, method)
    assert sum(s.amount for s in allocate(method, resolved.regions, resolved.amounts).rows()) == 1000


BAD_CELLS = {
    # name: (sheet, cell, value, code, fragment)
    "text_quantity": ("城镇老旧小区改造", "E5", "约10户", EntryCode.NOT_A_NUMBER, "应为非负整数"),
    "fractional_count": ("城镇老旧小区改造", "F6", 2.5, EntryCode.NOT_WHOLE, "应为整数"),
    "negative_area": ("城镇老旧小区改造", "D6", -3, EntryCode.NEGATIVE, "应为非负数"),
    "blank_quantity": ("城镇老旧小区改造", "G5", None, EntryCode.REQUIRED_BLANK, "未填写"),
    "zero_difficulty": (COEFFICIENT_SHEET, "D5", 0, EntryCode.NEGATIVE, "应为大于0"),
    "score_above_100": (COEFFICIENT_SHEET, "E6", 101, EntryCode.TOO_LARGE, "不能超过100"),
    "amount_too_fine": (BASIC_SHEET, "B10", 1000.001, EntryCode.TOO_MANY_DECIMALS, "最多保留2位小数"),
    "bad_basis": (BASIC_SHEET, "B9", "听说的", EntryCode.ANSWER_INVALID, "得分口径"),
}


@pytest.mark.parametrize("name", sorted(BAD_CELLS))
def test_a_bad_cell_is_named_by_sheet_and_cell(name: str, blank_template: tuple[Path, FactorMethod]) -> None:
    path, method = blank_template
    sheet, ref, value, code, fragment = BAD_CELLS[name]
    cells = _filled(path)
    cells[sheet, ref] = value
    _fill(path, cells)
    with pytest.raises(InputsError) as info:
        import_inputs(path, method)
    problems = info.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert (problem.where.file, problem.where.sheet, problem.where.cell) == (path.name, sheet, ref)
    assert problem.code == code
    assert fragment in problem.message
    assert f"{path.name} {sheet}!{ref}" in str(problem)


def test_an_altered_or_foreign_workbook_is_refused(blank_template: tuple[Path, FactorMethod], tmp_path: Path) -> None:
    path, method = blank_template
    with pytest.raises(InputsError) as info:
        import_inputs(path, builtin_method("2019"))
    assert info.value.problems[0].code == ImportCode.TEMPLATE_FOREIGN
    book = openpyxl.load_workbook(path)
    meta = book[META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "regions":
            row[1].value = "220000"
    altered = tmp_path / "altered.xlsx"
    book.save(altered)
    with pytest.raises(InputsError) as info:
        import_inputs(altered, method)
    assert info.value.problems[0].code == ImportCode.TEMPLATE_ALTERED
    word = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputsError) as info:
        import_inputs(word, method)
    assert info.value.problems[0].code == ImportCode.NOT_A_WORKBOOK
    tree = builtin_region_tree("220000")
    unit_workbook = write_templates(builtin_framework("2022"), tree, tmp_path / "units", units=[tree.unit("220122")])[0]
    with pytest.raises(InputsError) as info:
        import_inputs(unit_workbook, method)
    assert info.value.problems[0].code == ImportCode.NOT_A_TEMPLATE
    assert "市县填报表" in info.value.problems[0].message


def test_moved_rows_are_refused(blank_template: tuple[Path, FactorMethod]) -> None:
    path, method = blank_template
    cells = _filled(path)
    cells["城镇老旧小区改造", "B5"] = "210000"
    _fill(path, cells)
    with pytest.raises(InputsError) as info:
        import_inputs(path, method)
    problem = info.value.problems[0]
    assert problem.code == ImportCode.STRUCTURE_CHANGED
    assert (problem.where.sheet, problem.where.cell) == ("城镇老旧小区改造", "B5")


@pytest.mark.parametrize(("sheet", "ref"), [(BASIC_SHEET, "B10"), ("城镇老旧小区改造", "D5"), (COEFFICIENT_SHEET, "E6")])
def test_a_formula_without_a_cached_value_has_its_own_message(
        sheet: str, ref: str, blank_template: tuple[Path, FactorMethod]) -> None:
    """openpyxl writes formulas without results; calamine would read the cell as blank."""
    path, method = blank_template
    cells = _filled(path)
    cells[sheet, ref] = "=500*2"
    _fill(path, cells)
    with pytest.raises(InputsError) as info:
        import_inputs(path, method)
    [problem] = info.value.problems
    assert problem.code == EntryCode.FORMULA_NOT_COMPUTED
    assert (problem.where.sheet, problem.where.cell) == (sheet, ref)
    assert "公式未计算" in problem.message


def test_a_sheet_beyond_the_template_range_is_refused_before_reading(blank_template: tuple[Path, FactorMethod]) -> None:
    path, method = blank_template
    cells = _filled(path)
    cells["城镇老旧小区改造", "H40"] = "备注"  # beside the table, within the margin: accepted
    _fill(path, cells)
    assert import_inputs(path, method).amounts == {"renovation": D(1000)}
    cells["城镇老旧小区改造", "ZZ20000"] = 1
    _fill(path, cells)
    with pytest.raises(InputsError) as info:
        import_inputs(path, method)
    [problem] = info.value.problems
    assert problem.code == ImportCode.SHEET_TOO_LARGE
    assert (problem.where.sheet, problem.where.cell) == ("城镇老旧小区改造", "ZZ20000")
    assert "超出填报模板的范围" in problem.message
