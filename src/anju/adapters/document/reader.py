"""Read a .docx, .pdf, .txt or .md file into a :class:`~anju.audit.SourceDocument`.

.docx: body paragraphs and table cells in reading order (python-docx); merged cells once.
.pdf: the text layer (pdfminer.six), characters regrouped into lines by position and lines into
paragraphs (a short line, an indent or a wider gap ends a paragraph), so a number broken across
two lines reads whole; a PDF without a text layer (a scan) is refused with a clear message.
.txt / .md: one block per non-empty line; UTF-8 (with or without BOM), else GB18030.

Any file that cannot be read raises :class:`DocumentError` with a Chinese message; never a traceback.
"""

from __future__ import annotations

import re
import statistics
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTComponent, LTContainer, LTPage
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException

from anju.audit.document import Block, CellPosition, SourceDocument, from_text
from anju.problems import AuditCode, Problem, ProblemsError, Severity, Where

MIB = 1024 * 1024
MAX_FILE_BYTES = 100 * MIB
MAX_UNPACKED_BYTES = 500 * MIB
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF"
TEXT_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md"}
SUPPORTED = ".docx、.pdf、.txt、.md"
LINE_TOLERANCE = 0.5
"""Characters whose vertical centres differ by less than this share of their height are on one line."""
WORD_GAP = 0.3
"""A horizontal gap wider than this share of a character's width is a space."""
SHORT_LINE = 2.0
"""A line ending this many character widths before the right edge and with a full stop ends its
paragraph (a line also ends early when a number does not fit on it)."""
VERY_SHORT_LINE = 8.0
"""A line ending this many character widths before the right edge ends its paragraph anyway."""
PARAGRAPH_END = tuple("。：:；！？")
INDENT = 1.5
PARAGRAPH_GAP = 1.3
"""A vertical gap this many times the usual line pitch separates paragraphs."""


PAGE_NUMBER_RE = re.compile(r"^[\s\-—–第]*\d{1,4}[\s页]*[\-—–]*\s*(/\s*\d+)?\s*$")


class DocumentError(ProblemsError):
    """The file could not be read as a document."""


def _refuse(path: Path, code: AuditCode, message: str) -> DocumentError:
    return DocumentError([Problem(code, Severity.error, message, Where(file=path.name))])


def read_document(path: Path) -> SourceDocument:
    """The document in ``path``; raises :class:`DocumentError` when it cannot be read."""
    if not path.is_file():
        raise _refuse(path, AuditCode.DOCUMENT_MISSING, f"找不到文件 {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE,
                      f"{path.name} 有 {size // MIB} MB，超过 {MAX_FILE_BYTES // MIB} MB 的上限")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        document = read_docx(path)
    elif suffix == ".pdf":
        document = read_pdf(path)
    elif suffix in TEXT_SUFFIXES:
        document = from_text(path.name, _decode(path), TEXT_SUFFIXES[suffix])
    elif suffix in (".doc", ".wps"):
        raise _refuse(path, AuditCode.UNSUPPORTED_FORMAT,
                      f"{path.name} 是旧版 Word（.doc）或 WPS 格式，请在 Word 或 WPS 中另存为 .docx 后再核查")
    else:
        raise _refuse(path, AuditCode.UNSUPPORTED_FORMAT, f"{path.name} 的格式不受支持（支持 {SUPPORTED}）")
    if not any(b.text.strip() for b in document.blocks):
        raise _refuse(path, AuditCode.DOCUMENT_EMPTY, f"{path.name} 中没有文字")
    return document


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 不是 UTF-8 或 GB18030 编码的文本文件")


# --- .docx -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocxParagraph:
    paragraph: Paragraph
    cell: CellPosition | None


def docx_paragraphs(document: DocxDocument) -> Iterator[DocxParagraph]:
    """Every paragraph of the body in reading order, table cells row by row (a merged cell once);
    the reader and the annotator walk the same sequence."""
    tables = 0
    for element in document.iter_inner_content():
        if isinstance(element, Paragraph):
            yield DocxParagraph(element, None)
        elif isinstance(element, Table):
            tables += 1
            yield from _table_paragraphs(element, tables)


def _table_paragraphs(table: Table, number: int) -> Iterator[DocxParagraph]:
    seen: list[object] = []  # the cell elements themselves: kept alive, compared by identity
    for r, row in enumerate(table.rows, start=1):
        for c, cell in enumerate(row.cells, start=1):
            if any(cell._tc is element for element in seen):
                continue
            seen.append(cell._tc)
            for paragraph in cell.paragraphs:
                yield DocxParagraph(paragraph, CellPosition(number, r, c))


def _check_zip(path: Path) -> None:
    head = path.read_bytes()[:8]
    if head.startswith(CFB_MAGIC):
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE,
                      f"{path.name} 已加密（设置了打开密码）或实为旧版 .doc 文件，请去除密码或另存为 .docx 后再核查")
    if not head.startswith(ZIP_MAGIC):
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 不是有效的 Word（.docx）文件")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 已损坏，无法打开") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 解压后过大，拒绝读取")


def open_docx(path: Path) -> DocxDocument:
    _check_zip(path)
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 不是有效的 Word（.docx）文件：{exc}") from None
    except Exception as exc:  # lxml parse errors and other damage inside the package
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 已损坏，无法读取：{exc}") from None


