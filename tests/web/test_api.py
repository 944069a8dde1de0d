"""The JSON API: OpenAPI documentation, token authentication, the same services and errors."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anju_web.accounts.services import issue_token
from anju_web.audit.models import AuditAction, AuditEvent, AuditObject
from anju_web.submissions import workflow
from anju_web.submissions.models import Status

from .conftest import client_for, stored, unit, user

pytestmark = pytest.mark.django_db


def test_openapi_documents_the_main_objects(client):
    schema = json.loads(client.get("/api/openapi.json").content)
    paths = set(schema["paths"])
    for expected in ["/api/submissions/{submission_id}", "/api/submissions/{submission_id}/figures",
                     "/api/submissions/{submission_id}/transitions", "/api/cycles/{cycle_id}/judgements",
                     "/api/cycles/{cycle_id}/evaluations", "/api/cycles/{cycle_id}/evaluations/latest",
                     "/api/cycles/{cycle_id}/adjustments", "/api/audit", "/api/cycles/{cycle_id}/evidence"]:
        assert expected in paths
    assert "BearerToken" in json.dumps(schema["components"]["securitySchemes"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "swagger-ui-bundle.js" in body and "cdn" not in body.lower()


def test_token_authentication_and_scope(cycle):
    token = issue_token(user("clerk-220122"), "数据对接")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    me = json.loads(api.get("/api/me").content)
    assert me["role"] == "county_clerk" and me["region"] == "220122"
    # The clerk sees the province's cycle through its own unit, and only its own submission in it.
    [seen] = json.loads(api.get("/api/cycles").content)
    assert (seen["id"], seen["region"], seen["deadline"]) == (cycle.pk, "220000", cycle.deadline.isoformat())
    assert [s["region"] for s in json.loads(api.get(f"/api/cycles/{cycle.pk}/submissions").content)] == ["220122"]
    assert api.get(f"/api/submissions/{unit(cycle, '220221').pk}").status_code == 404
    assert Client(HTTP_AUTHORIZATION="Bearer anju_wrong").get("/api/me").status_code == 401


def test_fill_validate_and_submit_through_the_api(cycle):
    token = issue_token(user("clerk-220122"), "对接")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    sub = unit(cycle, "220122")
    bad = api.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps({"version": sub.version, "figures": [
        {"program": "rental", "figure": "violations", "value": "0.5"},
        {"program": "rental", "figure": "nonexistent", "value": "1"},
    ]}), content_type="application/json")
    assert bad.status_code == 422
    problems = {(p["where"]["program"], p["where"]["figure"]): p for p in json.loads(bad.content)["problems"]}
    assert set(problems) == {("rental", "violations"), ("rental", "nonexistent")}
    assert problems[("rental", "violations")]["code"] == "NOT_WHOLE" and problems[("rental", "violations")]["severity"] == "error"
    assert "应为整数" in problems[("rental", "violations")]["message"]
    assert problems[("rental", "nonexistent")]["code"] == "REFERENCE_UNKNOWN"
    figures = [{"program": "rental", "figure": "violations", "value": "1"},
               {"program": "rental", "figure": "total_funds", "value": stored(sub, "rental", "total_funds")}]
    ok = api.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps({"version": sub.version, "figures": figures}),
                 content_type="application/json")
    assert ok.status_code == 200
    detail = json.loads(ok.content)
    assert detail["errors"] == 0 and len(detail["figures"]) == 61
    stale = api.put(f"/api/submissions/{sub.pk}/figures", data=json.dumps({"version": sub.version, "figures": figures[:1]}),
                    content_type="application/json")
    assert stale.status_code == 409
    submitted = api.post(f"/api/submissions/{sub.pk}/transitions", data=json.dumps({"verb": "submit"}),
                         content_type="application/json")
    assert submitted.status_code == 200 and json.loads(submitted.content)["status"] == Status.submitted
    again = api.post(f"/api/submissions/{sub.pk}/transitions", data=json.dumps({"verb": "submit"}),
                     content_type="application/json")
    assert again.status_code == 409 and "不能提交" in json.loads(again.content)["detail"]
    reviewer = client_for("reviewer-220100")
    returned = reviewer.post(f"/api/submissions/{sub.pk}/transitions", data=json.dumps(
        {"verb": "return", "items": [{"program": "rental", "figure": "subsidy_paid", "reason": "请核对"}]}),
        content_type="application/json")
    assert returned.status_code == 200
    assert json.loads(returned.content)["returns"][0]["reason"] == "请核对"
    assert AuditEvent.objects.filter(object_type=AuditObject.submission, action=AuditAction.returned,
                                     actor__username="reviewer-220100").exists()


def test_evaluation_through_the_api(cycle):
    evaluator = client_for("evaluator-finance")
    run = evaluator.post(f"/api/cycles/{cycle.pk}/evaluations", data="{}", content_type="application/json")
    assert run.status_code == 201
    body = json.loads(run.content)
    assert body["totals"] == {"rental": "88", "renovation": "85", "shantytown": "93"} and body["current"] is True
    rental = next(p for p in body["evaluation"]["programs"] if p["id"] == "rental")
    assert rental["dimensions"][0]["children"][0]["metric"]["formula"]
    bad = evaluator.put(f"/api/cycles/{cycle.pk}/judgements/renovation/outputs.policies",
                        data=json.dumps({"version": 1, "points": "1"}), content_type="application/json")
    assert bad.status_code == 409 and "理由" in json.loads(bad.content)["detail"]
    good = evaluator.put(f"/api/cycles/{cycle.pk}/judgements/renovation/outputs.policies",
                         data=json.dumps({"version": 1, "points": "1", "reason": "配套政策尚不完善"}),
                         content_type="application/json")
    assert good.status_code == 200
    latest = json.loads(evaluator.get(f"/api/cycles/{cycle.pk}/evaluations/latest").content)
    assert latest["current"] is False
    supervisor = client_for("supervisor")
    adjustment = supervisor.post(f"/api/cycles/{cycle.pk}/adjustments", data=json.dumps(
        {"program": "renovation", "item_path": "outputs.policies", "proposed_score": "0", "reason": "未见文件"}),
        content_type="application/json")
    assert adjustment.status_code == 201 and json.loads(adjustment.content)["self_score"] == "2"


def test_problems_are_one_vocabulary_in_the_api(cycle):
    """A submission's validation, a run's checks and every refusal carry the same problem shape."""
    api = client_for("clerk-220122")
    sub = unit(cycle, "220122")
    total = Decimal(stored(sub, "rental", "total_funds")) + 1
    saved = api.put(f"/api/submissions/{sub.pk}/figures", content_type="application/json",
                    data=json.dumps({"version": sub.version,
                                     "figures": [{"program": "rental", "figure": "total_funds", "value": str(total)}]}))
    assert saved.status_code == 200
    issue = next(i for i in json.loads(saved.content)["issues"] if i["code"] == "rental_funds_parts")
    assert (issue["severity"], issue["severity_label"], issue["where"]["program"]) == ("error", "错误", "rental")
    assert issue["where"]["unit"] == "220122" and issue["where"]["line"] is None
    refused = api.post(f"/api/submissions/{sub.pk}/transitions", data=json.dumps({"verb": "submit"}),
                       content_type="application/json")
    assert refused.status_code == 409
    assert set(json.loads(refused.content)) == {"detail", "problems"} and "错误须先改正" in json.loads(refused.content)["detail"]
    unknown = api.post(f"/api/submissions/{sub.pk}/transitions", data=json.dumps({"verb": "delete"}),
                       content_type="application/json")
    assert unknown.status_code == 422  # the verbs are the transition table's, declared in the schema
    [problem] = json.loads(unknown.content)["problems"]
    assert problem["code"] == "FIELD_INVALID" and problem["message"].startswith("“verb”应为以下之一：")
    assert problem["message"] == "“verb”应为以下之一：" + "、".join(v.value for v in workflow.Verb)
    schema = json.loads(api.get("/api/openapi.json").content)
    verbs = schema["components"]["schemas"]["Verb"]["enum"]
    assert set(verbs) == {t.verb.value for t in workflow.TRANSITIONS}
    run = json.loads(client_for("evaluator-finance").get(f"/api/cycles/{cycle.pk}/evaluations/latest").content)
    assert run["issues"] and {"code", "severity", "severity_label", "message", "where"} <= set(run["issues"][0])


def test_evidence_download_links_resolve(cycle):
    clerk = client_for("clerk-220122")
    sub = unit(cycle, "220122")
    clerk.post(f"/cycles/{cycle.pk}/evidence/upload/", {
        "region": "220122", "title": "台账", "next": f"/submissions/{sub.pk}/",
        "file": SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
    })
    [listed] = json.loads(clerk.get(f"/api/cycles/{cycle.pk}/evidence").content)
    assert listed["download"] == f"/evidence/{listed['id']}/download/"
    assert clerk.get(listed["download"]).status_code == 200
