"""Read filled templates back, strictly (python-calamine), one whole workbook or nothing.

The bytes are inspected first (:mod:`anju.adapters.excel.package`: sizes, zip bombs, every sheet's
extent and formulas, before calamine expands anything). Then the hidden metadata must match the
layout anju would generate today for that unit (template format, framework and its hash, region,
unit code in the tree, template id, unit name), every sheet must stay within the template's range
(plus a margin), the cover and the sheet titles must name the unit the metadata names (a mismatch
names both units), the keyed checksum must verify (:func:`anju.adapters.excel.layout.template_key`),
every label cell must be where it was, and every input is
read by the one value reader (:func:`anju.collect.entry.read_value`): type, sign, whole numbers,
decimals, limits, 0–100 for percents, 是/否 answers, blanks, 不适用, the 无此项任务 switch.
Validation rules run last; their findings are returned with their sheet and cell, and the caller
decides whether an error refuses the file (the command line) or is stored (the web). Every problem
names the file, the sheet and the cell, in words a county clerk can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import python_calamine

from anju.adapters.excel.layout import (
    COVER_FIELDS,
    COVER_SHEET,
    ID_COL,
    LABEL_COL,
    META_SHEET,
    NO,
    NO_TASK_CELL,
    NOT_APPLICABLE_TEXT,
    NOTE_COL,
    TEMPLATE_FORMAT,
    TITLE_ROW,
    VALUE_COL,
    YES,
    Layout,
    ProgramSheet,
    build_layout,
    cover_row,
)
from anju.adapters.excel.layout import (
    FigureRow as FigureRowLike,
)
from anju.adapters.excel.package import (
    NOT_COMPUTED,
    ImportLimits,
    PackageScan,
    Refused,
    check_extents,
    open_workbook,
)
from anju.collect.entry import EntryError, is_blank, normalized_text, read_value, shown
from anju.collect.regions import RegionTree
from anju.collect.units import SHORT_TEXT_CHARS, UnitProgram, UnitReport, UnitsFile
from anju.collect.validation import RuleSet, check_program
from anju.dataset.models import FigureValue
from anju.fields import NOTE_MAX_CHARS
from anju.framework.models import Framework
from anju.problems import EntryCode, ImportCode, Problem, Severity, Where
from anju.text import clean_text

DATE_RE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
CELL_RE = re.compile(r"^([A-Z]+)([0-9]+)$")
MAX_LISTED_CELLS = 5
META_COLUMNS = 2
"""The hidden metadata sheet holds key and value in its first two columns."""


def warning_text(problem: Problem) -> str:
    """A rule warning with its state: explained (and how) or still to be explained."""
    state = "已说明：" + (problem.explanation or "") if problem.explained else "须在“情况说明”栏说明原因"
    return f"{problem}（{state}）"


@dataclass(frozen=True)
class ImportOutcome:
    """What one workbook gave: the unit's report when every cell could be read, the problems that
    refuse it, and the validation rules' findings (errors and warnings) with their cells."""

    path: Path
    unit: str | None
    report: UnitReport | None
    problems: list[Problem] = field(default_factory=list)
    findings: list[Problem] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """Every cell was read; the rules' findings may still hold errors."""
        return self.report is not None and not self.problems

    @property
    def accepted(self) -> bool:
        """Readable and no rule error: what a batch import writes."""
        return self.readable and not any(f.is_error for f in self.findings)

    @property
    def refusals(self) -> list[Problem]:
        """Everything that refuses the file in a batch: reading problems and rule errors."""
        return [*self.problems, *(f for f in self.findings if f.is_error)]

    @property
    def warnings(self) -> list[Problem]:
        return [f for f in self.findings if f.severity is Severity.warning]

    @property
    def unexplained(self) -> list[Problem]:
        return [w for w in self.warnings if not w.explained]


