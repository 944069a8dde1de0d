"""The bytes of an uploaded workbook, inspected before anything is parsed.

Its size; what it really is (a Word document renamed .xlsx, an encrypted or legacy Office file, an
OpenDocument file, a macro workbook); its zip directory (member count, declared sizes, compression
ratios and methods — a zip bomb is refused before a byte is inflated, a method calamine cannot read
is named). Every member is then read once with hard limits and its CRC checked, and every worksheet's
XML is scanned (:func:`scan_sheet`) before calamine sees it:

* its extent — the ``<dimension>`` it declares and every row and cell reference — so that a 20 KB
  file with one cell at XFD1048576 is refused instead of making calamine allocate hundreds of
  gigabytes (:class:`ImportLimits` caps rows and columns; the importer then compares each sheet
  with the template's own range);
* formula-error cells (``#DIV/0!`` …), because calamine reads error cells as empty strings
  (python-calamine issue #105);
* formulas without a cached value (saved by a program that does not calculate), which calamine
  would also read as empty: they are refused with their own message (:data:`NOT_COMPUTED`).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree
from xml.parsers import expat

import python_calamine

from anju.problems import EntryCode, ImportCode, Problem, Severity, Where

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
ZIP_ENCRYPTED_FLAG = 0x1
KIB = 1024
MIB = 1024 * 1024
LETTERS = 26
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COLUMN = 16_384
READABLE_METHODS = {zipfile.ZIP_STORED: "不压缩", zipfile.ZIP_DEFLATED: "Deflate"}
METHOD_NAMES = {zipfile.ZIP_BZIP2: "BZIP2", zipfile.ZIP_LZMA: "LZMA"}
NOT_COMPUTED = "公式未计算，请在 Excel 或 WPS 中打开并保存后再上传"
SHEET_PART = "xl/worksheets/"


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
    max_sheet_rows: int = 2000
    max_sheet_columns: int = 52
    """No sheet may reach beyond row 2000 or column AZ (a template uses about 60 rows and 7
    columns); checked in the XML before calamine allocates anything."""


class Refused(Exception):
    """The whole workbook is refused, for the one reason in ``problem``."""

    def __init__(
        self, file: str, code: ImportCode | EntryCode, message: str, sheet: str | None = None, cell: str | None = None
    ) -> None:
        self.problem = Problem(code, Severity.error, message, Where(file=file, sheet=sheet, cell=cell))
        super().__init__(str(self.problem))


# --- bytes and zip ------------------------------------------------------------------------


def read_limited(path: Path, display: str, limits: ImportLimits) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise Refused(display, ImportCode.FILE_MISSING, "文件不存在") from None
    except OSError as exc:
        raise Refused(display, ImportCode.FILE_UNREADABLE, f"无法读取文件：{exc.strerror}") from None
    if size > limits.max_file_bytes:
        raise Refused(display, ImportCode.FILE_TOO_LARGE, f"文件过大（{_mb(size)}），超过上限 {_mb(limits.max_file_bytes)}；"
                                            "填报模板通常只有几十 KB，请确认没有插入图片或其他内容")
    if size == 0:
        raise Refused(display, ImportCode.FILE_EMPTY, "文件为空（0 字节）")
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise Refused(display, ImportCode.FILE_UNREADABLE, f"无法读取文件：{exc.strerror}") from None
    if len(data) > limits.max_file_bytes:
        raise Refused(display, ImportCode.FILE_TOO_LARGE, f"文件过大，超过上限 {_mb(limits.max_file_bytes)}")
    return data


def _mb(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MB"
    return f"{size / KIB:.0f} KB"


def sniff(data: bytes, display: str) -> None:
    """Refuse what is not a zip-based workbook, saying what it is."""
    if data.startswith(CFB_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise Refused(display, ImportCode.ENCRYPTED, "文件已加密（设置了打开密码），无法读取：请在 Excel/WPS 中取消密码后重新提交")
        raise Refused(display, ImportCode.NOT_A_WORKBOOK, "这是旧版 Office 文件（如 .xls 或 .doc），不是本系统下发的 .xlsx 模板：请使用下发的模板填报")
    if not data.startswith(ZIP_MAGIC):
        head = data[:64].lstrip()
        if head.startswith(b"%PDF"):
            kind = "PDF 文件"
        elif head[:1] in (b"<",) or head.startswith(b"\xef\xbb\xbf<"):
            kind = "网页或 XML 文件"
        else:
            kind = "未知格式的文件"
        raise Refused(display, ImportCode.NOT_A_WORKBOOK, f"不是 Excel 工作簿（这是{kind}）：请使用下发的 .xlsx 模板填报")


@dataclass
class SheetScan:
    """What the XML of one worksheet holds, found without expanding it."""

    rows: int = 0
    """The last row it reaches (the declared dimension included)."""
    columns: int = 0
    lowest: str = "A1"
    """A reference on its last row, for messages."""
    widest: str = "A1"
    """A reference in its last column, for messages."""
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(cell, error text) of every formula-error cell."""
    uncomputed: list[str] = field(default_factory=list)
    """Cells holding a formula without a cached value."""
    far: Callable[[], SheetScan] | None = field(default=None, repr=False, compare=False)
    """Scans the sheet element by element when :attr:`lowest` and :attr:`widest` were not named yet."""

    def far_cells(self) -> tuple[str, str]:
        """(:attr:`lowest`, :attr:`widest`), for the message about a sheet that reaches too far."""
        exact = self.far() if self.far is not None else self
        return exact.lowest, exact.widest


