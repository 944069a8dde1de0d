"""The document audit page: the 监管局 reviewer and the province evaluator upload a 说明, see it with
the findings marked in place, download the annotated .docx; the document is kept with the cycle and
the upload is in the audit log; other roles cannot upload."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anju_web.audit.models import AuditAction, AuditEvent
from anju_web.audits.models import DocumentAudit
from anju_web.submissions.models import Cycle

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "seed.txt"


def seed_docx() -> bytes:
    document = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(client: Client, cycle: Cycle, name: str, data: bytes) -> object:
    return client.post(reverse("document_audit_upload", args=[cycle.pk]),
                       {"file": SimpleUploadedFile(name, data), "title": "吉林省2022年度说明"})


@pytest.mark.django_db
def test_supervision_reviewer_audits_a_docx(clients: dict[str, Client], cycle: Cycle) -> None:
    client = clients["supervision_reviewer"]
    response = upload(client, cycle, "吉林省说明.docx", seed_docx())
    assert response.status_code == 302
    kept = DocumentAudit.objects.get(cycle=cycle, original_name="吉林省说明.docx")
    assert (kept.errors, kept.warnings, kept.framework_id, kept.region_name) == (3, 4, "2022", "吉林省")
    assert response["Location"] == reverse("document_audit", args=[kept.pk])
    event = AuditEvent.objects.get(action=AuditAction.document_audited, object_id=str(kept.pk))
    assert kept.sha256 in event.new_value and event.cycle_id == cycle.pk

    page = client.get(reverse("document_audit", args=[kept.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<mark class="error" id="mark-' in html
    assert ">52.9%</mark>" in html and ">60分</mark>" in html and ">85分</mark>" in html
    assert "41701.11 ÷ 127006" in html
    assert "未核对的数字" in html

    listing = client.get(reverse("document_audits", args=[cycle.pk]))
    assert "吉林省2022年度说明" in listing.content.decode()

    annotated = client.get(reverse("document_audit_annotated", args=[kept.pk]))
    assert annotated.status_code == 200
    assert annotated["Content-Disposition"].startswith("attachment;")
    body = b"".join(annotated.streaming_content)  # type: ignore[attr-defined]
    comments = list(docx.Document(io.BytesIO(body)).comments)
    assert len(comments) == kept.errors + kept.warnings
    assert sum(1 for c in comments if c.text.startswith("【错误】")) == 3


@pytest.mark.django_db
def test_province_evaluator_may_audit_and_a_clerk_may_not(clients: dict[str, Client], cycle: Cycle) -> None:
    text = "2022年，我省计划建设公租房500套，实际开工建设450套，完成计划的100%。".encode()
    assert upload(clients["province_evaluator"], cycle, "某县自评报告.txt", text).status_code == 302
    kept = DocumentAudit.objects.get(original_name="某县自评报告.txt")
    assert kept.errors == 1
    # outside a user's regions the page does not exist (404); without the permission it is refused (403)
    assert upload(clients["county_clerk"], cycle, "x.txt", text).status_code in (403, 404)
    assert not DocumentAudit.objects.filter(original_name="x.txt").exists()
    assert clients["county_clerk"].get(reverse("document_audit", args=[kept.pk])).status_code in (403, 404)
    assert clients["prefecture_reviewer"].get(reverse("document_audits", args=[cycle.pk])).status_code in (403, 404)
    assert upload(clients["administrator"], cycle, "y.txt", text).status_code == 403


@pytest.mark.django_db
def test_unreadable_upload_is_refused_with_a_message(clients: dict[str, Client], cycle: Cycle) -> None:
    client = clients["supervision_reviewer"]
    response = upload(client, cycle, "坏文件.docx", b"not a word file")
    assert response.status_code == 302
    assert not DocumentAudit.objects.filter(original_name="坏文件.docx").exists()
    page = client.get(response["Location"])
    assert "未核查：" in page.content.decode()
    refused = upload(client, cycle, "表格.xlsx", b"PK\x03\x04")
    assert refused.status_code == 302
    assert "不接受" in client.get(refused["Location"]).content.decode()