@dataclass
class ImportContext:
    framework: Framework
    trees: dict[str, RegionTree]
    rules: RuleSet | None = None
    previous: dict[str, UnitsFile] = field(default_factory=dict)
    """Last year's reports by region code, for cross-year checks."""
    year: int | None = None
    limits: ImportLimits = field(default_factory=ImportLimits)
    _layouts: dict[tuple[str, str], Layout] = field(default_factory=dict)

    def layout(self, tree: RegionTree, unit_code: str) -> Layout:
        key = (tree.code, unit_code)
        layout = self._layouts.get(key)
        if layout is None:
            layout = build_layout(self.framework, tree, tree.unit(unit_code), self.the_year)
            self._layouts[key] = layout
        return layout

    @property
    def the_year(self) -> int:
        return self.year if self.year is not None else self.framework.year


# --- cells --------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _place(ref: str) -> tuple[int, int]:
    """(row index, column index) of an A1 reference, both from 0."""
    match = CELL_RE.match(ref)
    assert match is not None
    col = 0
    for ch in match.group(1):
        col = col * 26 + (ord(ch) - 64)
    return int(match.group(2)) - 1, col - 1


class _Sheet:
    """A calamine sheet addressed by A1 references."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows

    def get(self, ref: str) -> Any:
        row, col = _place(ref)
        if row >= len(self.rows):
            return ""
        values = self.rows[row]
        return values[col] if col < len(values) else ""

    def row(self, number: int) -> list[Any]:
        """The values of worksheet row ``number`` (from 1); empty beyond the sheet."""
        return self.rows[number - 1] if number <= len(self.rows) else []


class _Sheets:
    """The sheets of one workbook, each read by calamine once (when first asked for)."""

    def __init__(self, workbook: python_calamine.CalamineWorkbook, display: str) -> None:
        self.workbook = workbook
        self.display = display
        self.names = set(workbook.sheet_names)
        self._read: dict[str, _Sheet] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def sheet(self, name: str) -> _Sheet:
        found = self._read.get(name)
        if found is None:
            found = self._read[name] = _Sheet(_rows(self.workbook, name, self.display))
        return found


def _float_text(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


@dataclass
class _Reader:
    display: str
    context: ImportContext
    scan: PackageScan
    problems: list[Problem] = field(default_factory=list)
    errors: dict[str, list[tuple[str, str]]] = field(init=False)
    _error_codes: dict[str, dict[str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.errors = self.scan.errors
        self._error_codes = {}
        for sheet, cells in self.errors.items():
            codes = self._error_codes[sheet] = {}
            for ref, code in cells:
                codes.setdefault(ref, code)

    def problem(self, code: EntryCode | ImportCode, message: str, sheet: str | None = None, cell: str | None = None) -> None:
        self.problems.append(Problem(code, Severity.error, message, Where(file=self.display, sheet=sheet, cell=cell)))

    def error_at(self, sheet: str, cell: str) -> str | None:
        codes = self._error_codes.get(sheet)
        return codes.get(cell) if codes else None

    def uncomputed(self, sheet: str, cell: str) -> bool:
        return cell in self.scan.uncomputed(sheet)

    def clean(self, sheet: str) -> bool:
        """Whether the sheet holds no formula-error cell and no uncomputed formula at all."""
        return not self._error_codes.get(sheet) and not self.scan.uncomputed(sheet)

    def value(self, sheet: str, row: FigureRowLike, raw: Any) -> FigureValue | bool | None:
        """Read one input cell; None after reporting a problem (or for a blank)."""
        error = self.error_at(sheet, row.cell)
        if error is not None:
            self.problem(EntryCode.FORMULA_ERROR, f"“{row.label}”为公式错误“{error}”：请改为直接填写数值", sheet, row.cell)
            return None
        if self.uncomputed(sheet, row.cell):
            self.problem(EntryCode.FORMULA_NOT_COMPUTED, f"“{row.label}”{NOT_COMPUTED}", sheet, row.cell)
            return None
        try:
            return read_value(row.entry, raw)
        except EntryError as exc:
            self.problem(exc.code, exc.message, sheet, row.cell)
            return None


# --- one workbook -------------------------------------------------------------------------


def import_workbook(path: Path, context: ImportContext, display: str | None = None) -> ImportOutcome:
    """Read one workbook; the outcome carries a report only when nothing is wrong with it."""
    name = display or path.name
    try:
        return _import(path, name, context)
    except Refused as refused:
        return ImportOutcome(path, None, None, [refused.problem])


@dataclass(frozen=True)
class _Opened:
    """A workbook whose bytes, metadata, extents, identity and signature have passed."""

    data: bytes
    scan: PackageScan
    sheets: _Sheets
    layout: Layout
    tree: RegionTree


def _open(path: Path, display: str, context: ImportContext) -> _Opened:
    data, scan, workbook = open_workbook(path, display, context.limits)
    sheets = _Sheets(workbook, display)
    if META_SHEET not in sheets:
        raise Refused(display, ImportCode.NOT_A_TEMPLATE, "不是本系统生成的填报模板（缺少模板标识）：请使用下发的模板填报，不要自制表格或复制粘贴到新工作簿")
    meta = _read_meta(sheets.sheet(META_SHEET))
    layout, tree = _check_meta(meta, display, context)
    check_extents(scan, layout.extent, display)
    _check_identity(sheets, layout, display)
    if not hmac.compare_digest(meta.get("checksum", "").encode("utf-8"), layout.checksum.encode("utf-8")):
        raise Refused(display, ImportCode.TEMPLATE_ALTERED,
                      "模板校验码不符：隐藏的模板标识被改动，或这不是本系统为本单位生成的模板（在另一台电脑上生成的模板，"
                      "须两处使用相同的模板密钥）：请使用下发给本单位的模板重新填报")
    return _Opened(data, scan, sheets, layout, tree)


def _import(path: Path, display: str, context: ImportContext) -> ImportOutcome:
    opened = _open(path, display, context)
    sheets, layout = opened.sheets, opened.layout
    reader = _Reader(display, context, opened.scan)
    handled = ({(s.name, r.cell) for s in layout.sheets for r in s.rows} | {(COVER_SHEET, f"B{cover_row('submitted_at')}")}
               if reader.errors else set())
    for error_sheet, cells in reader.errors.items():
        for ref, code in cells:
            if (error_sheet, ref) not in handled:
                reader.problem(EntryCode.FORMULA_ERROR, f"单元格为公式错误“{code}”：请改为数值或删除", error_sheet, ref)
    missing = [s for s in [COVER_SHEET, *(p.name for p in layout.sheets)] if s not in sheets]
    for sheet_name in missing:
        reader.problem(ImportCode.SHEET_MISSING, f"缺少工作表“{sheet_name}”：请勿删除或重命名工作表，请使用下发的模板重新填报")
    if missing:
        return ImportOutcome(path, layout.unit.code, None, reader.problems)
    cover = sheets.sheet(COVER_SHEET)
    submitted_at = _cover_date(reader, cover)
    contact = {key: _cover_text(reader, cover, key) for key in ("reporter", "phone")}
    programs: dict[str, UnitProgram] = {}
    for sheet in layout.sheets:
        program = _read_program(reader, sheets.sheet(sheet.name), sheet)
        if program is not None:
            programs[sheet.program.id] = program
    if reader.problems:
        return ImportOutcome(path, layout.unit.code, None, reader.problems)
    findings = _findings(context, opened, programs, display)
    try:
        received = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    except OSError:
        received = None
    report = UnitReport.model_validate(
        {
            "name": layout.unit.display_name,
            "submitted_at": submitted_at,
            "received_at": received,
            **contact,
            "source": path.name,
            "sha256": hashlib.sha256(opened.data).hexdigest(),
            "programs": programs,
        }
    )
    return ImportOutcome(path, layout.unit.code, report, [], findings)


def _findings(context: ImportContext, opened: _Opened, programs: dict[str, UnitProgram], display: str) -> list[Problem]:
    """The validation rules' findings of a readable workbook, each at its sheet and cell."""
    if context.rules is None:
        return []
    layout = opened.layout
    previous = context.previous.get(opened.tree.code)
    before = previous.units.get(layout.unit.code) if previous is not None else None
    findings: list[Problem] = []
    for sheet in layout.sheets:
        unit_data = programs[sheet.program.id]
        last = before.program(sheet.program.id) if before is not None else None
        for finding in check_program(context.rules, context.framework, sheet.program, unit_data, last, unit=layout.unit.code):
            figure = finding.where.figure or ""
            cell = sheet.row_of(figure).cell if _has_row(sheet, figure) else NO_TASK_CELL
            findings.append(finding.with_where(file=display, sheet=sheet.name, cell=cell))
    return findings


