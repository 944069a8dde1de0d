"""Build the shipped Word template ``templates/explanation.docx`` (docxtpl / Jinja placeholders).

Run ``python -m anju.adapters.report.build_template`` to regenerate it after changing this file;
a test checks that the shipped file matches what this script builds.

Format follows GB/T 9704-2012 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm; title 方正小标宋简体 二号 (22 pt); body 仿宋_GB2312 三号 (16 pt),
first line indented two characters, fixed line spacing 28.95 pt (22 lines a page);
一、 headings 黑体; （一） headings 楷体_GB2312; page numbers "— 1 —" in 宋体 四号 (14 pt),
odd pages right and even pages left, one character in from the edge of the text block.
Every run names its East Asian font (``w:eastAsia``) so Word and WPS both pick it up; Latin
letters and digits in the body use Times New Roman, as is usual in government documents.

The styles carry Chinese names (公文标题, 公文正文, 公文一级标题 …): a user who copies the
template (``anju report-template``) changes the look by editing the styles in Word or WPS.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from anju.adapters.report.docx import DEFAULT_TEMPLATE as TEMPLATE_PATH

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四
LINE_PITCH = Twips(579)  # 28.95 pt: 22 lines in the 225 mm text block

MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
CHARS_PER_LINE = 28
FOOTER_DISTANCE = Mm(23)  # the page number's 一字线 sits about 7 mm below the text block
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156 mm
# 28 characters a line: 16 pt characters are condensed by a quarter point (156 mm = 442.2 pt ≥ 28 × 15.75 pt).
# A character grid (docGrid linesAndChars) would do the same in Word, but LibreOffice then gives every
# character two grid cells, so the spacing is set on the text styles instead.
CONDENSE_TWENTIETHS = -5
SIGN_DATE_RIGHT_CHARS = 4
"""GB/T 9704 7.3.5.1: the 成文日期 right-indented four characters; the 署名 centred above it."""

SCORE_TABLE_WIDTHS_MM = (58, 14, 14, 14, 56)
SCORE_TABLE_HEADERS = ("指标", "分值", "得分", "扣分", "计分依据及扣分理由")
# The 佐证材料目录 in 156 mm with 1 mm cell margins: eleven 小四 characters a line in 材料名称, a 文号
# such as 吉政办发〔2021〕40号 on one or two lines, 2021年12月31日 on one line in 印发日期.
EVIDENCE_TABLE_WIDTHS_MM = (12, 44, 24, 22, 32, 22)
"""序号 fits two characters on one line, 备注 a name like 吉林省住房和城乡建设厅 in two or three lines."""
EVIDENCE_CELL_MARGIN = Mm(1)
EVIDENCE_TABLE_HEADERS = ("序号", "材料名称", "文号", "印发日期", "对应指标", "备注")
EVIDENCE_TABLE_FIELDS = (
    "row.number", "row.title", "row.document_number", "row.issued", "row.indicators", "row.note",
)
EVIDENCE_TABLE_CENTERED = frozenset({0, 2, 3})


@dataclass(frozen=True)
class StyleSpec:
    style_id: str
    name: str
    east_asia: str
    latin: str
    size: Pt
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent_chars: int = 2
    exact_line: bool = True
    outline_level: int | None = None
    page_break_before: bool = False
    keep_with_next: bool = False
    hanging_chars: int = 0
    left_chars: int = 0
    condensed: bool = False
    """Condensed by a quarter point so that a line holds 28 characters (body-size text)."""
    snap_to_grid: bool = True
    """Body text sits on the 22-line grid; titles, tables, figures and captions do not."""
    right_chars: int = 0


STYLES = (
    StyleSpec(
        "AnjuTitle", "公文标题", TITLE_FONT, TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0, snap_to_grid=False
    ),
    StyleSpec("AnjuBody", "公文正文", BODY_FONT, LATIN_FONT, BODY_SIZE, condensed=True),
    StyleSpec(
        "AnjuHeading1", "公文一级标题", HEADING1_FONT, LATIN_FONT, BODY_SIZE, outline_level=0, keep_with_next=True,
        condensed=True,
    ),
    StyleSpec(
        "AnjuHeading2", "公文二级标题", HEADING2_FONT, LATIN_FONT, BODY_SIZE, outline_level=1, keep_with_next=True,
        condensed=True,
    ),
    StyleSpec(
        "AnjuAttachmentList", "附件说明", BODY_FONT, LATIN_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT,
        indent_chars=0, hanging_chars=3, left_chars=5, condensed=True,
    ),
    StyleSpec(
        "AnjuSigner", "发文机关署名", BODY_FONT, LATIN_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, 0, keep_with_next=True,
        condensed=True,
    ),
    StyleSpec(
        "AnjuSignDate", "成文日期", BODY_FONT, LATIN_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, 0, condensed=True,
        right_chars=SIGN_DATE_RIGHT_CHARS,
    ),
    StyleSpec(
        "AnjuAttachmentLabel", "附件标识", HEADING1_FONT, LATIN_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.LEFT, 0,
        page_break_before=True, keep_with_next=True,
    ),
    StyleSpec(
        "AnjuTableText", "表格文字", BODY_FONT, LATIN_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.LEFT, 0, exact_line=False,
        snap_to_grid=False,
    ),
    StyleSpec(
        "AnjuTableNumber", "表格数字", BODY_FONT, LATIN_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0, exact_line=False,
        snap_to_grid=False,
    ),
    StyleSpec(
        "AnjuTableHeader", "表格标题行", HEADING1_FONT, LATIN_FONT, TABLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0,
        exact_line=False, snap_to_grid=False,
    ),
    StyleSpec(
        "AnjuFigure", "图片", BODY_FONT, LATIN_FONT, BODY_SIZE, WD_ALIGN_PARAGRAPH.CENTER, 0, exact_line=False,
        keep_with_next=True, snap_to_grid=False,
    ),
    StyleSpec(
        "AnjuCaption", "图表题注", BODY_FONT, LATIN_FONT, Pt(14), WD_ALIGN_PARAGRAPH.CENTER, 0, snap_to_grid=False
    ),
    StyleSpec(
        "AnjuPageNumber", "页码", PAGE_NUMBER_FONT, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, WD_ALIGN_PARAGRAPH.RIGHT, 0,
        exact_line=False, snap_to_grid=False,
    ),
)


def set_fonts(rpr: BaseOxmlElement, east_asia: str, latin: str) -> None:
    """Name the fonts explicitly for every script, dropping theme fonts that would override them."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _chars_indent(style: ParagraphStyle, spec: StyleSpec) -> None:
    """Indents in characters (w:firstLineChars …) so they follow the font size, with twips as fallback."""
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    char = int(spec.size.twips)
    if spec.indent_chars:
        ind.set(qn("w:firstLineChars"), str(spec.indent_chars * 100))
        ind.set(qn("w:firstLine"), str(spec.indent_chars * char))
    if spec.hanging_chars:
        ind.set(qn("w:hangingChars"), str(spec.hanging_chars * 100))
        ind.set(qn("w:hanging"), str(spec.hanging_chars * char))
    if spec.left_chars:
        ind.set(qn("w:leftChars"), str(spec.left_chars * 100))
        ind.set(qn("w:left"), str(spec.left_chars * char))
    if spec.right_chars:
        ind.set(qn("w:rightChars"), str(spec.right_chars * 100))
        ind.set(qn("w:right"), str(spec.right_chars * char))


