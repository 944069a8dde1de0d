"""What the signer sees and what is sent (issue 10, items 3, 4 and 7): the official files carry no
internal note, no provenance word and no English id; the 核对清单 carries all of it; 落款, 报送函
and document properties; 我省/我区/我市 from the region's kind."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from anju.adapters.report import ReportFiles, write_report
from anju.dataset import Dataset, load_dataset
from anju.scoring import evaluate
from anju.wording import region_words

from ...helpers import EXAMPLE, run_cli

INTERNAL = re.compile(r"样本|假设|推断|来源|anju|示意权重|[a-z]+_[a-z_]+|[a-z]+\.[a-z_]+")
"""Internal notes, provenance words (假设/推断/样本), the tool's name, English ids (rental, fund_management.fund_raising)."""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("signable") / "out"
    code = _run("report", EXAMPLE, "-o", out, "--province-only", "--contact", "王某", "--phone", "0431-88888888",
                "--date", "2023-02-20")
    assert code == 0
    return out


def _run(*args: object) -> int:
    from anju.cli import run

    return run([str(a) for a in args])


def official_files(directory: Path) -> list[Path]:
    return [p for p in sorted(directory.iterdir()) if p.is_file() and "内部" not in p.name]


def texts_of(path: Path) -> list[str]:
    """Every paragraph, table cell, header/footer and property of a .docx; every cell, header and
    property of a .xlsx; every line of .md/.txt."""
    if path.suffix == ".docx":
        doc = Document(str(path))
        found = [p.text for p in doc.paragraphs]
        found += [p.text for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs]
        for section in doc.sections:
            found += [p.text for p in section.footer.paragraphs] + [p.text for p in section.header.paragraphs]
        core = doc.core_properties
        found += [core.author or "", core.comments or "", core.title or "", core.subject or "", core.last_modified_by or "",
                  core.keywords or ""]
        with zipfile.ZipFile(path) as archive:
            found += re.findall(r">([^<>]+)<", archive.read("docProps/app.xml").decode("utf-8"))
        return found
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        found = [str(c.value) for ws in book for r in ws.iter_rows() for c in r if c.value is not None]
        found += [ws.oddHeader.left.text or "" for ws in book] + [ws.oddFooter.center.text or "" for ws in book]
        props = book.properties
        return [*found, props.creator or "", props.description or "", props.title or "", props.subject or ""]
    return path.read_text(encoding="utf-8").splitlines()


def test_official_files_carry_nothing_internal(package: Path) -> None:
    files = official_files(package)
    assert {p.suffix for p in files} == {".docx", ".md", ".txt", ".xlsx"}
    assert len(files) == 8  # 报送函, 说明 (Word, Markdown, text), 附件1–4 and 附件5 workbooks, 自评表 (Word, Excel)
    leaks = [(p.name, t[:80]) for p in files for t in texts_of(p) if INTERNAL.search(t.replace("Normal.dotm", ""))]
    assert leaks == []


def test_the_checklist_carries_what_the_documents_do_not(package: Path) -> None:
    checklist = next(package.glob("*核对清单*.md")).read_text(encoding="utf-8")
    assert "样本对该要点计1分" in checklist  # the internal note
    assert "评分规则为重建的假设" in checklist  # assumptions the scores depend on
    assert "居民参与出资改造的小区占比" in checklist and "55%" in checklist  # a restated figure
    assert "0.85平方米/户" in checklist and "101.49%" in checklist  # the checker's warnings
    book = load_workbook(next(package.glob("*核对清单*.xlsx")))
    rows = list(book.active.iter_rows(values_only=True))
    assert any(r[1] == "内部备注" and "样本对该要点计1分" in str(r[5]) for r in rows)


def test_the_working_file_is_named_as_one(package: Path) -> None:
    working = next(package.glob("*得分计算底稿（内部工作文件）.xlsx"))
    book = load_workbook(working)
    assert "内部工作文件" in str(book["汇总"]["A1"].value)


