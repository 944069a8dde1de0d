"""附件1–4 inside the Word 说明 (issue 10, item 5): one landscape A4 section holding the appendix
tables the framework declares, between the body (with its 落款) and 附件5, so the whole set prints
and is page-numbered as one document ("— N —" continues: no section restarts the numbering).

GB/T 9704 10.1 (横排表格): a landscape table page keeps the page number where every other page has
it — at the bottom of the sheet held upright, odd pages on the right, even pages on the left — with
the table's head towards the sheet's left edge (订口 on odd pages, 切口 on even pages). So the
landscape section has its own footers: the number turned a quarter (text top to bottom, tbRl) in a
one-cell floating table along the landscape page's left edge (the sheet's bottom), as far from the
edge as the body's footer, near the landscape bottom on odd pages (the sheet's right) and near its
top on even pages (the sheet's left), one character in, as in the body.

The numbers are the same as in the appendix workbook: the same rows (:mod:`anju.adapters.report.appendix`)
and the same display (amounts 万元 with two decimals, whole counts, a whole area without ".00", rates
to one decimal). Tables print at 10.5 pt (五号) or larger: column widths follow the widest entry,
narrow cell margins are used, and a table too wide for the page is split by column group into
parts that repeat the unit column ("（续表）")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from copy import deepcopy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips
from docx.table import Table

from anju.adapters.report.appendix import NOT_COMPUTABLE, CellValue, UnitRow, row_values, totals_values
from anju.adapters.report.content import ReportContent, split_title
from anju.adapters.report.markdown import display_width
from anju.adapters.report.paragraph_style import add_paragraph, set_style, style_names
from anju.dataset.models import NOT_APPLICABLE
from anju.decimals import round_half_up
from anju.framework.appendix import column_header, column_kind, group_header, scope_notes
from anju.framework.models import AppendixTable, ColumnGroup, Framework

PAGE_LONG, PAGE_SHORT = 16838, 11906
"""A4 in twips."""
MARGINS = {"top": 1587, "bottom": 1474, "left": 1984, "right": 850}
"""Landscape margins in twips (28 / 26 / 35 / 15 mm): top and bottom are the body's left and right
margins (the sheet's left and right), the left margin the body's bottom margin, which holds the
turned page number (the sheet's bottom); 15 mm on the right (the sheet's top) leave 247 mm for a
table, enough for the 2022 tables at 10.5 pt (附件1 needs 244 mm)."""
PORTRAIT_LEFT, PORTRAIT_RIGHT = 1587, 1474
"""The body's left and right margins (28 / 26 mm): where the turned number's line starts and ends."""
NUMBER_FROM_EDGE = 1304
"""23 mm: the body's footer distance, from the sheet's bottom edge to the page number's line."""
NUMBER_LINE = 397
"""7 mm: the width of the turned page number's line (四号 with its leading)."""
TEXT_WIDTH = PAGE_LONG - MARGINS["left"] - MARGINS["right"]
FONT_PT = Decimal("10.5")
"""五号: the smallest size a table prints at."""
CELL_MARGIN = 57
"""Left and right cell margin in twips (1 mm)."""
UNIT_TWIPS = FONT_PT * 10
"""One half-width character (a digit in Times New Roman, half a CJK character) at FONT_PT, in twips."""
TITLE_CHARS = 30
"""Characters of a 二号 title on one landscape line (257 mm ÷ 22 pt, with room to spare)."""
HEADER_LINES = 2
"""A header may wrap to this many lines before its column is widened."""
NOT_APPLICABLE_TEXT = "不适用"
NOT_COMPUTABLE_TEXT = "—"
EXAMPLE_NOTE = "示例数据，非真实分地区数据：各市（州）的数字为示意，报送前须换成真实数据。"
LABEL_STYLE, TITLE_STYLE, TEXT_STYLE, NUMBER_STYLE, HEADER_STYLE = "附件标识", "公文标题", "表格文字", "表格数字", "表格标题行"


def cell_text(value: CellValue, kind: str) -> str:
    """A cell as the workbook shows it: blank, 不适用, —, or the number in its kind's format."""
    if value is None:
        return ""
    if value == NOT_APPLICABLE:
        return NOT_APPLICABLE_TEXT
    if value == NOT_COMPUTABLE:
        return NOT_COMPUTABLE_TEXT
    assert isinstance(value, Decimal)
    if kind == "rate":
        return f"{round_half_up(value * 100, 1):f}%"
    if kind == "count" or (kind == "quantity" and value == value.to_integral_value()):
        return f"{round_half_up(value, 0):,f}"
    return f"{round_half_up(value, 2):,f}"


@dataclass(frozen=True)
class _Part:
    groups: tuple[ColumnGroup, ...]
    widths: tuple[int, ...]
    """Twips: the unit column, then each column of the groups."""


def _need(texts: Sequence[str], header: str, lines: int = HEADER_LINES) -> int:
    """Twips a column needs: its widest entry on one line, its header on at most ``lines``."""
    widest = max((display_width(t) for t in texts), default=0)
    unit = header[header.find("（"):] if "（" in header else ""  # “（套）” stays on one line
    head = max(math.ceil(display_width(header) / 2 / lines) * 2, display_width(unit), 6)
    return int(max(widest, head) * UNIT_TWIPS) + 2 * CELL_MARGIN + 30


def _parts(table: AppendixTable, framework: Framework, texts: dict[str, list[str]], names: list[str]) -> list[_Part]:
    """The column groups in order, widths stretched to fill the page: one part when the headers may
    wrap to two or three lines, otherwise as few parts as fit (a part after the first keeps its
    natural widths)."""
    for lines in (HEADER_LINES, HEADER_LINES + 1):
        unit = _need(names, table.row_header, lines)
        needs = {c.id: _need(texts[c.id], column_header(framework, c), lines) for c in table.columns()}
        if unit + sum(needs.values()) <= TEXT_WIDTH:
            break
    chunks: list[list[ColumnGroup]] = [[]]
    used = unit
    for group in table.groups:
        width = sum(needs[c.id] for c in group.columns)
        if chunks[-1] and used + width > TEXT_WIDTH:
            chunks.append([])
            used = unit
        chunks[-1].append(group)
        used += width
    parts = []
    for number, chunk in enumerate(chunks):
        raw = [unit, *(needs[c.id] for g in chunk for c in g.columns)]
        scale = TEXT_WIDTH / sum(raw) if sum(raw) < TEXT_WIDTH and number == 0 else 1
        parts.append(_Part(tuple(chunk), tuple(int(w * scale) for w in raw)))
    return parts


def _paragraph(document: Document, anchor: Any, text: str, style: str | None = None) -> Any:
    paragraph = add_paragraph(document, text, style if style in _styles(document) else None)
    anchor.addprevious(paragraph._p)
    return paragraph


def _styles(document: Document) -> set[str]:
    return style_names(document)


def _set_cell(cell: Any, text: str, style: str, styles: set[str], *, bold: bool = False,
              align: WD_ALIGN_PARAGRAPH | None = None) -> None:
    paragraph = cell.paragraphs[0]
    if style in styles:
        set_style(paragraph, style)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size = Pt(float(FONT_PT))
    run.bold = bold or None
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _table_properties(table: Table, widths: Sequence[int]) -> None:
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout", "w:tblCellMar", "w:jc"):
        for old in tbl_pr.findall(qn(tag)):
            tbl_pr.remove(old)
    width = OxmlElement("w:tblW")
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(widths)))
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    for element in (width, jc, layout, margins):
        tbl_pr.append(element)
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(w))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=False):
            cell.width = Twips(w)