@dataclass
class PackageScan:
    """Every worksheet's scan, by sheet name (or part name when the workbook does not map it)."""

    sheets: dict[str, SheetScan] = field(default_factory=dict)

    @property
    def errors(self) -> dict[str, list[tuple[str, str]]]:
        return {name: scan.errors for name, scan in self.sheets.items() if scan.errors}

    def uncomputed(self, sheet: str) -> list[str]:
        scan = self.sheets.get(sheet)
        return scan.uncomputed if scan is not None else []


def inspect_zip(data: bytes, display: str, limits: ImportLimits) -> PackageScan:
    """Check the zip directory before inflating, then read every member once within the limits and
    scan every worksheet's XML; a sheet beyond :class:`ImportLimits`' rows or columns is refused here."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError):
        raise Refused(display, ImportCode.CORRUPT, "文件已损坏，不是完整的 Excel 工作簿：请重新保存后提交") from None
    with archive:
        infos = archive.infolist()
        _classify({i.filename for i in infos}, display)
        _check_sizes(infos, display, limits)
        parts = _read_members(archive, infos, data, display, limits)
    names = _sheet_names(parts)
    scan = PackageScan()
    for part, content in parts.items():
        if not part.startswith(SHEET_PART):
            continue
        sheet = names.get(part, part)
        found = scan_sheet(content, display, sheet)
        if found.rows > limits.max_sheet_rows or found.columns > limits.max_sheet_columns:
            lowest, widest = found.far_cells()
            far = lowest if found.rows > limits.max_sheet_rows else widest
            raise Refused(display, ImportCode.SHEET_TOO_LARGE,
                          f"工作表“{sheet}”用到了 {far}，超出填报模板的范围（最多 {limits.max_sheet_rows} 行、"
                          f"{column_name(limits.max_sheet_columns)} 列）：请删除多余的行、列或内容后重新保存",
                          sheet, far)
        scan.sheets[sheet] = found
    return scan


EXTENT_MARGIN_ROWS = 50
EXTENT_MARGIN_COLUMNS = 5
"""How far beyond the template's own range a sheet may reach (notes typed beside the table)."""