def _cover_text(reader: _Reader, cover: _Sheet, key: str) -> str | None:
    ref = f"B{cover_row(key)}"
    text = _optional_text(cover.get(ref))
    if text is not None and len(text) > SHORT_TEXT_CHARS:
        label = next(label for name, label, _input in COVER_FIELDS if name == key)
        reader.problem(EntryCode.TEXT_TOO_LONG, f"{label}过长（{len(text)} 个字符，最多 {SHORT_TEXT_CHARS} 个）", COVER_SHEET, ref)
        return None
    return text


def _has_row(sheet: ProgramSheet, figure: str) -> bool:
    return any(r.spec.id == figure for r in sheet.rows)


def _rows(workbook: python_calamine.CalamineWorkbook, name: str, display: str) -> list[list[Any]]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # calamine's reasons are English and technical
        raise Refused(display, ImportCode.CORRUPT, "无法读取工作表：内容已损坏或不是 Excel 保存的格式，"
                                                   "请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交", name) from None


def _check_identity(sheets: _Sheets, layout: Layout, display: str) -> None:
    """The cover and every sheet title name the unit the metadata names; a mismatch names both."""
    unit = layout.unit
    expected = f"“{unit.display_name}”（{unit.code}）"
    if COVER_SHEET in sheets:
        cover = sheets.sheet(COVER_SHEET)
        values = layout.cover_values()
        name_cell, code_cell = f"B{cover_row('unit_name')}", f"B{cover_row('unit_code')}"
        name, code = normalized_text(cover.get(name_cell)), normalized_text(cover.get(code_cell))
        if name != normalized_text(values["unit_name"]) or code != values["unit_code"]:
            raise Refused(display, ImportCode.IDENTITY_MISMATCH,
                          f"封面写的填报单位是“{name or '（空）'}”（{code or '无代码'}），而模板隐藏标识属于{expected}："
                          "封面被改动，或混入了其他单位的模板标识；请使用下发给本单位的模板重新填报",
                          COVER_SHEET, name_cell if name != normalized_text(values["unit_name"]) else code_cell)
    for sheet in layout.sheets:
        if sheet.name not in sheets:
            continue
        title = normalized_text(sheets.sheet(sheet.name).get(f"A{TITLE_ROW}"))
        if title != normalized_text(layout.sheet_title(sheet)):
            raise Refused(display, ImportCode.IDENTITY_MISMATCH,
                          f"工作表标题为“{title or '（空）'}”，与模板隐藏标识所属单位{expected}的标题"
                          f"“{layout.sheet_title(sheet)}”不符：请使用下发给本单位的模板重新填报", sheet.name, f"A{TITLE_ROW}")


