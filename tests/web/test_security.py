"""Security basics: CSRF, production cookie settings, upload limits, evidence never served as
HTML, spreadsheet formula injection neutralised in every export."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client

from anju_web.audit.models import AuditEvent, AuditObject
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.storage import EvidenceRejected, path_for
from anju_web.exports import neutralise
from anju_web.submissions.models import FigureEntry

from .conftest import client_for, unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def test_csrf_is_required_for_forms_and_session_api_writes(cycle):
    client = Client(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username="clerk-220122", password="anju-demo-2022")
    sub = unit(cycle, "220122")
    response = client.post(f"/submissions/{sub.pk}/save/", {"f-rental-violations": "7"})
    before = list(FigureEntry.objects.filter(submission=sub).values_list("figure_id", "value"))
    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    response = client.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps(
        {"version": sub.version, "figures": [{"program": "rental", "figure": "violations", "value": "7"}]}),
        content_type="application/json")
    assert response.status_code == 403
    assert list(FigureEntry.objects.filter(submission=sub).values_list("figure_id", "value")) == before
    # With the token from the page, the same form goes through.
    page = client.get(f"/submissions/{sub.pk}/")
    token = page.cookies["csrftoken"].value
    response = client.post(f"/submissions/{sub.pk}/save/", {"f-rental-violations": "7", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert FigureEntry.objects.get(submission=sub, figure_id="violations", program="rental").value == 7


def _settings_in_subprocess(env: dict[str, str]) -> dict[str, object]:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps({k: getattr(settings, k) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE',"
        "'SESSION_COOKIE_HTTPONLY', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DATA_UPLOAD_MAX_MEMORY_SIZE',"
        "'FILE_UPLOAD_MAX_MEMORY_SIZE', 'EVIDENCE_MAX_BYTES', 'LANGUAGE_CODE', 'TIME_ZONE']}))"
    )
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "DJANGO_SETTINGS_MODULE": "anju_web.settings", **env},
                            capture_output=True, text=True, check=True)
    return dict(json.loads(result.stdout))


def test_production_settings_are_secure(tmp_path):
    prod = _settings_in_subprocess({"ANJU_WEB_DEBUG": "0", "ANJU_WEB_DATA_DIR": str(tmp_path)})
    assert prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SESSION_COOKIE_HTTPONLY"] is True and prod["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["LANGUAGE_CODE"] == "zh-hans" and prod["TIME_ZONE"] == "Asia/Shanghai"
    assert prod["DATA_UPLOAD_MAX_MEMORY_SIZE"] <= 5 * 1024 * 1024
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    dev = _settings_in_subprocess({"ANJU_WEB_DEBUG": "1", "ANJU_WEB_DATA_DIR": str(tmp_path)})
    assert dev["SESSION_COOKIE_SECURE"] is False


def test_security_headers(cycle):
    response = client_for("evaluator-finance").get(f"/cycles/{cycle.pk}/evaluation/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def _upload(client, cycle, name, content, region="220122", **extra):
    return client.post(f"/cycles/{cycle.pk}/evidence/upload/", {
        "region": region, "next": "/", "title": extra.get("title", ""), "item": extra.get("item", ""),
        "file": SimpleUploadedFile(name, content, extra.get("content_type", "application/octet-stream")),
    })


def test_evidence_is_hashed_stored_outside_static_and_served_as_attachment(cycle):
    client = client_for("clerk-220122")
    response = _upload(client, cycle, "资金台账.pdf", PDF, title="资金台账", item="rental:fund_management.fund_use")
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get(title="资金台账")
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.size == len(PDF)
    stored = path_for(evidence.sha256)
    assert stored.read_bytes() == PDF
    assert Path(settings.STATIC_ROOT) not in stored.parents
    assert not any(Path(d) in stored.parents for d in settings.STATICFILES_DIRS)
    download = client.get(f"/evidence/{evidence.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(object_type=AuditObject.evidence, new_value__contains=evidence.sha256).exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("页面.html", HTML, "不接受"),
    ("伪装.pdf", HTML, "内容与扩展名"),
    ("脚本.svg", b"<svg onload=alert(1)></svg>", "不接受"),
    ("空.pdf", b"", "空的"),
    ("无扩展名", PDF, "无扩展名"),
])
def test_evidence_rejects_what_it_must(cycle, name, content, message):
    client = client_for("clerk-220122")
    response = _upload(client, cycle, name, content)
    assert response.status_code == 302
    assert not EvidenceFile.objects.exists()
    follow = client.get(f"/submissions/{unit(cycle, '220122').pk}/")
    assert message in follow.content.decode()


def test_evidence_size_limit(cycle, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    from anju_web.evidence.storage import store

    with pytest.raises(EvidenceRejected, match="文件过大"):
        store("大.pdf", [PDF, b"0" * 2048])
    with pytest.raises(EvidenceRejected, match="文件过大"):
        store("大.pdf", [PDF], declared_size=4096)
    assert not list(Path(settings.EVIDENCE_ROOT).rglob("*.pdf"))
    assert not [p for p in Path(settings.EVIDENCE_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_neutralise(text):
    assert neutralise(text) == "'" + text
    assert neutralise("农安县") == "农安县"
    assert neutralise(5) == 5


def test_audit_exports_neutralise_formula_injection(cycle):
    clerk = client_for("clerk-220122")
    sub = unit(cycle, "220122")
    clerk.post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "f-rental-violations": "0"})
    sub.refresh_from_db()
    warning_text = "=HYPERLINK(\"http://evil\",\"x\")"
    # Put a formula-like text into the log through a real user action: a reply in a return thread.
    from anju_web.submissions import workflow
    from anju_web.submissions.services import reply_to_return

    from .conftest import user

    workflow.submit(user("clerk-220122"), sub)
    workflow.return_items(user("reviewer-220100"), sub, [workflow.ReturnItem("rental", "subsidy_paid", "@SUM(1,2)")])
    reply_to_return(user("clerk-220122"), sub.returns.get(), warning_text)
    exporter = client_for("evaluator-finance")
    body = exporter.get("/audit/export.csv").content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'" + warning_text in cells and warning_text not in cells
    assert "'@SUM(1,2)" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    xlsx = exporter.get("/audit/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    # xlsx keeps the text exactly (no visible apostrophe), as a string cell no program evaluates
    assert any(c.value == warning_text and c.data_type == "s" for c in values)
    assert any(c.value == "@SUM(1,2)" and c.data_type == "s" for c in values)
    assert all(c.data_type != "f" for c in values)
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in values)


def test_request_body_limits_are_enforced(cycle):
    client = client_for("clerk-220122")
    sub = unit(cycle, "220122")
    big = {"version": str(sub.version), "f-rental-violations": "1", "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}
    before = list(FigureEntry.objects.filter(submission=sub).values_list("figure_id", "value"))
    response = client.post(f"/submissions/{sub.pk}/save/", big)
    assert response.status_code == 400
    assert list(FigureEntry.objects.filter(submission=sub).values_list("figure_id", "value")) == before


def test_evidence_upload_goes_back_only_to_a_page_of_this_site(cycle):
    client = client_for("clerk-220122")
    for back, expected in (("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"),
                           (f"/submissions/{unit(cycle, '220122').pk}/", f"/submissions/{unit(cycle, '220122').pk}/")):
        response = client.post(f"/cycles/{cycle.pk}/evidence/upload/", {"region": "220122", "next": back})
        assert response.status_code == 302 and response["Location"] == expected, back


def test_a_lost_database_connection_answers_503_with_its_own_page(cycle, monkeypatch):
    """Every backend (the PostgreSQL fault tests kill a real connection; here the driver's error is raised)."""
    from django.db import OperationalError

    from anju_web.errors import DATABASE_UNAVAILABLE
    from anju_web.submissions import services

    def lost(*_args, **_kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    sub = unit(cycle, "220122")
    client = client_for("clerk-220122")
    client.raise_request_exception = False
    monkeypatch.setattr(services, "validate", lost)
    response = client.post(f"/submissions/{sub.pk}/save/", {"version": sub.version, "f-rental-violations": "7"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "数据库连接中断" in page and DATABASE_UNAVAILABLE in page
    assert "server closed" not in page and "Traceback" not in page
    assert response.headers["Retry-After"] == "30"
