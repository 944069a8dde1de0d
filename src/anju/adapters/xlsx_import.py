"""Read filled templates back, strictly (python-calamine), one whole workbook or nothing.

Before anything is parsed, the file is inspected as bytes: its size, what it really is (a Word
document renamed .xlsx, an encrypted or legacy Office file, an OpenDocument file, a macro
workbook), and its zip directory (member count, declared sizes, compression ratios — a zip bomb is
refused before a byte is inflated). Every member is then read once with hard limits and its CRC
checked, and formula-error cells (``#DIV/0!`` …) are found in the sheet XML, because calamine
reads error cells as empty strings (python-calamine issue #105).

Then the hidden metadata must match the layout anju would generate today for that unit (template
format, framework and its hash, region, unit code in the tree, checksum), every label cell must
be where it was, and every input is checked: type, sign, whole numbers, decimals, 0–100 for
percents, 是/否 answers, blanks, 不适用, the 无此项任务 switch. Validation rules run last. Every
problem names the file, the sheet and the cell, in words a county clerk can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import python_calamine

from anju.adapters.workbook_layout import (
    COVER_SHEET,
    ID_COL,
    LABEL_COL,
    META_SHEET,
    NO,
    NO_TASK_CELL,
    NOT_APPLICABLE_TEXT,
    NOTE_COL,
    TEMPLATE_FORMAT,
    YES,
    FigureRow,
    Layout,
    ProgramSheet,
    build_layout,
    cover_row,
)
from anju.checks.rules import Finding, RuleSet, RuleSeverity, check_program
from anju.dataset.models import NA_SPELLINGS, NOT_APPLICABLE, FigureValue
from anju.dataset.regions import RegionTree
from anju.dataset.units import UnitProgram, UnitReport, UnitsFile
from anju.decimals import plain
from anju.framework.models import FigureSpec, Framework

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
CELL_XML_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
ERROR_TYPE_RE = re.compile(rb'\bt="e"')
REF_RE = re.compile(rb'\br="([A-Z]+[0-9]+)"')
VALUE_RE = re.compile(rb"<v>([^<]*)</v>")
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
CELL_RE = re.compile(r"^([A-Z]+)([0-9]+)$")
DECIMALS = 2
FLOAT_NOISE = Decimal("1e-9")


@dataclass(frozen=True)
class ImportLimits:
    """Refuse anything larger: a filled template is about 20 KB."""

    max_file_bytes: int = 10 * 1024 * 1024
    max_members: int = 200
    max_member_bytes: int = 20 * 1024 * 1024
    max_total_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 200
    ratio_floor_bytes: int = 256 * 1024
    """Compression ratio is only judged for members that inflate beyond this size."""


@dataclass(frozen=True)
class CellProblem:
    """One reason a workbook was refused."""

    file: str
    message: str
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        if self.sheet and self.cell:
            return f"{self.file} {self.sheet}!{self.cell}：{self.message}"
        if self.sheet:
            return f"{self.file} {self.sheet}：{self.message}"
        return f"{self.file}：{self.message}"


@dataclass(frozen=True)
class RuleWarning:
    """A warning rule that fired (explained or not), with its location."""

    file: str
    sheet: str
    cell: str
    finding: Finding

    def __str__(self) -> str:
        state = "已说明：" + (self.finding.explanation or "") if self.finding.explained else "须在“情况说明”栏说明原因"
        return f"{self.file} {self.sheet}!{self.cell}：{self.finding.message}（{state}）"


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    unit: str | None
    report: UnitReport | None
    problems: list[CellProblem] = field(default_factory=list)
    warnings: list[RuleWarning] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.report is not None and not self.problems

    @property
    def unexplained(self) -> list[RuleWarning]:
        return [w for w in self.warnings if not w.finding.explained]


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


class _Refused(Exception):
    def __init__(self, problem: CellProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))


# --- bytes and zip ------------------------------------------------------------------------


def _read_limited(path: Path, display: str, limits: ImportLimits) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise _Refused(CellProblem(display, "文件不存在")) from None
    except OSError as exc:
        raise _Refused(CellProblem(display, f"无法读取文件：{exc.strerror}")) from None
    if size > limits.max_file_bytes:
        raise _Refused(CellProblem(display, f"文件过大（{_mb(size)}），超过上限 {_mb(limits.max_file_bytes)}；"
                                            "填报模板通常只有几十 KB，请确认没有插入图片或其他内容"))
    if size == 0:
        raise _Refused(CellProblem(display, "文件为空（0 字节）"))
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise _Refused(CellProblem(display, f"无法读取文件：{exc.strerror}")) from None
    if len(data) > limits.max_file_bytes:
        raise _Refused(CellProblem(display, f"文件过大，超过上限 {_mb(limits.max_file_bytes)}"))
    return data


def _mb(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.0f} KB"


def _sniff(data: bytes, display: str) -> None:
    """Refuse what is not a zip-based workbook, saying what it is."""
    if data.startswith(CFB_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise _Refused(CellProblem(display, "文件已加密（设置了打开密码），无法读取：请在 Excel/WPS 中取消密码后重新提交"))
        raise _Refused(CellProblem(display, "这是旧版 Office 文件（如 .xls 或 .doc），不是本系统下发的 .xlsx 模板：请使用下发的模板填报"))
    if not data.startswith(ZIP_MAGIC):
        head = data[:64].lstrip()
        if head.startswith(b"%PDF"):
            kind = "PDF 文件"
        elif head[:1] in (b"<",) or head.startswith(b"\xef\xbb\xbf<"):
            kind = "网页或 XML 文件"
        else:
            kind = "未知格式的文件"
        raise _Refused(CellProblem(display, f"不是 Excel 工作簿（这是{kind}）：请使用下发的 .xlsx 模板填报"))


def _inspect_zip(data: bytes, display: str, limits: ImportLimits) -> dict[str, list[tuple[str, str]]]:
    """Check the zip directory before inflating, then read every member once within the limits.

    Returns the formula-error cells per sheet name: ``{"住房租赁保障": [("C7", "#DIV/0!"), …]}``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _Refused(CellProblem(display, "文件已损坏，不是完整的 Excel 工作簿：请重新保存后提交")) from None
    with archive:
        infos = archive.infolist()
        _classify({i.filename for i in infos}, display)
        _check_sizes(infos, display, limits)
        errors = _read_members(archive, infos, display, limits)
        return _errors_by_sheet(archive, errors) if errors else {}


