"""Every role against every page and API endpoint: refused ones answer 403 or 404 and change
nothing; permitted ones are reached (tested both ways)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anju_web.audit.models import AuditEvent
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.services import attach
from anju_web.reviews import services as review_services
from anju_web.reviews.models import Comment, EvaluationRun, Judgement, Narrative, ScoreAdjustment
from anju_web.submissions import workflow
from anju_web.submissions.models import (
    Cycle,
    FigureEntry,
    ItemReturn,
    ReturnMessage,
    Submission,
)

from .conftest import ROLE_USERS, client_for, unit

pytestmark = pytest.mark.django_db

ROLES = list(ROLE_USERS)
ALL = frozenset(ROLES)
PROVINCE_WIDE = frozenset({"province_evaluator", "supervision_reviewer", "administrator"})
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class Action:
    name: str
    method: str
    url: str
    allowed: frozenset[str]
    data: Any = None
    json: bool = False


def build_world() -> dict[str, Any]:
    """农安县 (own unit of the clerk, inside 长春) returned with one item; evidence on 永吉县
    (吉林市, outside the clerk's and the 长春 reviewer's scope); a comment and an adjustment."""
    from django.contrib.auth import get_user_model

    users = {role: get_user_model().objects.get(username=name) for role, name in ROLE_USERS.items()}
    cycle = Cycle.objects.get(year=2022)
    own = unit(cycle, "220122")
    workflow.submit(users["county_clerk"], own)
    workflow.return_items(users["prefecture_reviewer"], own, [workflow.ReturnItem("rental", "subsidy_paid", "请核对")])
    foreign = unit(cycle, "220221")
    Submission.objects.filter(pk=foreign.pk).update(status="draft")  # editable, so its clerk can attach evidence
    from django.contrib.auth.models import User

    foreign_clerk = User.objects.create_user("clerk-220221", password="x" * 12)
    from anju_web.accounts.roles import Role
    from anju_web.accounts.services import assign_role

    assign_role(foreign_clerk, Role.county_clerk, foreign.region)
    evidence = attach(foreign_clerk, cycle, foreign.region, SimpleUploadedFile("台账.pdf", PDF, "application/pdf"))
    comment = review_services.add_comment(users["supervision_reviewer"], cycle, "请说明预算执行率口径")
    adjustment = review_services.propose_adjustment(
        users["supervision_reviewer"], cycle, program_id="rental", item_path="fund_management.fund_raising",
        proposed="4", reason="口径不一致",
    )
    return {"cycle": cycle, "own": own, "foreign": foreign, "evidence": evidence, "comment": comment,
            "adjustment": adjustment, "return": own.returns.get()}


def actions(world: dict[str, Any]) -> list[Action]:
    c, own, foreign = world["cycle"].pk, world["own"].pk, world["foreign"].pk
    figure = {"version": "999", "f-rental-violations": "3"}
    return [
        Action("本单位填报页", "get", f"/submissions/{own}/", ALL),
        Action("他单位填报页", "get", f"/submissions/{foreign}/", PROVINCE_WIDE),
        Action("保存本单位数据", "post", f"/submissions/{own}/save/", frozenset({"county_clerk"}), figure),
        Action("保存他单位数据", "post", f"/submissions/{foreign}/save/", frozenset(), figure),
        Action("提交", "post", f"/submissions/{own}/submit/", frozenset({"county_clerk"})),
        Action("地级市审核通过", "post", f"/submissions/{own}/accept/", frozenset({"prefecture_reviewer"})),
        Action("退回", "post", f"/submissions/{own}/return/", frozenset({"prefecture_reviewer", "province_evaluator"}),
               {"return-item-0": "rental:violations", "return-reason-0": "x"}),
        Action("审定", "post", f"/submissions/{own}/approve/", frozenset({"province_evaluator"})),
        Action("锁定", "post", f"/submissions/{own}/lock/", frozenset({"province_evaluator"})),
        Action("重新打开", "post", f"/submissions/{own}/reopen/", frozenset({"province_evaluator"}), {"reason": "x"}),
        Action("上传 Excel 填报表", "post", f"/submissions/{own}/upload/", frozenset({"county_clerk"})),
        Action("下载本单位填报表", "get", f"/submissions/{own}/template.xlsx", ALL),
        Action("下载他单位填报表", "get", f"/submissions/{foreign}/template.xlsx", PROVINCE_WIDE),
        Action("回复退回项", "post", f"/returns/{world['return'].pk}/reply/",
               frozenset({"county_clerk", "prefecture_reviewer", "province_evaluator"}), {"text": ""}),
        Action("评价计分页", "get", f"/cycles/{c}/evaluation/", PROVINCE_WIDE),
        Action("评价判断页", "get", f"/cycles/{c}/judgements/", PROVINCE_WIDE),
        Action("统计图表", "get", f"/cycles/{c}/dashboard/", PROVINCE_WIDE),
        Action("报送情况", "get", f"/cycles/{c}/board/", ALL),
        Action("下载评分表", "get", f"/cycles/{c}/documents/score-table/", PROVINCE_WIDE),
        Action("运行计分", "post", f"/cycles/{c}/evaluation/run/", frozenset({"province_evaluator"})),
        Action("审定评价结果", "post", f"/cycles/{c}/evaluation/sign/", frozenset({"province_evaluator"})),
        Action("修改判断", "post", f"/cycles/{c}/judgements/rental/fund_management.fund_distribution/",
               frozenset({"province_evaluator"}), {"clause-method": "unmet", "clause-timely": "met", "reason": "x"}),
        Action("提出调整建议", "post", f"/cycles/{c}/adjustments/", frozenset({"supervision_reviewer"}),
               {"item": "rental:fund_management.fund_use", "proposed": "1", "reason": "x"}),
        Action("答复调整建议", "post", f"/adjustments/{world['adjustment'].pk}/respond/", frozenset({"province_evaluator"}),
               {"decision": "accept", "response": ""}),
        Action("提出意见", "post", f"/cycles/{c}/comments/", frozenset({"province_evaluator", "supervision_reviewer"}),
               {"text": ""}),
        Action("办结意见", "post", f"/comments/{world['comment'].pk}/resolve/", frozenset({"province_evaluator"})),
        Action("修改截止日期", "post", f"/cycles/{c}/deadline/", frozenset({"administrator"}), {"deadline": "bad"}),
        Action("审计日志", "get", "/audit/", ALL),
        Action("导出审计日志", "get", "/audit/export.csv",
               frozenset({"prefecture_reviewer", "province_evaluator", "supervision_reviewer", "administrator"})),
        Action("上传本单位佐证", "post", f"/cycles/{c}/evidence/upload/", frozenset({"county_clerk"}),
               {"region": "220122", "next": "/"}),
        Action("上传省级佐证", "post", f"/cycles/{c}/evidence/upload/", frozenset({"province_evaluator"}),
               {"region": "220000", "next": "/"}),
        Action("下载他单位佐证", "get", f"/evidence/{world['evidence'].pk}/download/", PROVINCE_WIDE),
        Action("系统管理", "get", "/admin/", frozenset({"administrator"})),
        Action("系统管理：用户", "get", "/admin/auth/user/", frozenset({"administrator"})),
        # JSON API
        Action("接口：本单位填报", "get", f"/api/submissions/{own}", ALL),
        Action("接口：他单位填报", "get", f"/api/submissions/{foreign}", PROVINCE_WIDE),
        Action("接口：保存数据", "put", f"/api/submissions/{own}/figures", frozenset({"county_clerk"}),
               {"version": 999, "figures": [{"program": "rental", "figure": "violations", "value": "3"}]}, json=True),
        Action("接口：保存他单位数据", "put", f"/api/submissions/{foreign}/figures", frozenset(),
               {"version": 999, "figures": [{"program": "rental", "figure": "violations", "value": "3"}]}, json=True),
        Action("接口：审核通过", "post", f"/api/submissions/{own}/transitions", frozenset({"prefecture_reviewer"}),
               {"verb": "accept"}, json=True),
        Action("接口：审定", "post", f"/api/submissions/{own}/transitions", frozenset({"province_evaluator"}),
               {"verb": "approve"}, json=True),
        Action("接口：判断", "get", f"/api/cycles/{c}/judgements", PROVINCE_WIDE),
        Action("接口：修改判断", "put", f"/api/cycles/{c}/judgements/rental/fund_management.fund_use",
               frozenset({"province_evaluator"}), {"version": 999, "points": "1"}, json=True),
        Action("接口：运行计分", "post", f"/api/cycles/{c}/evaluations", frozenset({"province_evaluator"}), {}, json=True),
        Action("接口：评价结果", "get", f"/api/cycles/{c}/evaluations/latest", PROVINCE_WIDE),
        Action("接口：提出调整", "post", f"/api/cycles/{c}/adjustments", frozenset({"supervision_reviewer"}),
               {"program": "rental", "item_path": "fund_management.fund_use", "proposed_score": "99", "reason": "x"},
               json=True),
        Action("接口：提出意见", "post", f"/api/cycles/{c}/comments", frozenset({"province_evaluator", "supervision_reviewer"}),
               {"text": " "}, json=True),
        Action("接口：他单位填报意见", "post", f"/api/cycles/{c}/comments", frozenset({"province_evaluator", "supervision_reviewer"}),
               {"text": " ", "submission": foreign}, json=True),
        Action("接口：审计日志", "get", "/api/audit", ALL),
    ]


def snapshot() -> str:
    """Everything a refused request could have changed."""
    state = {
        "audit": AuditEvent.objects.count(),
        "figures": list(FigureEntry.objects.order_by("pk").values_list("pk", "state", "value", "explanation")),
        "submissions": list(Submission.objects.order_by("pk").values_list("pk", "status", "version")),
        "judgements": list(Judgement.objects.order_by("pk").values_list("pk", "points", "clauses", "reason")),
        "narrative": list(Narrative.objects.order_by("pk").values_list("pk", "text")),
        "runs": EvaluationRun.objects.count(),
        "adjustments": list(ScoreAdjustment.objects.order_by("pk").values_list("pk", "status")),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "resolved_at")),
        "evidence": EvidenceFile.objects.count(),
        "returns": list(ItemReturn.objects.order_by("pk").values_list("pk", "status")),
        "messages": ReturnMessage.objects.count(),
        "cycles": list(Cycle.objects.order_by("pk").values_list("pk", "deadline", "signed_at")),
    }
    return hashlib.sha256(json.dumps(state, default=str, sort_keys=True).encode()).hexdigest()


def send(client: Any, action: Action) -> Any:
    if action.json:
        return getattr(client, action.method)(action.url, data=json.dumps(action.data), content_type="application/json")
    if action.method == "get":
        return client.get(action.url)
    data = dict(action.data or {})
    if action.url.endswith("/evidence/upload/"):
        data["file"] = SimpleUploadedFile("x.pdf", PDF, "application/pdf")
    return client.post(action.url, data=data)


@pytest.mark.parametrize("role", ROLES)
def test_refused_requests_change_nothing(role: str) -> None:
    world = build_world()
    client = client_for(ROLE_USERS[role])
    refused = [a for a in actions(world) if role not in a.allowed]
    assert len(refused) >= 10, role
    for action in refused:
        before = snapshot()
        response = send(client, action)
        assert response.status_code in (403, 404), f"{role} → {action.name} {action.url}: {response.status_code}"
        assert snapshot() == before, f"{role} → {action.name} changed data"


@pytest.mark.parametrize("role", ROLES)
def test_permitted_requests_are_reached(role: str) -> None:
    world = build_world()
    client = client_for(ROLE_USERS[role])
    for action in actions(world):
        if role not in action.allowed:
            continue
        response = send(client, action)
        assert response.status_code not in (403, 404, 500), f"{role} → {action.name}: {response.status_code}"
        if action.method == "get":
            assert response.status_code == 200, f"{role} → {action.name}: {response.status_code}"


def test_anonymous_users_are_sent_to_login_or_refused(client: Any) -> None:
    world = build_world()
    for action in actions(world):
        before = snapshot()
        response = send(client, action)
        if action.url.startswith("/api/"):
            assert response.status_code == 401, action.name
        else:
            assert response.status_code == 302 and "/login/" in response["Location"], action.name
        assert snapshot() == before


def test_scoped_lists_show_only_what_a_role_may_see() -> None:
    build_world()
    clerk = client_for("clerk-220122")
    reviewer = client_for("reviewer-220100")
    board = reviewer.get(f"/cycles/{Cycle.objects.get().pk}/board/").content.decode()
    assert "农安县" in board and "榆树市" in board and "永吉县" not in board
    api_rows = json.loads(clerk.get(f"/api/cycles/{Cycle.objects.get().pk}/submissions").content)
    assert [r["region"] for r in api_rows] == ["220122"]
    audit_regions = {row["region"] for row in json.loads(clerk.get("/api/audit?limit=1000").content)}
    assert audit_regions == {"220122"}
    reviewer_regions = {row["region"] for row in json.loads(reviewer.get("/api/audit?limit=1000").content)}
    assert "220221" not in reviewer_regions and "220122" in reviewer_regions
