"""Whether a stored run is current is a comparison of numbers: every write that changes what the
evaluation is computed from counts on the cycle, the run keeps the count it was computed at, and
no page, API call or signature re-assembles the province to find out. A run's documents rebuild
their per-prefecture rows from the units' batch it stored, through the collection pipeline."""

from __future__ import annotations

import importlib
import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from anju.collect.pipeline import dataset_from_units, prefecture_rows
from anju_web.audit.models import AuditAction, AuditEvent, AuditObject
from anju_web.regions.source import region_tree
from anju_web.reports import documents
from anju_web.reviews import assembly, services
from anju_web.reviews.assembly import appendix_rows, assemble, evaluators_dataset
from anju_web.submissions import workflow
from anju_web.submissions.models import Cycle, Status, Submission
from anju_web.submissions.services import save_figures

from .conftest import client_for, rows, stored, unit

pytestmark = pytest.mark.django_db


def version(cycle: Cycle) -> int:
    return Cycle.objects.get(pk=cycle.pk).data_version


def test_every_write_of_an_evaluation_input_counts_and_nothing_else_does(cycle, users):
    clerk, reviewer, evaluator = users["county_clerk"], users["prefecture_reviewer"], users["province_evaluator"]
    sub = unit(cycle, "220122")
    start = version(cycle)
    save_figures(clerk, sub, rows(rental__violations=stored(sub, "rental", "violations")))
    assert version(cycle) == start, "saving the same value changes nothing"
    save_figures(clerk, sub, rows(rental__violations="1"))
    assert version(cycle) == start + 1
    # Moving a submission along does not change the figures; reopening one voids its approval.
    workflow.submit(clerk, sub)
    workflow.accept(reviewer, sub)
    workflow.approve(evaluator, sub)
    assert version(cycle) == start + 1
    workflow.reopen(evaluator, sub, "复核")
    assert version(cycle) == start + 2
    save_figures(clerk, sub, {}, no_task={"shantytown"})
    assert version(cycle) == start + 3
    save_figures(clerk, sub, {}, no_task=set())
    assert version(cycle) == start + 4
    path = "fund_management.fund_distribution"
    judgement = {"clauses": {"method": True, "timely": False}, "reason": "未及时分配"}
    services.save_judgement(evaluator, cycle, "rental", path, **judgement)
    assert version(cycle) == start + 5
    services.save_judgement(evaluator, cycle, "rental", path, **judgement)
    assert version(cycle) == start + 5, "the same judgement again changes nothing"
    services.save_judgement(evaluator, cycle, "rental", path, **judgement, narrative="资金分配办法已印发，但未按时下达。")
    assert version(cycle) == start + 6, "the narrative is an input of the explanation"
    with pytest.raises(services.ReviewError):
        services.save_judgement(evaluator, cycle, "rental", path, clauses={"method": True, "timely": False})
    assert version(cycle) == start + 6, "a refused judgement is not saved and not counted"


def no_assembly(*args: object, **kwargs: object) -> None:
    raise AssertionError("the province was re-assembled to learn whether a run is current")


def test_currency_is_read_without_assembling_the_province(cycle, users, monkeypatch):
    run = services.latest_run(cycle)
    assert run is not None and run.data_version == version(cycle)
    monkeypatch.setattr(assembly, "assemble", no_assembly)
    monkeypatch.setattr(services, "assemble", no_assembly)
    evaluator = client_for("evaluator-finance")
    page = evaluator.get(f"/cycles/{cycle.pk}/evaluation/").content.decode()
    assert "与当前数据一致" in page
    latest = json.loads(evaluator.get(f"/api/cycles/{cycle.pk}/evaluations/latest").content)
    assert latest["current"] is True and latest["data_version"] == run.data_version
    sub = unit(cycle, "220122")
    save_figures(users["county_clerk"], sub, rows(rental__violations="2"))
    assert "数据或判断已变化" in evaluator.get(f"/cycles/{cycle.pk}/evaluation/").content.decode()
    assert json.loads(evaluator.get(f"/api/cycles/{cycle.pk}/evaluations/latest").content)["current"] is False
    Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).update(status=Status.approved)
    with pytest.raises(services.ReviewError, match="不是按当前数据计算的"):
        services.sign_cycle(users["province_evaluator"], cycle)


def test_signing_checks_the_number_not_the_data(cycle, users, monkeypatch):
    monkeypatch.setattr(assembly, "assemble", no_assembly)
    monkeypatch.setattr(services, "assemble", no_assembly)
    Submission.objects.filter(cycle=cycle).exclude(region=cycle.region).update(status=Status.approved)
    services.sign_cycle(users["province_evaluator"], cycle)
    cycle.refresh_from_db()
    assert cycle.signed_at is not None
    # Locking every approved unit on signing does not make the run it relied on stale.
    assert services.run_is_current(cycle, services.latest_run(cycle))


def test_a_run_from_another_framework_build_is_not_current(cycle):
    run = services.latest_run(cycle)
    assert run is not None and services.run_is_current(cycle, run)
    run.framework_hash = "0" * 64
    assert not services.run_is_current(cycle, run)


def test_documents_rebuild_the_appendix_rows_from_the_run_through_the_pipeline(cycle, users):
    run = services.latest_run(cycle)
    assert run is not None
    # What the run saw, aggregated once more the way the run did it …
    at_run = assemble(cycle)
    tree = region_tree(cycle.region_id)
    result = dataset_from_units(evaluators_dataset(cycle), cycle.framework, at_run.units, tree).result
    expected = prefecture_rows(result, tree)
    # … is what the documents get from the run's stored batch: Decimals, not text.
    rebuilt = appendix_rows(cycle, run.units_file())
    assert rebuilt == expected
    assert [name for name, _ in rebuilt] == [u.name for u in tree.children(tree.code, cycle.year)]
    changchun = dict(rebuilt)["长春市"]["rental"]
    assert all(isinstance(v, Decimal) or v in (None, "not_applicable") for v in changchun.values())
    # A later change of the data leaves the run's documents as they were.
    save_figures(users["county_clerk"], unit(cycle, "220122"), rows(rental__violations="7"))
    assert appendix_rows(cycle, services.latest_run(cycle).units_file()) == expected


def test_a_run_stored_before_data_versions_is_never_current_and_asks_for_a_rerun(cycle):
    run = services.latest_run(cycle)
    assert run is not None
    run.data_version, run.units = None, None
    run.save()
    assert not services.run_is_current(cycle, run)
    with pytest.raises(documents.DocumentUnavailable, match="请重新运行评价"):
        documents.build_appendix(cycle, run)


def test_the_audit_migration_maps_every_stored_wording_to_its_action():
    migration = importlib.import_module("anju_web.audit.migrations.0002_audit_vocabulary")
    # every wording stored before the vocabulary maps to the action that now carries it
    # (actions added later, such as allocation_saved, were never stored as wordings)
    current = {str(label): value for value, label in AuditAction.choices}
    assert migration.ACTIONS and all(current[label] == value for label, value in migration.ACTIONS.items())
    event = AuditEvent.objects.create(actor_label="系统", action="修改数据", object_type=AuditObject.figure,
                                      object_id="1", object_label="旧记录")
    migration.forwards(django_apps, None)
    assert AuditEvent.objects.get(pk=event.pk).get_action_display() == "修改数据"
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.figure_changed