def check_extents(scan: PackageScan, extent_of: Callable[[str], tuple[int, int] | None], display: str) -> None:
    """No sheet reaches beyond its template's range (``extent_of(sheet)``: last row and column, None for a
    sheet without one) plus a margin — checked in the XML, before calamine expands anything."""
    for name, found in scan.sheets.items():
        extent = extent_of(name)
        if extent is None:
            continue
        rows, columns = extent[0] + EXTENT_MARGIN_ROWS, extent[1] + EXTENT_MARGIN_COLUMNS
        if found.rows > rows or found.columns > columns:
            lowest, widest = found.far_cells()
            far = lowest if found.rows > rows else widest
            raise Refused(display, ImportCode.SHEET_TOO_LARGE,
                          f"工作表“{name}”用到了 {far}，超出填报模板的范围（模板到 {column_name(extent[1])}{extent[0]}）："
                          "请删除表格以外的行、列或内容后重新保存", name, far)


def _classify(names: set[str], display: str) -> None:
    """Say what a zip that is not an .xlsx workbook really is."""
    if "word/document.xml" in names:
        raise Refused(display, ImportCode.NOT_A_WORKBOOK, "这是 Word 文档（.docx）改了扩展名，不是 Excel 工作簿：请使用下发的 .xlsx 模板填报")
    if "ppt/presentation.xml" in names:
        raise Refused(display, ImportCode.NOT_A_WORKBOOK, "这是 PowerPoint 演示文稿（.pptx），不是 Excel 工作簿")
    if "content.xml" in names and "mimetype" in names:
        raise Refused(display, ImportCode.NOT_A_WORKBOOK, "这是 OpenDocument 表格（.ods），不是本系统下发的 .xlsx 模板：请在原模板中填报")
    if "xl/workbook.xml" not in names:
        raise Refused(display, ImportCode.NOT_A_WORKBOOK, "不是 Excel 工作簿（压缩包中没有 xl/workbook.xml）：请使用下发的 .xlsx 模板填报")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise Refused(display, ImportCode.MACROS, "工作簿含有宏（vbaProject.bin）：请另存为不含宏的 .xlsx 后提交")


def _check_sizes(infos: list[zipfile.ZipInfo], display: str, limits: ImportLimits) -> None:
    """Member count, declared sizes and compression ratios, before anything is inflated."""
    if len(infos) > limits.max_members:
        raise Refused(display, ImportCode.ZIP_BOMB, f"压缩包内有 {len(infos)} 个文件，超过上限 {limits.max_members}，不是正常的填报模板，已拒收")
    total = 0
    for info in infos:
        if info.flag_bits & ZIP_ENCRYPTED_FLAG:
            raise Refused(display, ImportCode.ENCRYPTED, "文件已加密，无法读取：请取消密码后重新提交")
        if info.compress_type not in READABLE_METHODS:
            method = METHOD_NAMES.get(info.compress_type, f"第 {info.compress_type} 种")
            raise Refused(display, ImportCode.UNSUPPORTED_COMPRESSION,
                          f"压缩包内“{info.filename}”使用了 Excel 不用的压缩方式（{method}）："
                          "请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交")
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            raise Refused(display, ImportCode.ZIP_BOMB, f"压缩包内“{info.filename}”解压后为 {_mb(info.file_size)}，"
                                                f"超过上限 {_mb(limits.max_member_bytes)}，疑似压缩炸弹，已拒收")
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise Refused(display, ImportCode.ZIP_BOMB, f"压缩包内“{info.filename}”压缩比为 {ratio}:1，超过上限 {limits.max_ratio}:1，"
                                                "疑似压缩炸弹，已拒收")
    if total > limits.max_total_bytes:
        raise Refused(display, ImportCode.ZIP_BOMB, f"压缩包解压后共 {_mb(total)}，超过上限 {_mb(limits.max_total_bytes)}，疑似压缩炸弹，已拒收")


