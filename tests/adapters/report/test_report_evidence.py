"""The 佐证材料目录 (附件6, 附件7 with --charts): one row per document with its 文号 and 印发日期
where known, the documents cited in judgements by default, uploaded files with their unit, size
and hash in 备注 when given, left out entirely when there is no evidence; the same in Word,
Markdown and plain text."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.table import Table

from anju.adapters.report import EvidenceEntry, ReportFiles, cited_evidence, write_report
from anju.adapters.report.content import build_content
from anju.adapters.report.evidence import CitationFacts, evidence_rows, read_citation, size_text
from anju.dataset import Dataset
from anju.dataset.models import CitedDocument
from anju.framework.models import Framework
from anju.scoring import Evaluation

Jilin = tuple[Dataset, Framework, Evaluation]

HEADERS = ["序号", "材料名称", "文号", "印发日期", "对应指标", "备注"]
LEDGER = b"%PDF-1.4 2022 rental fund ledger of Changchun\n".ljust(14_100, b"0")  # 14,100 bytes: 13.77 KB
LEDGER_SHA = hashlib.sha256(LEDGER).hexdigest()
MINUTES_SHA = hashlib.sha256(b"minutes").hexdigest()
# The Jilin example's judgements cite nine times six documents: one row each, with every indicator
# it supports, the 印发日期 the dataset's documents (or the citation itself) give, and no 文号 (the
# seed gives none).
EXAMPLE_CATALOGUE = [
    ["1", "《吉林省城镇保障性安居工程专项资金管理办法》", "—", "—",
     "住房租赁保障、城镇老旧小区改造、城市棚户区改造：资金分配", ""],
    ["2", "《吉林省加快发展保障性租赁住房的实施意见》", "—", "2021年12月31日",
     "住房租赁保障：落实保障性租赁住房支持政策和工作机制", ""],
    ["3", "《吉林省城镇保障性安居工程奖补资金管理办法》", "—", "—", "城镇老旧小区改造、城市棚户区改造：资金分配", ""],
    ["4", "《吉林省城镇老旧小区改造“十四五”规划》", "—", "2022年", "城镇老旧小区改造：项目储备库",
     "吉林省住房和城乡建设厅印发"],
    ["5", "《关于做好城镇老旧小区改造方案编制工作的通知》", "—", "2022年", "城镇老旧小区改造：统筹协调机制",
     "吉林省住房和城乡建设厅印发"],
    ["6", "《吉林省住房发展“十四五”规划》", "—", "—", "城市棚户区改造：项目储备库", ""],
]


def paragraphs(doc: DocumentObject, style: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name == style]


def evidence_table(doc: DocumentObject) -> Table:
    (table,) = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == HEADERS]
    return table


def cells(table: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def test_catalogue_of_the_jilin_example_one_row_per_document(report: ReportFiles) -> None:
    doc = Document(str(report.docx))
    assert paragraphs(doc, "附件标识") == ["附件1", "附件2", "附件3", "附件4", "附件5", "附件6"]
    assert paragraphs(doc, "附件说明")[-1] == "6.2022年吉林省城镇保障性安居工程绩效评价佐证材料目录"
    titles = paragraphs(doc, "公文标题")
    assert titles[-1] == "2022年吉林省城镇保障性安居工程\n绩效评价佐证材料目录"
    assert cells(evidence_table(doc)) == EXAMPLE_CATALOGUE
    everything = "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "SHA-256" not in everything and "引用文件" not in everything  # no file columns for cited documents


def test_the_catalogue_follows_the_charts_when_there_are_charts(report_with_charts: ReportFiles) -> None:
    doc = Document(str(report_with_charts.docx))
    assert paragraphs(doc, "附件说明")[-1] == "7.2022年吉林省城镇保障性安居工程绩效评价佐证材料目录"
    body = [p.text for p in doc.paragraphs]
    assert body.index("附件6") < body.index("附件7")
    assert cells(evidence_table(doc)) == EXAMPLE_CATALOGUE


def test_cited_evidence_comes_from_the_judgements(scored_jilin: Jilin) -> None:
    dataset, _, evaluation = scored_jilin
    cited = cited_evidence(evaluation, dataset.documents)
    assert len(cited) == 9
    assert cited[0] == EvidenceEntry("rental", "fund_management.fund_distribution", "吉林省",
                                     "《吉林省城镇保障性安居工程专项资金管理办法》")
    assert all(entry.cited and entry.size is None and not entry.sha256 for entry in cited)
    # the citation's own "（2021年12月31日印发）" is read as the 印发日期 and leaves the name
    bare = cited_evidence(evaluation)
    assert bare[1].title == "《吉林省加快发展保障性租赁住房的实施意见》" and bare[1].issued == "2021年12月31日"
    assert not bare[4].issued and cited[4].issued == "2022年" and cited[4].issuer == "吉林省住房和城乡建设厅"


def test_document_number_and_date_read_from_the_citation_or_the_dataset(scored_jilin: Jilin) -> None:
    facts = read_citation("《吉林省城镇老旧小区改造“十四五”规划》（吉建城〔2022〕5号）（2022年3月印发）")
    assert facts == CitationFacts("《吉林省城镇老旧小区改造“十四五”规划》", "吉建城〔2022〕5号", "2022年3月")
    assert read_citation("绩效监控办法") == CitationFacts("绩效监控办法")
    _, framework, evaluation = scored_jilin
    documents = [CitedDocument(title="《吉林省城镇保障性安居工程专项资金管理办法》", number="吉财建〔2019〕1号",
                               issued=dt.date(2019, 5, 6))]
    (first, *_) = evidence_rows(cited_evidence(evaluation, documents), evaluation, framework)
    assert (first.document_number, first.issued) == ("吉财建〔2019〕1号", "2019年5月6日")


@pytest.fixture(scope="module")
def with_files(scored_jilin: Jilin, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    dataset, framework, evaluation = scored_jilin
    evidence = [
        # Given out of order: the table follows the programs and their indicators.
        EvidenceEntry("shantytown", "", "延边朝鲜族自治州", "棚改会议纪要", "会议纪要.docx", 2_621_440, MINUTES_SHA),
        EvidenceEntry("rental", "fund_management.fund_use", "长春市（市本级及市辖区）", "资金台账", "资金台账.pdf",
                      len(LEDGER), LEDGER_SHA),
        EvidenceEntry("rental", "fund_management.budget_execution.mechanism", "吉林省", "绩效监控办法"),
        *cited_evidence(evaluation, dataset.documents),
    ]
    return write_report(evaluation, framework, dataset, tmp_path_factory.mktemp("evidence"), evidence=evidence)


def test_uploaded_files_with_size_and_hash_in_word(with_files: ReportFiles) -> None:
    doc = Document(str(with_files.docx))
    rows = cells(evidence_table(doc))
    assert len(rows) == 9
    assert rows[0][1] == "《吉林省城镇保障性安居工程专项资金管理办法》"
    # A criterion is shown under its indicator; a document of the province itself has no 备注.
    assert rows[1] == ["2", "绩效监控办法", "—", "—", "住房租赁保障：预算执行·建立健全预算执行、绩效监控机制", ""]
    # An uploaded file: the unit that sent it, its name, size and the digest's first 16 characters.
    assert rows[2] == ["3", "资金台账", "—", "—", "住房租赁保障：资金使用管理",
                       f"长春市（市本级及市辖区）报送；电子文件：资金台账.pdf（13.8 KB，SHA-256：{LEDGER_SHA[:16]}）"]
    # Evidence for a whole program follows its indicators; 2,621,440 bytes are 2.5 MB.
    assert rows[-1] == ["9", "棚改会议纪要", "—", "—", "城市棚户区改造",
                        f"延边朝鲜族自治州报送；电子文件：会议纪要.docx（2.5 MB，SHA-256：{MINUTES_SHA[:16]}）"]
    assert LEDGER_SHA not in "".join(c for row in rows for c in row)  # the document shows a prefix only


def test_markdown_and_text_carry_the_full_hash(with_files: ReportFiles) -> None:
    markdown = with_files.markdown.read_text(encoding="utf-8")
    lines = markdown.splitlines()
    assert "## 附件6　2022年吉林省城镇保障性安居工程绩效评价佐证材料目录" in lines
    assert "| 序号 | 材料名称 | 文号 | 印发日期 | 对应指标 | 备注 |" in lines
    assert (
        "| 3 | 资金台账 | — | — | 住房租赁保障：资金使用管理 | "
        f"长春市（市本级及市辖区）报送；电子文件：资金台账.pdf（13.8 KB，SHA-256：{LEDGER_SHA}） |" in lines
    )
    assert ("| 1 | 《吉林省城镇保障性安居工程专项资金管理办法》 | — | — | "
            "住房租赁保障、城镇老旧小区改造、城市棚户区改造：资金分配 |  |") in lines
    assert "6. 2022年吉林省城镇保障性安居工程绩效评价佐证材料目录" in lines
    assert lines.index("## 附件5　2022年吉林省城镇保障性安居工程绩效评价指标得分表") < lines.index(
        "## 附件6　2022年吉林省城镇保障性安居工程绩效评价佐证材料目录"
    )
    text = with_files.text.read_text(encoding="utf-8")
    tlines = text.splitlines()
    assert "      6.2022年吉林省城镇保障性安居工程绩效评价佐证材料目录" in tlines
    start = tlines.index("附件6")
    assert tlines[start + 2] == "2022年吉林省城镇保障性安居工程绩效评价佐证材料目录"
    ledger = next(line for line in tlines[start:] if "资金台账.pdf" in line)
    assert ledger.split() == ["3", "资金台账", "—", "—", "住房租赁保障：资金使用管理",
                              "长春市（市本级及市辖区）报送；电子文件：资金台账.pdf（13.8", f"KB，SHA-256：{LEDGER_SHA}）"]
    assert tlines[start + 4].split() == HEADERS
    numbered = [line.split()[0] for line in tlines[start + 5 :]]
    assert numbered == [str(n) for n in range(1, 10)]


def _without_citations(evaluation: Evaluation) -> Evaluation:
    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: ([] if k == "evidence" else strip(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return Evaluation.model_validate(strip(evaluation.model_dump()))


@pytest.mark.parametrize("how", ["empty list", "no citations"])
def test_no_evidence_no_attachment(scored_jilin: Jilin, tmp_path: Path, how: str) -> None:
    dataset, framework, evaluation = scored_jilin
    if how == "empty list":
        files = write_report(evaluation, framework, dataset, tmp_path, evidence=[])
    else:
        files = write_report(_without_citations(evaluation), framework, dataset, tmp_path)
    doc = Document(str(files.docx))
    assert paragraphs(doc, "附件标识") == ["附件1", "附件2", "附件3", "附件4", "附件5"]
    listed = paragraphs(doc, "附件说明")
    assert len(listed) == 5 and listed[-1].endswith("5.2022年吉林省城镇保障性安居工程绩效评价指标得分表")
    assert len(doc.tables) == 4 + 3 and not any("序号" in t.rows[0].cells[0].text for t in doc.tables)  # 附件1–4, 附件5
    everything = "\n".join(p.text for p in doc.paragraphs)
    assert "佐证材料目录" not in everything and "{%" not in everything
    for path in (files.markdown, files.text):
        text = path.read_text(encoding="utf-8")
        assert "附件6" not in text and "6." + "2022" not in text and "佐证材料" not in text


def test_entries_are_checked(scored_jilin: Jilin) -> None:
    _, framework, evaluation = scored_jilin
    with pytest.raises(ValueError, match="64 位小写十六进制"):
        EvidenceEntry("rental", "", "吉林省", "台账", "台账.pdf", 10, "ABC")
    with pytest.raises(ValueError, match="缺少名称"):
        EvidenceEntry("rental", "", "吉林省", " ")
    with pytest.raises(ValueError, match="没有指明项目"):
        EvidenceEntry("", "fund_management.fund_use", "吉林省", "台账")
    with pytest.raises(ValueError, match=re.escape("指标“fund_management.nothing”不在住房租赁保障的指标体系中")):
        build_content(evaluation, framework, evidence=[EvidenceEntry("rental", "fund_management.nothing", "吉林省", "台账")])
    with pytest.raises(ValueError, match="项目“pensions”不在本次评价中"):
        build_content(evaluation, framework, evidence=[EvidenceEntry("pensions", "", "吉林省", "台账")])


@pytest.mark.parametrize(("size", "text"), [
    (None, "—"), (0, "0 B"), (1023, "1023 B"), (1024, "1 KB"), (14_100, "13.8 KB"), (1_048_576, "1 MB"),
    (20 * 1024**2 - 1, "20 MB"), (5 * 1024**3, "5 GB"),
])
def test_size_text(size: int | None, text: str) -> None:
    assert size_text(size) == text