def read_docx(path: Path) -> SourceDocument:
    document = open_docx(path)
    blocks: list[Block] = []
    counted = 0
    for entry in docx_paragraphs(document):
        text = entry.paragraph.text
        if entry.cell is None and text.strip():
            counted += 1
        blocks.append(Block(index=len(blocks) + 1, text=text, cell=entry.cell,
                            paragraph=counted if entry.cell is None and text.strip() else None))
    return SourceDocument(name=path.name, format="docx", blocks=blocks)


# --- .pdf ------------------------------------------------------------------------------------

@dataclass
class _Line:
    chars: list[LTChar]

    @property
    def x0(self) -> float:
        return min(c.x0 for c in self.chars)

    @property
    def x1(self) -> float:
        return max(c.x1 for c in self.chars)

    @property
    def y(self) -> float:
        return statistics.fmean((c.y0 + c.y1) / 2 for c in self.chars)

    @property
    def height(self) -> float:
        return statistics.fmean(c.height for c in self.chars)

    @property
    def width(self) -> float:
        return statistics.median(c.width for c in self.chars if c.get_text().strip()) if any(
            c.get_text().strip() for c in self.chars) else 1.0

    def text(self) -> str:
        ordered = sorted(self.chars, key=lambda c: c.x0)
        out: list[str] = []
        for prev, char in zip([None, *ordered], ordered, strict=False):
            if prev is not None and char.x0 - prev.x1 > WORD_GAP * max(prev.width, 1.0) and out and out[-1] != " ":
                out.append(" ")
            out.append(char.get_text())
        return "".join(out)


def _chars(container: LTComponent) -> Iterator[LTChar]:
    if isinstance(container, LTChar):
        yield container
    elif isinstance(container, LTContainer):
        for child in container:
            yield from _chars(child)


def _lines(page: LTPage) -> list[_Line]:
    chars = sorted((c for c in _chars(page) if c.get_text().strip() or c.get_text() == " "),
                   key=lambda c: (-(c.y0 + c.y1) / 2, c.x0))
    lines: list[_Line] = []
    for char in chars:
        centre = (char.y0 + char.y1) / 2
        if lines and abs(lines[-1].y - centre) < LINE_TOLERANCE * max(char.height, 1.0):
            lines[-1].chars.append(char)
        else:
            lines.append(_Line([char]))
    lines = [line for line in lines if line.text().strip()]
    while lines and PAGE_NUMBER_RE.match(lines[-1].text()):
        lines.pop()
    while lines and PAGE_NUMBER_RE.match(lines[0].text()):
        lines.pop(0)
    return lines


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    if not lines:
        return []
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    pitches = [a.y - b.y for a, b in pairwise(lines) if a.y > b.y]
    pitch = statistics.median(pitches) if pitches else 0.0
    groups: list[list[_Line]] = [[lines[0]]]
    for prev, line in pairwise(lines):
        width = max(prev.width, 1.0)
        room = right - prev.x1
        ended = room > SHORT_LINE * width and prev.text().rstrip().endswith(PARAGRAPH_END)
        indented = line.x0 > left + INDENT * width
        gap = pitch and (prev.y - line.y) > PARAGRAPH_GAP * pitch
        if ended or room > VERY_SHORT_LINE * width or indented or gap:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def read_pdf(path: Path) -> SourceDocument:
    head = path.read_bytes()[:8]
    if not head.startswith(PDF_MAGIC):
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 不是有效的 PDF 文件")
    try:
        pages = list(extract_pages(str(path), laparams=LAParams()))
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 已加密，请提供未加密的 PDF") from None
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as exc:
        raise _refuse(path, AuditCode.DOCUMENT_UNREADABLE, f"{path.name} 已损坏，无法读取：{exc}") from None
    blocks: list[Block] = []
    carried: list[str] = []
    for number, page in enumerate(pages, start=1):
        groups = _paragraphs(_lines(page))
        for i, group in enumerate(groups):
            text = "".join(line.text() for line in group)
            last_on_page = i == len(groups) - 1
            if carried:
                text = "".join(carried) + text
                carried = []
            if last_on_page and number < len(pages) and _runs_on(group, groups):
                carried.append(text)
                continue
            blocks.append(Block(index=len(blocks) + 1, text=text, page=number, paragraph=len(blocks) + 1))
    if carried:
        blocks.append(Block(index=len(blocks) + 1, text="".join(carried), page=len(pages), paragraph=len(blocks) + 1))
    if not any(b.text.strip() for b in blocks):
        raise _refuse(path, AuditCode.NO_TEXT_LAYER,
                      f"{path.name} 没有文字层（可能是扫描件），无法核查；请提供 Word 原件，或先经文字识别（OCR）转为可复制文字的 PDF")
    return SourceDocument(name=path.name, format="pdf", blocks=blocks, pages=len(pages))


def _runs_on(group: list[_Line], groups: list[list[_Line]]) -> bool:
    """Whether the page's last paragraph goes on at the top of the next page (its last line is full)."""
    lines = [line for g in groups for line in g]
    right = max(line.x1 for line in lines)
    last = group[-1]
    return last.x1 >= right - SHORT_LINE * max(last.width, 1.0) and len(last.text()) > 1
