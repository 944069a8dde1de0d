"""The Word document, opened with python-docx: structure, computed values, GB/T 9704 format."""

from __future__ import annotations

import re

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.styles.style import ParagraphStyle

from anju.adapters.report import ReportFiles
from anju.dataset import Dataset
from anju.decimals import plain
from anju.framework.models import Framework
from anju.scoring import Evaluation


@pytest.fixture(scope="module")
def doc(report: ReportFiles) -> DocumentObject:
    return Document(str(report.docx))


def texts(doc: DocumentObject, style: str | None = None) -> list[str]:
    return [p.text for p in doc.paragraphs if style is None or (p.style is not None and p.style.name == style)]


def east_asia_font(style: ParagraphStyle) -> str | None:
    rpr = style.element.rPr
    assert rpr is not None and rpr.rFonts is not None
    return rpr.rFonts.get(qn("w:eastAsia"))


def test_title_and_opening(doc: DocumentObject) -> None:
    first = doc.paragraphs[0]
    assert first.style is not None and first.style.name == "公文标题"
    assert first.text == "关于吉林省城镇保障性安居工程\n财政资金绩效评价指标的说明"
    assert doc.paragraphs[2].text.startswith("按照《中央财政城镇保障性安居工程补助资金管理办法》要求")


def test_headings(doc: DocumentObject) -> None:
    level1 = texts(doc, "公文一级标题")
    assert level1[:3] == [
        "一、住房租赁保障绩效评价情况",
        "二、城镇老旧小区改造绩效评价情况",
        "三、城市棚户区改造绩效评价情况",
    ]
    level2 = texts(doc, "公文二级标题")
    assert level2 == [
        "（一）资金管理方面（得分18分）", "（二）项目管理方面（得分15分）", "（三）产出效益方面（得分55分）",
        "（一）资金管理方面（得分15分）", "（二）项目管理方面（得分10分）", "（三）产出效益方面（得分55分）",
        "（四）服务对象满意度方面（得分5分）",
        "（一）资金管理方面（得分18分）", "（二）项目管理方面（得分15分）", "（三）产出效益方面（得分60分）",
    ]


def test_every_indicator_sentence_for_all_three_programs(
    doc: DocumentObject, scored_jilin: tuple[Dataset, Framework, Evaluation]
) -> None:
    _, _, evaluation = scored_jilin
    body = [t for t in texts(doc, "公文正文") if t.startswith("“")]
    leads = [re.match(r"“[^”]+”得分\d+(?:\.\d+)?分。", t) for t in body]
    assert all(leads), body
    found = [m.group(0) for m in leads if m]
    expected = [
        f"“{item.label}”得分{plain(item.score)}分。"
        for program in evaluation.programs
        for dimension in program.dimensions
        for item in dimension.children
    ]
    assert found == expected


def test_totals_and_computed_values(doc: DocumentObject) -> None:
    body = "\n".join(texts(doc))
    for label, total in (("住房租赁保障", 88), ("城镇老旧小区改造", 85), ("城市棚户区改造", 93)):
        assert f"吉林省城镇保障性安居工程财政资金用于{label}绩效评价得分{total}分，具体说明如下：" in body
    assert "预算执行率为32.8%" in body
    assert "52.9%" not in body
    assert "（三）产出效益方面（得分55分）" in body
    assert "预算执行率为64.9%" in body and "预算执行率为62.4%" in body


def test_attachment_list(doc: DocumentObject) -> None:
    listed = texts(doc, "附件说明")
    assert listed[0] == "附件：1.2022年中央财政城镇保障性安居工程补助资金支出情况统计表"
    assert listed[1] == "2.2022年吉林省市县财政用于城镇保障性安居工程资金支出情况统计表"
    assert [t[:2] for t in listed] == ["附件", "2.", "3.", "4.", "5.", "6."]
    assert listed[5] == "6.2022年吉林省城镇保障性安居工程绩效评价佐证材料目录"  # no --charts: no 得分情况图
    # aligned by paragraph indentation (GB/T 9704 7.3.4): every name starts at the same place,
    # a wrapped line under the name's first character
    items = [p for p in doc.paragraphs if p.style is not None and p.style.name == "附件说明"]
    starts = {p.paragraph_format.left_indent for p in items}
    assert len(starts) == 1 and next(iter(starts)) is not None
    first, second = items[0].paragraph_format.first_line_indent, items[1].paragraph_format.first_line_indent
    assert first is not None and second is not None and first < second < 0


