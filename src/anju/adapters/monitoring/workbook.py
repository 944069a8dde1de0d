"""The units' monitoring round (双监控) through Excel: one workbook per reporting unit and date.

Each workbook has an instructions sheet (说明), one sheet per program the unit has targets for
(预算、实际支出 and the cumulative progress on each target that adds up, with the unit's yearly
target shown; then one row per possible deviation warning for its 原因 and 纠偏措施), data
validation on every input cell, locked label cells, and a very hidden sheet with the format, the
region, the unit, the year, the monitoring date and a keyed checksum over the layout
(:func:`anju.adapters.excel.layout.sign`). The import is strict and all-or-nothing per batch: the
bytes are checked first (:mod:`anju.adapters.excel.package`), then the metadata, the checksum and
the titles, and every value goes through the one value reader (:func:`anju.collect.entry.read_value`);
every problem names the file, the sheet and the cell.
"""

from __future__ import annotations

import datetime as dt
import hmac
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine
from openpyxl import Workbook
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from anju.adapters.excel.layout import sign
from anju.adapters.excel.package import (
    NOT_COMPUTED,
    ImportLimits,
    Refused,
    check_extents,
    open_workbook,
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
    print_setup,
    protect_sheet,
    text_cell,
)
from anju.collect.entry import EntryError, is_blank, normalized_text, read_value
from anju.collect.regions import RegionTree, RegionUnit
from anju.collect.rows import EntryRow
from anju.dates import chinese_date
from anju.decimals import plain
from anju.files import make_dirs, name_part, write_bytes
from anju.framework.models import Framework, Program
from anju.monitoring.entries import report_values, unit_programs, warning_subjects
from anju.monitoring.models import Monitoring
from anju.problems import EntryCode, ImportCode, Problem, Severity, Where
from anju.targets.models import Targets
from anju.text import clean_text

FORMAT = "monitoring-1"
GUIDE_SHEET = "说明"
META_SHEET = "_anju_monitoring"
TITLE_ROW, NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
LABEL_COL, UNIT_COL, TARGET_COL, VALUE_COL, EXTRA_COL = "A", "B", "C", "D", "E"
COLUMNS = 5
TEXT_MAX = 2000
WIDTHS = {"A": 46, "B": 10, "C": 14, "D": 40, "E": 48}
CHARS_PER_LINE = 22
"""Chinese characters that fit on one line of the label column (A)."""
LINE_HEIGHT = 15
GUIDE_CHARS_PER_LINE = 36


@dataclass(frozen=True)
class ValueRow:
    """One number the unit enters: ``key`` is ``budget``, ``spent`` or ``progress:<indicator>``."""

    key: str
    row: int
    label: str
    unit: str
    target: str
    entry: EntryRow

    @property
    def cell(self) -> str:
        return f"{VALUE_COL}{self.row}"


@dataclass(frozen=True)
class AnswerRow:
    """The reason (D) and the measure (E) for one warning that may be raised."""

    rule: str
    indicator: str | None
    row: int
    label: str


@dataclass(frozen=True)
class ProgramSheet:
    program: Program
    name: str
    title: str
    values: tuple[ValueRow, ...]
    answers: tuple[AnswerRow, ...]

    @property
    def last_row(self) -> int:
        return self.answers[-1].row if self.answers else self.values[-1].row


@dataclass(frozen=True)
class MonitoringLayout:
    tree: RegionTree
    unit: RegionUnit
    year: int
    date: dt.date
    sheets: tuple[ProgramSheet, ...]
    checksum: str

    @property
    def file_name(self) -> str:
        return f"{self.unit.code}_{name_part(self.unit.name)}_{self.date.isoformat()}监控.xlsx"

    def meta(self) -> dict[str, str]:
        return {"format": FORMAT, "region": self.tree.code, "unit": self.unit.code, "unit_name": self.unit.display_name,
                "year": str(self.year), "date": self.date.isoformat(), "checksum": self.checksum}

    def extent(self, sheet_name: str) -> tuple[int, int] | None:
        if sheet_name == META_SHEET:
            return len(self.meta()), 2
        for sheet in self.sheets:
            if sheet.name == sheet_name:
                return sheet.last_row, COLUMNS
        return None