def _read_meta(sheet: _Sheet) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in sheet.rows:
        if len(row) >= META_COLUMNS and isinstance(row[0], str) and row[0]:
            value = row[1]
            meta[row[0]] = _float_text(value) if isinstance(value, float) else str(value)
    return meta


def _check_meta(meta: dict[str, str], display: str, context: ImportContext) -> tuple[Layout, RegionTree]:
    fmt = meta.get("format", "")
    if fmt != TEMPLATE_FORMAT:
        raise Refused(display, ImportCode.TEMPLATE_OUTDATED, f"模板版本不符（本文件为第 {fmt or '?'} 版，当前为第 {TEMPLATE_FORMAT} 版）："
                                            "请下载最新模板重新填报")
    framework = context.framework
    if meta.get("framework") != framework.id:
        raise Refused(display, ImportCode.TEMPLATE_FOREIGN, f"模板属于“{meta.get('framework', '?')}”年度指标体系，与本次导入的“{framework.id}”"
                                            "年度不符：请使用本年度下发的模板")
    region = meta.get("region", "")
    tree = context.trees.get(region)
    if tree is None:
        known = "、".join(f"{t.name}（{c}）" for c, t in context.trees.items())
        raise Refused(display, ImportCode.UNIT_UNKNOWN, f"模板所属地区代码“{region}”没有对应的行政区划表（已加载：{known}）")
    code = meta.get("unit", "")
    unit = tree.units.get(code)
    if unit is None:
        raise Refused(display, ImportCode.UNIT_UNKNOWN, f"单位代码“{code}”不在{tree.name}行政区划表中：请使用为本单位下发的模板")
    if not unit.valid_in(context.the_year):
        raise Refused(display, ImportCode.UNIT_UNKNOWN, f"单位代码“{code}”（{unit.name}）在{context.the_year}年已不使用：请使用本年度下发的模板")
    if not unit.reports:
        raise Refused(display, ImportCode.UNIT_UNKNOWN, f"{unit}不单独报表，其数据由所辖单位汇总")
    layout = context.layout(tree, code)
    if meta.get("framework_hash") != layout.framework_hash:
        raise Refused(display, ImportCode.TEMPLATE_OUTDATED, "模板生成后指标体系已更新（数据项或说明有变化），这是过期的模板：请下载最新模板重新填报")
    if meta.get("year") != str(layout.year):
        raise Refused(display, ImportCode.TEMPLATE_FOREIGN, f"模板年度为 {meta.get('year', '?')}，本次导入的是 {layout.year} 年度：请使用本年度模板")
    expected = layout.meta()
    if meta.get("template_id") != expected["template_id"] or meta.get("unit_name") != expected["unit_name"]:
        raise Refused(display, ImportCode.TEMPLATE_ALTERED,
                      f"隐藏的模板标识被改动：单位代码为“{code}”（{unit.display_name}），而模板编号为“{meta.get('template_id', '')}”、"
                      f"单位名称为“{meta.get('unit_name', '')}”（{unit.display_name}的应为“{expected['template_id']}”、"
                      f"“{expected['unit_name']}”）：请使用下发给本单位的模板重新填报")
    return layout, tree


