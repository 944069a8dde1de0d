"""The API covers what the pages do (review m10): reply to a return, 审定, answer an adjustment,
close a comment, upload evidence, and download documents and evidence with a token — the same
services, permissions and refusals as the pages."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anju_web.accounts.services import issue_token
from anju_web.evidence.models import EvidenceFile
from anju_web.reviews import services
from anju_web.reviews.models import Comment, ScoreAdjustment
from anju_web.submissions import workflow
from anju_web.submissions.models import ReturnStatus, Status, Submission

from .conftest import unit, user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _api(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user(username), '对接')}")


def _post(api: Client, path: str, body: object) -> object:
    return api.post(path, data=json.dumps(body), content_type="application/json")


def test_a_clerk_replies_to_a_return_through_the_api(cycle):
    sub = unit(cycle, "220122")
    workflow.submit(user("clerk-220122"), sub)
    workflow.return_items(user("reviewer-220100"), sub, [workflow.ReturnItem("rental", "violations", "请核对违规户数")])
    item = sub.returns.get()
    clerk = _api("clerk-220122")
    response = _post(clerk, f"/api/returns/{item.pk}/replies", {"text": "已核对，原数据无误，附台账"})
    assert response.status_code == 201, response.content
    assert response.json()["messages"] == ["已核对，原数据无误，附台账"]
    empty = _post(clerk, f"/api/returns/{item.pk}/replies", {"text": ""})
    assert empty.status_code == 422 and empty.json()["problems"]
    # another unit's clerk does not see the return at all
    assert _post(_api("clerk-220182"), f"/api/returns/{item.pk}/replies", {"text": "看看"}).status_code == 404
    assert _post(clerk, "/api/returns/999999/replies", {"text": "x"}).status_code == 404
    item.status = ReturnStatus.resolved
    item.save()
    assert _post(clerk, f"/api/returns/{item.pk}/replies", {"text": "再说一句"}).status_code == 409


def test_sign_answer_and_resolve_through_the_api(cycle):
    evaluator, supervisor = _api("evaluator-finance"), _api("supervisor")
    refused = evaluator.post(f"/api/cycles/{cycle.pk}/sign")
    assert refused.status_code == 409 and "还有" in refused.json()["detail"]
    assert supervisor.post(f"/api/cycles/{cycle.pk}/sign").status_code == 403
    # an adjustment, answered by the province
    path = "fund_management.budget_execution.execution_rate"
    adjustment = services.propose_adjustment(user("supervisor"), cycle, program_id="renovation", item_path=path,
                                             proposed="1", reason="按年末数计")
    assert _post(supervisor, f"/api/adjustments/{adjustment.pk}/answer", {"accept": True}).status_code == 403
    answered = _post(evaluator, f"/api/adjustments/{adjustment.pk}/answer", {"accept": False, "response": "维持原分"})
    assert answered.status_code == 200 and answered.json()["response"] == "维持原分"
    assert ScoreAdjustment.objects.get(pk=adjustment.pk).status == "rejected"
    assert _post(evaluator, f"/api/adjustments/{adjustment.pk}/answer", {"accept": True}).status_code == 409
    # a comment, closed by the province
    comment = services.add_comment(user("supervisor"), cycle, "请补充资金拨付凭证")
    assert supervisor.post(f"/api/comments/{comment.pk}/resolve").status_code == 403
    closed = evaluator.post(f"/api/comments/{comment.pk}/resolve")
    assert closed.status_code == 200 and closed.json()["resolved"] is True
    assert Comment.objects.get(pk=comment.pk).resolved_at is not None
    assert evaluator.post(f"/api/comments/{comment.pk}/resolve").status_code == 409
    # 审定 once every unit is approved
    Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).update(status=Status.approved)
    services.run_evaluation(user("evaluator-finance"), cycle)
    signed = evaluator.post(f"/api/cycles/{cycle.pk}/sign")
    assert signed.status_code == 200, signed.content
    assert signed.json()["signed_at"]


def test_evidence_upload_and_downloads_with_a_token(cycle):
    clerk = _api("clerk-220122")
    upload = clerk.post(f"/api/cycles/{cycle.pk}/evidence", {
        "region": "220122", "title": "资金台账", "program": "rental", "item_path": "fund_management.fund_use",
        "file": SimpleUploadedFile("资金台账.pdf", PDF, "application/pdf")})
    assert upload.status_code == 201, upload.content
    body = upload.json()
    assert body["title"] == "资金台账" and EvidenceFile.objects.filter(pk=body["id"]).exists()
    # its download link works with the same token, and not with a wrong one
    download = clerk.get(body["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert Client(HTTP_AUTHORIZATION="Bearer anju_wrong").get(body["download"]).status_code == 401
    # not for another unit's region, and not a disguised file
    other = clerk.post(f"/api/cycles/{cycle.pk}/evidence", {
        "region": "220182", "file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")})
    assert other.status_code == 404
    fake = clerk.post(f"/api/cycles/{cycle.pk}/evidence", {
        "region": "220122", "file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert fake.status_code == 422 and fake.json()["detail"].startswith("未上传")
    # documents with an evaluator's token; a clerk's token gives no province documents
    evaluator = _api("evaluator-finance")
    document = evaluator.get(f"/cycles/{cycle.pk}/documents/score-table/")
    assert document.status_code == 200 and document.content[:2] == b"PK"
    assert clerk.get(f"/cycles/{cycle.pk}/documents/score-table/").status_code in {403, 404}
    # a token never writes through the pages
    assert evaluator.post(f"/cycles/{cycle.pk}/evaluation/run/").status_code in {302, 403}
