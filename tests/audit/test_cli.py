"""``anju audit`` through typer's CliRunner: exit codes, formats, annotation, extraction, batch."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from anju.cli import app

from .conftest import SEED, seed_text, write_docx

runner = CliRunner()


def test_seed_text_output_and_exit_code(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(SEED), "-o", str(tmp_path)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "住房租赁保障 88 / 88" in out and "城镇老旧小区改造 85 / 85" in out and "城市棚户区改造 93 / 93" in out
    assert "STATED_PERCENT_MISMATCH" in out and "41701.11 ÷ 127006" in out
    assert "核对覆盖：文中" in out and "19.7万平方米" in out
    assert "Traceback" not in out
    # Colours come from style=, never from markup tags printed as text.
    assert "[/]" not in out and "[bold" not in out and "[red]" not in out
    assert "发现 7 项（错误 3 项，警告 4 项）：" in out


def test_json_lists_documents_with_their_findings(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(SEED), "--format", "json", "-o", str(tmp_path)])
    assert result.exit_code == 1
    [document] = json.loads(result.stdout)
    assert document["document"] == "seed.txt"
    assert document["framework"] == "2022"
    finding = next(f for f in document["findings"] if f["code"] == "STATED_PERCENT_MISMATCH")
    assert {"code", "severity", "program", "location", "message", "stated", "computed", "quote"} <= set(finding)
    assert finding["program"] == "renovation"
    assert finding["location"]["paragraph"] == 31
    assert (finding["stated"], finding["computed"]) == ("52.9", "32.834")
    assert document["coverage"]["checked"] <= document["coverage"]["total"]


def test_markdown_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(SEED), "--format", "md", "-o", str(tmp_path)])
    assert result.stdout.startswith("# 核查：seed.txt")
    assert "| 错误 | STATED_SUBTOTAL_MISMATCH |" in result.stdout
    assert "## 未核对的数字" in result.stdout


def test_clean_document_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("2022年，我省计划建设公租房500套，实际开工建设450套，完成计划的90%。\n", encoding="utf-8")
    result = runner.invoke(app, ["audit", str(path), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_unreadable_file_exits_two_with_a_chinese_message(tmp_path: Path) -> None:
    path = tmp_path / "坏文件.docx"
    path.write_bytes(b"not a word file")
    result = runner.invoke(app, ["audit", str(path), str(tmp_path / "缺失.pdf")])
    assert result.exit_code == 2
    assert "无法读取" in result.output and "坏文件.docx" in result.output and "找不到文件" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_annotate_and_extract_dataset_then_evaluate(tmp_path: Path) -> None:
    source = write_docx(seed_text(), tmp_path / "吉林省说明.docx")
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", str(source), "--annotate", "--extract-dataset", "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert (out / "吉林省说明.批注.docx").is_file()
    assert "7 条批注" in result.output
    dataset = out / "吉林省说明" / "dataset.yaml"
    assert dataset.read_text(encoding="utf-8").startswith("# 由 anju audit 从《吉林省说明.docx》提取的数据集。")
    evaluated = runner.invoke(app, ["evaluate", str(dataset.parent), "-o", str(tmp_path / "evaluation.json")])
    assert evaluated.exit_code == 0, evaluated.output
    assert "住房租赁保障 88 分（良）；城镇老旧小区改造 85 分（良）；城市棚户区改造 93 分（优）" in evaluated.output
    for code in ("STATED_PERCENT_MISMATCH", "STATED_SUBTOTAL_MISMATCH", "DENOMINATOR_SWITCH", "SHARE_ABOVE_100",
                 "IMPLAUSIBLE_MAGNITUDE"):
        assert code in evaluated.output


def test_batch_prints_one_row_per_document_and_writes_a_workbook(tmp_path: Path) -> None:
    first = tmp_path / "吉林.txt"
    first.write_text(seed_text(), encoding="utf-8")
    second = tmp_path / "某县.txt"
    second.write_text("下达资金200万元，已拨付66.86万元，资金拨付进度100%。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["audit", str(first), str(second), "-o", str(out)], terminal_width=200)
    assert result.exit_code == 1, result.output
    assert "核查汇总" in result.output and "吉林.txt" in result.output and "某县.txt" in result.output
    book = openpyxl.load_workbook(out / "核查汇总.xlsx", read_only=True)
    rows = list(book["汇总"].iter_rows(values_only=True))
    assert rows[0][:3] == ("文件", "地区", "年度")
    assert [r[0] for r in rows[1:3]] == ["吉林.txt", "某县.txt"]
    jilin = rows[1]
    assert jilin[1] == "吉林省" and jilin[5] == "88 / 85 / 93" and jilin[6] == "88 / 85 / 93" and jilin[7] == 3
    assert rows[2][7] == 1
    findings = list(book["问题清单"].iter_rows(values_only=True))
    assert len(findings) > 8


def test_explicit_framework_and_unknown_framework(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", str(SEED), "--framework", "2022", "-o", str(tmp_path)])
    assert result.exit_code == 1
    bad = runner.invoke(app, ["audit", str(SEED), "--framework", "1999", "-o", str(tmp_path)])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