def _read_members(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], data: bytes, display: str, limits: ImportLimits
) -> dict[str, bytes]:
    """Inflate every member once, never beyond its declared size, checking CRCs; return the
    worksheet parts' XML and the two parts that map them to sheet names (workbook.xml and its
    relationships).

    The members are inflated straight from ``data`` (zlib, at the offsets of the zip directory):
    what :meth:`zipfile.ZipFile.open` checks is checked here too — the local header, its name,
    the declared size and the CRC."""
    parts: dict[str, bytes] = {}
    inflated = 0
    for info in infos:
        if info.is_dir():
            continue
        content = _inflate(data, info, display, limits)
        inflated += len(content)
        if len(content) > info.file_size or inflated > limits.max_total_bytes:
            raise Refused(display, ImportCode.ZIP_BOMB, f"压缩包内“{info.filename}”实际大小与声明不符，疑似压缩炸弹，已拒收")
        name = info.filename
        if (name.startswith(SHEET_PART) and name.endswith(".xml")) or name in _NAME_PARTS:
            parts[name] = content
    return parts


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
"""A zip member's local file header (as :mod:`zipfile` reads it)."""
_NAME_PARTS = frozenset({"xl/workbook.xml", "xl/_rels/workbook.xml.rels"})
_UTF8_NAME_FLAG = 0x800


@dataclass(frozen=True)
class _Corrupt:
    """The refusal of a member whose compressed data is damaged (made only when it is)."""

    display: str
    member: str

    def refused(self) -> Refused:
        return Refused(self.display, ImportCode.CORRUPT,
                       f"压缩包内“{self.member}”的压缩数据已损坏或校验失败：请在 Excel 或 WPS 中重新保存后提交")


def _inflate(data: bytes, info: zipfile.ZipInfo, display: str, limits: ImportLimits) -> bytes:
    """One member's bytes (at most its declared size plus one), its local header and CRC checked."""
    corrupt = _Corrupt(display, info.filename)
    start = info.header_offset
    header = data[start:start + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        raise corrupt.refused()
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != ZIP_MAGIC:
        raise corrupt.refused()
    name_length, extra_length = fields[10], fields[11]
    begin = start + _LOCAL_HEADER.size
    try:
        expected_name = info.orig_filename.encode("utf-8" if info.flag_bits & _UTF8_NAME_FLAG else "cp437")
    except UnicodeEncodeError:
        expected_name = info.orig_filename.encode("utf-8")
    if data[begin:begin + name_length] != expected_name:
        raise corrupt.refused()
    begin += name_length + extra_length
    raw = data[begin:begin + info.compress_size]
    if len(raw) != info.compress_size:
        raise corrupt.refused()
    limit = info.file_size + 1
    if info.compress_type == zipfile.ZIP_STORED:
        content = raw[:limit]
    else:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            content = inflater.decompress(raw, limit)
        except zlib.error:
            raise corrupt.refused() from None
        if len(content) <= info.file_size and not inflater.eof:
            raise corrupt.refused()  # the stream ends before the member does
    if len(content) > info.file_size:
        return content
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        raise corrupt.refused()
    return content


def column_name(number: int) -> str:
    """1 → A, 26 → Z, 52 → AZ."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, LETTERS)
        name = chr(ord("A") + rest) + name
    return name


def _reference(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, None when it is not one; huge numbers stay numbers."""
    match = A1_RE.match(ref)
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * LETTERS + ord(letter) - ord("A") + 1
    return int(match.group(2)), column


A1_RE = re.compile(r"^\$?([A-Z]{1,10})\$?([0-9]{1,20})$")


def _local(tag: str) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1]
        if len(_LOCAL_NAMES) < _LOCAL_NAMES_MAX:
            _LOCAL_NAMES[tag] = name
    return name


_LOCAL_NAMES: dict[str, str] = {}
"""Tag → local name: a sheet has a handful of distinct tags and hundreds of thousands of elements."""
_LOCAL_NAMES_MAX = 1024


class _ExtentTracker:
    """The farthest row and column a sheet reaches."""

    def __init__(self, scan: SheetScan) -> None:
        self.scan = scan
        self.row_only = False
        """Whether the last row's reference came from a ``<row>`` without a cell (yet)."""

    def reach(self, row: int, column: int) -> None:
        scan = self.scan
        lower = row > scan.rows or (row == scan.rows and self.row_only and column)
        if not lower and column <= scan.columns:
            return
        ref = f"{column_name(min(max(column, 1), EXCEL_MAX_COLUMN))}{row}"
        if lower:
            scan.rows, scan.lowest = row, ref
            self.row_only = not column
        if column > scan.columns:
            scan.columns, scan.widest = column, ref


