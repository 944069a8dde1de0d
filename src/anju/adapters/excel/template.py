"""Write one Excel template per reporting unit (XlsxWriter; a batch on every core).

Each workbook has an instructions sheet (说明), a cover (封面: unit, reporter, 填报日期), one sheet
per program listing every figure the unit must report (label, unit, requirement, an input cell
and a 情况说明 cell), a 无此项任务 switch per program, data validation on every input cell,
locked label cells (sheet and workbook structure protection; only input cells are unlocked), and a
very hidden sheet with the template id, format, framework, region, unit and a layout checksum.

A batch (:func:`write_templates`, :func:`write_region_templates`) writes one workbook per layout with
XlsxWriter (a skeleton: markers in the unit's own cells) and derives every unit's workbook from it
(:mod:`anju.adapters.excel.derived`), several times faster; the workbooks are the same as those
:func:`template_bytes` writes directly, cell for cell.

Every text is written as a text cell (never a formula or a link, whatever it starts with); cell
addresses come from :mod:`anju.adapters.excel.layout`, which the importer reads by.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook as XlsxWorkbook

from anju.adapters.excel.derived import MARKER, Skeleton, Value, parse_skeleton
from anju.adapters.excel.layout import (
    COLUMNS,
    COVER_FIELDS,
    COVER_SHEET,
    FIRST_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    META_SHEET,
    NO,
    NO_TASK_ROW,
    NOT_APPLICABLE_TEXT,
    NOTE_ROW,
    TITLE_ROW,
    VALUE_COL,
    YES,
    FigureRow,
    Layout,
    ProgramSheet,
    build_layout,
    cover_row,
    template_key,
)
from anju.adapters.excel.styles import (
    BORDER_COLOR,
    GREY_COLOR,
    GREY_SIZE,
    HEADER_COLOR,
    INPUT_COLOR,
    TITLE_SIZE,
)
from anju.collect.regions import RegionTree, RegionUnit
from anju.collect.units import UnitProgram, UnitReport
from anju.collect.validation import RuleSet
from anju.dataset.models import NOT_APPLICABLE
from anju.files import FileWriteError, make_dirs, write_bytes
from anju.framework.models import Framework
from anju.problems import FileCode
from anju.text import clean_text

NUMBER_FORMATS = {"amount": "#,##0.00", "quantity": "#,##0.00", "count": "#,##0", "percent": "0.00"}
DATE_FORMAT = "yyyy-mm-dd"
EARLIEST_DATE = 36526
"""2000-01-01 as an Excel serial: the 填报日期 validation's lower bound."""
A4 = 9
TITLE_MAX = 32
PROMPT_MAX = 255
ERROR_MAX = 225
"""Excel's limits on a validation's titles and messages, in UTF-16 code units (the error kept shorter)."""
BMP_LAST = 0xFFFF
PROGRAM_WIDTHS = (6, 46, 16, 9, 40, 28, 26)
"""Widths of the columns A–G of a program sheet; G (编号) is hidden."""
ID_COLUMN = len(COLUMNS) - 1
VALUE_COLUMN, NOTE_COLUMN = 2, 5
LINE_HEIGHT = 15
GUIDE_CHARS_PER_LINE, ROW_CHARS_PER_LINE = 34, 20
SWITCH_HEIGHT = 45
GUIDE_WIDTH = 72
COVER_WIDTHS = (14, 48)
DATE_KEY = "submitted_at"
VALIDATION_CACHE = 4096
PARALLEL_MIN_UNITS = 64
"""Below this many units a batch is written in this process (starting workers costs more)."""
CHUNKS_PER_WORKER = 8
MAX_CHUNK = 64
WRITER_THREADS = 4
"""Threads putting finished workbooks on disk (each file is flushed before it is named)."""
SHEET_PROTECTION = {
    # what the user may still do on a protected sheet: select any cell, resize rows and columns
    "select_locked_cells": True, "select_unlocked_cells": True, "format_columns": True, "format_rows": True,
    "objects": True, "scenarios": True,
}
BOOK_OPTIONS = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


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
    workers: int | None = None,
) -> list[Path]:
    """Write a template for every reporting unit (or the given ``units``) into ``target``; the paths
    in the order of the units. ``workers`` > 1 and at least :data:`PARALLEL_MIN_UNITS` units: that
    many processes write them (each workbook is independent; the files are the same)."""
    the_year = year if year is not None else framework.year
    chosen = list(units) if units is not None else tree.reporting_units(the_year)
    batch = _Batch(framework, {tree.code: tree}, the_year, target, deadline, rules, prefill or {})
    return _run(batch, [(tree.code, unit.code) for unit in chosen], workers)


