"""Spreadsheet and CSV output that cannot be turned into formulas by what users typed.

In CSV, a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return,
which some spreadsheet programs strip before reading the rest) is prefixed with ``'`` so that
Excel, WPS and LibreOffice show it as text instead of evaluating it (CSV/formula injection). In
xlsx every text cell is typed as a string, which no program evaluates, so the text is kept exactly
(no visible ``'``). Every text passes :func:`anju.text.clean_text` first: a control character a
user pasted can never make an export fail.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from anju.text import clean_text

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | Decimal | None


def neutralise(value: object) -> object:
    """Text cleaned, and (for CSV) given a leading apostrophe when a spreadsheet would read it as a
    formula; numbers pass."""
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith(DANGEROUS_PREFIXES):
            return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with BOM so Excel and WPS open Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v if isinstance(v, str) else str(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def add_sheet(workbook: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]],
              widths: Sequence[int] | None = None) -> None:
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([clean_text(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        values: list[object] = []
        for value in row:
            if isinstance(value, Decimal):
                values.append(value)
            elif value is None:
                values.append(None)
            else:
                values.append(clean_text(value) if isinstance(value, str) else value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def workbook() -> Workbook:
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