@dataclass(frozen=True)
class Context:
    """What a monitoring workbook is built from and checked against."""

    framework: Framework
    monitoring: Monitoring
    targets: Targets
    tree: RegionTree


def _program_sheet(context: Context, unit: RegionUnit, day: dt.date, program_id: str) -> ProgramSheet:
    framework, monitoring, targets = context.framework, context.monitoring, context.targets
    program = framework.program(program_id)
    values = report_values(framework, monitoring, targets, program_id, unit.code)
    rows = tuple(ValueRow(v.key, FIRST_ROW + index, v.label, v.unit, plain(v.target) if v.target is not None else "—",
                          v.entry) for index, v in enumerate(values))
    first = FIRST_ROW + len(rows) + 2  # a blank row, then the header of the warnings part
    answers = tuple(AnswerRow(w.rule, w.indicator, first + index, w.label)
                    for index, w in enumerate(warning_subjects(monitoring, targets, program_id)))
    name = program.label[:31]
    title = f"{unit.display_name}{program.label}绩效运行监控表（{chinese_date(day)}）"
    return ProgramSheet(program, name, title, rows, answers)


def build_layout(context: Context, unit: RegionUnit, day: dt.date) -> MonitoringLayout:
    monitoring, tree = context.monitoring, context.tree
    sheets = tuple(_program_sheet(context, unit, day, p) for p in unit_programs(monitoring, context.targets, unit.code))
    payload = {
        "format": FORMAT, "region": tree.code, "unit": unit.code, "year": monitoring.year, "date": day.isoformat(),
        "sheets": [[s.name, s.title, [[r.key, r.row, r.label, r.unit, r.target] for r in s.values],
                    [[a.rule, a.indicator, a.row, a.label] for a in s.answers]] for s in sheets],
    }
    return MonitoringLayout(tree, unit, monitoring.year, day, sheets, sign(payload))


def reporting_units(tree: RegionTree, year: int) -> list[RegionUnit]:
    return [u for u in tree.reporting_units(year) if u.level != "province"]


# --- writing ------------------------------------------------------------------------------


def _guide(ws: Worksheet, layout: MonitoringLayout, deadline: dt.date | None) -> None:
    ws["A1"] = f"{layout.unit.display_name}{layout.year}年绩效运行监控填报（{chinese_date(layout.date)}）"
    ws["A1"].font = TITLE_FONT
    due = chinese_date(deadline) if deadline else "按通知要求"
    lines = [
        f"监控日期：{chinese_date(layout.date)}；报送截止：{due}。",
        "每个项目一张工作表：填写截至监控日期自年初累计的预算、实际支出（万元）和各项绩效目标的累计完成数；表中列出本单位的全年目标值。",
        "只在黄色单元格中填写；不要增删行列、重命名工作表或复制到新工作簿（系统按隐藏标识校验）。",
        "下方“偏离预警”部分：若本单位出现所列偏离（如预算执行进度滞后于时序进度），须在该行填写原因和纠偏措施；未出现的留空。",
        "本单位没有某个项目的任务时，该项目的预算和实际支出都留空。",
    ]
    for index, line in enumerate(lines, start=3):
        text_cell(ws.cell(row=index, column=1), line)
        ws.cell(row=index, column=1).alignment = WRAP
        height_lines = -(-len(line) // GUIDE_CHARS_PER_LINE)
        ws.row_dimensions[index].height = LINE_HEIGHT * height_lines + 3
    ws.column_dimensions["A"].width = 75
    print_setup(ws, landscape=False)
    protect_sheet(ws)


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=column, value=title)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BORDER, WRAP


def _input(ws: Worksheet, ref: str) -> None:
    cell = ws[ref]
    cell.fill, cell.border, cell.protection, cell.alignment = INPUT_FILL, BORDER, UNLOCKED, WRAP


