"""A unit's 填报表 for printing and sealing (盖章): the cover (单位、年度、填报人、联系电话、填报日期),
every program's rows as reported (数据项、单位、填报值、情况说明) and a sign-off block
（填报单位（盖章）、单位负责人、填表人、联系电话、日期）. Written as Word (python-docx, A4 portrait,
宋体) and turned into PDF by :func:`anju.adapters.report.pdf.convert_to_pdf` like the other documents.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from anju.adapters.report.build_template import set_fonts
from anju.adapters.report.pdf import convert_to_pdf

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(10.5)
TITLE_SIZE = Pt(16)
BLANK_LINE = "　" * 8
"""What a sign-off field shows when nothing was entered: room to write by hand."""
COLUMN_WIDTHS = (Mm(62), Mm(18), Mm(30), Mm(60))
MARGIN = Mm(20)


@dataclass(frozen=True)
class FormRow:
    label: str
    unit: str
    value: str
    explanation: str = ""


@dataclass(frozen=True)
class FormProgram:
    label: str
    rows: list[FormRow]
    no_task: bool = False


@dataclass(frozen=True)
class UnitForm:
    title: str
    """e.g. 农安县2022年度城镇保障性安居工程绩效评价填报表."""
    unit: str
    year: int
    status: str
    reporter: str = ""
    phone: str = ""
    report_date: str = ""
    unit_head: str = ""
    programs: list[FormProgram] = field(default_factory=list)


def _run_font(run: object, east_asia: str, size: Pt, *, bold: bool = False) -> None:
    run.font.size = size  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]
    run.font.name = LATIN_FONT  # type: ignore[attr-defined]
    set_fonts(run._element.get_or_add_rPr(), east_asia, LATIN_FONT)  # type: ignore[attr-defined]


def _paragraph(doc: object, text: str, *, size: Pt = BODY_SIZE, bold: bool = False, font: str = BODY_FONT,
               center: bool = False) -> None:
    paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run_font(paragraph.add_run(text), font, size, bold=bold)


def _cell(cell: object, text: str, *, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run_font(paragraph.add_run(text), BODY_FONT, BODY_SIZE, bold=bold)


def unit_form_docx(form: UnitForm) -> bytes:
    """The 填报表 as a Word document."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    _paragraph(doc, form.title, size=TITLE_SIZE, font=TITLE_FONT, bold=True, center=True)
    _paragraph(doc, f"填报单位：{form.unit}　　年度：{form.year}年　　状态：{form.status}")
    _paragraph(doc, f"填报人：{form.reporter or BLANK_LINE}　　联系电话：{form.phone or BLANK_LINE}　　"
                    f"填报日期：{form.report_date or BLANK_LINE}")
    for program in form.programs:
        _paragraph(doc, program.label, bold=True, font=TITLE_FONT)
        if program.no_task:
            _paragraph(doc, "本单位本年度无此项任务。")
            continue
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, ("数据项", "单位", "填报值", "情况说明"), strict=True):
            _cell(cell, text, bold=True)
        for row in program.rows:
            cells = table.add_row().cells
            _cell(cells[0], row.label)
            _cell(cells[1], row.unit)
            _cell(cells[2], row.value, right=True)
            _cell(cells[3], row.explanation)
        for row in table.rows:
            for cell, width in zip(row.cells, COLUMN_WIDTHS, strict=True):
                cell.width = width
    _paragraph(doc, "")
    _paragraph(doc, f"填报单位（盖章）：{BLANK_LINE}　　单位负责人：{form.unit_head or BLANK_LINE}")
    _paragraph(doc, f"填表人：{form.reporter or BLANK_LINE}　　联系电话：{form.phone or BLANK_LINE}　　"
                    f"日期：{form.report_date or '　　年　　月　　日'}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def unit_form_pdf(form: UnitForm, directory: Path) -> bytes:
    """The 填报表 as PDF (LibreOffice), built in ``directory`` (one per request)."""
    docx = directory / "填报表.docx"
    docx.write_bytes(unit_form_docx(form))
    target, _ = convert_to_pdf(docx, directory / "填报表.pdf")
    return target.read_bytes()