def test_no_placeholder_left(doc: DocumentObject) -> None:
    everything = "\n".join(texts(doc)) + "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "{{" not in everything and "{%" not in everything


def test_score_tables(doc: DocumentObject, scored_jilin: tuple[Dataset, Framework, Evaluation]) -> None:
    _, _, evaluation = scored_jilin
    assert len(doc.tables) == 8  # 附件1–4 (landscape section), three score tables, then the 佐证材料目录
    for table, program in zip(doc.tables[4:7], evaluation.programs, strict=True):
        rows = [[c.text for c in r.cells] for r in table.rows]
        assert rows[0] == ["指标", "分值", "得分", "扣分", "计分依据及扣分理由"]
        items = list(program.items())
        assert len(rows) == 1 + len(items) + 1
        for row, item, cells in zip(rows[1:-1], items, table.rows[1:-1], strict=True):
            # hierarchy by the paragraph's left indent (issue 10, item 11), never U+3000 padding
            assert row[0] == item.label and "\u3000" not in row[0]
            assert cells.cells[0].paragraphs[0].paragraph_format.left_indent == Twips(240 * (item.level - 1))
            assert row[1:4] == [plain(item.points), plain(item.score), plain(item.deduction)]
        assert rows[-1][:4] == ["合计", plain(program.points), plain(program.score), plain(program.points - program.score)]
    reasons = [r.cells[4].text for r in doc.tables[4].rows if r.cells[0].text.strip("\u3000") == "落实保障性租赁住房支持政策和工作机制"]
    assert "理由：信贷支持仅限指导" in reasons[0]


def test_charts_are_embedded_only_when_asked_for(doc: DocumentObject, report: ReportFiles,
                                                report_with_charts: ReportFiles) -> None:
    assert len(doc.inline_shapes) == len(report.charts) == 0
    assert texts(doc, "图表题注") == []
    charted = Document(str(report_with_charts.docx))
    assert len(charted.inline_shapes) == len(report_with_charts.charts) == 3  # one figure per program
    captions = texts(charted, "图表题注")
    assert captions[0] == "图1\u3000住房租赁保障失分情况（共失12分）"
    labels = texts(charted, "附件标识")
    assert labels[-2:] == ["附件6", "附件7"]
    body = [p.text for p in charted.paragraphs]
    assert body.index("附件6") < body.index(captions[0]) < body.index("附件7")


def test_page_setup_is_gbt_9704(doc: DocumentObject) -> None:
    orientations = []
    for section in doc.sections:
        assert section.page_width is not None and section.page_height is not None
        landscape = section.page_width > section.page_height
        orientations.append(landscape)
        width, height = (297, 210) if landscape else (210, 297)
        assert abs(section.page_width - Mm(width)) < Mm(0.2)
        assert abs(section.page_height - Mm(height)) < Mm(0.2)
        margins = ((28, 26, 35, 15) if landscape else (37, 35, 28, 26))
        for margin, mm in zip(("top_margin", "bottom_margin", "left_margin", "right_margin"), margins, strict=True):
            value = getattr(section, margin)
            assert abs(value - Mm(mm)) < Mm(0.1), margin
    assert orientations == [False, True, False]  # body, 附件1–4 landscape, 附件5–6


def test_fonts_named_for_east_asian_text(doc: DocumentObject) -> None:
    styles = doc.styles
    expected = {
        "公文标题": ("方正小标宋简体", Pt(22)),
        "公文正文": ("仿宋_GB2312", Pt(16)),
        "公文一级标题": ("黑体", Pt(16)),
        "公文二级标题": ("楷体_GB2312", Pt(16)),
        "页码": ("宋体", Pt(14)),
    }
    for name, (font, size) in expected.items():
        style = styles[name]
        assert isinstance(style, ParagraphStyle)
        assert east_asia_font(style) == font, name
        assert style.font.size == size, name
    body = styles["公文正文"]
    assert isinstance(body, ParagraphStyle)
    fmt = body.paragraph_format
    assert fmt.line_spacing == Pt(28.95)
    ind = body.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert fmt.first_line_indent == Pt(32)
    # Theme fonts would override the names in Word: the defaults name the fonts explicitly.
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    assert defaults.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert defaults.get(qn("w:eastAsiaTheme")) is None


def test_page_numbers_odd_right_even_left(doc: DocumentObject) -> None:
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, alignment in ((section.footer, "right"), (section.even_page_footer, "left")):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "— 1 —"
        assert "PAGE" in "".join(t.text or "" for t in paragraph._p.iter(qn("w:instrText")))
        assert paragraph.alignment is not None and paragraph.alignment.name.lower() == alignment
