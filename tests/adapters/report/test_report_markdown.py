"""Markdown and plain text carry the same content as the Word document."""

from __future__ import annotations

from pathlib import Path

from anju.adapters.report import ReportFiles
from anju.adapters.report.content import ReportContent, all_leads
from anju.adapters.report.markdown import display_width, render_text


def test_markdown(report: ReportFiles, content: ReportContent) -> None:
    text = report.markdown.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# 关于吉林省城镇保障性安居工程财政资金绩效评价指标的说明"
    assert "## 一、住房租赁保障绩效评价情况" in lines
    assert "### （三）产出效益方面（得分55分）" in lines
    for lead in all_leads(content):
        assert any(line.startswith(lead) for line in lines), lead
    assert "预算执行率为32.8%" in text and "52.9" not in text
    assert "1. 2022年中央财政城镇保障性安居工程补助资金支出情况统计表" in lines
    assert "| **合计** | 100 | 88 | 12 | | |" in lines
    assert not [line for line in lines if line.startswith("![")]  # no --charts, no images


def test_markdown_links_the_charts_relative_to_itself(report_with_charts: ReportFiles) -> None:
    lines = report_with_charts.markdown.read_text(encoding="utf-8").splitlines()
    assert "## 附件6　2022年吉林省城镇保障性安居工程绩效评价得分情况图" in lines
    images = [line for line in lines if line.startswith("![")]
    assert len(images) == 3  # one figure per program
    for line in images:
        target = line[line.index("(") + 1 : -1]
        assert not Path(target).is_absolute()
        assert (report_with_charts.markdown.parent / target).is_file()


def test_plain_text(report: ReportFiles, content: ReportContent) -> None:
    text = report.text.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == content.title
    assert "#" not in text and "**" not in text
    assert "附件：1.2022年中央财政城镇保障性安居工程补助资金支出情况统计表" in lines
    for lead in all_leads(content):
        assert any(line.startswith(lead) for line in lines), lead
    assert text == render_text(content, report.charts)
    # Score table columns line up on a terminal (CJK characters are two columns wide).
    header = next(i for i, line in enumerate(lines) if line.startswith("指标") and "分值" in line)
    position = display_width(lines[header][: lines[header].index("分值")])
    total = next(line for line in lines[header:] if line.startswith("合计"))
    assert display_width(total[: total.index("100")]) + len("100") == position + 4


def test_display_width() -> None:
    assert display_width("得分88分") == 2 + 2 + 2 + 2