def _repeat_header(table: Table, count: int) -> None:
    for row in table.rows[:count]:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:tblHeader"))
        cant = OxmlElement("w:cantSplit")
        tr_pr.append(cant)


def _write_part(document: Document, anchor: Any, table: AppendixTable, framework: Framework, *, part: _Part,
                body: list[tuple[str, dict[str, CellValue], bool]]) -> None:
    styles = _styles(document)
    columns = [c for g in part.groups for c in g.columns]
    grid = document.add_table(rows=2 + len(body), cols=1 + len(columns))
    if "Table Grid" in styles:
        grid.style = "Table Grid"
    anchor.addprevious(grid._tbl)
    _table_properties(grid, part.widths)
    header_top, header_sub = grid.rows[0].cells, grid.rows[1].cells
    unit_cell = header_top[0].merge(header_sub[0])
    _set_cell(unit_cell, table.row_header, HEADER_STYLE, styles, align=WD_ALIGN_PARAGRAPH.CENTER)
    col = 1
    for group in part.groups:
        label = group_header(framework, group)
        first, last = col, col + len(group.columns) - 1
        if label is None:
            for column in group.columns:
                merged = header_top[col].merge(header_sub[col])
                _set_cell(merged, column_header(framework, column), HEADER_STYLE, styles, align=WD_ALIGN_PARAGRAPH.CENTER)
                col += 1
            continue
        top = header_top[first].merge(header_top[last]) if last > first else header_top[first]
        _set_cell(top, label, HEADER_STYLE, styles, align=WD_ALIGN_PARAGRAPH.CENTER)
        for column in group.columns:
            _set_cell(header_sub[col], column_header(framework, column), HEADER_STYLE, styles,
                      align=WD_ALIGN_PARAGRAPH.CENTER)
            col += 1
    for offset, (name, values, bold) in enumerate(body):
        cells = grid.rows[2 + offset].cells
        _set_cell(cells[0], name, TEXT_STYLE, styles, bold=bold,
                  align=WD_ALIGN_PARAGRAPH.CENTER if bold else None)
        for index, column in enumerate(columns, start=1):
            text = cell_text(values[column.id], column_kind(framework, table, column))
            align = WD_ALIGN_PARAGRAPH.CENTER if not text[:1].isdigit() else WD_ALIGN_PARAGRAPH.RIGHT
            _set_cell(cells[index], text, NUMBER_STYLE, styles, bold=bold, align=align)
    _repeat_header(grid, 2)


