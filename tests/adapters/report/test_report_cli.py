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


def test_report_writes_everything_and_lists_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    listed = [line.split("：", 2)[-1] for line in result.output.splitlines() if line.startswith("  ")]
    assert len(listed) == 11 + 6
    for path in listed:
        assert Path(path).is_file(), path
    names = {p.name for p in tmp_path.iterdir()}
    assert {
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
        "图表",
    } == names
    assert "已生成吉林省2022年度绩效评价材料" in result.output


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
        result = runner.invoke(app, ["report", str(EXAMPLE), "-o", str(tmp_path / "out")])
    finally:
        charts.cjk_family.cache_clear()
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
