"""The look every workbook anju hands out for filling shares: input cells, headers, borders — as
colours (for XlsxWriter, :mod:`anju.adapters.excel.template`) and as openpyxl styles with the sheet
helpers of the workbooks still written with openpyxl (monitoring, allocation inputs)."""

from __future__ import annotations

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from anju.text import clean_text

INPUT_COLOR = "FFF2CC"
HEADER_COLOR = "D9E1F2"
BORDER_COLOR = "A6A6A6"
GREY_COLOR = "808080"
TITLE_SIZE = 14
GREY_SIZE = 9

INPUT_FILL = PatternFill("solid", fgColor=INPUT_COLOR)
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOR)
TITLE_FONT = Font(bold=True, size=TITLE_SIZE)
BOLD = Font(bold=True)
GREY = Font(color=GREY_COLOR, size=GREY_SIZE)
THIN = Side(style="thin", color=BORDER_COLOR)
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
UNLOCKED = Protection(locked=False)


def print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def protect_sheet(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def text_cell(cell: Cell | MergedCell, text: str | None) -> None:
    """User text as a text cell, exactly: never a formula (an explanation starting with ``=`` stays
    the words typed, and survives a re-upload), never a character the file format cannot hold."""
    if text is None:
        return
    assert isinstance(cell, Cell), "a text cell is never part of a merged range"
    cell.value = clean_text(text)
    cell.data_type = "s"
