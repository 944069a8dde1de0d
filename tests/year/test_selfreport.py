"""The 绩效自评报告: four parts, each from the data, in the official document's styles."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D
from pathlib import Path

from docx import Document

from anju.adapters.monitoring.selfreport import write_self_report
from anju.collect.regions import RegionTree
from anju.dataset import Dataset
from anju.framework import Framework
from anju.monitoring import Monitoring, assess_year
from anju.monitoring.selfreport import (
    PART_TITLES,
    Part,
    SelfReport,
    Table,
    build_self_report,
    report_clause_checks,
)
from anju.scoring import Evaluation
from anju.targets import Targets
from anju.targets.models import ProgramTargets


def _report(targets: Targets, framework: Framework, tree: RegionTree, jilin: tuple[Dataset, Framework],
            evaluation: Evaluation, monitoring: Monitoring) -> SelfReport:
    dataset, _ = jilin
    return build_self_report(targets, framework, tree, dataset, evaluation, monitoring=monitoring,
                             rounds=assess_year(monitoring, targets, framework, tree))


def _text(part: Part) -> str:
    out = [*part.lead]
    for section in part.sections:
        out.append(section.heading)
        for block in section.blocks:
            out.append(block if isinstance(block, str) else " ".join(" ".join(r) for r in block.rows))
    return "\n".join(out)


def test_the_report_has_exactly_the_four_parts(tmp_path: Path, targets: Targets, framework: Framework,
                                               tree: RegionTree, jilin: tuple[Dataset, Framework],
                                               jilin_evaluation: Evaluation, monitoring: Monitoring) -> None:
    report = _report(targets, framework, tree, jilin, jilin_evaluation, monitoring)
    assert [p.heading for p in report.parts] == [f"{n}、{t}" for n, t in zip("一二三四", PART_TITLES, strict=True)]
    path = write_self_report(report, tmp_path / "报告.docx")
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "公文一级标题"]
    assert headings == [p.heading for p in report.parts]
    assert doc.paragraphs[0].text == "吉林省2022年度中央财政城镇保障性安居工程补助资金绩效自评报告"
    assert doc.paragraphs[0].style is not None and doc.paragraphs[0].style.name == "公文标题"
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "吉财建〔2022〕示例号" in body and "下达2022年度中央财政城镇保障性安居工程补助资金195343万元" in body
    assert "预算执行率32.8%，“预算执行率”指标得0分（满分3分）" in body  # the seed's 32.8%
    assert "2022年6月30日绩效运行监控：全省预算执行率9.4%，落后时序进度（49.59%）40.19个百分点" in body
    assert "住房租赁保障满分100分，自评得分88分" in body and "城镇老旧小区改造满分100分，自评得分85分" in body
    assert "城市棚户区改造满分100分，自评得分93分" in body


def test_part_two_changes_with_a_target(targets: Targets, framework: Framework, tree: RegionTree,
                                        jilin: tuple[Dataset, Framework], jilin_evaluation: Evaluation,
                                        monitoring: Monitoring) -> None:
    before = _report(targets, framework, tree, jilin, jilin_evaluation, monitoring)
    rental = targets.programs["rental"]
    raised = [i.model_copy(update={"value": D(95)}) if i.id == "satisfaction" else i for i in rental.indicators]
    changed_rental = ProgramTargets.model_validate({**rental.model_dump(), "indicators": [i.model_dump() for i in raised]})
    changed = targets.model_copy(update={"programs": {**targets.programs, "rental": changed_rental}})
    after = _report(changed, framework, tree, jilin, jilin_evaluation, monitoring)
    assert _text(before.parts[1]) != _text(after.parts[1])
    part_two = _text(after.parts[1])
    assert "租赁住房保障对象满意度：年度指标值≥95%，实际完成94%，未完成年度目标。" in part_two
    assert "8项绩效指标中，7项完成年度指标值，1项未完成（租赁住房保障对象满意度）" in part_two
    assert "租赁住房保障对象满意度实际完成94%，未达到年度指标值≥95%" in _text(after.parts[2])
    assert "租赁住房保障对象满意度≥95%" in _text(after.parts[0])


def test_part_three_quotes_the_units_reasons(targets: Targets, framework: Framework, tree: RegionTree,
                                             jilin: tuple[Dataset, Framework], jilin_evaluation: Evaluation,
                                             monitoring: Monitoring) -> None:
    report = _report(targets, framework, tree, jilin, jilin_evaluation, monitoring)
    rounds = assess_year(monitoring, targets, framework, tree)
    reasons = {w.reason.rstrip("。") for r in rounds for w in r.warnings if w.program == "renovation"}
    text = _text(report.parts[2])
    assert any(reason in text for reason in reasons)
    assert "年度终了，偏离绩效目标的情况：预算执行率32.8%，“预算执行率”指标失3分" in text


def test_the_score_tables_total_the_evaluation(tmp_path: Path, targets: Targets, framework: Framework,
                                               tree: RegionTree, jilin: tuple[Dataset, Framework],
                                               jilin_evaluation: Evaluation, monitoring: Monitoring) -> None:
    report = _report(targets, framework, tree, jilin, jilin_evaluation, monitoring)
    doc = Document(str(write_self_report(report, tmp_path / "报告.docx")))
    totals = [[c.text for c in t.rows[-1].cells] for t in doc.tables if t.rows[0].cells[0].text == "指标"]
    assert totals == [["合计", "100", str(p.score)] for p in jilin_evaluation.programs]
    breakdown = [t for t in doc.tables if t.rows[0].cells[0].text == "市（州）"]
    assert breakdown[0].rows[-1].cells[1].text == "12670"
    tables = [b for p in report.parts for s in p.sections for b in s.blocks if isinstance(b, Table)]
    assert len(breakdown) == sum(1 for t in tables if t.headers[0] == "市（州）") == 3


def test_the_report_submission_clauses_are_checked_on_the_report(targets: Targets, framework: Framework,
                                                                 tree: RegionTree, jilin: tuple[Dataset, Framework],
                                                                 jilin_evaluation: Evaluation,
                                                                 monitoring: Monitoring) -> None:
    report = _report(targets, framework, tree, jilin, jilin_evaluation, monitoring)
    checks = report_clause_checks(report, framework)
    assert len(checks) == 12 and all(c.met for c in checks)  # four parts × three programs
    assert {c.clause for c in checks} == {"part_targets", "part_completion", "part_deviation", "part_result"}
    without_three = dataclasses.replace(report, parts=[*report.parts[:2], report.parts[3]])
    missed = [c for c in report_clause_checks(without_three, framework) if not c.met]
    assert {c.clause for c in missed} == {"part_deviation"} and len(missed) == 3