def _section_properties(final: Any, *, landscape: bool) -> Any:
    """A copy of the body's section properties (footers, grid), turned landscape when asked."""
    sect = deepcopy(final)
    if not landscape:
        return sect
    size = sect.find(qn("w:pgSz"))
    if size is None:
        size = OxmlElement("w:pgSz")
        sect.insert(0, size)
    size.set(qn("w:w"), str(PAGE_LONG))
    size.set(qn("w:h"), str(PAGE_SHORT))
    size.set(qn("w:orient"), "landscape")
    margins = sect.find(qn("w:pgMar"))
    if margins is not None:
        for side, value in MARGINS.items():
            margins.set(qn(f"w:{side}"), str(value))
    for grid in sect.findall(qn("w:docGrid")):  # the 22-line grid is the body's; tables need none
        sect.remove(grid)
    kind = sect.find(qn("w:type"))
    if kind is not None:
        sect.remove(kind)
    return sect


def _element(tag: str, children: Sequence[Any] = (), **attributes: Any) -> Any:
    """``<w:tag w:key="value"…>children</w:tag>``."""
    element = OxmlElement(f"w:{tag}")
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), str(value))
    for child in children:
        element.append(child)
    return element


def _turned_page_number(footer: Any, *, odd: bool) -> None:
    """The footer of a landscape page: a floating one-cell table on the page's left edge holding the
    body's "— N —", turned (tbRl: upright when the sheet is turned with the table's head to its
    left): at the end of the line (the sheet's right, the landscape bottom) on odd pages, at its start
    (the sheet's left, the landscape top) on even pages, one character in; then the footer's closing
    paragraph, one point high, so the text block keeps its height."""
    from anju.adapters.report.build_template import page_number_paragraph  # noqa: PLC0415 - builds on the template

    element = footer._element
    for child in list(element):
        element.remove(child)
    zero: dict[str, Any] = {"w": 0, "type": "dxa"}
    table_pr = _element("tblPr", [
        _element("tblpPr", leftFromText=0, rightFromText=0, topFromText=0, bottomFromText=0, vertAnchor="page",
                 horzAnchor="page", tblpX=NUMBER_FROM_EDGE, tblpY=PORTRAIT_LEFT),
        _element("tblW", w=NUMBER_LINE, type="dxa"),
        _element("tblLayout", type="fixed"),
        _element("tblCellMar", [_element(side, **zero) for side in ("top", "left", "bottom", "right")]),
    ])
    cell = _element("tc", [
        _element("tcPr", [_element("tcW", w=NUMBER_LINE, type="dxa"), _element("textDirection", val="tbRl"),
                          _element("vAlign", val="center")]),
        page_number_paragraph(footer, right=odd),
    ])
    row = _element("tr", [
        _element("trPr", [_element("trHeight", val=PAGE_SHORT - PORTRAIT_LEFT - PORTRAIT_RIGHT, hRule="exact")]),
        cell,
    ])
    element.append(_element("tbl", [table_pr, _element("tblGrid", [_element("gridCol", w=NUMBER_LINE)]), row]))
    element.append(_element("p", [_element("pPr", [
        _element("spacing", before=0, after=0, line=20, lineRule="exact"),
        _element("rPr", [_element("sz", val=2)]),
    ])]))


def _own_footers(document: Document) -> None:
    """Give each landscape section its own odd and even footers with the turned number."""
    for index in landscape_sections(document):
        _own_footer(document, index)