def _classify(names: set[str], display: str) -> None:
    """Say what a zip that is not an .xlsx workbook really is."""
    if "word/document.xml" in names:
        raise _Refused(CellProblem(display, "这是 Word 文档（.docx）改了扩展名，不是 Excel 工作簿：请使用下发的 .xlsx 模板填报"))
    if "ppt/presentation.xml" in names:
        raise _Refused(CellProblem(display, "这是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿"))
    if "content.xml" in names and "mimetype" in names:
        raise _Refused(CellProblem(display, "这是 OpenDocument 表格（.ods），不是本系统下发的 .xlsx 模板：请在原模板中填报"))
    if "xl/workbook.xml" not in names:
        raise _Refused(CellProblem(display, "不是 Excel 工作簿（压缩包中没有 xl/workbook.xml）：请使用下发的 .xlsx 模板填报"))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _Refused(CellProblem(display, "工作簿含有宏（vbaProject.bin）：请另存为不含宏的 .xlsx 后提交"))


def _check_sizes(infos: list[zipfile.ZipInfo], display: str, limits: ImportLimits) -> None:
    """Member count, declared sizes and compression ratios, before anything is inflated."""
    if len(infos) > limits.max_members:
        raise _Refused(CellProblem(display, f"压缩包内有 {len(infos)} 个文件，超过上限 {limits.max_members}，不是正常的填报模板，已拒收"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _Refused(CellProblem(display, "文件已加密，无法读取：请取消密码后重新提交"))
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            raise _Refused(CellProblem(display, f"压缩包内“{info.filename}”解压后为 {_mb(info.file_size)}，"
                                                f"超过上限 {_mb(limits.max_member_bytes)}，疑似压缩炸弹，已拒收"))
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _Refused(CellProblem(display, f"压缩包内“{info.filename}”压缩比为 {ratio}:1，超过上限 {limits.max_ratio}:1，"
                                                "疑似压缩炸弹，已拒收"))
    if total > limits.max_total_bytes:
        raise _Refused(CellProblem(display, f"压缩包解压后共 {_mb(total)}，超过上限 {_mb(limits.max_total_bytes)}，疑似压缩炸弹，已拒收"))


def _read_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], display: str, limits: ImportLimits
) -> dict[str, list[tuple[str, str]]]:
    """Inflate every member once, never beyond its declared size, checking CRCs; collect the
    formula-error cells of each worksheet part."""
    errors: dict[str, list[tuple[str, str]]] = {}
    inflated = 0
    for info in infos:
        if info.is_dir():
            continue
        try:
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError):
            raise _Refused(CellProblem(display, f"压缩包内“{info.filename}”已损坏或校验失败：请重新保存后提交")) from None
        except Exception as exc:  # zlib.error and friends from a forged stream
            raise _Refused(CellProblem(display, f"压缩包内“{info.filename}”无法解压（{type(exc).__name__}）")) from None
        inflated += len(content)
        if len(content) > info.file_size or inflated > limits.max_total_bytes:
            raise _Refused(CellProblem(display, f"压缩包内“{info.filename}”实际大小与声明不符，疑似压缩炸弹，已拒收"))
        if info.filename.startswith("xl/worksheets/") and b't="e"' in content:
            found = error_cells(content)
            if found:
                errors[info.filename] = found
    return errors


