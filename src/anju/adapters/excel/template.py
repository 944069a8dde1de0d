"""Write one Excel template per reporting unit (openpyxl).

Each workbook has an instructions sheet (说明), a cover (封面: unit, reporter, 填报日期), one sheet
per program listing every figure the unit must report (label, unit, requirement, an input cell
and a 情况说明 cell), a 无此项任务 switch per program, data validation on every input cell,
locked label cells (sheet and workbook structure protection; only input cells are unlocked), and a
very hidden sheet with the template id, format, framework, region, unit and a layout checksum.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from anju.adapters.excel.layout import (
    COLUMNS,
    COVER_FIELDS,
    COVER_SHEET,
    FIRST_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    ID_COL,
    META_SHEET,
    NO,
    NO_TASK_CELL,
    NO_TASK_ROW,
    NOT_APPLICABLE_TEXT,
    NOTE_ROW,
    TITLE_ROW,
    YES,
    FigureRow,
    Layout,
    ProgramSheet,
    build_layout,
    cover_row,
)
from anju.adapters.excel.styles import (
    BOLD,
    BORDER,
    GREY,
    HEADER_FILL,
    INPUT_FILL,
    TITLE_FONT,
    UNLOCKED,
    WRAP,
)
from anju.collect.regions import RegionTree, RegionUnit
from anju.collect.units import UnitProgram, UnitReport
from anju.collect.validation import RuleSet
from anju.dataset.models import NOT_APPLICABLE
from anju.files import make_dirs, write_bytes
from anju.framework.models import Framework
from anju.text import clean_text

NUMBER_FORMATS = {"amount": "#,##0.00", "quantity": "#,##0.00", "count": "#,##0", "percent": "0.00"}


def write_templates(
    framework: Framework,
    tree: RegionTree,
    target: Path,
    *,
    units: Iterable[RegionUnit] | None = None,
    year: int | None = None,
    deadline: dt.date | None = None,
    rules: RuleSet | None = None,
    prefill: dict[str, UnitReport] | None = None,
) -> list[Path]:
    """Write a template for every reporting unit (or the given ``units``) into ``target``."""
    the_year = year if year is not None else framework.year
    chosen = list(units) if units is not None else tree.reporting_units(the_year)
    make_dirs(target)
    paths: list[Path] = []
    for unit in chosen:
        layout = build_layout(framework, tree, unit, the_year)
        path = target / layout.file_name
        values = prefill.get(unit.code) if prefill else None
        write_template(layout, path, deadline=deadline, rules=rules, values=values)
        paths.append(path)
    return paths


def write_template(
    layout: Layout,
    path: Path,
    *,
    deadline: dt.date | None = None,
    rules: RuleSet | None = None,
    values: UnitReport | None = None,
) -> Path:
    """Write one unit's workbook; ``values`` pre-fills it (``anju template --fill``: last year's report
    to update, or the current one to correct) so that importing it back gives the same report.
    Raises :class:`anju.files.FileWriteError`."""
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    _guide(guide, layout, deadline, rules)
    _cover(wb.create_sheet(COVER_SHEET), layout, values)
    for sheet in layout.sheets:
        _program_sheet(wb.create_sheet(_safe_title(sheet.name)), layout, sheet, values)
    _meta(wb.create_sheet(META_SHEET), layout)
    wb.active = 1
    wb.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    return write_bytes(path, buffer.getvalue())


def _safe_title(name: str) -> str:
    return name[:31]


def print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _fit_height(ws: Worksheet, row: int, text: str, chars_per_line: int) -> None:
    lines = max(1, -(-len(text) // chars_per_line))
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines


def protect_sheet(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _guide(ws: Worksheet, layout: Layout, deadline: dt.date | None, rules: RuleSet | None) -> None:
    unit = layout.unit
    due = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else "按通知要求"
    lines: list[tuple[str, Font | None]] = [
        (f"{layout.year}年度城镇保障性安居工程绩效评价数据填报表（{unit.display_name}）", TITLE_FONT),
        ("", None),
        ("一、填报说明", BOLD),
        (f"1. 本表由{unit.display_name}（代码 {unit.code}）填报，报送截止日期：{due}。", None),
        ("2. 请先填写“封面”中的填报人、联系电话和填报日期，再逐个填写各项目工作表中黄色底色的“填报值”单元格；"
         "其他单元格已锁定，请勿修改、插入或删除行列，也不要增删、重命名工作表。", None),
        ("3. 金额一律以万元为单位，最多保留两位小数；个、套、户、栋、件等计数填非负整数；"
         "百分比按百分数填写（94%填94，不要填0.94）。", None),
        (f"4. 没有发生的填 0；确实不适用的填“{NOT_APPLICABLE_TEXT}”（仅限注明可填“{NOT_APPLICABLE_TEXT}”的项目）；"
         "不得留空，空白将被退回。", None),
        (f"5. 本单位本年度没有某个项目的任务时，在该项目工作表第{NO_TASK_ROW}行选择“{YES}”（无此项任务），"
         "该表其余各项不填；此时本单位不计入该项目的城市数等分母。", None),
        (f"6. “{YES}/{NO}”类问题请从下拉列表中选择。", None),
        ("7. 单元格中请直接填数值，不要填“约3万”“3万元”等文字，不要使用公式；出现 #DIV/0! 等公式错误的表格将被退回。", None),
        ("8. 某项数据触发下列“警告”规则时，请在该行“情况说明”栏写明原因；触发“错误”规则的表格将被退回修改。", None),
        ("9. 本表由 anju 生成，工作表保护仅用于防止误操作；系统导入时会核对模板标识和结构，"
         "被改动或过期的模板将被拒收，请勿复制其他单位或往年的表格填报。", None),
        ("", None),
        ("二、模板信息", BOLD),
        (f"模板标识：{layout.template_id}　格式版本：{layout.meta()['format']}　指标体系：{layout.framework.label}"
         f"（{layout.framework.id}）　校验码：{layout.checksum}", GREY),
    ]
    if rules is not None and (rules.rules or rules.changes):
        lines.append(("", None))
        lines.append(("三、校验规则", BOLD))
        programs = {s.program.id for s in layout.sheets}
        for rule in rules.rules:
            if rule.programs is not None and not programs.intersection(rule.programs):
                continue
            severity = "错误" if rule.severity == "error" else "警告"
            lines.append((f"【{severity}】{rule.label}" + (f"（{rule.message}）" if rule.message else ""), None))
        for change in rules.changes:
            lines.append((f"【警告】{change.label}：与上年相比变化超过±{change.max_change_percent}%时须说明。", None))
    for index, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=index, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
        _fit_height(ws, index, text, 34)
    ws.column_dimensions["A"].width = 72
    print_setup(ws, landscape=False)
    protect_sheet(ws)


def _cover(ws: Worksheet, layout: Layout, values: UnitReport | None) -> None:
    ws.cell(row=1, column=1, value=f"{layout.year}年度城镇保障性安居工程绩效评价数据填报表").font = TITLE_FONT
    ws.cell(row=2, column=1, value="黄色单元格由填报单位填写，其余内容请勿修改。").font = GREY
    fixed = layout.cover_values()
    for key, label, is_input in COVER_FIELDS:
        row = cover_row(key)
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=1).border = BORDER
        cell = ws.cell(row=row, column=2, value=None if is_input else fixed[key])
        cell.border = BORDER
        if is_input:
            cell.fill = INPUT_FILL
            cell.protection = UNLOCKED
    date_cell = ws.cell(row=cover_row("submitted_at"), column=2)
    date_cell.number_format = "yyyy-mm-dd"
    date_dv = DataValidation(
        type="date", operator="greaterThanOrEqual", formula1="36526", allow_blank=True,
        showErrorMessage=True, errorTitle="填报日期", error="请填写日期，如 2023-01-10。",
        showInputMessage=True, promptTitle="填报日期", prompt="填写本表完成填报的日期，如 2023-01-10。",
    )
    ws.add_data_validation(date_dv)
    date_dv.add(date_cell)
    if values is not None:
        text_cell(ws.cell(row=cover_row("reporter"), column=2), values.reporter)
        text_cell(ws.cell(row=cover_row("phone"), column=2), values.phone)
        if values.submitted_at is not None:
            date_cell.value = values.submitted_at
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 48
    print_setup(ws, landscape=False)
    protect_sheet(ws)


def _dv(row: FigureRow, kind: str, formula1: str, error: str, *, operator: str | None = None,
        formula2: str | None = None) -> DataValidation:
    return DataValidation(
        type=kind,  # type: ignore[arg-type]
        operator=operator,  # type: ignore[arg-type]
        formula1=formula1,
        formula2=formula2,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="填报值不符合要求",
        error=error[:225],
        promptTitle=row.label[:32],
        prompt=row.requirement[:255],
    )


def _validation(row: FigureRow) -> DataValidation:
    spec = row.spec
    cell = row.cell
    if row.question:
        return _dv(row, "list", f'"{YES},{NO}"', f"请从下拉列表选择“{YES}”或“{NO}”。")
    error = f"{row.requirement}。"
    if spec.allow_not_applicable:
        whole = f",{cell}=INT({cell})" if spec.kind == "count" else ""
        upper = f",{cell}<=100" if spec.kind == "percent" else ""
        formula = f'OR(AND(ISNUMBER({cell}),{cell}>=0{upper}{whole}),{cell}="{NOT_APPLICABLE_TEXT}")'
        return _dv(row, "custom", formula, error)
    if spec.kind == "count":
        return _dv(row, "whole", "0", error, operator="greaterThanOrEqual")
    if spec.kind == "percent":
        return _dv(row, "decimal", "0", error, operator="between", formula2="100")
    return _dv(row, "decimal", "0", error, operator="greaterThanOrEqual")


def _cell(ws: Worksheet, row: int, column: int) -> Cell:
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell)
    return cell


def _program_sheet(ws: Worksheet, layout: Layout, sheet: ProgramSheet, values: UnitReport | None) -> None:
    program = sheet.program
    ws.cell(row=TITLE_ROW, column=1, value=layout.sheet_title(sheet)).font = TITLE_FONT
    ws.cell(row=NOTE_ROW, column=1, value="黄色单元格为填报项；数据触发警告规则时，在“情况说明”栏写明原因。").font = GREY
    switch_note = ws.cell(row=NO_TASK_ROW, column=2,
                          value=f"无此项任务（本单位本年度没有“{program.label}”任务的选“{YES}”，本表其余各项不填）")
    switch_note.alignment = WRAP
    switch_note.font = BOLD
    ws.row_dimensions[NO_TASK_ROW].height = 45
    switch = ws[NO_TASK_CELL]
    switch.value = NO
    switch.fill = INPUT_FILL
    switch.protection = UNLOCKED
    switch.border = BORDER
    switch_dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=False, showErrorMessage=True,
                               errorTitle="无此项任务", error=f"请选择“{YES}”或“{NO}”。")
    ws.add_data_validation(switch_dv)
    switch_dv.add(switch)
    for col, title in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = WRAP
    data = values.program(program.id) if values is not None else None
    for index, row in enumerate(sheet.rows, start=1):
        ws.cell(row=row.row, column=1, value=index)
        ws.cell(row=row.row, column=2, value=row.label)
        value_cell = _cell(ws, row.row, 3)
        ws.cell(row=row.row, column=4, value=row.unit)
        ws.cell(row=row.row, column=5, value=row.requirement)
        note_cell = _cell(ws, row.row, 6)
        ws.cell(row=row.row, column=7, value=row.spec.id).font = GREY
        for col in range(1, 8):
            bordered = _cell(ws, row.row, col)
            bordered.border = BORDER
            bordered.alignment = WRAP
        for cell in (value_cell, note_cell):
            cell.fill = INPUT_FILL
            cell.protection = UNLOCKED
        if not row.question:
            value_cell.number_format = NUMBER_FORMATS[row.spec.kind]
        _fit_height(ws, row.row, max(row.label, row.requirement, key=len), 20)
        dv = _validation(row)
        ws.add_data_validation(dv)
        dv.add(value_cell)
        if data is not None:
            _prefill(value_cell, note_cell, row, data)
    if data is not None and data.no_task:
        switch.value = YES
    widths = {"A": 6, "B": 46, "C": 16, "D": 9, "E": 40, "F": 28, "G": 26}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    # the 编号 column is the importer's (it checks each row is where the template put it): hidden, so
    # that no internal id is shown or printed
    ws.column_dimensions[ID_COL].hidden = True
    ws.freeze_panes = f"C{FIRST_ROW}"
    print_setup(ws, landscape=True)
    protect_sheet(ws)


def _prefill(value_cell: Cell, note_cell: Cell, row: FigureRow, data: UnitProgram) -> None:
    if row.question:
        answer = data.answers.get(row.spec.id)
        if answer is not None:
            value_cell.value = YES if answer else NO
    else:
        value = data.figures.get(row.spec.id)
        if value == NOT_APPLICABLE:
            value_cell.value = NOT_APPLICABLE_TEXT
        elif isinstance(value, Decimal):
            value_cell.value = int(value) if value == value.to_integral_value() else float(value)
    explanation = data.explanations.get(row.spec.id)
    if explanation:
        text_cell(note_cell, explanation)


def _meta(ws: Worksheet, layout: Layout) -> None:
    for index, (key, value) in enumerate(layout.meta().items(), start=1):
        ws.cell(row=index, column=1, value=key)
        ws.cell(row=index, column=2, value=value)
    ws.sheet_state = "veryHidden"
    protect_sheet(ws)


def text_cell(cell: Cell | MergedCell, text: str | None) -> None:
    """User text as a text cell, exactly: never a formula (an explanation starting with ``=`` stays
    the words typed, and survives a re-upload), never a character the file format cannot hold."""
    if text is None:
        return
    assert isinstance(cell, Cell), "a text cell is never part of a merged range"
    cell.value = clean_text(text)
    cell.data_type = "s"
