"""Workbooks of one layout derived from a single XlsxWriter workbook (the batch writer's fast path).

Most of a unit's template is the same for every unit of the same kind: the instructions' and the
program sheets' labels, the formats, the data validation, the protection, the styles. The batch
writer therefore writes one *skeleton* per layout with XlsxWriter, in which every cell that belongs
to the unit (its name, code and checksum, the pre-filled figures, answers and notes) holds a unique
marker string, and derives each unit's workbook from it: the marker cells are replaced by the unit's
cells (a shared string, a number or a blank with the same format), the unit's strings are appended
to the shared-string table (written by XlsxWriter's own code, so that they are escaped the same way),
and the parts without a marker are copied as the skeleton's compressed bytes.

Whenever a skeleton is not what is expected (a marker not found where it was written, say) or a
value cannot be written this way, :meth:`Skeleton.fill` or :func:`parse_skeleton` gives None and the
caller writes that workbook directly with XlsxWriter.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_rowcol_to_cell

Value = str | int | float | dt.date | None
"""A unit's cell: a text, a number, a date or a blank (None)."""

MARKER = "\ue000anju:{}\ue001"
"""The text of the skeleton's ``n``-th unit cell (private-use characters: no label holds them)."""
SST_PART = "xl/sharedStrings.xml"
SHEET_PART = "xl/worksheets/sheet{}.xml"
LEVEL = 6
"""zlib level of the unit's parts (XlsxWriter's, Python's default)."""
STRING_CACHE = 8192
STRING_MAX = 32767
"""Excel's longest cell text; XlsxWriter cuts a longer one (left to the direct path)."""

_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="s"><v>([0-9]+)</v></c>')
_SI = re.compile(rb"<si>.*?</si>", re.S)
_SST_TAG = re.compile(rb"<sst [^>]*>")
_COUNTS = re.compile(rb' count="[0-9]+" uniqueCount="[0-9]+"')
_EPOCH = dt.date(1899, 12, 30)
_FIRST_SERIAL_DATE = dt.date(1900, 3, 1)
"""From this day on an Excel (1900 system) serial is simply the days since 1899-12-30."""
_DOS_DATE = (0 << 9) | (1 << 5) | 1
"""1980-01-01, the time stamp XlsxWriter gives every part."""


@dataclass(frozen=True)
class _Packed:
    """A compressed zip member."""

    name: bytes
    crc: int
    size: int
    data: bytes


def _pack(name: str, raw: bytes, level: int) -> _Packed:
    squeezer = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = squeezer.compress(raw) + squeezer.flush()
    return _Packed(name.encode("ascii"), zlib.crc32(raw), len(raw), data)


def zip_members(members: Sequence[_Packed]) -> bytes:
    """A zip archive of already compressed members (deflate, no zip64: a template is small)."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, _DOS_DATE, m.crc, len(m.data), m.size,
                             len(m.name), 0) + m.name
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, _DOS_DATE, m.crc, len(m.data),
                                   m.size, len(m.name), 0, 0, 0, 0, 0, offset) + m.name)
        out.append(header)
        out.append(m.data)
        offset += len(header) + len(m.data)
    directory = b"".join(central)
    out.append(directory)
    out.append(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0))
    return b"".join(out)


@functools.lru_cache(maxsize=STRING_CACHE)
def _si(text: str) -> bytes:
    """The shared-string item of ``text`` exactly as XlsxWriter writes it."""
    writer = SharedStrings()
    buffer = io.StringIO()
    writer._set_filehandle(buffer)
    writer._write_si(text)
    return buffer.getvalue().encode("utf-8")


def _number(value: int | float | dt.date) -> bytes | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        if value < _FIRST_SERIAL_DATE:
            return None
        value = (value - _EPOCH).days
    elif not math.isfinite(value):
        return None
    return f"{value:.16G}".encode("ascii")


@dataclass(frozen=True)
class Skeleton:
    """The parts of a skeleton workbook, ready to be filled with a unit's cells."""

    parts: tuple[_Packed | tuple[bytes | int, ...], ...]
    """A part without a unit cell, compressed; or its XML as bytes and slot numbers (index 0: the name)."""
    names: tuple[str, ...]
    cells: tuple[bytes, ...]
    """Each slot's cell start (``<c r="C6" s="5"``)."""
    formatted: tuple[bool, ...]
    strings: dict[str, int]
    """The skeleton's own shared strings, by text."""
    string_refs: int
    sst_head: bytes
    sst_body: bytes
    sst_tail: bytes

    def fill(self, values: Sequence[Value], level: int = LEVEL) -> bytes | None:
        """The workbook with the slots holding ``values`` (in slot order); None when one cannot be
        written this way (then write the workbook directly)."""
        if len(values) != len(self.cells):
            return None
        own = dict[str, int]()
        items: list[bytes] = []
        refs = self.string_refs
        unique = len(self.strings)
        cells: list[bytes] = []
        for start, formatted, value in zip(self.cells, self.formatted, values, strict=True):
            if value is None:
                if not formatted:
                    return None  # XlsxWriter writes no cell at all for a blank without a format
                cells.append(start + b"/>")
            elif isinstance(value, str):
                if len(value) > STRING_MAX:
                    return None
                index = self.strings.get(value)
                if index is None:
                    index = own.get(value)
                    if index is None:
                        index = own[value] = unique + len(items)
                        items.append(_si(value))
                refs += 1
                cells.append(b'%s t="s"><v>%d</v></c>' % (start, index))
            else:
                number = _number(value)
                if number is None:
                    return None
                cells.append(b"%s><v>%s</v></c>" % (start, number))
        head = _COUNTS.sub(b' count="%d" uniqueCount="%d"' % (refs, unique + len(items)), self.sst_head, count=1)
        packed: list[_Packed] = []
        for name, part in zip(self.names, self.parts, strict=True):
            if isinstance(part, _Packed):
                packed.append(part)
            elif name == SST_PART:
                packed.append(_pack(name, b"".join((head, self.sst_body, *items, self.sst_tail)), level))
            else:
                packed.append(_pack(name, b"".join([p if isinstance(p, bytes) else cells[p] for p in part]), level))
        return zip_members(packed)