_XML_CORRUPT = "工作表内容不完整或已损坏（XML 格式错误）：请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交"
_TAGS = re.compile(rb"<(c|row|dimension|f)(?=[\s/>])")
"""The start tags the scan looks at (unprefixed); the element by element scan reads the others."""
_PREFIXED = re.compile(rb":(?:c|row|dimension|f)(?=[\s/>])")
"""Also in end tags and text: only says whether to look for prefixed start tags."""
_PREFIXED_TAGS = re.compile(rb"<[^\s/>:=<\"'!?]+:(?:c|row|dimension|f)(?=[\s/>])")
_CELLS = re.compile(rb"<c r=\"([A-Z]{1,10})([0-9]{1,20})\"(?: s=\"[0-9]*\")?(?: t=\"[a-zA-Z]*\")?\s*/?>")
"""A cell's start tag as Excel, WPS and anju write it, whole: its place (column letters, row
number), style and type. A cell tag written otherwise (a ``$`` in its place, say) is not matched,
and the sheet is then scanned element by element."""
_ROWS = re.compile(rb"<row r=\"([^\"<&]*)\"")
_DIMENSIONS = re.compile(rb"<dimension ref=\"([^\"<&]*)\"")
_MARKUP = re.compile(rb"<[!?]")
"""A comment, CDATA, a DTD or a processing instruction."""
_DECLARATION = re.compile(rb"\s*(?:\xef\xbb\xbf)?<\?xml[^>]*\?>")


def scan_sheet(xml: bytes, display: str = "", sheet: str = "") -> SheetScan:
    """Extent, error cells and uncomputed formulas of one worksheet's XML (see the module docstring).
    XML that is not well formed is refused (CORRUPT).

    The XML is checked by expat (the parser ElementTree uses) without building anything, and the
    extent is taken from the rows' and cells' ``r`` attributes by a few regular-expression passes
    over the bytes. A sheet these cannot read whole — a cell tag other than ``<c r="C7" s="3"
    t="n">`` (so that no ``t="e"`` there means no error cell), a row or dimension whose place is not the first attribute, a prefixed cell, an error
    cell, a formula, a comment, a DTD — is read by :func:`_scan_events` element by element, which
    also names the far cells (:attr:`SheetScan.lowest`, :attr:`SheetScan.widest`) when a sheet
    reaches too far. Both ways give the same scan."""
    try:
        expat.ParserCreate(namespace_separator="}").Parse(xml, True)
    except expat.ExpatError:
        raise Refused(display, ImportCode.CORRUPT, _XML_CORRUPT, sheet or None) from None
    declaration = _DECLARATION.match(xml)
    start = declaration.end() if declaration is not None else 0  # the body, after the XML declaration
    tags: list[bytes] = _TAGS.findall(xml, start)
    if (b"f" in tags or b' t="e"' in xml or _MARKUP.search(xml, start) is not None
            or (_PREFIXED.search(xml, start) is not None and _PREFIXED_TAGS.search(xml, start) is not None)):
        return _scan_events(xml, display, sheet)
    cells: list[tuple[bytes, bytes]] = _CELLS.findall(xml, start)
    rows: list[bytes] = _ROWS.findall(xml, start)
    dimensions: list[bytes] = _DIMENSIONS.findall(xml, start)
    if (len(cells) != tags.count(b"c") or len(rows) != tags.count(b"row") or len(dimensions) != tags.count(b"dimension")
            or not all(r.isdigit() for r in rows)):
        return _scan_events(xml, display, sheet)
    letters, numbers = zip(*cells, strict=True) if cells else ((), ())
    last_row = max(max(map(int, rows), default=0), max(map(int, set(numbers)), default=0))
    last_column = max((_column_number(name.decode("ascii")) for name in set(letters)), default=0)
    for ref in dimensions:
        for part in ref.decode("utf-8").split(":"):
            place = _reference(part)
            if place is not None:
                last_row, last_column = max(last_row, place[0]), max(last_column, place[1])
    return SheetScan(rows=last_row, columns=last_column, far=lambda: _scan_events(xml, display, sheet))


