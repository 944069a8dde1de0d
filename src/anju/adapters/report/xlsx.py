"""Excel output: the score table (绩效评价指标得分表) and the appendix tables the framework declares (附件1–4).

Written with XlsxWriter. Totals and rates are formulas *with* their computed values stored, so the
sheet stays live when someone edits a figure and still shows the right numbers in readers that do
not recalculate. Every sheet: merged multi-row header, a unit line, thousands separators, frozen
header, A4 landscape fitted to the page width, header rows repeated on each printed page.
Numbers become floats only here, at the file boundary; every sum is computed in Decimal first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from anju.adapters.report.appendix import NOT_COMPUTABLE, CellValue, UnitRow, row_values, totals_values
from anju.adapters.report.content import ProgramSection, ReportContent
from anju.adapters.report.markdown import display_width
from anju.dataset.models import NOT_APPLICABLE
from anju.decimals import plain
from anju.framework.appendix import column_header, column_kind, group_header, scope_notes
from anju.framework.models import AppendixTable, FigureColumn, Framework, Provenance, RatioColumn, SumColumn

NUMBER_FORMATS = {"amount": "#,##0.00", "count": "#,##0", "quantity": "#,##0.00", "rate": "0.0%", "points": "0.##"}
NOT_APPLICABLE_TEXT = "不适用"
NOT_COMPUTABLE_TEXT = "—"
TOTAL_LABEL = "合计"
EXAMPLE_LABEL = "示例数据"
WORKING_LABEL = "得分计算底稿，内部工作文件，不报送"
HEADER_FIRST_ROW = 2
BLANK_FILL = "#FFF2CC"
TITLE_FONT = "黑体"
BODY_FONT = "宋体"


class _Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter"}
        border = {**base, "border": 1}
        self.title = book.add_format({**base, "font_name": TITLE_FONT, "font_size": 16, "align": "center"})
        self.label = book.add_format({**base, "font_name": TITLE_FONT, "font_size": 14})
        self.unit = book.add_format({**base, "align": "right"})
        self.note = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self.header = book.add_format({**border, "font_name": TITLE_FONT, "align": "center", "text_wrap": True,
                                       "bg_color": "#D9D9D9"})
        self.text = book.add_format({**border, "text_wrap": True})
        self.center = book.add_format({**border, "align": "center"})
        self.blank = book.add_format({**border, "bg_color": BLANK_FILL})
        self.total_label = book.add_format({**border, "bold": True, "align": "center"})
        self.numbers: dict[tuple[str, bool], Any] = {}
        for kind, pattern in NUMBER_FORMATS.items():
            for bold in (False, True):
                self.numbers[kind, bold] = book.add_format({**border, "num_format": pattern, "bold": bold})
        self.levels = {
            level: book.add_format({**border, "text_wrap": True, "indent": level - 1, "bold": level == 1,
                                    "bg_color": "#F2F2F2" if level == 1 else "#FFFFFF"})
            for level in range(1, 6)
        }

    def number(self, kind: str, bold: bool = False) -> Any:
        return self.numbers[kind, bold]


def _print_setup(sheet: Any, header_rows: tuple[int, int], last_col: int, last_row: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.repeat_rows(*header_rows)
    sheet.print_area(0, 0, last_row, last_col)
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _write_value(sheet: Any, at: tuple[int, int], value: CellValue, fmt: tuple[_Formats, str, bool],
                 formula: str | None = None) -> None:
    """A number (with its formula when there is one), a visible blank, 不适用 or —.
    ``fmt`` is (formats, number kind, bold)."""
    formats, kind, bold = fmt
    if value is None:
        sheet.write_blank(*at, None, formats.blank)
    elif value == NOT_APPLICABLE:
        sheet.write_string(*at, NOT_APPLICABLE_TEXT, formats.center)
    elif value == NOT_COMPUTABLE:
        sheet.write_string(*at, NOT_COMPUTABLE_TEXT, formats.center)
    else:
        assert isinstance(value, Decimal)
        number = float(value)  # the file boundary: Excel stores doubles
        if formula:
            sheet.write_formula(*at, formula, formats.number(kind, bold), number)
        else:
            sheet.write_number(*at, number, formats.number(kind, bold))


@dataclass(frozen=True)
class AppendixLayout:
    """Where things landed in a sheet (0-based), for readers and tests."""

    sheet: str
    first_data_row: int
    totals_row: int
    columns: dict[str, int]


class _AppendixSheet:
    """Writes one appendix table: title, unit line, two header rows, unit rows, totals, notes."""

    def __init__(self, book: xlsxwriter.Workbook, formats: _Formats, table: AppendixTable, framework: Framework) -> None:
        self.sheet = book.add_worksheet(table.sheet)
        self.formats = formats
        self.table = table
        self.framework = framework
        self.columns = table.columns()
        self.col_of = {column.id: index + 1 for index, column in enumerate(self.columns)}
        self.last_col = len(self.columns)
        self.first_data = HEADER_FIRST_ROW + 2

    def header(self, title: str) -> None:
        sheet, formats, col_of, framework = self.sheet, self.formats, self.col_of, self.framework
        top, sub = HEADER_FIRST_ROW, HEADER_FIRST_ROW + 1
        sheet.merge_range(0, 0, 0, self.last_col, title, formats.title)
        sheet.set_row(0, 30)
        sheet.merge_range(1, 0, 1, self.last_col, self.table.unit, formats.unit)
        sheet.merge_range(top, 0, sub, 0, self.table.row_header, formats.header)
        for group in self.table.groups:
            first, last = col_of[group.columns[0].id], col_of[group.columns[-1].id]
            label = group_header(framework, group)
            if label is None:
                for column in group.columns:
                    c = col_of[column.id]
                    sheet.merge_range(top, c, sub, c, column_header(framework, column), formats.header)
                continue
            if first == last:
                sheet.write_string(top, first, label, formats.header)
            else:
                sheet.merge_range(top, first, top, last, label, formats.header)
            for column in group.columns:
                sheet.write_string(sub, col_of[column.id], column_header(framework, column), formats.header)
        sheet.set_row(sub, row_height([(column_header(framework, c), 13) for c in self.columns]))
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, self.last_col, 13)

    def cell(self, r: int, column: FigureColumn | SumColumn | RatioColumn, values: dict[str, CellValue],
             bold: bool) -> None:
        c, value = self.col_of[column.id], values[column.id]
        kind = column_kind(self.framework, self.table, column)
        if isinstance(column, FigureColumn):
            _write_value(self.sheet, (r, c), value, (self.formats, kind, bold))
        elif isinstance(column, SumColumn):
            parts = ",".join(xl_rowcol_to_cell(r, self.col_of[p]) for p in column.sum)
            _write_value(self.sheet, (r, c), value, (self.formats, kind, bold), f"=SUM({parts})")
        else:
            num = xl_rowcol_to_cell(r, self.col_of[column.numerator])
            den = xl_rowcol_to_cell(r, self.col_of[column.denominator])
            _write_value(self.sheet, (r, c), value, (self.formats, kind, bold), f"={num}/{den}")

    def body(self, rows: Sequence[UnitRow]) -> int:
        """Unit rows, then the totals row (sums of the rows, ratios from the sums); returns its index."""
        computed = [row_values(self.table, figures) for _, figures in rows]
        for offset, ((name, _), values) in enumerate(zip(rows, computed, strict=True)):
            r = self.first_data + offset
            self.sheet.set_row(r, row_height([(name, 16)]) + 3)
            self.sheet.write_string(r, 0, name, self.formats.text)
            for column in self.columns:
                self.cell(r, column, values, bold=False)
        totals_row = self.first_data + len(rows)
        totals = totals_values(self.table, computed)
        self.sheet.write_string(totals_row, 0, self.table.totals_label, self.formats.total_label)
        self.sheet.set_row(totals_row, LINE_HEIGHT + 6)
        for column in self.columns:
            c = self.col_of[column.id]
            if isinstance(column, RatioColumn) or not rows:
                self.cell(totals_row, column, totals, bold=True)
                continue
            span = f"{xl_rowcol_to_cell(self.first_data, c)}:{xl_rowcol_to_cell(totals_row - 1, c)}"
            value = totals[column.id]
            kind = column_kind(self.framework, self.table, column)
            _write_value(self.sheet, (totals_row, c), value, (self.formats, kind, True), f"=SUM({span})")
            if value is None:
                self.sheet.write_comment(totals_row, c, "有单位未填报，合计不能确定。")
        return totals_row

    def notes(self, after: int, as_of: str | None, rows_note: str | None = None) -> int:
        notes = ["注：空白（浅黄色）为未填报，“不适用”为该单位无此项任务，“—”为分母为0无法计算。", *self.table.notes]
        if rows_note:  # the units file's own words go to the 核对清单; here the label only
            notes.insert(0, f"{EXAMPLE_LABEL}，非真实分地区数据：各市（州）的数字为示意，报送前须换成真实数据。")
        scope = scope_notes(self.framework, self.table)
        if scope:
            notes.append("口径：" + "；".join(scope) + "。")
        if as_of:
            notes.append(f"数据截至{as_of}。")
        r = after
        for index, note in enumerate(notes):
            r = after + 2 + index
            self.sheet.merge_range(r, 0, r, self.last_col, note, self.formats.note)
            self.sheet.set_row(r, row_height([(note, 16 + 13 * self.last_col)]))
        return r


def write_appendix_sheet(book: xlsxwriter.Workbook, formats: _Formats, table: AppendixTable, framework: Framework,
                         *, title: str, rows: Sequence[UnitRow], as_of: str | None,
                         rows_note: str | None = None) -> AppendixLayout:
    writer = _AppendixSheet(book, formats, table, framework)
    writer.header(title)
    totals_row = writer.body(rows)
    last_row = writer.notes(totals_row, as_of, rows_note)
    writer.sheet.freeze_panes(writer.first_data, 1)
    _print_setup(writer.sheet, (0, writer.first_data - 1), writer.last_col, last_row)
    if rows_note:  # on every printed page, not only after the last row
        writer.sheet.set_header(f"&L&\"-,Bold\"&KFF0000{EXAMPLE_LABEL}，非真实分地区数据")
    return AppendixLayout(table.sheet, writer.first_data, totals_row, writer.col_of)


def write_appendix_workbook(target: Path, content: ReportContent, framework: Framework, rows: Sequence[UnitRow],
                            tables: Sequence[AppendixTable] | None = None) -> list[AppendixLayout]:
    """One workbook, one sheet per appendix table the framework declares (or of ``tables``)."""
    chosen = framework.appendix.tables if tables is None else tables
    if not chosen:
        raise ValueError(f"指标体系“{framework.label}”没有声明附件统计表（appendix）")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    book = xlsxwriter.Workbook(str(partial), {"default_format_properties": {"font_name": BODY_FONT, "font_size": 11}})
    book.set_properties({"title": f"{content.region}{content.year}年度城镇保障性安居工程绩效评价附件表"})
    formats = _Formats(book)
    layouts = [
        write_appendix_sheet(book, formats, table, framework, title=content.appendix_titles[table.number], rows=rows,
                             as_of=content.as_of, rows_note=content.rows_note)
        for table in chosen
    ]
    book.close()
    partial.replace(target)
    return layouts


# --- the score table ----------------------------------------------------------------------

SCORE_COLUMNS = ("层级", "指标", "分值", "得分", "扣分", "计分依据", "扣分理由", "来源", "指标编号")
SCORE_WIDTHS = (9, 36, 7, 7, 7, 44, 36, 7, 30)
LINE_HEIGHT = 15


def row_height(cells: Sequence[tuple[str, float]]) -> float:
    """Height for wrapped text: Excel does not grow rows itself for files it did not lay out.
    ``cells`` are (text, column width in Excel units); a CJK character takes two units."""
    lines = 1
    for text, width in cells:
        usable = max(width - 1.5, 1)
        lines = max(lines, math.ceil(display_width(text) / usable))
    return LINE_HEIGHT * lines + 3


def _provenance_label(value: str) -> str:
    try:
        return Provenance(value).label
    except ValueError:
        return value


def _score_sheet(book: xlsxwriter.Workbook, formats: _Formats, program: ProgramSection, title: str) -> None:
    sheet = book.add_worksheet(program.label)
    rows, points, score, grade = program.score_rows, program.points, program.score, program.grade
    last_col = len(SCORE_COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last_col, title, formats.title)
    sheet.set_row(0, 30)
    sheet.merge_range(1, 0, 1, last_col, "单位：分", formats.unit)
    for col, (header, width) in enumerate(zip(SCORE_COLUMNS, SCORE_WIDTHS, strict=True)):
        sheet.write_string(2, col, header, formats.header)
        sheet.set_column(col, col, width)
    first = 3
    dimension_rows: list[int] = []
    for offset, row in enumerate(rows):
        r = first + offset
        if row.level == 1:
            dimension_rows.append(r)
        bold = row.level == 1
        label = "  " * (row.level - 1) + row.label
        sheet.write_string(r, 0, row.level_label, formats.center)
        sheet.write_string(r, 1, row.label, formats.levels[min(row.level, 5)])
        sheet.write_number(r, 2, float(row.points), formats.number("points", bold))
        sheet.write_number(r, 3, float(row.score), formats.number("points", bold))
        sheet.write_number(r, 4, float(row.deduction), formats.number("points", bold))
        sheet.write_string(r, 5, row.basis, formats.text)
        sheet.write_string(r, 6, row.reason, formats.text)
        sheet.write_string(r, 7, _provenance_label(row.provenance), formats.center)
        sheet.write_string(r, 8, row.path, formats.text)
        sheet.set_row(r, row_height([(label, SCORE_WIDTHS[1]), (row.basis, SCORE_WIDTHS[5]),
                                     (row.reason, SCORE_WIDTHS[6]), (row.path, SCORE_WIDTHS[8])]))
    total = first + len(rows)
    sheet.merge_range(total, 0, total, 1, TOTAL_LABEL, formats.total_label)
    for col, value in ((2, points), (3, score), (4, points - score)):
        cells = ",".join(xl_rowcol_to_cell(r, col) for r in dimension_rows)
        sheet.write_formula(total, col, f"=SUM({cells})", formats.number("points", True), float(value))
    sheet.write_string(total, 5, f"等级：{grade}" if grade else "", formats.text)
    if grade and program.grade_scheme:
        sheet.write_string(total, 6, program.grade_scheme, formats.text)
    else:
        sheet.write_blank(total, 6, None, formats.text)
    sheet.write_blank(total, 7, None, formats.text)
    sheet.write_blank(total, 8, None, formats.text)
    sheet.freeze_panes(first, 2)
    sheet.autofilter(2, 0, total - 1, last_col)
    _print_setup(sheet, (0, 2), last_col, total)


def write_score_workbook(target: Path, content: ReportContent) -> Path:
    """A summary sheet and one sheet per program with every indicator and sub-item."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    book = xlsxwriter.Workbook(str(partial), {"default_format_properties": {"font_name": BODY_FONT, "font_size": 11}})
    title = f"{content.score_table.title}（{WORKING_LABEL}）"
    book.set_properties({"title": title, "comments": WORKING_LABEL})
    formats = _Formats(book)
    summary = book.add_worksheet("汇总")
    summary.merge_range(0, 0, 0, 4, title, formats.title)
    summary.set_row(0, 30)
    summary.merge_range(1, 0, 1, 4, "单位：分", formats.unit)
    for col, (header, width) in enumerate(zip(("项目", "分值", "得分", "扣分", "等级"), (24, 10, 10, 10, 10),
                                              strict=True)):
        summary.write_string(2, col, header, formats.header)
        summary.set_column(col, col, width)
    for offset, program in enumerate(content.programs):
        r = 3 + offset
        summary.write_string(r, 0, program.label, formats.text)
        summary.write_number(r, 1, float(program.points), formats.number("points"))
        summary.write_number(r, 2, float(program.score), formats.number("points"))
        summary.write_number(r, 3, float(program.deduction), formats.number("points"))
        summary.write_string(r, 4, program.grade or "", formats.center)
    summary.freeze_panes(3, 1)
    _print_setup(summary, (0, 2), 4, 3 + len(content.programs))
    for program in content.programs:
        title = f"{content.year}年{content.region}{program.label}绩效评价指标得分表（满分{plain(program.points)}分）"
        _score_sheet(book, formats, program, title)
    book.close()
    partial.replace(target)
    return target