def parse_skeleton(data: bytes, slots: Sequence[tuple[int, int, int]], static_strings: Sequence[str],
                   level: int = LEVEL) -> Skeleton | None:
    """The skeleton written by XlsxWriter as ``data``, whose slot ``n`` is the cell at (sheet index,
    row, column; 0-based) ``slots[n]`` holding :data:`MARKER` ``n``, written after every other text
    (``static_strings``, the workbook's other shared strings in their order). None when the file is
    not laid out as expected."""
    static = len(static_strings)
    strings = {text: index for index, text in enumerate(static_strings)}
    if len(strings) != static:
        return None
    expected = {(SHEET_PART.format(sheet + 1), xl_rowcol_to_cell(row, col)): n for n, (sheet, row, col) in enumerate(slots)}
    names: list[str] = []
    parts: list[_Packed | tuple[bytes | int, ...]] = []
    cells: list[bytes | None] = [None] * len(slots)
    formatted = [False] * len(slots)
    sst: tuple[bytes, bytes, bytes, int] | None = None
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            raw = archive.read(info)
            names.append(info.filename)
            if info.filename == SST_PART:
                sst = _parse_sst(raw, static, len(slots))
                if sst is None:
                    return None
                parts.append(())
                continue
            pieces: list[bytes | int] = []
            last = 0
            for match in _CELL.finditer(raw):
                slot = int(match.group(3)) - static
                if slot < 0:
                    continue
                if (slot >= len(slots) or cells[slot] is not None
                        or expected.get((info.filename, match.group(1).decode("ascii"))) != slot):
                    return None
                pieces.append(raw[last:match.start()])
                pieces.append(slot)
                cells[slot] = b'<c r="' + match.group(1) + b'"' + match.group(2)
                formatted[slot] = bool(match.group(2))
                last = match.end()
            if pieces:
                pieces.append(raw[last:])
                parts.append(tuple(pieces))
            else:
                parts.append(_pack(info.filename, raw, level))
    if sst is None or any(cell is None for cell in cells):
        return None
    head, body, tail, refs = sst
    return Skeleton(tuple(parts), tuple(names), tuple(c for c in cells if c is not None), tuple(formatted), strings,
                    refs, head, body, tail)


def _parse_sst(raw: bytes, static: int, slots: int) -> tuple[bytes, bytes, bytes, int] | None:
    """(the XML up to the end of the ``<sst>`` tag, the static items, what follows the markers, the
    number of references to static strings)."""
    tag = _SST_TAG.search(raw)
    counts = re.search(rb' count="([0-9]+)" uniqueCount="([0-9]+)"', raw)
    if tag is None or counts is None or int(counts.group(2)) != static + slots:
        return None
    items = list(_SI.finditer(raw, tag.end()))
    if len(items) != static + slots:
        return None
    for n, item in enumerate(items[static:]):
        if item.group(0) != _si(MARKER.format(n)):
            return None
    first_marker = items[static].start() if slots else items[-1].end()
    body = raw[tag.end():first_marker]
    tail = raw[items[-1].end():] if items else raw[tag.end():]
    return raw[:tag.end()], body, tail, int(counts.group(1)) - slots