def _optional_text(raw: Any) -> str | None:
    if isinstance(raw, float):
        return _float_text(raw)
    text = clean_text(str(raw)).strip() if raw is not None else ""
    return text or None


def _cover_date(reader: _Reader, cover: _Sheet) -> dt.date | None:
    ref = f"B{cover_row('submitted_at')}"
    error = reader.error_at(COVER_SHEET, ref)
    if error is not None:
        reader.problem(EntryCode.FORMULA_ERROR, f"填报日期为公式错误“{error}”：请填写日期，如 2023-01-10", COVER_SHEET, ref)
        return None
    raw = cover.get(ref)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and raw.strip() == "":
        return None
    match = DATE_RE.match(normalized_text(raw))
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    reader.problem(EntryCode.DATE_INVALID, f"填报日期应为日期（如 2023-01-10），实为“{shown(raw)}”", COVER_SHEET, ref)
    return None


def _structure_kept(reader: _Reader, ws: _Sheet, sheet: ProgramSheet) -> bool:
    """Every row's label (column B) and hidden id (column G) are where the template put them."""
    name = sheet.name
    for row in sheet.rows:
        values = ws.row(row.row)
        raw_label = values[_LABEL_INDEX] if len(values) > _LABEL_INDEX else ""
        raw_id = values[_ID_INDEX] if len(values) > _ID_INDEX else ""
        if raw_label == row.label and raw_id == row.spec.id:
            continue  # as written: the normalized texts match too
        label = normalized_text(raw_label)
        fid = normalized_text(raw_id)
        if label != normalized_text(row.label):
            reader.problem(ImportCode.STRUCTURE_CHANGED, f"第{row.row}行应为“{row.label}”，实为“{label}”：表格结构被改动，请使用下发的模板重新填报",
                           name, f"{LABEL_COL}{row.row}")
            return False
        if fid != row.spec.id:
            reader.problem(ImportCode.STRUCTURE_CHANGED,
                           f"第{row.row}行（“{row.label}”）的编号应为“{row.spec.id}”，实为“{fid}”：表格结构被改动，请使用下发的模板重新填报",
                           name, f"{ID_COL}{row.row}")
            return False
    return True