def add_style(doc: DocumentObject, spec: StyleSpec) -> ParagraphStyle:
    style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    style.style_id = spec.style_id
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    font = style.font
    font.size = spec.size
    font.bold = False
    set_fonts(style.element.get_or_add_rPr(), spec.east_asia, spec.latin)
    if spec.condensed:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSE_TWENTIETHS))
        style.element.get_or_add_rPr().append(spacing)
    fmt = style.paragraph_format
    fmt.alignment = spec.align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = False  # a fixed 22-line grid: every page holds 22 lines
    fmt.keep_with_next = spec.keep_with_next
    fmt.page_break_before = spec.page_break_before
    if spec.exact_line:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
    else:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _chars_indent(style, spec)
    if not spec.snap_to_grid:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().append(snap)
    if spec.outline_level is not None:
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(spec.outline_level))
        style.element.get_or_add_pPr().append(outline)
    return style


def _defaults(doc: DocumentObject) -> None:
    """Document defaults: 仿宋_GB2312 三号, language zh-CN, no theme fonts."""
    styles = doc.styles.element
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert rpr is not None
    set_fonts(rpr, BODY_FONT, LATIN_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")
    # The character grid's pitch is computed from the default size: make it the body's 三号.
    for tag in ("w:sz", "w:szCs"):
        size = rpr.find(qn(tag))
        if size is None:
            size = OxmlElement(tag)
            rpr.append(size)
        size.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
    spacing = styles.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal_rpr = normal.element.get_or_add_rPr()
    set_fonts(normal_rpr, BODY_FONT, LATIN_FONT)
    # Heading and table styles of the default template name theme fonts too; name ours.
    for style in doc.styles:
        element = style.element
        style_rpr = element.find(qn("w:rPr"))
        if style_rpr is not None and style_rpr.find(qn("w:rFonts")) is not None:
            set_fonts(style_rpr, BODY_FONT, LATIN_FONT)


def _section(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    section.footer_distance = FOOTER_DISTANCE
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE_PITCH.twips)))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], right=True)
    _page_number(section.even_page_footer.paragraphs[0], right=False)