def write_region_templates(
    framework: Framework,
    trees: Sequence[RegionTree],
    target: Path,
    *,
    year: int | None = None,
    deadline: dt.date | None = None,
    rules: RuleSet | None = None,
    prefill: dict[str, UnitReport] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Every reporting unit of several regions (the whole country, say) in one batch, on ``workers``
    processes; ``prefill`` by unit code. The paths region by region, in each region's order."""
    the_year = year if year is not None else framework.year
    batch = _Batch(framework, {tree.code: tree for tree in trees}, the_year, target, deadline, rules, prefill or {})
    jobs = [(tree.code, unit.code) for tree in trees for unit in tree.reporting_units(the_year)]
    return _run(batch, jobs, workers)


Job = tuple[str, str]
"""(region code, unit code)."""


@dataclass(frozen=True)
class _Batch:
    """What every template of a batch shares."""

    framework: Framework
    trees: dict[str, RegionTree]
    year: int
    target: Path
    deadline: dt.date | None
    rules: RuleSet | None
    prefill: dict[str, UnitReport]
    skeletons: dict[object, Skeleton | None] = field(default_factory=dict, compare=False, repr=False)
    """This process's skeletons by layout (see :func:`_derived_bytes`)."""

    def write(self, jobs: Sequence[Job]) -> list[str]:
        """Write the workbooks of ``jobs``; returns their paths. Each file is put in place by
        :func:`anju.files.write_bytes` (flushed to disk before it gets its name) on a few threads, so
        that the next workbook is built while the disk catches up; the first failure is raised once
        every write has ended."""
        with ThreadPoolExecutor(WRITER_THREADS) as writers:
            pending: list[Future[Path]] = []
            for region, code in jobs:
                tree = self.trees[region]
                layout = build_layout(self.framework, tree, tree.unit(code), self.year)
                content = _content(layout, self.deadline, self.rules, self.prefill.get(code))
                data = _derived_bytes(layout, content, self.skeletons)
                pending.append(writers.submit(write_bytes, self.target / layout.file_name, data))
            wait(pending)
        return [str(future.result()) for future in pending]


def _run(batch: _Batch, jobs: list[Job], workers: int | None) -> list[Path]:
    make_dirs(batch.target)
    if workers is None or workers <= 1 or len(jobs) < PARALLEL_MIN_UNITS:
        return [Path(p) for p in batch.write(jobs)]
    template_key()  # read (or create) the installation's key once, before the workers need it
    size = max(1, min(MAX_CHUNK, len(jobs) // (workers * CHUNKS_PER_WORKER)))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(workers, initializer=_worker_init, initargs=(batch,)) as pool:
        written = pool.map(_worker_write, chunks, chunksize=1)
    paths: list[Path] = []
    for result in written:
        if isinstance(result, _Failure):
            raise FileWriteError(result.path, result.reason, result.code)
        paths.extend(Path(p) for p in result)
    return paths


@dataclass(frozen=True)
class _Failure:
    """A :class:`FileWriteError` in a worker, sent back as data (the exception does not pickle)."""

    path: str
    reason: str
    code: FileCode


_WORKER_BATCH: list[_Batch] = []


def _worker_init(batch: _Batch) -> None:
    _WORKER_BATCH[:] = [batch]


def _worker_write(jobs: list[Job]) -> list[str] | _Failure:
    try:
        return _WORKER_BATCH[0].write(jobs)
    except FileWriteError as exc:
        code = exc.problems[0].code if exc.problems else FileCode.WRITE_FAILED
        return _Failure(str(exc.path), exc.reason, code if isinstance(code, FileCode) else FileCode.WRITE_FAILED)


class _Book(XlsxWorkbook):  # type: ignore[misc]  # XlsxWriter ships no type information
    """An XlsxWriter workbook whose structure is locked (no sheet added, deleted, renamed, moved or
    unhidden). XlsxWriter protects sheets but not the workbook's structure (its author declines to add
    it), so the one element is written where the schema puts it, right after ``<workbookPr>``."""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


TITLE: dict[str, object] = {"bold": True, "font_size": TITLE_SIZE}
BOLD: dict[str, object] = {"bold": True}
GREY: dict[str, object] = {"font_color": f"#{GREY_COLOR}", "font_size": GREY_SIZE}
BORDER: dict[str, object] = {"border": 1, "border_color": f"#{BORDER_COLOR}"}
WRAP: dict[str, object] = {"text_wrap": True, "valign": "vcenter"}
TOP: dict[str, object] = {"text_wrap": True, "valign": "top"}
INPUT: dict[str, object] = {"pattern": 1, "bg_color": f"#{INPUT_COLOR}", "locked": False}
HEADER: dict[str, object] = {"pattern": 1, "bg_color": f"#{HEADER_COLOR}"}


class _Formats:
    """The workbook's cell formats, each made once (XlsxWriter formats belong to one workbook)."""

    def __init__(self, book: Any) -> None:
        add = book.add_format
        self.title, self.grey = add(TITLE), add(GREY)
        self.guide = {"": add(TOP), "title": add({**TOP, **TITLE}), "bold": add({**TOP, **BOLD}),
                      "grey": add({**TOP, **GREY})}
        self.cover_label, self.cover_fixed = add({**BOLD, **BORDER}), add(BORDER)
        self.cover_input = add({**BORDER, **INPUT})
        self.cover_date = add({**BORDER, **INPUT, "num_format": DATE_FORMAT})
        self.switch_note, self.switch = add({**WRAP, **BOLD}), add({**INPUT, **BORDER})
        self.header = add({**BOLD, **HEADER, **BORDER, **WRAP})
        self.cell, self.id = add({**BORDER, **WRAP}), add({**BORDER, **WRAP, **GREY})
        self.text_input = add({**BORDER, **WRAP, **INPUT})
        self.numbers = {kind: add({**BORDER, **WRAP, **INPUT, "num_format": pattern})
                        for kind, pattern in NUMBER_FORMATS.items()}
        self.named: dict[str, Any] = {
            "": None, "title": self.title, "cover_fixed": self.cover_fixed, "cover_input": self.cover_input,
            "cover_date": self.cover_date, "switch": self.switch, "text_input": self.text_input,
            **{f"guide.{look}": f for look, f in self.guide.items()},
            **{f"number.{kind}": f for kind, f in self.numbers.items()},
        }


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
    return write_bytes(path, template_bytes(layout, deadline=deadline, rules=rules, values=values))


def template_bytes(
    layout: Layout,
    *,
    deadline: dt.date | None = None,
    rules: RuleSet | None = None,
    values: UnitReport | None = None,
) -> bytes:
    """The bytes of one unit's workbook (see :func:`write_template`)."""
    return _direct_bytes(layout, _content(layout, deadline, rules, values))


Cell = tuple[int, int, int, str]
"""A unit's own cell: (sheet index, row, column; 0-based) and the name of its format (:class:`_Formats`)."""


@dataclass(frozen=True)
class _Content:
    """What in a unit's workbook is the unit's own: the cells naming the unit, its pre-filled figures,
    answers and notes (every text of the instructions sheet too), and the instructions' row heights.
    Everything else depends on the layout's sheets (the unit's kind) and the batch only."""

    heights: tuple[int, ...]
    """Of each line of the instructions sheet, in points; 0: Excel's default."""
    cells: tuple[Cell, ...]
    values: tuple[Value, ...]


def _clean(text: str | None) -> str | None:
    """A text cell's text, cleaned of characters the file format cannot hold; None for a blank."""
    return (clean_text(text) if text else "") or None


def _content(layout: Layout, deadline: dt.date | None, rules: RuleSet | None, values: UnitReport | None) -> _Content:
    cells: list[Cell] = []
    found: list[Value] = []

    def put(sheet: int, row: int, column: int, value: Value, cell_format: str) -> None:
        cells.append((sheet, row - 1, column - 1, cell_format))
        found.append(value)

    lines = _guide_lines(layout, deadline, rules)
    heights = tuple(LINE_HEIGHT * n if (n := _lines(text, GUIDE_CHARS_PER_LINE)) > 1 else 0 for text, _look in lines)
    for index, (text, look) in enumerate(lines, start=1):
        put(0, index, 1, _clean(text), f"guide.{look}")
    fixed = layout.cover_values()
    filled: dict[str, str | None] = {"reporter": values.reporter, "phone": values.phone} if values is not None else {}
    for key, _label, is_input in COVER_FIELDS:
        if key != DATE_KEY:
            put(1, cover_row(key), 2, _clean(filled.get(key) if is_input else fixed[key]),
                "cover_input" if is_input else "cover_fixed")
    put(1, cover_row(DATE_KEY), 2, values.submitted_at if values is not None else None, "cover_date")
    for number, sheet in enumerate(layout.sheets, start=2):
        data = values.program(sheet.program.id) if values is not None else None
        put(number, TITLE_ROW, 1, _clean(layout.sheet_title(sheet)), "title")
        put(number, NO_TASK_ROW, 3, YES if data is not None and data.no_task else NO, "switch")
        for row in sheet.rows:
            put(number, row.row, VALUE_COLUMN + 1, _value(row, data),
                "text_input" if row.question else f"number.{row.spec.kind}")
            put(number, row.row, NOTE_COLUMN + 1, _clean(data.explanations.get(row.spec.id) if data is not None else None),
                "text_input")
    meta = len(layout.sheets) + 2
    for index, value in enumerate(layout.meta().values(), start=1):
        put(meta, index, 2, _clean(value), "")
    return _Content(heights, tuple(cells), tuple(found))


def _static_book(layout: Layout, heights: Sequence[int]) -> tuple[io.BytesIO, Any, _Formats, list[Any]]:
    """A workbook with everything but the unit's own cells (:class:`_Content`); its sheets in order."""
    buffer = io.BytesIO()
    book = _Book(buffer, BOOK_OPTIONS)
    formats = _Formats(book)
    sheets = [book.add_worksheet(GUIDE_SHEET)]
    _guide(sheets[0], heights)
    sheets.append(book.add_worksheet(COVER_SHEET))
    _cover(sheets[1], formats, layout.year)
    for sheet in layout.sheets:
        sheets.append(book.add_worksheet(_safe_title(sheet.name)))
        _program_sheet(sheets[-1], formats, sheet)
    sheets.append(book.add_worksheet(META_SHEET))
    _meta(sheets[-1], layout)
    sheets[1].activate()
    return buffer, book, formats, sheets


def _direct_bytes(layout: Layout, content: _Content) -> bytes:
    buffer, book, formats, sheets = _static_book(layout, content.heights)
    for (sheet, row, column, name), value in zip(content.cells, content.values, strict=True):
        ws, cell_format = sheets[sheet], formats.named[name]
        if value is None:
            ws.write_blank(row, column, None, cell_format)
        elif isinstance(value, str):
            ws.write_string(row, column, value, cell_format)
        elif isinstance(value, dt.date):
            ws.write_datetime(row, column, value, cell_format)
        else:
            ws.write_number(row, column, value, cell_format)
    book.close()
    return buffer.getvalue()


SKELETONS_MAX = 256
"""Skeletons a batch keeps (one per kind of unit and run of instruction heights, typically a few)."""


def _skeleton(layout: Layout, content: _Content) -> Skeleton | None:
    """The workbook of ``content``'s layout with a marker in each of the unit's cells (see
    :mod:`anju.adapters.excel.derived`); None when it cannot be used."""
    buffer, book, formats, sheets = _static_book(layout, content.heights)
    table = book.str_table.string_table  # the texts written so far, by shared-string index
    static = sorted(table, key=table.__getitem__)
    for n, (sheet, row, column, name) in enumerate(content.cells):
        sheets[sheet].write_string(row, column, MARKER.format(n), formats.named[name])
    book.close()
    return parse_skeleton(buffer.getvalue(), [cell[:3] for cell in content.cells], static)


def _derived_bytes(layout: Layout, content: _Content, skeletons: dict[object, Skeleton | None]) -> bytes:
    """The bytes of a unit's workbook, derived from its layout's skeleton (made on first use): the
    same workbook as :func:`template_bytes` writes, much faster."""
    key = (layout.framework.digest, layout.year, _sheets_key(layout.sheets), content.heights, content.cells)
    if key in skeletons:
        skeleton = skeletons[key]
    else:
        if len(skeletons) >= SKELETONS_MAX:
            skeletons.clear()
        skeleton = skeletons[key] = _skeleton(layout, content)
    data = skeleton.fill(content.values) if skeleton is not None else None
    return data if data is not None else _direct_bytes(layout, content)


_SHEET_KEYS: dict[int, tuple[tuple[ProgramSheet, ...], tuple[object, ...]]] = {}


def _sheets_key(sheets: tuple[ProgramSheet, ...]) -> tuple[object, ...]:
    """Everything of the program sheets that their static cells are written from (by value)."""
    found = _SHEET_KEYS.get(id(sheets))
    if found is not None and found[0] is sheets:
        return found[1]
    key = tuple((s.program.id, s.name, tuple((r.row, r.spec.id, r.question, r.label, r.unit, r.requirement, r.spec.kind,
                                              r.spec.allow_not_applicable) for r in s.rows)) for s in sheets)
    if len(_SHEET_KEYS) >= SKELETONS_MAX:
        _SHEET_KEYS.clear()
    _SHEET_KEYS[id(sheets)] = (sheets, key)
    return key


def _safe_title(name: str) -> str:
    return name[:31]


def _print_setup(ws: Any, landscape: bool) -> None:
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(A4)
    ws.fit_to_pages(1, 0)


def _protect(ws: Any) -> None:
    ws.protect("", SHEET_PROTECTION)


def _lines(text: str, chars_per_line: int) -> int:
    return max(1, -(-len(text) // chars_per_line))


def _text(ws: Any, row: int, column: int, text: str | None, cell_format: Any = None) -> None:
    """A text cell at (row, column), 1-based like the layout: the text exactly (cleaned of characters
    the file format cannot hold), never read as a formula, a number or a link; a blank for no text."""
    cleaned = clean_text(text) if text else ""
    if cleaned:
        ws.write_string(row - 1, column - 1, cleaned, cell_format)
    else:
        ws.write_blank(row - 1, column - 1, None, cell_format)


def _utf16_cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 code units (how Excel counts a validation's titles and
    messages), never inside a character."""
    if len(text) * 2 <= limit or len(text.encode("utf-16-le")) <= 2 * limit:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > BMP_LAST else 1
        if units > limit:
            return text[:index]
    return text


def _validate(ws: Any, row: int, column: int, options: dict[str, object]) -> None:
    if ws.data_validation(row - 1, column - 1, row - 1, column - 1, options) != 0:
        raise ValueError(f"data validation refused at row {row}, column {column}: {options}")


def _guide_lines(layout: Layout, deadline: dt.date | None, rules: RuleSet | None) -> list[tuple[str, str]]:
    """The lines of the instructions sheet: (text, look)."""
    unit = layout.unit
    due = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else "按通知要求"
    lines: list[tuple[str, str]] = [
        (f"{layout.year}年度城镇保障性安居工程绩效评价数据填报表（{unit.display_name}）", "title"),
        ("", ""),
        ("一、填报说明", "bold"),
        (f"1. 本表由{unit.display_name}（代码 {unit.code}）填报，报送截止日期：{due}。", ""),
        ("2. 请先填写“封面”中的填报人、联系电话和填报日期，再逐个填写各项目工作表中黄色底色的“填报值”单元格；"
         "其他单元格已锁定，请勿修改、插入或删除行列，也不要增删、重命名工作表。", ""),
        ("3. 金额一律以万元为单位，最多保留两位小数；个、套、户、栋、件等计数填非负整数；"
         "百分比按百分数填写（94%填94，不要填0.94）。", ""),
        (f"4. 没有发生的填 0；确实不适用的填“{NOT_APPLICABLE_TEXT}”（仅限注明可填“{NOT_APPLICABLE_TEXT}”的项目）；"
         "不得留空，空白将被退回。", ""),
        (f"5. 本单位本年度没有某个项目的任务时，在该项目工作表第{NO_TASK_ROW}行选择“{YES}”（无此项任务），"
         "该表其余各项不填；此时本单位不计入该项目的城市数等分母。", ""),
        (f"6. “{YES}/{NO}”类问题请从下拉列表中选择。", ""),
        ("7. 单元格中请直接填数值，不要填“约3万”“3万元”等文字，不要使用公式；出现 #DIV/0! 等公式错误的表格将被退回。", ""),
        ("8. 某项数据触发下列“警告”规则时，请在该行“情况说明”栏写明原因；触发“错误”规则的表格将被退回修改。", ""),
        ("9. 本表由 anju 生成，工作表保护仅用于防止误操作；系统导入时会核对模板标识和结构，"
         "被改动或过期的模板将被拒收，请勿复制其他单位或往年的表格填报。", ""),
        ("", ""),
        ("二、模板信息", "bold"),
        (f"模板标识：{layout.template_id}　格式版本：{layout.meta()['format']}　指标体系：{layout.framework.label}"
         f"（{layout.framework.id}）　校验码：{layout.checksum}", "grey"),
    ]
    if rules is not None and (rules.rules or rules.changes):
        lines.append(("", ""))
        lines.append(("三、校验规则", "bold"))
        programs = {s.program.id for s in layout.sheets}
        for rule in rules.rules:
            if rule.programs is not None and not programs.intersection(rule.programs):
                continue
            severity = "错误" if rule.severity == "error" else "警告"
            lines.append((f"【{severity}】{rule.label}" + (f"（{rule.message}）" if rule.message else ""), ""))
        for change in rules.changes:
            lines.append((f"【警告】{change.label}：与上年相比变化超过±{change.max_change_percent}%时须说明。", ""))
    return lines


def _guide(ws: Any, heights: Sequence[int]) -> None:
    for index, height in enumerate(heights):
        if height:
            ws.set_row(index, height)
    ws.set_column(0, 0, GUIDE_WIDTH)
    _print_setup(ws, landscape=False)
    _protect(ws)


def _cover(ws: Any, formats: _Formats, year: int) -> None:
    """The cover but the unit's own cells (column B)."""
    _text(ws, 1, 1, f"{year}年度城镇保障性安居工程绩效评价数据填报表", formats.title)
    _text(ws, 2, 1, "黄色单元格由填报单位填写，其余内容请勿修改。", formats.grey)
    for key, label, _is_input in COVER_FIELDS:
        _text(ws, cover_row(key), 1, label, formats.cover_label)
    _validate(ws, cover_row(DATE_KEY), 2, {
        "validate": "date", "criteria": ">=", "value": EARLIEST_DATE, "ignore_blank": True,
        "error_title": "填报日期", "error_message": "请填写日期，如 2023-01-10。",
        "input_title": "填报日期", "input_message": "填写本表完成填报的日期，如 2023-01-10。",
    })
    for column, width in enumerate(COVER_WIDTHS):
        ws.set_column(column, column, width)
    _print_setup(ws, landscape=False)
    _protect(ws)


@functools.lru_cache(maxsize=VALIDATION_CACHE)
def _validation(row: int, kind: str, *, question: bool, allow_not_applicable: bool, label: str,
                requirement: str) -> dict[str, object]:
    """The data validation of the input cell on ``row`` (XlsxWriter options, which XlsxWriter copies
    and never changes): the same for every unit with the same row, so made once."""
    cell = f"{VALUE_COL}{row}"
    error = f"请从下拉列表选择“{YES}”或“{NO}”。" if question else f"{requirement}。"
    messages = {
        "ignore_blank": True,
        "error_title": "填报值不符合要求",
        "error_message": _utf16_cut(error, ERROR_MAX),
        "input_title": _utf16_cut(label, TITLE_MAX),
        "input_message": _utf16_cut(requirement, PROMPT_MAX),
    }
    if question:
        return {"validate": "list", "source": [YES, NO], **messages}
    if allow_not_applicable:
        whole = f",{cell}=INT({cell})" if kind == "count" else ""
        upper = f",{cell}<=100" if kind == "percent" else ""
        formula = f'OR(AND(ISNUMBER({cell}),{cell}>=0{upper}{whole}),{cell}="{NOT_APPLICABLE_TEXT}")'
        return {"validate": "custom", "value": formula, **messages}
    if kind == "count":
        return {"validate": "integer", "criteria": ">=", "value": 0, **messages}
    if kind == "percent":
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100, **messages}
    return {"validate": "decimal", "criteria": ">=", "value": 0, **messages}


def _program_sheet(ws: Any, formats: _Formats, sheet: ProgramSheet) -> None:
    """A program sheet but the unit's own cells: the title (A1), the switch (C3), the input and the
    情况说明 cells."""
    program = sheet.program
    _text(ws, NOTE_ROW, 1, "黄色单元格为填报项；数据触发警告规则时，在“情况说明”栏写明原因。", formats.grey)
    ws.set_row(NO_TASK_ROW - 1, SWITCH_HEIGHT)
    _text(ws, NO_TASK_ROW, 2, f"无此项任务（本单位本年度没有“{program.label}”任务的选“{YES}”，本表其余各项不填）",
          formats.switch_note)
    _validate(ws, NO_TASK_ROW, 3, {
        "validate": "list", "source": [YES, NO], "ignore_blank": False, "show_input": False,
        "error_title": "无此项任务", "error_message": f"请选择“{YES}”或“{NO}”。",
    })
    for col, title in enumerate(COLUMNS, start=1):
        _text(ws, HEADER_ROW, col, title, formats.header)
    cell = formats.cell
    for index, row in enumerate(sheet.rows, start=1):
        r = row.row - 1
        label, requirement, spec = row.label, row.requirement, row.spec
        lines_needed = _lines(max(label, requirement, key=len), ROW_CHARS_PER_LINE)
        if lines_needed > 1:
            ws.set_row(r, LINE_HEIGHT * lines_needed)
        ws.write_number(r, 0, index, cell)
        _text(ws, row.row, 2, label, cell)
        _text(ws, row.row, 4, row.unit, cell)
        _text(ws, row.row, 5, requirement, cell)
        _text(ws, row.row, ID_COLUMN + 1, spec.id, formats.id)
        _validate(ws, row.row, VALUE_COLUMN + 1,
                  _validation(row.row, spec.kind, question=row.question, allow_not_applicable=spec.allow_not_applicable,
                              label=label, requirement=requirement))
    for column, width in enumerate(PROGRAM_WIDTHS):
        # the 编号 column is the importer's (it checks each row is where the template put it): hidden,
        # so that no internal id is shown or printed
        ws.set_column(column, column, width, None, {"hidden": column == ID_COLUMN})
    ws.freeze_panes(FIRST_ROW - 1, VALUE_COLUMN)
    _print_setup(ws, landscape=True)
    _protect(ws)


def _value(row: FigureRow, data: UnitProgram | None) -> Value:
    """The input cell of a row: blank, or pre-filled with the stored answer or figure."""
    if data is not None and row.question:
        answer = data.answers.get(row.spec.id)
        if answer is not None:
            return YES if answer else NO
    elif data is not None:
        value = data.figures.get(row.spec.id)
        if value == NOT_APPLICABLE:
            return NOT_APPLICABLE_TEXT
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
    return None


def _meta(ws: Any, layout: Layout) -> None:
    """The hidden sheet's keys (its values are the unit's own cells)."""
    for index, key in enumerate(layout.meta(), start=1):
        _text(ws, index, 1, key)
    ws.very_hidden()
    _protect(ws)
