"""Judging and scoring go through the engine: the dataset assembled from the database scores
exactly as the example does from its YAML; judgement changes move scores and are audited."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import docx
import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from anju.dataset import load_dataset
from anju.scoring import EvaluationError, evaluate
from anju_web.audit.models import AuditAction, AuditEvent, AuditObject
from anju_web.reports import documents
from anju_web.reviews import services
from anju_web.reviews.assembly import assemble
from anju_web.reviews.models import EvaluationRun, Judgement, ScoreAdjustment
from anju_web.submissions import workflow
from anju_web.submissions.models import Status, Submission

from .conftest import EXAMPLE

pytestmark = pytest.mark.django_db


def test_assembled_dataset_scores_like_the_example(cycle):
    expected_dataset, framework = load_dataset(EXAMPLE)
    assembled = assemble(cycle).dataset
    for program_id, data in expected_dataset.programs.items():
        got = assembled.programs[program_id]
        assert got.figures == data.figures
        # the web keeps no internal note (judgements.*.note, for the 核对清单) yet
        assert got.judgements == {path: j.model_copy(update={"note": None}) for path, j in data.judgements.items()}
        assert got.narrative == data.narrative
        assert got.stated == data.stated
    expected = evaluate(framework, expected_dataset)
    actual = evaluate(framework, assembled)
    assert [(p.id, p.score) for p in actual.programs] == [("rental", 88), ("renovation", 85), ("shantytown", 93)]
    assert [(p.id, p.score) for p in actual.programs] == [(p.id, p.score) for p in expected.programs]
    for program in expected.programs:
        for item in program.items():
            assert actual.program(program.id).item(item.path).score == item.score


def test_run_stores_the_engine_result_and_audits_changed_scores(cycle, users):
    evaluator = users["province_evaluator"]
    first = services.latest_run(cycle)
    assert first is not None and first.totals == {"rental": "88", "renovation": "85", "shantytown": "93"}
    assert services.run_is_current(cycle, first)
    services.save_judgement(evaluator, cycle, "rental", "project_management.project_pipeline",
                            clauses={"demand_survey": True, "target_approved": False, "annual_plan": True},
                            reason="十四五目标尚未经省政府批准")
    assert not services.run_is_current(cycle, first)
    outcome = services.run_evaluation(evaluator, cycle)
    assert outcome.run.totals["rental"] == "84"
    assert outcome.changed_scores == 3  # the item, its dimension and the program total
    changes = AuditEvent.objects.filter(object_type=AuditObject.score, object_id=str(outcome.run.pk))
    by_field = {e.field: (e.old_value, e.new_value) for e in changes}
    assert by_field["rental.project_management.project_pipeline"] == ("10", "6")
    assert by_field["rental.project_management"] == ("15", "11")
    assert "未达到" in AuditEvent.objects.filter(object_type=AuditObject.judgement, field="要点 target_approved").get().new_value


def test_engine_refusal_saves_nothing(cycle, users):
    evaluator = users["province_evaluator"]
    before = Judgement.objects.get(cycle=cycle, program="renovation", item_path="outputs.policies")
    audit_count = AuditEvent.objects.count()
    with pytest.raises(services.ReviewError) as excinfo:
        services.save_judgement(evaluator, cycle, "renovation", "outputs.policies", points=Decimal(1), reason="")
    assert "理由" in str(excinfo.value)
    after = Judgement.objects.get(pk=before.pk)
    assert after.points == before.points and after.reason == before.reason
    assert AuditEvent.objects.count() == audit_count


def test_judgement_shape_is_checked(cycle, users):
    evaluator = users["province_evaluator"]
    with pytest.raises(services.ReviewError, match="没有评分要点"):
        services.save_judgement(evaluator, cycle, "rental", "fund_management.fund_distribution", clauses={"nope": True})
    with pytest.raises(services.ReviewError, match="只能评为达到或未达到"):
        services.save_judgement(evaluator, cycle, "rental", "fund_management.fund_distribution",
                                clauses={"method": Decimal(1)})
    with pytest.raises(services.ReviewError, match="按数据计分"):
        services.save_judgement(evaluator, cycle, "rental", "fund_management.fund_raising", points=Decimal(5))
    with pytest.raises(PermissionDenied):
        services.save_judgement(users["supervision_reviewer"], cycle, "rental", "fund_management.fund_distribution",
                                clauses={"method": True, "timely": True})


def test_unscorable_data_is_reported_not_stored(cycle, users):
    Judgement.objects.filter(cycle=cycle, program="rental", item_path="fund_management.fund_distribution").delete()
    runs = EvaluationRun.objects.count()
    with pytest.raises(EvaluationError) as excinfo:
        services.run_evaluation(users["province_evaluator"], cycle)
    assert any((p.where.program, p.where.item) == ("rental", "fund_management.fund_distribution")
               for p in excinfo.value.problems)
    assert EvaluationRun.objects.count() == runs


def test_adjustments_sit_beside_the_self_evaluation(cycle, users):
    supervisor, evaluator = users["supervision_reviewer"], users["province_evaluator"]
    path = "fund_management.budget_execution.execution_rate"
    adjustment = services.propose_adjustment(supervisor, cycle, program_id="renovation", item_path=path,
                                             proposed="1", reason="预算执行率按年末数应为62%，应得部分分")
    run = services.latest_run(cycle)
    assert run is not None
    assert adjustment.self_score == run.evaluation().program("renovation").item(path).score == 0
    # review m4: no no-op adjustment, none on a sum of indicators, no 1_328
    with pytest.raises(services.ReviewError, match="相同，无需调整"):
        services.propose_adjustment(supervisor, cycle, program_id="renovation", item_path=path, proposed="0", reason="x")
    with pytest.raises(services.ReviewError, match="汇总指标"):
        services.propose_adjustment(supervisor, cycle, program_id="renovation", item_path="fund_management",
                                    proposed="1", reason="x")
    with pytest.raises(services.ReviewError, match="应为数值"):
        services.propose_adjustment(supervisor, cycle, program_id="renovation", item_path=path, proposed="1_0", reason="x")
    with pytest.raises(services.ReviewError, match="0到"):
        services.propose_adjustment(supervisor, cycle, program_id="renovation", item_path=path, proposed="99", reason="x")
    with pytest.raises(services.ReviewError, match="说明理由"):
        services.propose_adjustment(supervisor, cycle, program_id="renovation", item_path=path, proposed="1", reason=" ")
    with pytest.raises(PermissionDenied):
        services.propose_adjustment(evaluator, cycle, program_id="renovation", item_path=path, proposed="1", reason="x")
    services.respond_adjustment(evaluator, adjustment, accept=True, response="同意，按重新计算的执行率计分")
    adjustment.refresh_from_db()
    assert adjustment.get_status_display() == "省级已采纳"
    # The adjustment never changes the engine's score.
    assert services.latest_run(cycle).totals == {"rental": "88", "renovation": "85", "shantytown": "93"}
    assert ScoreAdjustment.objects.count() == 1


def test_signing_needs_every_unit_approved_then_locks_them(cycle, users):
    evaluator = users["province_evaluator"]
    with pytest.raises(services.ReviewError, match="还有 7 个单位"):
        services.sign_cycle(evaluator, cycle)
    Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).update(status=Status.approved)
    services.sign_cycle(evaluator, cycle)
    cycle.refresh_from_db()
    assert cycle.signed_at is not None
    assert not Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).exclude(status=Status.locked).exists()
    with pytest.raises(services.ReviewError, match="已审定"):
        services.save_judgement(evaluator, cycle, "rental", "fund_management.fund_distribution",
                                clauses={"method": True, "timely": True})
    # Reopening one unit is recorded and takes the signature back.
    sub = Submission.objects.get(cycle=cycle, region__pk="220122")
    workflow.reopen(evaluator, sub, "数据更正")
    cycle.refresh_from_db()
    assert cycle.signed_at is None
    assert AuditEvent.objects.filter(action=AuditAction.signature_withdrawn, note__contains="数据更正").exists()


def test_documents_carry_the_run_totals(cycle):
    run = services.latest_run(cycle)
    assert run is not None
    workbook = openpyxl.load_workbook(io.BytesIO(documents.build_score_table(cycle, run)), data_only=True)
    # the sendable 附件5: one sheet per program ending in its 合计 row
    totals = {ws.title: Decimal(str(row[2])) for ws in workbook.worksheets
              for row in ws.iter_rows(values_only=True) if row[0] == "合计"}
    assert totals == {"住房租赁保障": 88, "城镇老旧小区改造": 85, "城市棚户区改造": 93}
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(documents.build_docx(cycle, run))).paragraphs)
    assert docx_totals(text) == {"住房租赁保障": Decimal(88), "城镇老旧小区改造": Decimal(85), "城市棚户区改造": Decimal(93)}
    appendix = openpyxl.load_workbook(io.BytesIO(documents.build_appendix(cycle, run)))
    cells = {str(c.value) for ws in appendix.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert {"长春市", "延边朝鲜族自治州"} <= cells  # one row per prefecture-level unit


def docx_totals(text: str) -> dict[str, Decimal]:
    return {m.group(1): Decimal(m.group(2)) for m in re.finditer(r"(住房租赁保障|城镇老旧小区改造|城市棚户区改造)绩效评价得分([0-9.]+)分", text)}


def test_pdf_where_libreoffice_is_installed(cycle):
    from anju.adapters.report.pdf import soffice_path

    if soffice_path() is None:
        pytest.skip("未安装 LibreOffice（soffice），PDF 不可用；其余文书照常生成")
    run = services.latest_run(cycle)
    assert run is not None
    pdf = documents.build_pdf(cycle, run)
    assert pdf.startswith(b"%PDF")