def _column_number(letters: str) -> int:
    column = 0
    for letter in letters:
        column = column * LETTERS + ord(letter) - ord("A") + 1
    return column


def _scan_events(xml: bytes, display: str, sheet: str) -> SheetScan:
    """:func:`scan_sheet` element by element, in document order (ElementTree's iterparse)."""
    scan = SheetScan()
    extent = _ExtentTracker(scan)
    row = column = 0
    cell: str | None = None
    cell_type = ""
    has_formula = has_value = False
    value_text = ""
    try:
        for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "dimension":
                    for part in str(element.get("ref", "")).split(":"):
                        place = _reference(part)
                        if place is not None:
                            extent.reach(*place)
                elif name == "row":
                    declared = element.get("r")
                    row = int(declared) if declared and declared.isdigit() else row + 1
                    column = 0
                    extent.reach(row, 0)
                elif name == "c":
                    place = _reference(element.get("r", "")) or (row, column + 1)
                    row, column = place
                    extent.reach(row, column)
                    cell = ""  # named only when it is reported (an error, an uncomputed formula)
                    cell_type = element.get("t", "")
                    has_formula = has_value = False
                    value_text = ""
                continue
            if name == "f":
                has_formula = True
            elif name == "v":
                value_text = element.text or ""
                has_value = bool(value_text) or cell_type == "str"
            elif name == "c" and cell is not None:
                if cell_type == "e":
                    scan.errors.append((f"{column_name(min(column, EXCEL_MAX_COLUMN))}{row}", value_text or "#ERROR"))
                elif has_formula and not has_value and cell_type != "inlineStr":
                    scan.uncomputed.append(f"{column_name(min(column, EXCEL_MAX_COLUMN))}{row}")
                cell = None
            element.clear()
    except ElementTree.ParseError:
        raise Refused(display, ImportCode.CORRUPT, _XML_CORRUPT, sheet or None) from None
    return scan


def error_cells(xml: bytes) -> list[tuple[str, str]]:
    """(reference, error text) of every cell of type ``e`` in a worksheet part."""
    return scan_sheet(xml).errors


def _sheet_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Worksheet parts (xl/worksheets/sheet3.xml) → sheet names, through workbook.xml."""
    workbook, rels = parts.get("xl/workbook.xml"), parts.get("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    return dict(_names_of(workbook, rels))


@lru_cache(maxsize=64)
def _names_of(workbook_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """:func:`_sheet_names` of these two parts: they are the same in every workbook of a batch."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    try:
        workbook = ElementTree.fromstring(workbook_xml)
        rels = ElementTree.fromstring(rels_xml)
    except ElementTree.ParseError:
        return ()
    targets: dict[str, str] = {}
    for rel in rels.findall("p:Relationship", ns):
        target = rel.get("Target", "")
        targets[rel.get("Id", "")] = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    names: dict[str, str] = {}
    for sheet in workbook.findall("m:sheets/m:sheet", ns):
        part = targets.get(sheet.get(f"{{{ns['r']}}}id", ""))
        if part is not None:
            names[part] = sheet.get("name", part)
    return tuple(names.items())


def open_workbook(path: Path, display: str, limits: ImportLimits
                  ) -> tuple[bytes, PackageScan, python_calamine.CalamineWorkbook]:
    """Every byte check (size, what the file is, the zip directory, every sheet's extent), then the
    workbook opened by calamine — its English errors replaced by a Chinese refusal. Returns the bytes
    read, the scan and the workbook."""
    data = read_limited(path, display, limits)
    sniff(data, display)
    scan = inspect_zip(data, display, limits)
    try:
        return data, scan, python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise Refused(display, ImportCode.ENCRYPTED, "文件已加密（设置了打开密码），无法读取：请取消密码后重新提交") from None
    except Exception:  # calamine raises several error types (with English texts) for malformed parts
        raise Refused(display, ImportCode.CORRUPT, "无法读取工作簿：文件内部结构已损坏或不是 Excel 保存的格式，"
                                                   "请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交") from None