_LABEL_INDEX, _VALUE_INDEX, _NOTE_INDEX, _ID_INDEX = (ord(column) - ord("A") for column in (LABEL_COL, VALUE_COL, NOTE_COL, ID_COL))
"""Column indexes (from 0) of a program sheet's label, value, note and hidden id."""


def _read_program(reader: _Reader, ws: _Sheet, sheet: ProgramSheet) -> UnitProgram | None:
    name = sheet.name
    before = len(reader.problems)
    if not _structure_kept(reader, ws, sheet):
        return None
    switch_raw = ws.get(NO_TASK_CELL)
    switch = normalized_text(switch_raw)
    if switch in ("", NO):
        no_task = False
    elif switch == YES:
        no_task = True
    else:
        reader.problem(EntryCode.NO_TASK_INVALID, f"“无此项任务”应选择“{YES}”或“{NO}”，实为“{shown(switch_raw)}”", name, NO_TASK_CELL)
        return None
    if no_task:
        filled = [r.cell for r in sheet.rows if normalized_text(ws.get(r.cell)) != "" or reader.error_at(name, r.cell)]
        if filled:
            cells = "、".join(filled[:MAX_LISTED_CELLS]) + ("等" if len(filled) > MAX_LISTED_CELLS else "")
            reader.problem(EntryCode.NO_TASK_WITH_DATA, f"已选择“无此项任务”，但本表仍填有数据（{cells}）：请清空这些单元格，或把“无此项任务”改选“{NO}”",
                           name, NO_TASK_CELL)
            return None
        return UnitProgram(no_task=True)
    figures: dict[str, FigureValue] = {}
    answers: dict[str, bool] = {}
    explanations: dict[str, str] = {}
    clean = reader.clean(name)
    for row in sheet.rows:
        values = ws.row(row.row)
        raw = values[_VALUE_INDEX] if len(values) > _VALUE_INDEX else ""
        value = _read_clean(reader, name, row, raw) if clean else reader.value(name, row, raw)
        raw_note = values[_NOTE_INDEX] if len(values) > _NOTE_INDEX else ""
        note = None if raw_note == "" else _optional_text(raw_note)
        if note and len(note) > NOTE_MAX_CHARS:
            reader.problem(EntryCode.TEXT_TOO_LONG, f"“{row.label}”的情况说明过长（{len(note)} 个字符，最多 {NOTE_MAX_CHARS} 个）",
                           name, f"{NOTE_COL}{row.row}")
        elif note:
            explanations[row.spec.id] = note
        if value is None:
            if is_blank(normalized_text(raw)) and (clean or (reader.error_at(name, row.cell) is None
                                                             and not reader.uncomputed(name, row.cell))):
                if row.question:
                    reader.problem(EntryCode.REQUIRED_BLANK, f"“{row.label}”未回答：请选择“{YES}”或“{NO}”", name, row.cell)
                else:
                    hint = "没有发生的填 0"
                    if row.spec.allow_not_applicable:
                        hint += f"，不适用的填“{NOT_APPLICABLE_TEXT}”"
                    reader.problem(EntryCode.REQUIRED_BLANK, f"“{row.label}”未填写（必填）：{hint}", name, row.cell)
            continue
        if isinstance(value, bool):
            answers[row.spec.id] = value
        else:
            figures[row.spec.id] = value
    if len(reader.problems) > before:
        return None
    return UnitProgram(figures=figures, answers=answers, explanations=explanations)


