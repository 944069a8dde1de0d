"""Optional: render the document with LibreOffice and look at a page (skipped without LibreOffice)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from anju.adapters.report import ReportFiles
from anju.adapters.report.pdf import convert_to_pdf, soffice_path

pytestmark = pytest.mark.skipif(
    soffice_path() is None or shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice（soffice）或 poppler-utils（pdftoppm/pdftotext）未安装：PDF 渲染检查只在装有它们的机器上运行",
)


def test_pdf_renders_like_an_official_document(report: ReportFiles, tmp_path: Path) -> None:
    target, substitutions = convert_to_pdf(report.docx, tmp_path / "说明.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    squeezed = "".join(text.split())
    assert "关于吉林省城镇保障性安居工程财政资金绩效评价指标的说明" in squeezed
    assert "“资金筹集”得分5分" in squeezed
    assert "预算执行率为32.8%" in squeezed
    assert "—1—" in squeezed and "—2—" in squeezed
    fonts = subprocess.run(["pdffonts", str(target)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "Kai" in fonts or substitutions == {}
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(target), str(tmp_path / "page")],
                   check=True)
    page = next(tmp_path.glob("page*.png"))
    with Image.open(page) as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
        gray = image.convert("L")
        # Text block within the GB/T 9704 margins: nothing printed in the left 28 mm except the page.
        left_margin = gray.crop((0, 0, int(width * 25 / 210), height))
        assert left_margin.getextrema()[0] > 200


PAGE_NUMBER_LINE = re.compile(r"(?m)^\s*—\s*\d+\s*—\s*$")
SENTENCE = re.compile(r"[^。；！？]*[。；！？]")


def test_pdf_keeps_every_sentences_punctuation(report: ReportFiles, tmp_path: Path) -> None:
    """Issue 10, item 9: LibreOffice hung 、，。 past the right margin of the 28-character line and
    dropped them. Every sentence of the body, punctuation included, must be in the PDF's text."""
    target, _ = convert_to_pdf(report.docx, tmp_path / "说明.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True,
                          check=True).stdout
    squeezed = "".join(PAGE_NUMBER_LINE.sub("", text).split())
    body = [p.text for p in Document(str(report.docx)).paragraphs]
    sentences = [s for p in body for s in SENTENCE.findall("".join(p.split())) if len(s) > 4]
    assert len(sentences) > 100
    missing = [s for s in sentences if s not in squeezed]
    assert missing == []
    for mark in "。，、；：":  # and no punctuation lost anywhere, tables included
        expected = sum(p.count(mark) for p in body)
        assert squeezed.count(mark) >= expected, mark
