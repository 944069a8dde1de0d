"""The downloaded Word explanation lists the cycle's uploaded evidence files (附件6 佐证材料目录, no
charts in the web's package) with their unit, size and hash in 备注, next to the documents cited in
the judgements (one row per document), and is remade when evidence is added."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx.table import Table

from anju_web.evidence.models import EvidenceFile
from anju_web.regions.models import Region

from .conftest import client_for

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "材料名称", "文号", "印发日期", "对应指标", "备注"]
LEDGER = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"% 2022 rental fund ledger of Nong'an\n" * 40
PLAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n% provincial plan\n"


def upload(username: str, cycle, region: str, name: str, content: bytes, title: str, item: str) -> None:
    response = client_for(username).post(f"/cycles/{cycle.pk}/evidence/upload/", {
        "region": region, "next": "/", "title": title, "item": item,
        "file": SimpleUploadedFile(name, content, "application/pdf"),
    })
    assert response.status_code == 302


def evidence_rows(payload: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(payload))
    tables: list[Table] = [t for t in document.tables if [c.text for c in t.rows[0].cells] == HEADERS]
    assert len(tables) == 1
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "附件标识"]
    assert headings == ["附件1", "附件2", "附件3", "附件4", "附件5", "附件6"]  # 附件1–4: the landscape section
    return [[c.text for c in row.cells] for row in tables[0].rows[1:]]


def test_word_explanation_lists_uploaded_evidence_with_its_hash(cycle, settings):
    evaluator = client_for("evaluator-finance")
    url = f"/cycles/{cycle.pk}/documents/explanation/"
    before = evaluator.get(url)
    assert before.status_code == 200
    cited = evidence_rows(before.content)
    assert len(cited) == 6  # the example's judgements cite six documents, nine times
    assert cited[0][1:] == ["《吉林省城镇保障性安居工程专项资金管理办法》", "—", "—",
                            "住房租赁保障、城镇老旧小区改造、城市棚户区改造：资金分配", ""]
    assert cited[1][1:4] == ["《吉林省加快发展保障性租赁住房的实施意见》", "—", "2021年12月31日"]  # read from the citation

    upload("clerk-220122", cycle, "220122", "农安县资金台账.pdf", LEDGER, "2022年度资金台账", "rental:fund_management.fund_use")
    upload("evaluator-finance", cycle, cycle.region_id, "省级规划.pdf", PLAN, "住房发展规划（全文）",
           "shantytown:project_management.project_pipeline")
    ledger = EvidenceFile.objects.get(original_name="农安县资金台账.pdf")
    assert ledger.sha256 == hashlib.sha256(LEDGER).hexdigest()

    after = evaluator.get(url)  # the package made before the uploads is not reused
    assert after.status_code == 200
    rows = evidence_rows(after.content)
    assert len(rows) == 8
    county = Region.objects.get(pk="220122").display_name
    (row,) = [r for r in rows if "农安县资金台账.pdf" in r[5]]
    assert len(LEDGER) == 1_525
    assert row[1:] == ["2022年度资金台账", "—", "—", "住房租赁保障：资金使用管理",
                       f"{county}报送；电子文件：农安县资金台账.pdf（1.5 KB，SHA-256：{ledger.sha256[:16]}）"]
    # The province's file sits with the citation of the same indicator, in program order; the
    # province sent it, so 备注 names only the file.
    (plan,) = [r for r in rows if "省级规划.pdf" in r[5]]
    assert plan[1:5] == ["住房发展规划（全文）", "—", "—", "城市棚户区改造：项目储备库"]
    assert plan[5] == f"电子文件：省级规划.pdf（{len(PLAN)} B，SHA-256：{hashlib.sha256(PLAN).hexdigest()[:16]}）"
    assert [r[0] for r in rows] == [str(n) for n in range(1, 9)]
    assert rows.index(plan) == 7 and rows[6][1] == "《吉林省住房发展“十四五”规划》"
    # The package made before the uploads is removed; one remains for the run.
    assert len(list((Path(settings.DATA_DIR) / "reports").glob("run-*"))) == 1


def test_an_indicator_needs_its_program(cycle):
    client = client_for("clerk-220122")
    response = client.post(f"/cycles/{cycle.pk}/evidence/upload/", {
        "region": "220122", "next": "/", "title": "台账", "item": ":fund_management.fund_use",
        "file": SimpleUploadedFile("台账.pdf", PLAN, "application/pdf"),
    }, follow=True)
    assert "指标“fund_management.fund_use”未指明所属项目" in response.content.decode()
    assert not EvidenceFile.objects.exists()