def _read_clean(reader: _Reader, sheet: str, row: FigureRowLike, raw: Any) -> FigureValue | bool | None:
    """:meth:`_Reader.value` on a sheet without error cells or uncomputed formulas."""
    try:
        return read_value(row.entry, raw)
    except EntryError as exc:
        reader.problem(exc.code, exc.message, sheet, row.cell)
        return None


# --- a batch ------------------------------------------------------------------------------

Progress = Callable[[int, int, Path], None]


PARALLEL_MIN_FILES = 64
"""Below this many files a batch is imported in this process (starting workers costs more)."""


def import_workbooks(
    paths: Sequence[Path],
    context: ImportContext,
    progress: Progress | None = None,
    workers: int | None = None,
) -> list[ImportOutcome]:
    """Import every file; a unit that appears twice keeps its first file, the others are refused.

    ``workers`` > 1 and at least :data:`PARALLEL_MIN_FILES` files: the files are read by that many
    processes (each workbook is independent); the outcomes, their order and the duplicate check are
    the same as in one process."""
    total = len(paths)
    if workers is not None and workers > 1 and total >= PARALLEL_MIN_FILES:
        read = _parallel(paths, context, workers)
    else:
        read = (import_workbook(path, context) for path in paths)
    outcomes: list[ImportOutcome] = []
    seen: dict[tuple[str, str], Path] = {}
    for index, (path, read_outcome) in enumerate(zip(paths, read, strict=True), start=1):
        outcome = read_outcome
        if outcome.accepted and outcome.unit is not None:
            region = _region_of(outcome, context)
            key = (region, outcome.unit)
            first = seen.get(key)
            if first is not None:
                unit_name = outcome.report.name if outcome.report else outcome.unit
                outcome = ImportOutcome(
                    path, outcome.unit, None,
                    [Problem(ImportCode.DUPLICATE_UNIT, Severity.error,
                             f"与“{first.name}”是同一单位（{unit_name}，{outcome.unit}）的报表，同一批次只能导入一份",
                             Where(file=path.name))],
                )
            else:
                seen[key] = path
        outcomes.append(outcome)
        if progress is not None:
            progress(index, total, path)
    return outcomes


_WORKER_CONTEXT: list[ImportContext] = []


def _worker_init(context: ImportContext) -> None:
    _WORKER_CONTEXT[:] = [context]


def _worker_import(path: Path) -> ImportOutcome:
    return import_workbook(path, _WORKER_CONTEXT[0])


def _parallel(paths: Sequence[Path], context: ImportContext, workers: int) -> Iterator[ImportOutcome]:
    """The outcomes in the order of ``paths``, read by ``workers`` processes."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    chunk = max(1, min(16, len(paths) // (workers * 8)))  # small chunks: both cores finish together
    with multiprocessing.get_context(method).Pool(workers, initializer=_worker_init, initargs=(context,)) as pool:
        yield from pool.imap(_worker_import, paths, chunksize=chunk)


def _region_of(outcome: ImportOutcome, context: ImportContext) -> str:
    assert outcome.unit is not None
    for code, tree in context.trees.items():
        if outcome.unit in tree:
            return code
    return ""


def merge_outcomes(
    outcomes: Iterable[ImportOutcome],
    framework: Framework,
    tree: RegionTree,
    year: int,
    existing: UnitsFile | None = None,
) -> UnitsFile:
    """The existing batch (if any) with the accepted reports of ``tree``'s units put in (replacing
    an earlier report of the same unit)."""
    units: dict[str, UnitReport] = dict(existing.units) if existing is not None else {}
    for outcome in outcomes:
        if outcome.accepted and outcome.report is not None and outcome.unit is not None and outcome.unit in tree:
            units[outcome.unit] = outcome.report
    ordered = {u.code: units[u.code] for u in tree.walk(year=None) if u.code in units}
    base = existing or UnitsFile(framework=framework.id, region=tree.code, year=year)
    return base.model_copy(update={"units": ordered})
