"""The bytes of an uploaded workbook, inspected before anything is parsed.

Its size; what it really is (a Word document renamed .xlsx, an encrypted or legacy Office file, an
OpenDocument file, a macro workbook); its zip directory (member count, declared sizes, compression
ratios — a zip bomb is refused before a byte is inflated). Every member is then read once with hard
limits and its CRC checked, and formula-error cells (``#DIV/0!`` …) are found in the sheet XML,
because calamine reads error cells as empty strings (python-calamine issue #105).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from anju.problems import EntryCode, ImportCode, Problem, Severity, Where

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
CELL_XML_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
ERROR_TYPE_RE = re.compile(rb'\bt="e"')
REF_RE = re.compile(rb'\br="([A-Z]+[0-9]+)"')
VALUE_RE = re.compile(rb"<v>([^<]*)</v>")
ZIP_ENCRYPTED_FLAG = 0x1
KIB = 1024
MIB = 1024 * 1024


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


def inspect_zip(data: bytes, display: str, limits: ImportLimits) -> dict[str, list[tuple[str, str]]]:
    """Check the zip directory before inflating, then read every member once within the limits.

    Returns the formula-error cells per sheet name: ``{"住房租赁保障": [("C7", "#DIV/0!"), …]}``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise Refused(display, ImportCode.CORRUPT, "文件已损坏，不是完整的 Excel 工作簿：请重新保存后提交") from None
    with archive:
        infos = archive.infolist()
        _classify({i.filename for i in infos}, display)
        _check_sizes(infos, display, limits)
        errors = _read_members(archive, infos, display, limits)
        return _errors_by_sheet(archive, errors) if errors else {}


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
            raise Refused(display, ImportCode.CORRUPT, f"压缩包内“{info.filename}”已损坏或校验失败：请重新保存后提交") from None
        except Exception as exc:  # zlib.error and friends from a forged stream
            raise Refused(display, ImportCode.CORRUPT, f"压缩包内“{info.filename}”无法解压（{type(exc).__name__}）") from None
        inflated += len(content)
        if len(content) > info.file_size or inflated > limits.max_total_bytes:
            raise Refused(display, ImportCode.ZIP_BOMB, f"压缩包内“{info.filename}”实际大小与声明不符，疑似压缩炸弹，已拒收")
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


