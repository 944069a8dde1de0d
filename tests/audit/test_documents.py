"""Reading real files: the same text as .docx, .pdf and .txt gives the same findings; tables are
read cell by cell; an unreadable file is refused with a Chinese message; the annotated .docx holds
one Word comment per error and warning, anchored at the number."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from anju.adapters.document import AUTHOR, DocumentError, annotate, read_document
from anju.audit import AuditResult, audit
from anju.framework import builtin_framework
from anju.problems import AuditCode, ConsistencyCode, Severity

from .conftest import SEED, seed_text, to_pdf, write_docx

FRAMEWORKS = [builtin_framework("2022")]


def signature(result: AuditResult) -> list[tuple[str, str | None, str | None, str]]:
    return sorted((f.code, f.problem.stated, f.problem.computed, f.quote.replace(" ", "")) for f in result.findings)


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("seed")
    txt = folder / "seed.txt"
    txt.write_text(seed_text(), encoding="utf-8")
    docx_path = write_docx(seed_text(), folder / "seed.docx")
    return {"txt": txt, "docx": docx_path, "pdf": to_pdf(docx_path)}


def test_docx_pdf_and_txt_give_the_same_findings(seed_files: dict[str, Path]) -> None:
    results = {kind: audit(read_document(path), FRAMEWORKS) for kind, path in seed_files.items()}
    assert signature(results["docx"]) == signature(results["txt"])
    assert signature(results["pdf"]) == signature(results["txt"])
    assert results["pdf"].coverage.total == results["txt"].coverage.total
    assert results["pdf"].coverage.checked == results["txt"].coverage.checked
    pages = {f.anchor.page for f in results["pdf"].findings if f.anchor}
    assert pages and None not in pages, "PDF findings carry their page"


def test_pdf_joins_a_number_broken_across_lines(tmp_path: Path) -> None:
    line = "预算执行情况：" + "截至2023年1月5日，我省中央财政城镇保障性安居工程资金用于城镇老旧小区改造" * 2
    text = f"{line}预算为127006万元，实际支出41701.11万元，预算执行率为32.8%。"
    pdf = to_pdf(write_docx(text, tmp_path / "broken.docx"))
    document = read_document(pdf)
    assert "41701.11万元" in document.text
    assert not audit(document, []).findings


def test_docx_tables_are_read_cell_by_cell(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("2022年度项目支出绩效自评表")
    table = document.add_table(rows=4, cols=6)
    rows = [("一级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"),
            ("产出指标", "保障性租赁住房筹集", "12670套", "12670套", "10", "10"),
            ("产出指标", "租赁补贴发放", "75174户", "80206户", "5", "6"),
            ("合计", "", "", "", "15", "15")]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    path = tmp_path / "table.docx"
    document.save(str(path))
    source = read_document(path)
    cells = [b for b in source.blocks if b.cell is not None]
    assert len(cells) == 24
    result = audit(source, FRAMEWORKS)
    above = [f for f in result.findings if f.code == AuditCode.SCORE_ABOVE_MAXIMUM]
    assert len(above) == 1 and above[0].anchor is not None
    assert (above[0].anchor.table, above[0].anchor.row, above[0].anchor.column) == (1, 3, 6)
    total = [f for f in result.findings if f.code == ConsistencyCode.STATED_SUBTOTAL_MISMATCH]
    assert total and total[0].problem.computed == "16"


@pytest.mark.parametrize(("name", "content", "code"), [
    ("broken.docx", b"PK\x03\x04 not really a zip", AuditCode.DOCUMENT_UNREADABLE),
    ("locked.docx", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 64, AuditCode.DOCUMENT_UNREADABLE),
    ("old.doc", b"whatever", AuditCode.UNSUPPORTED_FORMAT),
    ("scan.pdf", b"%PDF-1.4\n%%EOF\n", AuditCode.DOCUMENT_UNREADABLE),
    ("empty.txt", b"   \n\n", AuditCode.DOCUMENT_EMPTY),
    ("sheet.xlsx", b"PK", AuditCode.UNSUPPORTED_FORMAT),
])
def test_unreadable_files_are_refused_in_chinese(tmp_path: Path, name: str, content: bytes, code: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        read_document(path)
    [problem] = info.value.problems
    assert problem.code == code
    assert name in problem.message


def test_pdf_without_a_text_layer_says_it_is_a_scan(tmp_path: Path) -> None:
    blank = docx.Document()
    blank.add_paragraph("")
    source = tmp_path / "scan.docx"
    blank.save(str(source))
    with pytest.raises(DocumentError) as info:
        read_document(to_pdf(source))
    assert info.value.problems[0].code == AuditCode.NO_TEXT_LAYER
    assert "扫描件" in info.value.problems[0].message


def test_gb18030_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("计划建设公租房500套，实际开工建设450套，完成计划的100%。".encode("gb18030"))
    result = audit(read_document(path), [])
    assert [f.problem.computed for f in result.findings] == ["90"]


def _anchored_texts(path: Path) -> dict[str, str]:
    """Comment id → the document text between its range start and end."""
    document = docx.Document(str(path))
    texts: dict[str, str] = {}
    open_ids: set[str] = set()
    for element in document.element.body.iter():
        if element.tag == qn("w:commentRangeStart"):
            open_ids.add(element.get(qn("w:id")))
            texts.setdefault(element.get(qn("w:id")), "")
        elif element.tag == qn("w:commentRangeEnd"):
            open_ids.discard(element.get(qn("w:id")))
        elif element.tag == qn("w:t"):
            for cid in open_ids:
                texts[cid] += element.text or ""
    return texts


def test_annotated_docx_has_one_comment_per_error_and_warning_at_the_number(
    seed_files: dict[str, Path], tmp_path: Path,
) -> None:
    source = seed_files["docx"]
    result = audit(read_document(source), FRAMEWORKS)
    target = tmp_path / "seed.批注.docx"
    count = annotate(result, source, target)
    expected = [f for f in result.findings if f.severity in (Severity.error, Severity.warning)]
    assert count == len(expected)
    reopened = docx.Document(str(target))
    comments = list(reopened.comments)
    assert len(comments) == len(expected)
    assert {c.author for c in comments} == {AUTHOR}
    errors = [c for c in comments if c.text.startswith("【错误】")]
    assert len(errors) == len(result.errors) == 3
    anchored = _anchored_texts(target)
    by_text = {comments[i].text: anchored[str(c.comment_id)] for i, c in enumerate(comments)}
    execution = next(t for t in by_text if "预算执行率" in t and "52.9%" in t)
    assert by_text[execution] == "52.9%"
    assert {by_text[t] for t in by_text if "文中总分为85分" in t} == {"85分"}
    assert {by_text[t] for t in by_text if "小计为60分" in t} == {"60分"}
    # the text of the document is unchanged by the splitting of runs
    original = [p.text for p in docx.Document(str(source)).paragraphs]
    assert [p.text for p in reopened.paragraphs] == original
    with zipfile.ZipFile(target) as archive:
        assert "word/comments.xml" in archive.namelist()


def test_text_input_is_annotated_as_a_new_docx(tmp_path: Path) -> None:
    result = audit(read_document(SEED), FRAMEWORKS)
    target = tmp_path / "seed.批注.docx"
    assert annotate(result, SEED, target) == len(result.errors) + len(result.warnings)
    assert len(list(docx.Document(str(target)).comments)) == len(result.errors) + len(result.warnings)
