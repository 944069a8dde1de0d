"""附件1–4 inside the Word 说明 (issue 10, item 5): a landscape section with "附件N" labels,
continuous page numbers, the workbook's numbers and print sizes readable on A4 (≥ 10.5 pt)."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook

from anju.adapters.report.appendix_docx import TEXT_WIDTH, cell_text, landscape_sections
from anju.adapters.report.pdf import convert_to_pdf, soffice_path
from anju.cli import run

from ...helpers import EXAMPLE

DOCX = "吉林省2022年度绩效评价指标说明.docx"
XLSX = "吉林省2022年度绩效评价附件1-4统计表.xlsx"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Jilin package as `anju report` writes it (per-city rows from units.yaml)."""
    out = tmp_path_factory.mktemp("appendix") / "out"
    assert run(["report", str(EXAMPLE), "-o", str(out)]) == 0
    return out


def _label_index(document: Any, label: str) -> int:
    return next(i for i, p in enumerate(document.paragraphs) if p.text == label)


def test_appendix_tables_are_a_landscape_section_between_the_body_and_attachment_5(package: Path) -> None:
    document = Document(str(package / DOCX))
    sections = document.sections
    assert len(sections) == 3
    assert landscape_sections(document) == [1]
    assert sections[1].orientation == WD_ORIENT.LANDSCAPE
    assert sections[0].orientation == sections[2].orientation == WD_ORIENT.PORTRAIT
    labels = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "附件标识"]
    assert labels == ["附件1", "附件2", "附件3", "附件4", "附件5", "附件6"]  # 附件6: the 佐证材料目录 (no --charts)
    # the landscape section ends with 附件4's last note; 附件5 opens the portrait section after it
    assert _label_index(document, "附件4") < _label_index(document, "附件5")
    # continuous "— N —": no section restarts numbering; the portrait sections use the body's footers
    body_refs = {r.get(qn("r:id")) for r in document.element.body.sectPr.findall(qn("w:footerReference"))}
    for index, sect in enumerate(document.element.body.iter(qn("w:sectPr"))):
        assert sect.find(qn("w:pgNumType")) is None or sect.find(qn("w:pgNumType")).get(qn("w:start")) is None
        refs = {r.get(qn("r:id")) for r in sect.findall(qn("w:footerReference"))}
        assert (refs == body_refs) is (index != 1)


def test_landscape_pages_keep_the_page_number_at_the_bottom_of_the_sheet(package: Path) -> None:
    """GB/T 9704 10.1: the landscape section's own footers hold "— PAGE —" turned (tbRl) in a
    floating cell on the page's left edge (the sheet's bottom), 23 mm from it like the body's footer,
    along the body's text width (28 mm from the top, 26 mm from the bottom), odd pages at the end of
    that line (the sheet's right), even pages at its start, one character in."""
    document = Document(str(package / DOCX))
    section = document.sections[1]
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        assert not footer.is_linked_to_previous
        (table,) = footer._element.findall(qn("w:tbl"))
        position = table.find(f"{qn('w:tblPr')}/{qn('w:tblpPr')}")
        assert position.get(qn("w:horzAnchor")) == position.get(qn("w:vertAnchor")) == "page"
        assert (int(position.get(qn("w:tblpX"))), int(position.get(qn("w:tblpY")))) == (1304, 1587)
        cell = table.find(f"{qn('w:tr')}/{qn('w:tc')}")
        assert cell.find(f"{qn('w:tcPr')}/{qn('w:textDirection')}").get(qn("w:val")) == "tbRl"
        height = table.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:trHeight')}")
        assert int(height.get(qn("w:val"))) == 11906 - 1587 - 1474
        paragraph = cell.find(qn("w:p"))
        text = "".join(t.text for t in paragraph.iter(qn("w:t")))
        assert text == "— 1 —" and any(i.text.strip() == "PAGE" for i in paragraph.iter(qn("w:instrText")))
        assert paragraph.find(f"{qn('w:pPr')}/{qn('w:jc')}").get(qn("w:val")) == alignment
        # nothing else in the footer takes room from the text block
        assert "".join(t.text for t in footer._element.iter(qn("w:t"))) == text
    # the text block clears the number's strip: the left margin is the body's bottom margin
    assert section.left_margin is not None and section.left_margin.mm > 30


@pytest.mark.skipif(shutil.which("pdftotext") is None or soffice_path() is None, reason="需要 LibreOffice 与 poppler-utils")
def test_landscape_page_numbers_render_on_the_left_edge(package: Path, tmp_path: Path) -> None:
    """Rendered: each landscape page shows its number once, in the left strip (x < 35 mm), below the
    middle on odd pages and above it on even pages; portrait pages keep theirs at the bottom."""
    pdf, _ = convert_to_pdf(package / DOCX, tmp_path / "说明.pdf")
    box = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = box.split("<page ")[1:]
    seen = 0
    for number, page in enumerate(pages, start=1):
        width, height = (float(page.split(f'{key}="')[1].split('"')[0]) for key in ("width", "height"))
        if width < height:
            continue
        words = [w for w in page.split("<word ")[1:] if w.split(">")[1].split("<")[0] == str(number)]
        assert words, f"第{number}页（横向）没有页码"
        x_min = float(words[-1].split('xMin="')[1].split('"')[0])
        y_min = float(words[-1].split('yMin="')[1].split('"')[0])
        assert x_min < 35 / 25.4 * 72, (number, x_min)
        assert (y_min > height / 2) is (number % 2 == 1), (number, y_min)
        seen += 1
    assert seen >= 2