def test_sendable_score_table_equals_the_document_table(package: Path) -> None:
    doc = Document(str(next(package.glob("*指标说明.docx"))))
    book = load_workbook(next(package.glob("*附件5指标得分表.xlsx")), data_only=True)
    for table, sheet in zip([t for t in doc.tables if t.rows[0].cells[0].text == "指标"], book.worksheets, strict=True):
        in_doc = [[c.text.strip("\u3000") for c in r.cells] for r in table.rows]
        rows = [r for r in sheet.iter_rows(min_row=4, values_only=True) if r[0] is not None]
        in_book = [[str(v if not isinstance(v, float) else (int(v) if v.is_integer() else v)) if v is not None else ""
                    for v in r[:5]] for r in rows][: len(in_doc)]
        assert in_book == in_doc
        assert str(sheet["A1"].value) == "附件5"


def test_signature_block_and_properties(package: Path) -> None:
    path = next(package.glob("*指标说明.docx"))
    doc = Document(str(path))
    styled = [(p.style.name if p.style else "", p.text) for p in doc.paragraphs]
    assert ("发文机关署名", "吉林省财政厅") in styled
    assert ("成文日期", "2023年2月20日") in styled
    assert ("公文正文", "（联系人：王某，电话：0431-88888888）") in styled
    core = doc.core_properties
    assert core.author == "吉林省财政厅"
    assert core.created is not None and core.created.date() >= dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if "thumbnail" in n]
        assert 'w:eastAsia="ja-JP"' not in archive.read("word/settings.xml").decode("utf-8")


def test_cover_letter(package: Path) -> None:
    doc = Document(str(next(package.glob("*报送函.docx"))))
    text = [p.text for p in doc.paragraphs]
    assert "财政部吉林监管局：" in text
    assert any(t.startswith("附件：1.吉林省城镇保障性安居工程财政资金绩效评价指标的说明") for t in text)
    assert "吉林省财政厅" in text and "2023年2月20日" in text
    assert doc.core_properties.author == "吉林省财政厅"


def test_joint_issuers(tmp_path: Path, capsys: Any) -> None:
    code, out = run_cli(capsys, "report", EXAMPLE, "-o", tmp_path / "o", "--province-only",
                        "--issuer", "吉林省财政厅", "--issuer", "吉林省住房和城乡建设厅")
    assert code == 0, out
    doc = Document(str(next((tmp_path / "o").glob("*指标说明.docx"))))
    signers = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "发文机关署名" and p.text]
    assert signers == ["吉林省财政厅", "吉林省住房和城乡建设厅"]


@pytest.mark.parametrize(("name", "our", "whole"), [
    ("吉林省", "我省", "全省"), ("广西壮族自治区", "我区", "全区"), ("重庆市", "我市", "全市"), ("大连市", "我市", "全市"),
])
def test_region_words(name: str, our: str, whole: str) -> None:
    words = region_words(name)
    assert (words.our, words.whole) == (our, whole)


@pytest.mark.parametrize(("code", "name", "our"), [("450000", "广西壮族自治区", "我区"), ("500000", "重庆市", "我市")])
def test_documents_say_our_region_by_kind(code: str, name: str, our: str, tmp_path: Path) -> None:
    dataset, framework = load_dataset(EXAMPLE)
    moved: Dataset = dataset.model_copy(update={"region": dataset.region.model_copy(update={"code": code, "name": name}),
                                                "title": None})
    evaluation = evaluate(framework, moved)
    generated = [item.explanation for p in evaluation.programs for item in p.items()]
    assert any(our in text for text in generated)
    assert not any("我省" in text or "全省" in text for text in generated)
    files: ReportFiles = write_report(evaluation, framework, moved, tmp_path / "out")
    letter = "\n".join(p.text for p in Document(str(files.letter)).paragraphs)
    assert our in letter and "我省" not in letter
    assert f"{name}财政厅" in letter