def error_cells(xml: bytes) -> list[tuple[str, str]]:
    """(reference, error text) of every cell of type ``e`` in a worksheet part."""
    found: list[tuple[str, str]] = []
    for match in CELL_XML_RE.finditer(xml):
        attrs, inner = match.group(1), match.group(2) or b""
        if not ERROR_TYPE_RE.search(attrs):
            continue
        ref = REF_RE.search(attrs)
        value = VALUE_RE.search(inner)
        if ref is not None:
            text = value.group(1).decode("utf-8", "replace") if value else "#ERROR"
            found.append((ref.group(1).decode(), text))
    return found


def _errors_by_sheet(archive: zipfile.ZipFile, errors: dict[str, list[tuple[str, str]]]) -> dict[str, list[tuple[str, str]]]:
    """Map worksheet parts (xl/worksheets/sheet3.xml) to sheet names through workbook.xml."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return dict(errors)
    targets: dict[str, str] = {}
    for rel in rels.findall("p:Relationship", ns):
        target = rel.get("Target", "")
        targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    by_sheet: dict[str, list[tuple[str, str]]] = {}
    for sheet in workbook.findall("m:sheets/m:sheet", ns):
        rid = sheet.get(f"{{{ns['r']}}}id", "")
        part = targets.get(rid)
        if part in errors:
            by_sheet[sheet.get("name", part)] = errors[part]
    return by_sheet


# --- cells --------------------------------------------------------------------------------


class _Sheet:
    """A calamine sheet addressed by A1 references."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows

    def get(self, ref: str) -> Any:
        match = CELL_RE.match(ref)
        assert match is not None
        col = 0
        for ch in match.group(1):
            col = col * 26 + (ord(ch) - 64)
        row = int(match.group(2))
        if row - 1 >= len(self.rows):
            return ""
        values = self.rows[row - 1]
        return values[col - 1] if col - 1 < len(values) else ""