def _own_footer(document: Document, index: int) -> None:
    section = document.sections[index]
    sect = section._sectPr
    for reference in sect.findall(qn("w:footerReference")):
        sect.remove(reference)
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    _turned_page_number(section.footer, odd=True)
    _turned_page_number(section.even_page_footer, odd=False)
    follower = document.sections[index + 1] if index + 1 < len(document.sections) else None
    if follower is not None and not follower._sectPr.findall(qn("w:footerReference")):
        raise AssertionError("the section after the landscape one must keep the body's footers")


def _attach_section(paragraph_element: Any, sect: Any) -> None:
    p_pr = paragraph_element.find(qn("w:pPr"))
    if p_pr is None:
        p_pr = OxmlElement("w:pPr")
        paragraph_element.insert(0, p_pr)
    for old in p_pr.findall(qn("w:sectPr")):
        p_pr.remove(old)
    p_pr.append(sect)


def _anchor(document: Document, content: ReportContent) -> Any:
    """The 附件5 label paragraph (the score table follows the appendix tables), or the body's end."""
    label = f"附件{content.score_table.number}"
    for paragraph in document.paragraphs:
        if paragraph.text.strip() == label:
            return paragraph._p
    return document.element.body.sectPr


def _notes(content: ReportContent, framework: Framework, table: AppendixTable) -> list[str]:
    """The notes under a table: the example label, what blank/不适用/— mean, the table's own notes,
    the scope and the date the figures are counted to."""
    notes = ["注：空白为未填报，“不适用”为该单位无此项任务，“—”为分母为0无法计算。", *table.notes]
    if content.rows_note:
        notes.insert(0, EXAMPLE_NOTE)
    scope = scope_notes(framework, table)
    if scope:
        notes.append("口径：" + "；".join(scope) + "。")
    if content.as_of:
        notes.append(f"数据截至{content.as_of}。")
    return notes


def add_appendix_sections(document: Document, content: ReportContent, framework: Framework,
                          rows: Sequence[UnitRow]) -> int:
    """Insert 附件1–4 as one landscape section before 附件5; returns the number of tables inserted."""
    tables = framework.appendix.tables
    body_element = document.element.body
    final = body_element.sectPr
    if not tables or final is None:
        return 0
    anchor = _anchor(document, content)
    before = anchor.getprevious()
    while before is not None and before.tag != qn("w:p"):
        before = before.getprevious() if before.tag != qn("w:tbl") else None
    if before is None:
        before = _paragraph(document, anchor, "")._p
    _attach_section(before, _section_properties(final, landscape=False))
    last_paragraph = None
    for index, table in enumerate(tables):
        label = _paragraph(document, anchor, f"附件{table.number}", LABEL_STYLE)
        label.paragraph_format.page_break_before = index > 0
        _paragraph(document, anchor, "")
        heading = content.appendix_titles.get(table.number, table.sheet)
        lines = split_title(heading, TITLE_CHARS) if len(heading) > TITLE_CHARS else [heading]
        title = _paragraph(document, anchor, "\n".join(lines), TITLE_STYLE)  # broken by sense, not mid-word
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        unit = _paragraph(document, anchor, table.unit, TEXT_STYLE)
        unit.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        computed = [row_values(table, figures) for _, figures in rows]
        body: list[tuple[str, dict[str, CellValue], bool]] = [
            (name, values, False) for (name, _), values in zip(rows, computed, strict=True)]
        body.append((table.totals_label, totals_values(table, computed), True))
        texts = {c.id: [cell_text(v[c.id], column_kind(framework, table, c)) for _, v, _ in body] for c in table.columns()}
        parts = _parts(table, framework, texts, [name for name, _, _ in body])
        for number, part in enumerate(parts):
            if number:
                more = _paragraph(document, anchor, "（续表）", TEXT_STYLE)
                more.paragraph_format.space_before = Pt(6)
            _write_part(document, anchor, table, framework, part=part, body=body)
        for note in _notes(content, framework, table):
            paragraph = _paragraph(document, anchor, note, TEXT_STYLE)
            for run in paragraph.runs:
                run.font.size = Pt(float(FONT_PT))
            last_paragraph = paragraph
    assert last_paragraph is not None
    landscape = _section_properties(final, landscape=True)
    if anchor is final:  # no 附件5 follows: the document ends landscape
        body_element.remove(final)
        body_element.append(landscape)
        _attach_section(before, _section_properties(landscape, landscape=False))
    else:
        _attach_section(last_paragraph._p, landscape)
    _own_footers(document)
    return len(tables)


def landscape_sections(document: Document) -> list[int]:
    """Indices of the document's landscape sections (for tests and readers)."""
    return [index for index, section in enumerate(document.sections)
            if (section.page_width or 0) > (section.page_height or 0)]