# --- the sendable score table (附件5): exactly the document's table ---------------------------

ATTACHMENT_SCORE_COLUMNS = (("指标", 40), ("分值", 8), ("得分", 8), ("扣分", 8), ("计分依据及扣分理由", 60))
SIGN_LINE = "填报单位（盖章）：　　　　　　　　填表人：　　　　　　审核人：　　　　　　联系电话："


def _attachment_score_sheet(book: xlsxwriter.Workbook, formats: _Formats, program: ProgramSection, *,
                            label: str, title: str) -> None:
    sheet = book.add_worksheet(program.label)
    last = len(ATTACHMENT_SCORE_COLUMNS) - 1
    sheet.write_string(0, 0, label, formats.label)
    sheet.merge_range(1, 0, 1, last, title, formats.title)
    sheet.set_row(1, 30)
    sheet.merge_range(2, 0, 2, last, "单位：分", formats.unit)
    for col, (header, width) in enumerate(ATTACHMENT_SCORE_COLUMNS):
        sheet.write_string(3, col, header, formats.header)
        sheet.set_column(col, col, width)
    first = 4
    dimension_rows: list[int] = []
    for offset, row in enumerate(program.score_rows):
        r = first + offset
        bold = row.level == 1
        if bold:
            dimension_rows.append(r)
        sheet.write_string(r, 0, row.label, formats.levels[min(row.level, 5)])
        sheet.write_number(r, 1, float(row.points), formats.number("points", bold))
        sheet.write_number(r, 2, float(row.score), formats.number("points", bold))
        sheet.write_number(r, 3, float(row.deduction), formats.number("points", bold))
        sheet.write_string(r, 4, row.basis_and_reason, formats.text)
        sheet.set_row(r, row_height([(row.label, ATTACHMENT_SCORE_COLUMNS[0][1] - 2 * (row.level - 1)),
                                     (row.basis_and_reason, ATTACHMENT_SCORE_COLUMNS[4][1])]))
    total = first + len(program.score_rows)
    sheet.write_string(total, 0, TOTAL_LABEL, formats.total_label)
    for col, value in ((1, program.points), (2, program.score), (3, program.deduction)):
        cells = ",".join(xl_rowcol_to_cell(r, col) for r in dimension_rows)
        sheet.write_formula(total, col, f"=SUM({cells})", formats.number("points", True), float(value))
    sheet.write_string(total, 4, f"等级：{program.grade}" if program.grade else "", formats.text)
    sheet.merge_range(total + 2, 0, total + 2, last, SIGN_LINE, formats.note)
    sheet.freeze_panes(first, 1)
    _print_setup(sheet, (0, 3), last, total + 2)
    sheet.fit_to_pages(1, 0)
    sheet.set_portrait()


def write_attachment_score_workbook(target: Path, content: ReportContent, properties: dict[str, str] | None = None) -> Path:
    """附件5 as it is sent: one sheet per program with the document's five columns and texts,
    its "附件N" label and a 填报单位（盖章）/填表人/审核人/联系电话 line; no provenance, no ids."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    book = xlsxwriter.Workbook(str(partial), {"default_format_properties": {"font_name": BODY_FONT, "font_size": 11}})
    book.set_properties({"title": content.score_table.title, **(properties or {})})
    formats = _Formats(book)
    label = f"附件{content.score_table.number}"
    for program in content.programs:
        title = f"{content.year}年{content.region}{program.label}绩效评价指标得分表（满分{plain(program.points)}分）"
        _attachment_score_sheet(book, formats, program, label=label, title=title)
    book.close()
    partial.replace(target)
    return target
