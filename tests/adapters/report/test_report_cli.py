"""``anju report`` and ``anju report-template`` through typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from anju.adapters.report import pdf
from anju.cli import app

from ...helpers import EXAMPLE

runner = CliRunner()


FILES = {
        "吉林省2022年度绩效评价指标说明.docx",
        "吉林省2022年度绩效评价材料报送函.docx",
        "吉林省2022年度绩效评价区域绩效自评表.docx",
        "吉林省2022年度绩效评价区域绩效自评表.xlsx",
        "吉林省2022年度绩效评价指标说明.md",
        "吉林省2022年度绩效评价指标说明.txt",
        "吉林省2022年度绩效评价附件5指标得分表.xlsx",
        "吉林省2022年度绩效评价得分计算底稿（内部工作文件）.xlsx",
        "吉林省2022年度绩效评价附件1-4统计表.xlsx",
        "吉林省2022年度绩效评价核对清单（内部）.md",
        "吉林省2022年度绩效评价核对清单（内部）.xlsx",
}


def _attachment_list(docx: Path) -> list[str]:
    return [p.text for p in Document(str(docx)).paragraphs if p.style is not None and p.style.name == "附件说明"]


def test_report_writes_everything_and_lists_it(tmp_path: Path) -> None:
    """Without --charts: no 图表 folder, no chart attachment; the 佐证材料目录 is 附件6 in the body's
    附件 list and in the 报送函 alike."""
    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    listed = [line.split("：", 2)[-1] for line in result.output.splitlines() if line.startswith("  ")]
    assert len(listed) == 11
    for path in listed:
        assert Path(path).is_file(), path
    assert {p.name for p in tmp_path.iterdir()} == FILES
    assert "已生成吉林省2022年度绩效评价材料" in result.output
    assert "图表" not in result.output
    body = _attachment_list(tmp_path / "吉林省2022年度绩效评价指标说明.docx")
    assert [t.removeprefix("附件：")[:2] for t in body] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert body[-1] == "6.2022年吉林省城镇保障性安居工程绩效评价佐证材料目录"
    assert not any("得分情况图" in t for t in body)
    letter = " ".join(_attachment_list(tmp_path / "吉林省2022年度绩效评价材料报送函.docx"))
    assert "含附件1—6" in letter and "得分情况图" not in letter


def test_report_with_charts_adds_one_figure_per_program(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path), "--charts"])
    assert result.exit_code == 0, result.output
    listed = [line.split("：", 2)[-1] for line in result.output.splitlines() if line.startswith("  ")]
    assert len(listed) == 11 + 3
    assert {p.name for p in tmp_path.iterdir()} == FILES | {"图表"}
    assert sorted(p.name for p in (tmp_path / "图表").iterdir()) == [
        "图1-住房租赁保障-失分情况.png", "图2-城镇老旧小区改造-失分情况.png", "图3-城市棚户区改造-失分情况.png",
    ]
    body = _attachment_list(tmp_path / "吉林省2022年度绩效评价指标说明.docx")
    assert body[5] == "6.2022年吉林省城镇保障性安居工程绩效评价得分情况图"
    assert body[6] == "7.2022年吉林省城镇保障性安居工程绩效评价佐证材料目录"
    letter = " ".join(_attachment_list(tmp_path / "吉林省2022年度绩效评价材料报送函.docx"))
    assert "含附件1—7" in letter
    doc = Document(str(tmp_path / "吉林省2022年度绩效评价指标说明.docx"))
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "图表题注"]
    assert captions == ["图1　住房租赁保障失分情况（共失12分）", "图2　城镇老旧小区改造失分情况（共失15分）",
                        "图3　城市棚户区改造失分情况（共失7分）"]


def test_broken_template_exits_2_with_chinese_message(tmp_path: Path) -> None:
    export = runner.invoke(app, ["report-template", str(tmp_path / "模板.docx")])
    assert export.exit_code == 0, export.output
    doc = Document(str(tmp_path / "模板.docx"))
    doc.paragraphs[2].text = "{{ 开头 }}"
    doc.save(str(tmp_path / "模板.docx"))
    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path / "out"), "--template",
                                 str(tmp_path / "模板.docx")])
    assert result.exit_code == 2
    assert "Word 模板有问题" in result.output
    assert "未知的占位符“开头”" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_report_template_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "模板.docx"
    assert runner.invoke(app, ["report-template", str(target)]).exit_code == 0
    again = runner.invoke(app, ["report-template", str(target)])
    assert again.exit_code == 2 and "已存在" in again.output
    assert runner.invoke(app, ["report-template", str(target), "--force"]).exit_code == 0
    assert runner.invoke(app, ["report-template", str(tmp_path / "模板.doc")]).exit_code == 2


def test_pdf_without_libreoffice_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path), "--pdf"])
    assert result.exit_code == 3
    assert "apt-get install libreoffice-writer" in result.output
    assert (tmp_path / "吉林省2022年度绩效评价指标说明.docx").is_file()  # everything else is written


def test_bad_dataset_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(tmp_path / "没有"), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "数据集" in result.output


def test_missing_cjk_font_exits_3_with_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from anju.adapters.report import charts, fonts

    charts.cjk_family.cache_clear()
    monkeypatch.setenv(fonts.FONT_ENV, str(tmp_path / "没有.ttc"))
    try:
        without = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path / "plain")])
        result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path / "out"), "--charts"])
    finally:
        charts.cjk_family.cache_clear()
    assert without.exit_code == 0, without.output  # no charts asked for: the font is not needed
    assert result.exit_code == 3
    assert "无法绘制图表" in result.output and "apt-get install fonts-noto-cjk" in result.output
    assert "Traceback" not in result.output


def test_report_appendix_has_one_row_per_prefecture_when_units_exist(tmp_path: Path) -> None:
    import openpyxl

    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path), "--from-units"])
    assert result.exit_code == 0, result.output
    (book,) = tmp_path.glob("*附件1-4*.xlsx")
    sheet = openpyxl.load_workbook(book, data_only=True).worksheets[0]
    names = [row[0] for row in sheet.iter_rows(min_row=5, values_only=True) if row[0]]
    assert names[:9] == ["长春市", "吉林市", "四平市", "辽源市", "通化市", "白山市", "松原市", "白城市", "延边朝鲜族自治州"]
    assert names[9] == "合计"
    totals = next(row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] == "合计")
    assert totals[4] == 48549  # rental central budget: the rows add up to the province figure


def test_report_province_only(tmp_path: Path) -> None:
    import openpyxl

    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path), "--province-only"])
    assert result.exit_code == 0, result.output
    (book,) = tmp_path.glob("*附件1-4*.xlsx")
    sheet = openpyxl.load_workbook(book, data_only=True).worksheets[0]
    assert sheet.cell(row=5, column=1).value == "吉林省"


@pytest.mark.parametrize(("placeholder", "message"), [
    ("{{ opening | nosuchfilter }}", "不存在的过滤器“nosuchfilter”"),
    ("{{ year / 0 }}", "除数为0"),
    ("{% if year is nosuchtest %}x{% endif %}", "不存在的判断“is nosuchtest”"),
])
def test_template_errors_leave_nothing_behind(placeholder: str, message: str, tmp_path: Path) -> None:
    """Issue 10, item 10: an unknown filter or test, or a runtime error, is a Chinese message with
    exit code 2, and no file (no chart) is left in the output directory."""
    assert runner.invoke(app, ["report-template", str(tmp_path / "模板.docx")]).exit_code == 0
    doc = Document(str(tmp_path / "模板.docx"))
    doc.paragraphs[2].text = placeholder
    doc.save(str(tmp_path / "模板.docx"))
    out = tmp_path / "out"
    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(out), "--province-only", "--template",
                                 str(tmp_path / "模板.docx")])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()
    assert not list(tmp_path.glob(".out*"))
