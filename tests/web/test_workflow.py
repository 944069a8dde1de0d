"""The submission workflow through its service functions: validation, returns with threads,
acceptance, approval, locking, reopening — each step recorded in the audit log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from anju_web.audit.models import AuditEvent
from anju_web.submissions import workflow
from anju_web.submissions.models import EntryState, FigureEntry, ReturnStatus, Status
from anju_web.submissions.services import (
    FigureErrors,
    NotEditable,
    StaleVersion,
    explain_warning,
    reply_to_return,
    save_figures,
)

from .conftest import unit, valid_figures

pytestmark = pytest.mark.django_db


def test_complete_consistent_figures_have_no_issues(cycle, users):
    sub = unit(cycle, "220122")
    result = save_figures(users["county_clerk"], sub, valid_figures(cycle))
    assert result.changed == 65
    assert result.issues == []


def test_blank_zero_and_not_applicable_are_stored_distinctly(cycle, users):
    sub = unit(cycle, "220122")
    save_figures(users["county_clerk"], sub, {
        ("rental", "violations"): ("0", False),
        ("rental", "quality_problems"): ("", False),
        ("shantytown", "planned_units"): (None, True),
    })
    entries = {e.figure_id: e for e in FigureEntry.objects.filter(submission=sub)}
    assert entries["violations"].state == EntryState.value and entries["violations"].value == Decimal(0)
    # A blank that was blank before is not a change: no row is written for it.
    assert "quality_problems" not in entries
    assert entries["planned_units"].state == EntryState.not_applicable and entries["planned_units"].value is None
    codes = {(i["program"], i["code"], i["where"]) for i in sub.issues}
    assert ("rental", "BLANK_FIGURE", "quality_problems") in codes
    assert ("rental", "BLANK_FIGURE", "violations") not in codes
    assert ("renovation", "BLANK_FIGURE", "violations") in codes
    assert ("shantytown", "BLANK_FIGURE", "planned_units") not in codes


def test_bad_input_saves_nothing_and_names_every_field(cycle, users):
    sub = unit(cycle, "220122")
    before = AuditEvent.objects.count()
    with pytest.raises(FigureErrors) as excinfo:
        save_figures(users["county_clerk"], sub, {
            ("rental", "total_funds"): ("100", False),
            ("rental", "violations"): ("1.5", False),
            ("rental", "satisfaction_rate"): ("120", False),
            ("rental", "central_funds"): ("abc", False),
            ("rental", "county_funds"): ("-3", False),
        })
    errors = excinfo.value.errors
    assert set(errors) == {("rental", "violations"), ("rental", "satisfaction_rate"), ("rental", "central_funds"),
                           ("rental", "county_funds")}
    assert "应为整数" in errors[("rental", "violations")]
    assert "0到100" in errors[("rental", "satisfaction_rate")]
    assert "不能为负数" in errors[("rental", "county_funds")]
    assert not FigureEntry.objects.filter(submission=sub).exists()
    assert AuditEvent.objects.count() == before


def test_errors_block_submission_and_warnings_need_an_explanation(cycle, users):
    clerk = users["county_clerk"]
    sub = unit(cycle, "220122")
    raw = valid_figures(cycle)
    raw[("rental", "total_funds")] = ("250", False)  # 200 + 100 ≠ 250: an error
    raw[("rental", "rental_units_operated")] = ("20", False)  # 20 of 10 units: share above 100%, a warning
    save_figures(clerk, sub, raw)
    codes = {(i["severity"], i["code"]) for i in sub.issues}
    assert ("error", "PARTS_TOTAL_MISMATCH") in codes
    assert ("warning", "SHARE_ABOVE_100") in codes
    with pytest.raises(workflow.TransitionError, match="错误须先改正"):
        workflow.submit(clerk, sub)
    save_figures(clerk, sub, {("rental", "total_funds"): ("300", False)}, expected_version=sub.version)
    with pytest.raises(workflow.TransitionError, match="警告尚未说明"):
        workflow.submit(clerk, sub)
    warning = next(i for i in sub.issues if i["severity"] == "warning")
    explain_warning(clerk, sub, program=warning["program"], code=warning["code"], where=warning["where"],
                    text="含企业代管的存量住房")
    workflow.submit(clerk, sub)
    sub.refresh_from_db()
    assert sub.status == Status.submitted and sub.submitted_at is not None


def test_stale_version_is_refused(cycle, users):
    sub = unit(cycle, "220122")
    version = sub.version
    save_figures(users["county_clerk"], sub, {("rental", "violations"): ("0", False)}, expected_version=version)
    with pytest.raises(StaleVersion):
        save_figures(users["county_clerk"], sub, {("rental", "violations"): ("1", False)}, expected_version=version)


def _submitted(cycle, users, code="220122"):
    sub = unit(cycle, code)
    save_figures(users["county_clerk"], sub, valid_figures(cycle))
    workflow.submit(users["county_clerk"], sub)
    return sub


def test_whole_cycle_with_a_return_and_a_reopening(cycle, users):
    clerk, reviewer, evaluator = users["county_clerk"], users["prefecture_reviewer"], users["province_evaluator"]
    sub = _submitted(cycle, users)
    with pytest.raises(NotEditable):
        save_figures(clerk, sub, {("rental", "violations"): ("2", False)})
    with pytest.raises(workflow.TransitionError, match="至少指明一个数据项"):
        workflow.return_items(reviewer, sub, [])
    with pytest.raises(workflow.TransitionError, match="须说明理由"):
        workflow.return_items(reviewer, sub, [workflow.ReturnItem("rental", "subsidy_paid", "  ")])
    workflow.return_items(reviewer, sub, [workflow.ReturnItem("rental", "subsidy_paid", "与台账不符，请核对")])
    sub.refresh_from_db()
    assert sub.status == Status.returned
    item = sub.returns.get()
    assert item.status == ReturnStatus.open and item.reason == "与台账不符，请核对"
    save_figures(clerk, sub, {("rental", "subsidy_paid"): ("9", False)})
    with pytest.raises(workflow.TransitionError, match="尚未回复"):
        workflow.submit(clerk, sub)
    reply_to_return(clerk, item, "已按台账改为 9 户")
    workflow.submit(clerk, sub)
    with pytest.raises(workflow.TransitionError, match="不能审定（须在“地级市已审核”状态）"):
        workflow.approve(evaluator, sub)  # wrong state: the prefecture has not accepted yet
    workflow.accept(reviewer, sub)
    item.refresh_from_db()
    assert item.status == ReturnStatus.resolved and item.resolved_by == reviewer
    workflow.approve(evaluator, sub)
    workflow.lock_submission(evaluator, sub)
    sub.refresh_from_db()
    assert sub.status == Status.locked
    with pytest.raises(NotEditable):
        save_figures(clerk, sub, {("rental", "violations"): ("2", False)})
    with pytest.raises(workflow.TransitionError, match="须说明理由"):
        workflow.reopen(evaluator, sub, "")
    workflow.reopen(evaluator, sub, "监管局复核发现补贴户数有误")
    sub.refresh_from_db()
    assert sub.status == Status.draft and sub.approved_at is None
    statuses = list(
        AuditEvent.objects.filter(object_type="submission", object_id=str(sub.pk)).order_by("at", "pk")
        .values_list("action", "old_value", "new_value")
    )
    assert statuses == [
        ("提交", "草稿", "已提交"),
        ("退回", "已提交", "已退回"),
        ("提交", "已退回", "已提交"),
        ("审核通过", "已提交", "地级市已审核"),
        ("审定", "地级市已审核", "省级已审定"),
        ("锁定", "省级已审定", "已锁定"),
        ("重新打开", "已锁定", "草稿"),
    ]
    reopen = AuditEvent.objects.filter(object_type="submission", action="重新打开").get()
    assert reopen.note == "监管局复核发现补贴户数有误"
    figure_change = AuditEvent.objects.filter(object_type="figure", field="rental.subsidy_paid").latest("pk")
    assert (figure_change.old_value, figure_change.new_value) == ("10", "9")
    assert figure_change.actor_label == "李明（农安县财政局 市县填报员）"


def test_province_can_return_an_accepted_submission(cycle, users):
    sub = _submitted(cycle, users)
    workflow.accept(users["prefecture_reviewer"], sub)
    workflow.return_items(users["province_evaluator"], sub, [workflow.ReturnItem("renovation", "started_area", "面积口径有误")])
    sub.refresh_from_db()
    assert sub.status == Status.returned


def test_roles_and_scope_are_enforced_by_the_verbs(cycle, users):
    sub = _submitted(cycle, users)
    other = unit(cycle, "220221")  # 永吉县, 吉林市: outside 长春's reviewer and 农安's clerk
    with pytest.raises(Http404):
        save_figures(users["county_clerk"], other, {("rental", "violations"): ("0", False)})
    with pytest.raises(Http404):
        workflow.accept(users["prefecture_reviewer"], other)
    with pytest.raises(PermissionDenied):
        workflow.accept(users["county_clerk"], sub)
    with pytest.raises(PermissionDenied):
        workflow.accept(users["supervision_reviewer"], sub)
    with pytest.raises(PermissionDenied):
        workflow.approve(users["prefecture_reviewer"], sub)
    with pytest.raises(PermissionDenied):
        save_figures(users["province_evaluator"], sub, {("rental", "violations"): ("0", False)})
    with pytest.raises(PermissionDenied):
        save_figures(users["administrator"], sub, {("rental", "violations"): ("0", False)})
    sub.refresh_from_db()
    assert sub.status == Status.submitted


def test_transition_table_is_the_only_source_of_moves():
    moves = {(t.verb, s, t.target) for t in workflow.TRANSITIONS for s in t.sources}
    assert ("submit", Status.draft, Status.submitted) in moves
    assert ("return", Status.submitted, Status.returned) in moves
    assert ("approve", Status.accepted, Status.approved) in moves
    assert ("reopen", Status.locked, Status.draft) in moves
    assert not any(target == Status.approved and source != Status.accepted for _, source, target in moves)
    assert all(t.needs_reason for t in workflow.TRANSITIONS if t.verb == "reopen")