def _field_char(paragraph: Paragraph, kind: str) -> None:
    run = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def page_number_paragraph(part: Any, *, right: bool) -> Any:
    """A new "— N —" paragraph element like the body's footer (for the turned number of a landscape
    page, :mod:`anju.adapters.report.appendix_docx`); ``part`` is the footer it goes into."""
    element = OxmlElement("w:p")
    _page_number(Paragraph(element, part), right)
    return element


def _page_number(paragraph: Paragraph, right: bool) -> None:
    """"— 1 —": odd pages right with one character in, even pages left with one character in."""
    paragraph.style = "页码"
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    if right:
        fmt.right_indent = PAGE_NUMBER_SIZE
    else:
        fmt.left_indent = PAGE_NUMBER_SIZE
    paragraph.add_run("— ")
    _field_char(paragraph, "begin")
    instr_run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    instr_run._r.append(instr)
    _field_char(paragraph, "separate")
    paragraph.add_run("1")
    _field_char(paragraph, "end")
    paragraph.add_run(" —")


def _cell_width(cell: _Cell, width_mm: float) -> None:
    cell.width = Mm(width_mm)


def fixed_table(doc: DocumentObject, rows: int, headers: tuple[str, ...]) -> Table:
    """A centred grid table of fixed layout whose first row (``headers``) repeats on every page."""
    table: Table = doc.add_table(rows=rows, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    header = table.rows[0]
    for cell, text in zip(header.cells, headers, strict=True):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = "表格标题行"
    repeat = OxmlElement("w:tblHeader")
    header._tr.get_or_add_trPr().append(repeat)
    return table


def unsplittable(row: _Row) -> None:
    """The row never breaks across pages."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def keep_together(table: Table, *, with_next: bool = False, last: int | None = None) -> None:
    """The table's rows (``last``: only its last rows, e.g. 2 so a 合计 row is never alone on a page) stay
    on one page: each row's paragraphs keep with the next row; ``with_next`` also keeps the last row
    with the paragraph after the table."""
    rows = list(table.rows)
    kept = rows if last is None else rows[-last:]
    for index, row in enumerate(kept):
        if index == len(kept) - 1 and not with_next:
            break
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def column_widths(table: Table, widths_mm: tuple[float, ...]) -> None:
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            _cell_width(cell, width)


SCORE_NUMBER_COLUMNS = range(1, 4)
"""分值、得分、扣分: the score table's number columns (the label is column 0)."""


def _score_table(doc: DocumentObject) -> None:
    """Header, the {%tr for %} loop over score rows, and the totals row."""
    table = fixed_table(doc, 5, SCORE_TABLE_HEADERS)
    _, loop_start, data, loop_end, totals = table.rows
    loop_start.cells[0].paragraphs[0].text = "{%tr for row in program.score_rows %}"
    loop_end.cells[0].paragraphs[0].text = "{%tr endfor %}"
    fields = ("row.label", "row.points", "row.score", "row.deduction", "row.basis_and_reason")
    for index, (cell, name) in enumerate(zip(data.cells, fields, strict=True)):
        cell.paragraphs[0].text = "{% cellbg row.fill %}{{ " + name + " }}"
        cell.paragraphs[0].style = "表格数字" if index in SCORE_NUMBER_COLUMNS else "表格文字"
    totals_fields = ("合计", "{{ program.points }}", "{{ program.score }}", "{{ program.deduction }}",
                     "{{ program.grade_text }}")
    for index, (cell, text) in enumerate(zip(totals.cells, totals_fields, strict=True)):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = "表格标题行" if index <= max(SCORE_NUMBER_COLUMNS) else "表格文字"
    column_widths(table, SCORE_TABLE_WIDTHS_MM)


def _evidence_table(doc: DocumentObject) -> None:
    """Header and the {%tr for %} loop over the evidence rows."""
    table = fixed_table(doc, 4, EVIDENCE_TABLE_HEADERS)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(EVIDENCE_CELL_MARGIN.twips)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)
    _, loop_start, data, loop_end = table.rows
    unsplittable(data)
    loop_start.cells[0].paragraphs[0].text = "{%tr for row in evidence %}"
    loop_end.cells[0].paragraphs[0].text = "{%tr endfor %}"
    for index, (cell, name) in enumerate(zip(data.cells, EVIDENCE_TABLE_FIELDS, strict=True)):
        cell.paragraphs[0].text = "{{ " + name + " }}"
        cell.paragraphs[0].style = "表格数字" if index in EVIDENCE_TABLE_CENTERED else "表格文字"
    column_widths(table, EVIDENCE_TABLE_WIDTHS_MM)