def _shown(raw: Any) -> str:
    if isinstance(raw, float):
        return _float_text(raw)
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _float_text(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _text(raw: Any) -> str:
    return unicodedata.normalize("NFKC", _shown(raw)).strip()


@dataclass
class _Reader:
    display: str
    context: ImportContext
    errors: dict[str, list[tuple[str, str]]]
    problems: list[CellProblem] = field(default_factory=list)

    def problem(self, message: str, sheet: str | None = None, cell: str | None = None) -> None:
        self.problems.append(CellProblem(self.display, message, sheet, cell))

    def error_at(self, sheet: str, cell: str) -> str | None:
        for ref, code in self.errors.get(sheet, []):
            if ref == cell:
                return code
        return None

    def figure(self, sheet: str, row: FigureRow, raw: Any) -> FigureValue | bool | None:
        """Parse one input cell; None after reporting a problem (or for a blank)."""
        cell = row.cell
        name = f"“{row.label}”"
        spec = row.spec
        error = self.error_at(sheet, cell)
        if error is not None:
            self.problem(f"{name}为公式错误“{error}”：请改为直接填写数值", sheet, cell)
            return None
        if isinstance(raw, str) and raw.strip() == "":
            return None
        if row.question:
            if isinstance(raw, bool):
                return raw
            text = _text(raw)
            if text in (YES, "是的", "有"):
                return True
            if text in (NO, "没有", "无"):
                return False
            self.problem(f"{name}应选择“{YES}”或“{NO}”，实为“{_shown(raw)}”", sheet, cell)
            return None
        if isinstance(raw, bool | dt.datetime | dt.date | dt.time | dt.timedelta):
            self.problem(f"{name}应为数值，实为“{_shown(raw)}”", sheet, cell)
            return None
        if isinstance(raw, int):
            value = Decimal(raw)
        elif isinstance(raw, float):
            value = Decimal(repr(raw))
        else:
            text = _text(raw)
            if text in NA_SPELLINGS or text == NOT_APPLICABLE_TEXT:
                if spec.allow_not_applicable:
                    return NOT_APPLICABLE
                self.problem(f"{name}不能填“{text}”：没有发生的填 0；本单位没有该项目任务的，在本表第3行选择“无此项任务”",
                             sheet, cell)
                return None
            try:
                value = Decimal(text.replace(",", ""))
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                self.problem(f"{name}{_expected(spec)}，实为“{_shown(raw)}”", sheet, cell)
                return None
        return self.check_number(sheet, row, value, raw)

    def check_number(self, sheet: str, row: FigureRow, value: Decimal, raw: Any) -> Decimal | None:
        spec, cell, name = row.spec, row.cell, f"“{row.label}”"
        shown = _shown(raw)
        if value < 0:
            self.problem(f"{name}{_expected(spec)}，实为“{shown}”", sheet, cell)
            return None
        if spec.kind == "count":
            if value != value.to_integral_value():
                self.problem(f"{name}应为整数（{spec.unit}），实为“{shown}”", sheet, cell)
                return None
            return value.quantize(Decimal(1))
        rounded = value.quantize(Decimal(1).scaleb(-DECIMALS))
        if rounded != value:
            if isinstance(raw, float) and abs(rounded - value) < FLOAT_NOISE:
                value = rounded  # binary noise of a computed value, e.g. 0.30000000000000004
            else:
                self.problem(f"{name}最多保留两位小数（{spec.unit}），实为“{shown}”", sheet, cell)
                return None
        if spec.kind == "percent" and value > 100:
            self.problem(f"{name}应在0—100之间（按百分数填写），实为“{shown}”", sheet, cell)
            return None
        return value.normalize() if value == value.to_integral_value() else value


def _expected(spec: FigureSpec) -> str:
    if spec.kind == "count":
        return f"应为非负整数（{spec.unit}）"
    if spec.kind == "percent":
        return "应为0—100之间的数（按百分数填写）"
    return f"应为非负数（{spec.unit}）"


def _cell_label(raw: Any) -> str:
    return _text(raw)


# --- one workbook -------------------------------------------------------------------------


def import_workbook(path: Path, context: ImportContext, display: str | None = None) -> ImportOutcome:
    """Read one workbook; the outcome carries a report only when nothing is wrong with it."""
    name = display or path.name
    try:
        return _import(path, name, context)
    except _Refused as refused:
        return ImportOutcome(path, None, None, [refused.problem])


def _import(path: Path, display: str, context: ImportContext) -> ImportOutcome:
    data = _read_limited(path, display, context.limits)
    _sniff(data, display)
    errors = _inspect_zip(data, display, context.limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise _Refused(CellProblem(display, "文件已加密（设置了打开密码），无法读取：请取消密码后重新提交")) from None
    except Exception as exc:  # calamine raises several error types for malformed parts
        raise _Refused(CellProblem(display, f"无法读取工作簿（{_calamine_reason(exc)}）：请在 Excel/WPS 中重新保存后提交")) from None
    sheets = set(workbook.sheet_names)
    if META_SHEET not in sheets:
        raise _Refused(CellProblem(display, "不是本系统生成的填报模板（缺少模板标识）：请使用下发的模板填报，不要自制表格或复制粘贴到新工作簿"))
    meta = _read_meta(workbook, display)
    layout, tree = _check_meta(meta, display, context)
    reader = _Reader(display, context, errors)
    handled = {(s.name, r.cell) for s in layout.sheets for r in s.rows} | {(COVER_SHEET, f"B{cover_row('submitted_at')}")}
    for error_sheet, cells in errors.items():
        for ref, code in cells:
            if (error_sheet, ref) not in handled:
                reader.problem(f"单元格为公式错误“{code}”：请改为数值或删除", error_sheet, ref)
    missing = [s for s in [COVER_SHEET, *(p.name for p in layout.sheets)] if s not in sheets]
    for sheet_name in missing:
        reader.problem(f"缺少工作表“{sheet_name}”：请勿删除或重命名工作表，请使用下发的模板重新填报")
    if missing:
        return ImportOutcome(path, layout.unit.code, None, reader.problems)
    cover = _Sheet(_rows(workbook, COVER_SHEET, display))
    submitted_at = _cover_date(reader, cover)
    programs: dict[str, UnitProgram] = {}
    for sheet in layout.sheets:
        program = _read_program(reader, _Sheet(_rows(workbook, sheet.name, display)), sheet)
        if program is not None:
            programs[sheet.program.id] = program
    warnings: list[RuleWarning] = []
    if context.rules is not None and not reader.problems:
        previous = context.previous.get(tree.code)
        before = previous.units.get(layout.unit.code) if previous is not None else None
        for sheet in layout.sheets:
            unit_data = programs[sheet.program.id]
            last = before.program(sheet.program.id) if before is not None else None
            for finding in check_program(context.rules, context.framework, sheet.program, unit_data, last,
                                         unit=layout.unit.code):
                cell = sheet.row_of(finding.figure).cell if _has_row(sheet, finding.figure) else NO_TASK_CELL
                if finding.severity is RuleSeverity.error:
                    reader.problem(finding.message, sheet.name, cell)
                else:
                    warnings.append(RuleWarning(display, sheet.name, cell, finding))
    if reader.problems:
        return ImportOutcome(path, layout.unit.code, None, reader.problems, warnings)
    stat = path.stat()
    report = UnitReport.model_validate(
        {
            "name": layout.unit.display_name,
            "submitted_at": submitted_at,
            "received_at": dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0),
            "reporter": _optional_text(cover.get(f"B{cover_row('reporter')}")),
            "phone": _optional_text(cover.get(f"B{cover_row('phone')}")),
            "source": path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "programs": programs,
        }
    )
    return ImportOutcome(path, layout.unit.code, report, [], warnings)


def _has_row(sheet: ProgramSheet, figure: str) -> bool:
    return any(r.spec.id == figure for r in sheet.rows)


def _calamine_reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _rows(workbook: python_calamine.CalamineWorkbook, name: str, display: str) -> list[list[Any]]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise _Refused(CellProblem(display, f"无法读取工作表（{_calamine_reason(exc)}）", name)) from None


def _read_meta(workbook: python_calamine.CalamineWorkbook, display: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in _rows(workbook, META_SHEET, display):
        if len(row) >= 2 and isinstance(row[0], str) and row[0]:
            value = row[1]
            meta[row[0]] = _float_text(value) if isinstance(value, float) else str(value)
    return meta


def _check_meta(meta: dict[str, str], display: str, context: ImportContext) -> tuple[Layout, RegionTree]:
    fmt = meta.get("format", "")
    if fmt != TEMPLATE_FORMAT:
        raise _Refused(CellProblem(display, f"模板版本不符（本文件为第 {fmt or '?'} 版，当前为第 {TEMPLATE_FORMAT} 版）："
                                            "请下载最新模板重新填报"))
    framework = context.framework
    if meta.get("framework") != framework.id:
        raise _Refused(CellProblem(display, f"模板属于“{meta.get('framework', '?')}”年度指标体系，与本次导入的“{framework.id}”"
                                            "年度不符：请使用本年度下发的模板"))
    region = meta.get("region", "")
    tree = context.trees.get(region)
    if tree is None:
        known = "、".join(f"{t.name}（{c}）" for c, t in context.trees.items())
        raise _Refused(CellProblem(display, f"模板所属地区代码“{region}”没有对应的行政区划表（已加载：{known}）"))
    code = meta.get("unit", "")
    unit = tree.units.get(code)
    if unit is None:
        raise _Refused(CellProblem(display, f"单位代码“{code}”不在{tree.name}行政区划表中：请使用为本单位下发的模板"))
    if not unit.valid_in(context.the_year):
        raise _Refused(CellProblem(display, f"单位代码“{code}”（{unit.name}）在{context.the_year}年已不使用：请使用本年度下发的模板"))
    if not unit.reports:
        raise _Refused(CellProblem(display, f"{unit}不单独报表，其数据由所辖单位汇总"))
    layout = context.layout(tree, code)
    if meta.get("framework_hash") != layout.framework_hash:
        raise _Refused(CellProblem(display, "模板生成后指标体系已更新（数据项或说明有变化），这是过期的模板：请下载最新模板重新填报"))
    if meta.get("year") != str(layout.year):
        raise _Refused(CellProblem(display, f"模板年度为 {meta.get('year', '?')}，本次导入的是 {layout.year} 年度：请使用本年度模板"))
    if meta.get("checksum") != layout.checksum:
        raise _Refused(CellProblem(display, "模板标识或校验码与本单位的模板不符（模板被改动，或复制了其他单位的表格）：请使用下发给本单位的模板重新填报"))
    return layout, tree


def _optional_text(raw: Any) -> str | None:
    if isinstance(raw, float):
        return _float_text(raw)
    text = str(raw).strip() if raw is not None else ""
    return text or None


def _cover_date(reader: _Reader, cover: _Sheet) -> dt.date | None:
    ref = f"B{cover_row('submitted_at')}"
    error = reader.error_at(COVER_SHEET, ref)
    if error is not None:
        reader.problem(f"填报日期为公式错误“{error}”：请填写日期，如 2023-01-10", COVER_SHEET, ref)
        return None
    raw = cover.get(ref)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and raw.strip() == "":
        return None
    match = DATE_RE.match(_text(raw))
    if match:
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    reader.problem(f"填报日期应为日期（如 2023-01-10），实为“{_shown(raw)}”", COVER_SHEET, ref)
    return None


def _read_program(reader: _Reader, ws: _Sheet, sheet: ProgramSheet) -> UnitProgram | None:
    name = sheet.name
    before = len(reader.problems)
    for row in sheet.rows:
        label = _cell_label(ws.get(f"{LABEL_COL}{row.row}"))
        fid = _cell_label(ws.get(f"{ID_COL}{row.row}"))
        if label != _cell_label(row.label) or fid != row.spec.id:
            reader.problem(f"第{row.row}行应为“{row.label}”，实为“{label}”：表格结构被改动，请使用下发的模板重新填报",
                           name, f"{LABEL_COL}{row.row}")
            return None
    switch_raw = ws.get(NO_TASK_CELL)
    switch = _text(switch_raw)
    if switch in ("", NO):
        no_task = False
    elif switch == YES:
        no_task = True
    else:
        reader.problem(f"“无此项任务”应选择“{YES}”或“{NO}”，实为“{_shown(switch_raw)}”", name, NO_TASK_CELL)
        return None
    if no_task:
        filled = [r.cell for r in sheet.rows if _text(ws.get(r.cell)) != "" or reader.error_at(name, r.cell)]
        if filled:
            cells = "、".join(filled[:5]) + ("等" if len(filled) > 5 else "")
            reader.problem(f"已选择“无此项任务”，但本表仍填有数据（{cells}）：请清空这些单元格，或把“无此项任务”改选“{NO}”",
                           name, NO_TASK_CELL)
            return None
        return UnitProgram(no_task=True)
    figures: dict[str, FigureValue] = {}
    answers: dict[str, bool] = {}
    explanations: dict[str, str] = {}
    for row in sheet.rows:
        raw = ws.get(row.cell)
        value = reader.figure(name, row, raw)
        note = _optional_text(ws.get(f"{NOTE_COL}{row.row}"))
        if note:
            explanations[row.spec.id] = note
        if value is None:
            if _text(raw) == "" and reader.error_at(name, row.cell) is None:
                if row.question:
                    reader.problem(f"“{row.label}”未回答：请选择“{YES}”或“{NO}”", name, row.cell)
                else:
                    hint = "没有发生的填 0"
                    if row.spec.allow_not_applicable:
                        hint += f"，不适用的填“{NOT_APPLICABLE_TEXT}”"
                    reader.problem(f"“{row.label}”未填写（必填）：{hint}", name, row.cell)
            continue
        if isinstance(value, bool):
            answers[row.spec.id] = value
        else:
            figures[row.spec.id] = value
    if len(reader.problems) > before:
        return None
    return UnitProgram(figures=figures, answers=answers, explanations=explanations)


# --- a batch ------------------------------------------------------------------------------

Progress = Callable[[int, int, Path], None]


def import_workbooks(
    paths: Sequence[Path],
    context: ImportContext,
    progress: Progress | None = None,
) -> list[ImportOutcome]:
    """Import every file; a unit that appears twice keeps its first file, the others are refused."""
    outcomes: list[ImportOutcome] = []
    seen: dict[tuple[str, str], Path] = {}
    total = len(paths)
    for index, path in enumerate(paths, start=1):
        outcome = import_workbook(path, context)
        if outcome.accepted and outcome.unit is not None:
            region = _region_of(outcome, context)
            key = (region, outcome.unit)
            first = seen.get(key)
            if first is not None:
                unit_name = outcome.report.name if outcome.report else outcome.unit
                outcome = ImportOutcome(
                    path, outcome.unit, None,
                    [CellProblem(path.name, f"与“{first.name}”是同一单位（{unit_name}，{outcome.unit}）的报表，同一批次只能导入一份")],
                )
            else:
                seen[key] = path
        outcomes.append(outcome)
        if progress is not None:
            progress(index, total, path)
    return outcomes


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


def describe_value(value: FigureValue) -> str:
    if value is None:
        return "空白"
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_TEXT
    assert isinstance(value, Decimal)
    return plain(value)