def test_appendix_tables_print_readable_on_a4(package: Path) -> None:
    document = Document(str(package / DOCX))
    tables = document.tables[:4]
    for table in tables:
        widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(widths) <= TEXT_WIDTH + 5
        for row in table.rows:
            for cell in row.cells:
                for piece in (r for p in cell.paragraphs for r in p.runs):
                    assert piece.font.size is not None and piece.font.size >= Pt(10.5)
    # 附件3 (16 columns, ~60% in the old workbook print) fits in one table at 10.5 pt
    third = tables[2]
    assert len(third.columns) == 16
    assert third.rows[-1].cells[0].text == "合计"


def test_appendix_tables_show_the_workbooks_numbers(package: Path) -> None:
    document = Document(str(package / DOCX))
    book = load_workbook(package / XLSX, data_only=True)
    for table, sheet in zip(document.tables[:4], book.worksheets, strict=True):
        total_docx = [c.text for c in table.rows[-1].cells]
        totals_row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "合计")
        numbers = [v for v in totals_row[1:] if isinstance(v, int | float)]
        shown = [t for t in total_docx[1:] if t]
        assert len(numbers) == len(shown)
        for value, text in zip(numbers, shown, strict=True):
            if text.endswith("%"):
                assert abs(float(text[:-1]) - value * 100) < 0.051
            else:
                assert float(text.replace(",", "")) == pytest.approx(value)
    texts = {c.text for t in document.tables[:4] for r in t.rows for c in r.cells}
    assert "12,670" in texts and "105.5%" in texts and "64.9%" in texts and "166,743" in texts
    assert "166,743.00" not in texts  # whole-number areas without ".00"
    assert "示例数据，非真实分地区数据：各市（州）的数字为示意，报送前须换成真实数据。" in [p.text for p in document.paragraphs]


def test_cell_text_formats() -> None:
    assert cell_text(Decimal("166743"), "quantity") == "166,743"
    assert cell_text(Decimal("61149.5"), "quantity") == "61,149.50"
    assert cell_text(Decimal("48549"), "amount") == "48,549.00"
    assert cell_text(Decimal("0.64934"), "rate") == "64.9%"
    assert cell_text(None, "count") == ""
    assert cell_text("not_applicable", "count") == "不适用"


def test_excel_appendix_carries_labels_and_sign_line(package: Path) -> None:
    book = load_workbook(package / XLSX)
    for number, sheet in enumerate(book.worksheets, start=1):
        values = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        assert f"附件{number}" in values
        assert any("填报单位（盖章）" in v and "填表人" in v and "审核人" in v and "联系电话" in v for v in values)


@pytest.mark.skipif(soffice_path() is None or shutil.which("pdfinfo") is None, reason="LibreOffice 或 pdfinfo 未安装")
def test_pdf_has_landscape_appendix_pages_with_continuous_numbers(package: Path, tmp_path: Path) -> None:
    target, _ = convert_to_pdf(package / DOCX, tmp_path / "说明.pdf")
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "60", str(target)], capture_output=True, text=True,
                          check=True).stdout
    sizes = [line.split("size:")[1].split("pts")[0].split("x") for line in info.splitlines()
             if line.startswith("Page") and "size:" in line]
    landscape = [i + 1 for i, (w, h) in enumerate(sizes) if float(w) > float(h)]
    assert landscape and landscape == list(range(landscape[0], landscape[-1] + 1))
    text = subprocess.run(["pdftotext", "-f", str(landscape[0]), "-l", str(landscape[0]), str(target), "-"],
                          capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())
    assert "附件1" in squeezed and f"—{landscape[0]}—" in squeezed


def test_dropped_seed_content_comes_back_through_the_narrative(package: Path) -> None:
    """Issue 10, item 8: the seed's 暖房子 area returns through the example's dataset narrative."""
    body = (package / "吉林省2022年度绩效评价指标说明.txt").read_text(encoding="utf-8")
    assert "到2017年底已完成全省改造任务，共改造完成建筑面积19.7万平方米。" in body


def test_long_appendix_title_is_broken_by_sense(tmp_path: Path) -> None:
    guangxi = EXAMPLE.parent / "guangxi-2022"
    assert run(["report", str(guangxi), "-o", str(tmp_path / "out")]) == 0
    document = Document(str(tmp_path / "out" / "广西壮族自治区2022年度绩效评价指标说明.docx"))
    titles = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "公文标题"]
    assert "2022年广西壮族自治区市县财政\n用于城镇保障性安居工程资金支出情况统计表" in titles
    assert landscape_sections(document) == [1]