def _main_text(doc: DocumentObject) -> None:
    """Title, opening, programs → dimensions → indicators, and the 附件 list."""

    def para(text: str, style: str = "公文正文") -> Paragraph:
        return doc.add_paragraph(text, style=style)

    para("{{ title_display }}", "公文标题")
    para("")
    para("{{ opening }}")
    para("{%p for program in programs %}")
    para("{{ program.heading }}", "公文一级标题")
    para("{{ program.summary }}")
    para("{%p for dimension in program.dimensions %}")
    para("{{ dimension.heading }}", "公文二级标题")
    para("{%p for indicator in dimension.indicators %}")
    para("{{ indicator.lead }}{{ indicator.body }}")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("{%p endfor %}")
    para("")
    para("{%p for attachment in attachments %}")
    para("{{ attachment.prefix }}{{ attachment.numbered }}", "附件说明")
    para("{%p endfor %}")
    # 落款: room for the seal, 署名 centred over the 成文日期, 附注; kept on the page of the
    # attachment list, so the seal never falls on a page of its own.
    para("", "发文机关署名")
    para("", "发文机关署名")
    para("{%p for issuer in signature.issuers %}")
    para("{{ issuer }}", "发文机关署名")
    para("{%p endfor %}")
    para("{{ signature.date }}", "成文日期")
    para("{%p if signature.note %}")
    para("{{ signature.note }}")
    para("{%p endif %}")


def _attached_sections(doc: DocumentObject) -> None:
    """附件5 (the score table, one table per program), 附件6 (the charts, with ``--charts``) and,
    when there is evidence, the 佐证材料目录 (附件7, or 附件6 without charts)."""

    def para(text: str, style: str = "公文正文") -> Paragraph:
        return doc.add_paragraph(text, style=style)

    para("附件{{ score_table.number }}", "附件标识")
    para("")
    para("{{ score_table.title_display }}", "公文标题")
    para("")
    para("{%p for program in programs %}")
    para("{{ program.table_caption }}", "公文一级标题")
    _score_table(doc)
    para("")
    para("{%p endfor %}")

    para("{%p if charts_section %}")
    para("附件{{ charts_section.number }}", "附件标识")
    para("")
    para("{{ charts_section.title_display }}", "公文标题")
    para("")
    para("{%p for chart in charts %}")
    para("{{ chart.image }}", "图片")
    para("{{ chart.caption }}", "图表题注")
    para("")
    para("{%p endfor %}")
    para("{%p endif %}")

    para("{%p if evidence %}")
    para("附件{{ evidence_section.number }}", "附件标识")
    para("")
    para("{{ evidence_section.title_display }}", "公文标题")
    para("")
    _evidence_table(doc)
    # The paragraph a document must end with after a table: one point high, so that a table reaching
    # the foot of the page does not push it onto a blank page of its own.
    tail = para("", "表格文字")
    tail.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tail.paragraph_format.line_spacing = Pt(1)
    tail.paragraph_format.space_before = tail.paragraph_format.space_after = Pt(0)
    para("{%p endif %}")


def styled_document() -> DocumentObject:
    """An empty A4 document with the GB/T 9704 defaults, page numbers and the named styles
    (公文标题, 公文正文 …): the base of the explanation template and of every other official
    document anju writes (e.g. the allocation notice).

    Built once per process and kept as the bytes python-docx saves; each call opens a fresh copy
    (adding the 28 styles one by one costs far more than reading them back)."""
    global _STYLED  # noqa: PLW0603 - a per-process cache of immutable bytes
    if _STYLED is None:
        buffer = io.BytesIO()
        _build_styled_document().save(buffer)
        _STYLED = buffer.getvalue()
    return Document(io.BytesIO(_STYLED))


_STYLED: bytes | None = None


def _build_styled_document() -> DocumentObject:
    doc = Document()
    _defaults(doc)
    for spec in STYLES:
        add_style(doc, spec)
    _section(doc)
    for paragraph in list(doc.paragraphs):  # the default document may start with an empty paragraph
        paragraph._p.getparent().remove(paragraph._p)
    return doc


def build(target: Path = TEMPLATE_PATH) -> Path:
    doc = styled_document()
    core = doc.core_properties
    core.title = "{{ title }}"
    core.subject = "城镇保障性安居工程财政资金绩效评价"
    core.author = ""
    core.comments = ""
    core.keywords = ""
    core.language = "zh-CN"
    _main_text(doc)
    _attached_sections(doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else TEMPLATE_PATH
    print(f"模板已生成：{build(target)}")


if __name__ == "__main__":
    main()
