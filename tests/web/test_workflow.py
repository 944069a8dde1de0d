"""The submission workflow through its service functions: the collection module's validation,
returns with threads, acceptance, approval, locking, reopening — each step in the audit log."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from anju.collect.regions import builtin_region_tree
from anju.collect.units import load_units
from anju_web.audit.models import AuditAction, AuditEvent, AuditObject
from anju_web.submissions import workflow
from anju_web.submissions.inputs import RowInput
from anju_web.submissions.models import EntryState, FigureEntry, ReturnStatus, Status
from anju_web.submissions.services import (
    FigureErrors,
    NotEditable,
    StaleVersion,
    reply_to_return,
    save_figures,
)
from anju_web.submissions.units import layout_of, unit_report, validate

from .conftest import EXAMPLE, rows, stored, unit

pytestmark = pytest.mark.django_db


def test_stored_report_is_the_example_and_passes_the_rules(cycle):
    sub = unit(cycle, "220122")
    units = load_units(EXAMPLE / "units.yaml", cycle.framework, builtin_region_tree("220000"))
    assert unit_report(sub).programs == units.units["220122"].programs
    assert validate(sub) == []


def test_form_rows_follow_the_unit_layout(cycle):
    county = {(s.program.id, r.spec.id): r for s in layout_of(unit(cycle, "220122")).sheets for r in s.rows}
    city = {(s.program.id, r.spec.id): r for s in layout_of(unit(cycle, "220100")).sheets for r in s.rows}
    # Prefecture-level cities answer the yes/no questions the province counts; counties do not.
    assert ("renovation", "cities_issuing_bonds") in city and city[("renovation", "cities_issuing_bonds")].question
    assert ("renovation", "cities_issuing_bonds") not in county
    assert ("renovation", "prefecture_cities_with_task") not in county


def test_blank_zero_and_not_applicable_are_stored_distinctly(cycle, users):
    sub = unit(cycle, "220122")
    save_figures(users["county_clerk"], sub, {
        ("rental", "violations"): RowInput("0"),
        ("rental", "quality_problems"): RowInput(""),
        ("rental", "target_new_rental"): RowInput(None, not_applicable=True),
    })
    entries = {(e.program, e.figure_id): e for e in FigureEntry.objects.filter(submission=sub)}
    assert entries[("rental", "violations")].state == EntryState.value
    assert entries[("rental", "violations")].value == Decimal(0)
    assert entries[("rental", "quality_problems")].state == EntryState.blank
    assert entries[("rental", "target_new_rental")].state == EntryState.not_applicable
    codes = {(p.program, p.code, p.figure) for p in sub.problems}
    assert ("rental", "REQUIRED_BLANK", "quality_problems") in codes
    assert ("rental", "REQUIRED_BLANK", "violations") not in codes
    assert ("rental", "REQUIRED_BLANK", "target_new_rental") not in codes


def test_bad_input_saves_nothing_and_names_every_row(cycle, users):
    sub = unit(cycle, "220122")
    before = AuditEvent.objects.count()
    version = sub.version
    with pytest.raises(FigureErrors) as excinfo:
        save_figures(users["county_clerk"], sub, {
            ("rental", "total_funds"): RowInput("100"),
            ("rental", "violations"): RowInput("1.5"),
            ("rental", "satisfaction_rate"): RowInput("120"),
            ("rental", "central_funds"): RowInput("abc"),
            ("rental", "county_funds"): RowInput("-3"),
            ("rental", "central_budget"): RowInput(None, not_applicable=True),
            ("renovation", "cities_issuing_bonds"): RowInput("是"),
        })
    errors = excinfo.value.errors
    assert set(errors) == {("rental", "violations"), ("rental", "satisfaction_rate"), ("rental", "central_funds"),
                           ("rental", "county_funds"), ("rental", "central_budget"), ("renovation", "cities_issuing_bonds")}
    assert "应为整数" in errors[("rental", "violations")]
    assert "应在0—100之间" in errors[("rental", "satisfaction_rate")]
    assert "应为非负数" in errors[("rental", "county_funds")]
    assert "不能填“不适用”" in errors[("rental", "central_budget")]
    assert "没有数据项" in errors[("renovation", "cities_issuing_bonds")]
    sub.refresh_from_db()
    assert sub.version == version and AuditEvent.objects.count() == before


def test_errors_block_submission_and_warnings_need_an_explanation(cycle, users):
    clerk = users["county_clerk"]
    sub = unit(cycle, "220122")
    total = stored(sub, "rental", "total_funds")
    planned = Decimal(stored(sub, "rental", "subsidy_planned"))
    save_figures(clerk, sub, {
        ("rental", "total_funds"): RowInput(str(Decimal(total) + 1)),  # ≠ central + county: an error
        ("rental", "subsidy_paid"): RowInput(str(planned * 2)),  # twice the plan: a warning
    })
    codes = {(p.severity, p.code) for p in sub.problems}
    assert ("error", "rental_funds_parts") in codes
    assert ("warning", "subsidy_vs_plan") in codes
    with pytest.raises(workflow.TransitionError, match="错误须先改正"):
        workflow.submit(clerk, sub)
    save_figures(clerk, sub, rows(rental__total_funds=total), expected_version=sub.version)
    with pytest.raises(workflow.TransitionError, match="警告尚未在“情况说明”中说明"):
        workflow.submit(clerk, sub)
    save_figures(clerk, sub, {("rental", "subsidy_paid"): RowInput(str(planned * 2), explanation="含上年结转户数")})
    assert next(p for p in sub.problems if p.code == "subsidy_vs_plan").explained
    workflow.submit(clerk, sub)
    sub.refresh_from_db()
    assert sub.status == Status.submitted and sub.submitted_at is not None
    note = AuditEvent.objects.get(field="rental.subsidy_paid.情况说明")
    assert note.new_value == "含上年结转户数"


def test_no_task_clears_a_program_and_refuses_figures_beside_it(cycle, users):
    clerk = users["county_clerk"]
    sub = unit(cycle, "220122")
    with pytest.raises(FigureErrors, match="无此项任务"):
        save_figures(clerk, sub, rows(shantytown__planned_units="5"), no_task={"shantytown"})
    save_figures(clerk, sub, {}, no_task={"shantytown"})
    assert sub.no_task == ["shantytown"]
    assert not FigureEntry.objects.filter(submission=sub, program="shantytown").exclude(state=EntryState.blank).exists()
    assert unit_report(sub).program("shantytown").no_task
    assert sub.issues == []
    assert AuditEvent.objects.filter(field="shantytown.无此项任务", new_value="是").exists()
    assert AuditEvent.objects.filter(field="shantytown.planned_units", new_value="空白", note="无此项任务").exists()


def test_stale_version_is_refused(cycle, users):
    sub = unit(cycle, "220122")
    version = sub.version
    save_figures(users["county_clerk"], sub, rows(rental__violations="1"), expected_version=version)
    with pytest.raises(StaleVersion):
        save_figures(users["county_clerk"], sub, rows(rental__violations="2"), expected_version=version)


def test_whole_cycle_with_a_return_and_a_reopening(cycle, users):
    clerk, reviewer, evaluator = users["county_clerk"], users["prefecture_reviewer"], users["province_evaluator"]
    sub = unit(cycle, "220122")
    workflow.submit(clerk, sub)
    with pytest.raises(NotEditable):
        save_figures(clerk, sub, rows(rental__violations="2"))
    with pytest.raises(workflow.TransitionError, match="至少指明一个数据项"):
        workflow.return_items(reviewer, sub, [])
    with pytest.raises(workflow.TransitionError, match="须说明理由"):
        workflow.return_items(reviewer, sub, [workflow.ReturnItem("rental", "subsidy_paid", "  ")])
    workflow.return_items(reviewer, sub, [workflow.ReturnItem("rental", "subsidy_paid", "与台账不符，请核对")])
    sub.refresh_from_db()
    assert sub.status == Status.returned
    item = sub.returns.get()
    assert item.status == ReturnStatus.open and item.reason == "与台账不符，请核对"
    old = stored(sub, "rental", "subsidy_paid")
    new = str(Decimal(old) - 1)
    save_figures(clerk, sub, rows(rental__subsidy_paid=new))
    with pytest.raises(workflow.TransitionError, match="尚未回复"):
        workflow.submit(clerk, sub)
    reply_to_return(clerk, item, f"已按台账改为 {new} 户")
    workflow.submit(clerk, sub)
    with pytest.raises(workflow.TransitionError, match="不能审定（须在“地级市已审核”状态）"):
        workflow.approve(evaluator, sub)
    workflow.accept(reviewer, sub)
    item.refresh_from_db()
    assert item.status == ReturnStatus.resolved and item.resolved_by == reviewer
    workflow.approve(evaluator, sub)
    workflow.lock_submission(evaluator, sub)
    sub.refresh_from_db()
    assert sub.status == Status.locked
    with pytest.raises(NotEditable):
        save_figures(clerk, sub, rows(rental__violations="2"))
    with pytest.raises(workflow.TransitionError, match="须说明理由"):
        workflow.reopen(evaluator, sub, "")
    workflow.reopen(evaluator, sub, "监管局复核发现补贴户数有误")
    sub.refresh_from_db()
    assert sub.status == Status.draft and sub.approved_at is None
    statuses = list(
        AuditEvent.objects.filter(object_type=AuditObject.submission, object_id=str(sub.pk), field="状态")
        .order_by("at", "pk").values_list("action", "old_value", "new_value")
    )
    assert statuses == [
        (AuditAction.submitted, "草稿", "已提交"),
        (AuditAction.returned, "已提交", "已退回"),
        (AuditAction.submitted, "已退回", "已提交"),
        (AuditAction.accepted, "已提交", "地级市已审核"),
        (AuditAction.approved, "地级市已审核", "省级已审定"),
        (AuditAction.locked, "省级已审定", "已锁定"),
        (AuditAction.reopened, "已锁定", "草稿"),
    ]
    assert [AuditAction(a).label for a, _, _ in statuses] == ["提交", "退回", "提交", "审核通过", "审定", "锁定", "重新打开"]
    reopen = AuditEvent.objects.filter(object_type=AuditObject.submission, action=AuditAction.reopened).get()
    assert reopen.note == "监管局复核发现补贴户数有误"
    figure_change = AuditEvent.objects.filter(object_type=AuditObject.figure, field="rental.subsidy_paid").latest("pk")
    assert (figure_change.old_value, figure_change.new_value) == (old, new)
    assert figure_change.actor_label == "李明（农安县财政局 市县填报员）"


def test_province_can_return_an_accepted_submission(cycle, users):
    sub = unit(cycle, "220221")  # 永吉县: accepted by 吉林市 in the demo data
    assert sub.status == Status.accepted
    workflow.return_items(users["province_evaluator"], sub, [workflow.ReturnItem("renovation", "started_area", "面积口径有误")])
    sub.refresh_from_db()
    assert sub.status == Status.returned


def test_roles_and_scope_are_enforced_by_the_verbs(cycle, users):
    sub = unit(cycle, "220122")
    workflow.submit(users["county_clerk"], sub)
    other = unit(cycle, "220221")  # 永吉县, 吉林市: outside 长春's reviewer and 农安's clerk
    with pytest.raises(Http404):
        save_figures(users["county_clerk"], other, rows(rental__violations="0"))
    with pytest.raises(Http404):
        workflow.accept(users["prefecture_reviewer"], other)
    with pytest.raises(PermissionDenied):
        workflow.accept(users["county_clerk"], sub)
    with pytest.raises(PermissionDenied):
        workflow.accept(users["supervision_reviewer"], sub)
    with pytest.raises(PermissionDenied):
        workflow.approve(users["prefecture_reviewer"], sub)
    with pytest.raises(PermissionDenied):
        save_figures(users["province_evaluator"], sub, rows(rental__violations="0"))
    with pytest.raises(PermissionDenied):
        save_figures(users["administrator"], sub, rows(rental__violations="0"))
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
    # Each row carries its own guard and effect: there is no second table keyed by verb.
    assert {t.verb for t in workflow.TRANSITIONS} == set(workflow.Verb)
    tables = [name for name, v in vars(workflow).items()
              if not name.startswith("__") and isinstance(v, dict) and any(callable(f) for f in v.values())]
    assert tables == []
    returns = [t for t in workflow.TRANSITIONS if t.verb == workflow.Verb.return_]
    assert {t.effect for t in returns} == {workflow._open_returns}
    assert workflow.VERB_LABELS["return"] == "退回" == AuditAction.returned.label
