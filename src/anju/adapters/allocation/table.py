"""The allocation table (资金分配表) as an Excel workbook (XlsxWriter).

One sheet per program in the layout of a 资金分配表 — region rows; the factor columns; the 财政困难
程度系数, the task-volume index, last year's score and the 绩效调节系数; the task part, the reward part
and the total — then a summary sheet (regions × programs), the trace of every region (计算过程) and
the method with the provenance of every number (测算说明). Totals are formulas with their values
stored (computed in Decimal first), so they equal the sums of the rows in any reader; money is written
as a float only here, at the file boundary.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from anju.allocation.describe import method_lines, share_lines
from anju.allocation.engine import ZERO, Allocation, ProgramAllocation
from anju.allocation.inputs import Resolved
from anju.allocation.models import FactorMethod
from anju.problems import Problem

TITLE_FONT = "黑体"
BODY_FONT = "宋体"
SUMMARY_SHEET = "汇总"
TRACE_SHEET = "计算过程"
NOTES_SHEET = "测算说明"
HEADER_ROWS = (2, 3)
FIRST_DATA_ROW = 4
FIXED_COLUMNS = ("序号", "地区", "行政区划代码")
COEFFICIENT_COLUMNS = ("财政困难程度系数", "任务量指数", "上年绩效评价得分", "绩效调节系数")
MONEY_COLUMNS = ("任务资金", "奖励资金", "合计")
TOTAL_LABEL = "合计"
INDEX_FORMAT = "0.0000%"
COEFFICIENT_FORMAT = "0.0000"
SCORE_FORMAT = "0.##"
COUNT_FORMAT = "#,##0"
QUANTITY_FORMAT = "#,##0.00"
WIDE, NARROW, NAME_WIDTH = 14, 8, 18
HEADER_HEIGHT = 45
TEXT_WIDTH = 120


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook, places: int) -> None:
        base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter"}
        border = {**base, "border": 1}
        money = "#,##0." + "0" * places if places else "#,##0"
        self.title = book.add_format({**base, "font_name": TITLE_FONT, "font_size": 16, "align": "center"})
        self.unit = book.add_format({**base, "align": "right"})
        self.left = book.add_format({**base, "align": "left"})
        self.header = book.add_format({**border, "font_name": TITLE_FONT, "align": "center", "text_wrap": True,
                                       "bg_color": "#D9D9D9"})
        self.text = book.add_format({**border, "text_wrap": True})
        self.center = book.add_format({**border, "align": "center"})
        self.wrap = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self.bold_text = book.add_format({**border, "bold": True, "align": "center"})
        self.formats: dict[tuple[str, bool], Any] = {}
        for kind, pattern in {"money": money, "index": INDEX_FORMAT, "coefficient": COEFFICIENT_FORMAT,
                              "score": SCORE_FORMAT, "count": COUNT_FORMAT, "quantity": QUANTITY_FORMAT}.items():
            for bold in (False, True):
                self.formats[kind, bold] = book.add_format({**border, "num_format": pattern, "bold": bold})

    def number(self, kind: str, bold: bool = False) -> Any:
        return self.formats[kind, bold]


def _print_setup(sheet: Any, last_col: int, last_row: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.repeat_rows(*HEADER_ROWS)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _number(sheet: Any, row: int, col: int, value: Decimal | None, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, float(value), fmt)  # the file boundary: Excel stores doubles


def _sum(sheet: Any, at: tuple[int, int], rows: tuple[int, int], value: Decimal, fmt: Any) -> None:
    """A column total: ``=SUM(…)`` over ``rows`` (first, last) with its Decimal value stored."""
    row, col = at
    top, bottom = xl_rowcol_to_cell(rows[0], col), xl_rowcol_to_cell(rows[1], col)
    sheet.write_formula(row, col, f"=SUM({top}:{bottom})", fmt, float(value))


def title_of(resolved: Resolved | None, allocation: Allocation) -> str:
    year = resolved.inputs.year if resolved is not None else allocation.method.year
    return f"{year}年中央财政城镇保障性安居工程补助资金分配表"


def _program_header(sheet: Any, formats: _Formats, program: ProgramAllocation) -> None:
    """The two header rows: fixed columns, 分配因素 over one column per factor, coefficients, money."""
    method = program.method
    factors = method.factors
    top, sub = HEADER_ROWS
    for col, name in enumerate(FIXED_COLUMNS):
        sheet.merge_range(top, col, sub, col, name, formats.header)
    first_factor = len(FIXED_COLUMNS)
    if len(factors) > 1:
        sheet.merge_range(top, first_factor, top, first_factor + len(factors) - 1, "分配因素", formats.header)
    else:
        sheet.write_string(top, first_factor, "分配因素", formats.header)
    for k, factor in enumerate(factors):
        spec = method.figure(factor.figure)
        sheet.write_string(sub, first_factor + k, f"{spec.label}（{spec.unit}）\n权重{_pct(factor.weight)}", formats.header)
    after = first_factor + len(factors)
    for offset, name in enumerate([*COEFFICIENT_COLUMNS, *MONEY_COLUMNS]):
        sheet.merge_range(top, after + offset, sub, after + offset, name, formats.header)
    sheet.set_row(sub, HEADER_HEIGHT)


def _program_sheet(book: xlsxwriter.Workbook, formats: _Formats, allocation: Allocation, program: ProgramAllocation,
                   title: str) -> None:
    sheet = book.add_worksheet(program.label[:31])
    method = program.method
    factors = method.factors
    columns = [*FIXED_COLUMNS, *("分配因素" for _ in factors), *COEFFICIENT_COLUMNS, *MONEY_COLUMNS]
    last_col = len(columns) - 1
    sheet.merge_range(0, 0, 0, last_col, f"{title}（{program.label}）", formats.title)
    sheet.merge_range(1, 0, 1, last_col // 2, allocation.method.label, formats.left)
    sheet.merge_range(1, last_col // 2 + 1, 1, last_col, "单位：万元", formats.unit)
    _program_header(sheet, formats, program)
    first_factor = len(FIXED_COLUMNS)
    after = first_factor + len(factors)
    row = FIRST_DATA_ROW
    for number, share in enumerate(program.shares, start=1):
        sheet.write_number(row, 0, number, formats.center)
        sheet.write_string(row, 1, share.name, formats.text)
        sheet.write_string(row, 2, share.code, formats.center)
        for k, trace in enumerate(share.factors):
            kind = method.figure(trace.figure).kind
            _number(sheet, row, first_factor + k, trace.quantity, formats.number(kind))
        col = after
        _number(sheet, row, col, share.fiscal_difficulty, formats.number("coefficient"))
        _number(sheet, row, col + 1, share.index, formats.number("index"))
        reward = share.reward_trace
        score = reward.score.score if reward is not None and not reward.score.no_task else None
        _number(sheet, row, col + 2, score, formats.number("score"))
        _number(sheet, row, col + 3, reward.coefficient if reward is not None else None, formats.number("coefficient"))
        _number(sheet, row, col + 4, share.task_amount, formats.number("money"))
        _number(sheet, row, col + 5, share.reward_amount, formats.number("money"))
        task_cell, reward_cell = xl_rowcol_to_cell(row, col + 4), xl_rowcol_to_cell(row, col + 5)
        sheet.write_formula(row, col + 6, f"={task_cell}+{reward_cell}", formats.number("money"), float(share.amount))
        row += 1
    last = row - 1
    sheet.merge_range(row, 0, row, 2, TOTAL_LABEL, formats.bold_text)
    for k, factor in enumerate(factors):
        total = sum((s.factors[k].quantity for s in program.shares), ZERO)
        _sum(sheet, (row, first_factor + k), (FIRST_DATA_ROW, last), total, formats.number(method.figure(factor.figure).kind, True))
    sheet.write_blank(row, after, None, formats.text)
    _sum(sheet, (row, after + 1), (FIRST_DATA_ROW, last), sum((s.index for s in program.shares), ZERO), formats.number("index", True))
    sheet.write_blank(row, after + 2, None, formats.text)
    sheet.write_blank(row, after + 3, None, formats.text)
    _sum(sheet, (row, after + 4), (FIRST_DATA_ROW, last), program.task_pool, formats.number("money", True))
    _sum(sheet, (row, after + 5), (FIRST_DATA_ROW, last), program.reward_pool, formats.number("money", True))
    _sum(sheet, (row, after + 6), (FIRST_DATA_ROW, last), program.amount, formats.number("money", True))
    sheet.set_column(0, 0, NARROW)
    sheet.set_column(1, 1, NAME_WIDTH)
    sheet.set_column(2, last_col, WIDE)
    sheet.freeze_panes(FIRST_DATA_ROW, 2)
    _print_setup(sheet, last_col, row)


def _summary_sheet(book: xlsxwriter.Workbook, formats: _Formats, allocation: Allocation, title: str) -> None:
    sheet = book.add_worksheet(SUMMARY_SHEET)
    programs = allocation.programs
    last_col = len(FIXED_COLUMNS) + len(programs)
    sheet.merge_range(0, 0, 0, last_col, title, formats.title)
    sheet.merge_range(1, 0, 1, last_col, "单位：万元", formats.unit)
    top, sub = HEADER_ROWS
    for col, name in enumerate(FIXED_COLUMNS):
        sheet.merge_range(top, col, sub, col, name, formats.header)
    first = len(FIXED_COLUMNS)
    for offset, program in enumerate(programs):
        sheet.merge_range(top, first + offset, sub, first + offset, program.label, formats.header)
    sheet.merge_range(top, last_col, sub, last_col, TOTAL_LABEL, formats.header)
    row = FIRST_DATA_ROW
    for number, (code, name) in enumerate(allocation.regions, start=1):
        sheet.write_number(row, 0, number, formats.center)
        sheet.write_string(row, 1, name, formats.text)
        sheet.write_string(row, 2, code, formats.center)
        for offset, program in enumerate(programs):
            _number(sheet, row, first + offset, program.share(code).amount, formats.number("money"))
        left, right = xl_rowcol_to_cell(row, first), xl_rowcol_to_cell(row, last_col - 1)
        sheet.write_formula(row, last_col, f"=SUM({left}:{right})", formats.number("money"), float(allocation.region_total(code)))
        row += 1
    last = row - 1
    sheet.merge_range(row, 0, row, 2, TOTAL_LABEL, formats.bold_text)
    for offset, program in enumerate(programs):
        _sum(sheet, (row, first + offset), (FIRST_DATA_ROW, last), program.amount, formats.number("money", True))
    _sum(sheet, (row, last_col), (FIRST_DATA_ROW, last), allocation.total, formats.number("money", True))
    sheet.set_column(0, 0, NARROW)
    sheet.set_column(1, 1, NAME_WIDTH)
    sheet.set_column(2, last_col, WIDE)
    sheet.freeze_panes(FIRST_DATA_ROW, 2)
    _print_setup(sheet, last_col, row)


def _text_sheet(book: xlsxwriter.Workbook, formats: _Formats, name: str, lines: list[str]) -> None:
    sheet = book.add_worksheet(name)
    sheet.set_column(0, 0, TEXT_WIDTH)
    for row, line in enumerate(lines):
        sheet.write_string(row, 0, line, formats.wrap)


def notes_lines(method: FactorMethod, resolved: Resolved | None, notes: list[Problem]) -> list[str]:
    lines: list[str] = []
    if resolved is not None:
        if resolved.inputs.title:
            lines.append(resolved.inputs.title)
        if resolved.inputs.note:
            lines.append(resolved.inputs.note)
        lines.append(f"输入：{resolved.path}")
        lines.append("")
    lines.extend(method_lines(method))
    if notes:
        lines.append("")
        lines.append("提示：")
        lines.extend(f"  {problem.severity.label}：{problem.message}" for problem in notes)
    return lines


def write_allocation_table(allocation: Allocation, target: Path, resolved: Resolved | None = None) -> Path:
    """Write the 资金分配表 workbook atomically (a temporary file, then renamed over ``target``)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    book = xlsxwriter.Workbook(str(partial))
    formats = _Formats(book, allocation.method.rounding.places)
    title = title_of(resolved, allocation)
    _summary_sheet(book, formats, allocation, title)
    for program in allocation.programs:
        _program_sheet(book, formats, allocation, program, title)
    trace: list[str] = []
    for program in allocation.programs:
        for share in program.shares:
            trace.extend(share_lines(allocation.method, program, share))
            trace.append("")
    _text_sheet(book, formats, TRACE_SHEET, trace)
    notes = [*(resolved.notes if resolved else ()), *allocation.all_notes()]
    _text_sheet(book, formats, NOTES_SHEET, notes_lines(allocation.method, resolved, notes))
    book.close()
    partial.replace(target)
    return target


def _pct(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))
    return f"{text}%"