def _fit(ws: Worksheet, row: int, chars: int, minimum: int = 1) -> None:
    lines = max(minimum, -(-chars // CHARS_PER_LINE))
    if lines > 1:
        ws.row_dimensions[row].height = LINE_HEIGHT * lines + 3


def _sheet(ws: Worksheet, sheet: ProgramSheet) -> None:
    ws[f"A{TITLE_ROW}"] = sheet.title
    ws[f"A{TITLE_ROW}"].font = TITLE_FONT
    ws[f"A{NOTE_ROW}"] = "黄色单元格为填报项；金额单位为万元，数量为自年初累计数。"
    ws[f"A{NOTE_ROW}"].font = GREY
    _header(ws, HEADER_ROW, ["填报项", "计量单位", "全年目标值", "截至监控日期", "填报要求"])
    number = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="填报有误", error="请填写不小于0的数值")
    ws.add_data_validation(number)
    for row in sheet.values:
        for column, value in enumerate([row.label, row.unit, row.target], start=1):
            cell = ws.cell(row=row.row, column=column)
            text_cell(cell, value)
            cell.border, cell.alignment = BORDER, WRAP
        _input(ws, row.cell)
        ws[row.cell].number_format = "#,##0.00"
        number.add(row.cell)
        text_cell(ws[f"{EXTRA_COL}{row.row}"], row.entry.requirement)
        _fit(ws, row.row, max(len(row.label), len(row.entry.requirement) // 2))
        ws[f"{EXTRA_COL}{row.row}"].font, ws[f"{EXTRA_COL}{row.row}"].alignment = GREY, WRAP
    if sheet.answers:
        _header(ws, sheet.answers[0].row - 1, ["偏离预警（出现时填写）", "", "", "原因", "纠偏措施"])
        text = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(TEXT_MAX), allow_blank=True,
                              showErrorMessage=True, errorTitle="填报有误", error=f"最多{TEXT_MAX}字")
        ws.add_data_validation(text)
        for answer in sheet.answers:
            text_cell(ws[f"{LABEL_COL}{answer.row}"], answer.label)
            _fit(ws, answer.row, len(answer.label), minimum=2)
            ws[f"{LABEL_COL}{answer.row}"].border, ws[f"{LABEL_COL}{answer.row}"].alignment = BORDER, WRAP
            for input_column in (VALUE_COL, EXTRA_COL):
                _input(ws, f"{input_column}{answer.row}")
                text.add(f"{input_column}{answer.row}")
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    print_setup(ws, landscape=True)
    protect_sheet(ws)


def write_workbook(layout: MonitoringLayout, deadline: dt.date | None) -> bytes:
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    _guide(guide, layout, deadline)
    for sheet in layout.sheets:
        _sheet(wb.create_sheet(sheet.name), sheet)
    meta = wb.create_sheet(META_SHEET)
    for index, (key, value) in enumerate(layout.meta().items(), start=1):
        meta.cell(row=index, column=1, value=key)
        text_cell(meta.cell(row=index, column=2), value)
    meta.sheet_state = "veryHidden"
    protect_sheet(meta)
    wb.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_templates(context: Context, day: dt.date, out_dir: Path) -> list[Path]:
    """One workbook per reporting unit for the monitoring date ``day`` (a declared date)."""
    deadline = context.monitoring.date(day).deadline
    make_dirs(out_dir)
    written = []
    for unit in reporting_units(context.tree, context.monitoring.year):
        layout = build_layout(context, unit, day)
        if layout.sheets:
            written.append(write_bytes(out_dir / layout.file_name, write_workbook(layout, deadline)))
    return written


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """One accepted workbook: the unit's report for the date (the ``programs`` of a monitoring round)."""

    path: Path
    unit: RegionUnit
    date: dt.date
    programs: dict[str, dict[str, Any]]


class _Cells:
    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows

    def get(self, column: str, row: int) -> Any:
        index = ord(column) - ord("A")
        if row - 1 >= len(self.rows) or index >= len(self.rows[row - 1]):
            return ""
        return self.rows[row - 1][index]


def _rows(workbook: python_calamine.CalamineWorkbook, name: str, display: str) -> list[list[Any]]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # calamine's reasons are English and technical
        raise Refused(display, ImportCode.CORRUPT, "无法读取工作表：内容已损坏或不是 Excel 保存的格式，"
                                                   "请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交", name) from None


def _meta(workbook: python_calamine.CalamineWorkbook, display: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in _rows(workbook, META_SHEET, display):
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:  # noqa: PLR2004
            meta[row[0]] = str(row[1])
    return meta


def _layout_of(meta: dict[str, str], display: str, context: Context, expected_date: dt.date | None) -> MonitoringLayout:
    monitoring, tree = context.monitoring, context.tree
    if meta.get("format") != FORMAT:
        raise Refused(display, ImportCode.TEMPLATE_OUTDATED, "不是本系统生成的绩效运行监控填报表（或版本不符）：请使用下发的监控填报表")
    if meta.get("region") != tree.code or meta.get("year") != str(monitoring.year):
        raise Refused(display, ImportCode.TEMPLATE_FOREIGN, f"填报表属于地区“{meta.get('region', '?')}”{meta.get('year', '?')}年，"
                                                            f"与本次导入的{tree.name}{monitoring.year}年不符")
    try:
        day = dt.date.fromisoformat(meta.get("date", ""))
    except ValueError:
        raise Refused(display, ImportCode.TEMPLATE_ALTERED, "隐藏的模板标识被改动（监控日期无法识别）：请使用下发的监控填报表") from None
    declared = [d.date for d in monitoring.dates]
    if day not in declared:
        raise Refused(display, ImportCode.TEMPLATE_FOREIGN, f"填报表的监控日期{chinese_date(day)}不是声明的监控日期"
                                                            f"（{'、'.join(chinese_date(d) for d in declared)}）")
    if expected_date is not None and day != expected_date:
        raise Refused(display, ImportCode.TEMPLATE_FOREIGN, f"这是{chinese_date(day)}的监控填报表，本次导入的是"
                                                            f"{chinese_date(expected_date)}：请使用本期下发的填报表")
    code = meta.get("unit", "")
    unit = tree.units.get(code)
    if unit is None or unit not in reporting_units(tree, monitoring.year):
        raise Refused(display, ImportCode.UNIT_UNKNOWN, f"单位代码“{code}”不是{tree.name}{monitoring.year}年的报表单位：请使用为本单位下发的填报表")
    layout = build_layout(context, unit, day)
    if meta.get("unit_name") != unit.display_name or not hmac.compare_digest(
            meta.get("checksum", "").encode("utf-8"), layout.checksum.encode("utf-8")):
        raise Refused(display, ImportCode.TEMPLATE_ALTERED,
                      f"模板校验码不符：隐藏的模板标识被改动，或填报表生成后绩效目标、监控规则有变化（单位“{unit.display_name}”，"
                      f"{chinese_date(day)}）：请使用下发给本单位的最新填报表重新填报")
    return layout


@dataclass
class _Reader:
    display: str
    errors: dict[str, list[tuple[str, str]]]
    uncomputed: dict[str, list[str]]
    problems: list[Problem]

    def problem(self, code: EntryCode | ImportCode, message: str, sheet: str, cell: str) -> None:
        self.problems.append(Problem(code, Severity.error, message, Where(file=self.display, sheet=sheet, cell=cell)))

    def formula_trouble(self, sheet: str, cell: str, label: str) -> bool:
        error = next((code for ref, code in self.errors.get(sheet, []) if ref == cell), None)
        if error is not None:
            self.problem(EntryCode.FORMULA_ERROR, f"“{label}”为公式错误“{error}”：请改为直接填写", sheet, cell)
            return True
        if cell in self.uncomputed.get(sheet, []):
            self.problem(EntryCode.FORMULA_NOT_COMPUTED, f"“{label}”{NOT_COMPUTED}", sheet, cell)
            return True
        return False

    def number(self, sheet: str, row: ValueRow, raw: Any) -> Decimal | None:
        if self.formula_trouble(sheet, row.cell, row.label):
            return None
        try:
            value = read_value(row.entry, raw)
        except EntryError as exc:
            self.problem(exc.code, exc.message, sheet, row.cell)
            return None
        if value is not None and not isinstance(value, Decimal):
            self.problem(EntryCode.NOT_APPLICABLE_REFUSED, f"“{row.label}”应填写数值", sheet, row.cell)
            return None
        return value

    def text(self, sheet: str, cell: str, label: str, raw: Any) -> str:
        if self.formula_trouble(sheet, cell, label) or is_blank(raw):
            return ""
        text = clean_text(raw if isinstance(raw, str) else normalized_text(raw)).strip()
        if len(text) > TEXT_MAX:
            self.problem(EntryCode.TEXT_TOO_LONG, f"“{label}”超过{TEXT_MAX}字（{len(text)}字）", sheet, cell)
            return ""
        return text


def _read_sheet(reader: _Reader, cells: _Cells, sheet: ProgramSheet) -> dict[str, Any] | None:
    for row in sheet.values:
        if normalized_text(cells.get(LABEL_COL, row.row)) != normalized_text(row.label):
            reader.problem(ImportCode.STRUCTURE_CHANGED, f"这里应为“{row.label}”：请勿增删、移动行，请使用下发的填报表重新填报",
                           sheet.name, f"{LABEL_COL}{row.row}")
            return None
    blank = {row.key for row in sheet.values if is_blank(cells.get(VALUE_COL, row.row))}
    values = {row.key: reader.number(sheet.name, row, cells.get(VALUE_COL, row.row)) for row in sheet.values}
    explanations = []
    for answer in sheet.answers:
        reason = reader.text(sheet.name, f"{VALUE_COL}{answer.row}", f"{answer.label}·原因", cells.get(VALUE_COL, answer.row))
        measure = reader.text(sheet.name, f"{EXTRA_COL}{answer.row}", f"{answer.label}·纠偏措施", cells.get(EXTRA_COL, answer.row))
        if reason or measure:
            item: dict[str, Any] = {"rule": answer.rule}
            if answer.indicator is not None:
                item["indicator"] = answer.indicator
            explanations.append({**item, "reason": reason, "measure": measure})
    budget, spent = values.pop("budget"), values.pop("spent")
    if {"budget", "spent"} <= blank:
        if len(blank) < len(sheet.values) or explanations:
            reader.problem(EntryCode.REQUIRED_BLANK, "已填写完成数或偏离说明，但预算和实际支出为空：请填写预算和实际支出",
                           sheet.name, sheet.values[0].cell)
        return None
    for row in sheet.values[:2]:
        if row.key in blank:
            reader.problem(EntryCode.REQUIRED_BLANK, f"“{row.label}”为空：预算和实际支出须同时填写", sheet.name, row.cell)
    progress = {k.removeprefix("progress:"): v for k, v in values.items() if v is not None}
    return {"budget": budget, "spent": spent, "progress": progress, "explanations": explanations}


def read_workbook(path: Path, context: Context, expected_date: dt.date | None = None, *, display: str | None = None,
                  limits: ImportLimits | None = None) -> Imported | list[Problem]:
    """The unit's report in one filled workbook, or every problem found in it."""
    name = display or path.name
    try:
        return _read(path, name, context, expected_date, limits or ImportLimits())
    except Refused as refused:
        return [refused.problem]


def _read(path: Path, display: str, context: Context, expected_date: dt.date | None,
          limits: ImportLimits) -> Imported | list[Problem]:
    _, scan, workbook = open_workbook(path, display, limits)
    sheets = set(workbook.sheet_names)
    if META_SHEET not in sheets:
        raise Refused(display, ImportCode.NOT_A_TEMPLATE, "不是本系统生成的绩效运行监控填报表（缺少模板标识）：请使用下发的填报表，不要自制表格或复制到新工作簿")
    layout = _layout_of(_meta(workbook, display), display, context, expected_date)
    check_extents(scan, layout.extent, display)
    reader = _Reader(display, scan.errors, {s.name: scan.uncomputed(s.name) for s in layout.sheets}, [])
    programs: dict[str, dict[str, Any]] = {}
    for sheet in layout.sheets:
        if sheet.name not in sheets:
            reader.problem(ImportCode.SHEET_MISSING, f"缺少工作表“{sheet.name}”：请勿删除或重命名工作表", sheet.name, "A1")
            continue
        cells = _Cells(_rows(workbook, sheet.name, display))
        title = normalized_text(cells.get(LABEL_COL, TITLE_ROW))
        if title != normalized_text(sheet.title):
            raise Refused(display, ImportCode.IDENTITY_MISMATCH, f"工作表标题为“{title or '（空）'}”，与模板隐藏标识的"
                                                                f"“{sheet.title}”不符：请使用下发给本单位的填报表", sheet.name, "A1")
        program = _read_sheet(reader, cells, sheet)
        if program is not None:
            programs[sheet.program.id] = program
    if not programs and not reader.problems:
        first = layout.sheets[0]
        reader.problem(EntryCode.REQUIRED_BLANK, f"{layout.unit.display_name}的填报表没有填写任何项目的预算和实际支出：请填写后再提交",
                       first.name, first.values[0].cell)
    if reader.problems:
        return reader.problems
    return Imported(path, layout.unit, layout.date, programs)
