"""双监控: time progress, declared deviation rules, projected scores, explanations that block a round."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from anju.collect.regions import RegionTree
from anju.framework import Framework
from anju.monitoring import Level, Monitoring, MonitoringError, assess_round, load_monitoring, time_progress
from anju.monitoring.models import Monitoring as MonitoringModel
from anju.problems import MonitoringCode
from anju.targets import Targets

from .conftest import raw, write

JUNE = dt.date(2022, 6, 30)
SEPTEMBER = dt.date(2022, 9, 30)
CHANGCHUN = "220100"


def test_time_progress_is_the_share_of_days_elapsed() -> None:
    assert time_progress(JUNE) == D("49.59")  # 181 / 365
    assert time_progress(SEPTEMBER) == D("74.79")  # 273 / 365
    assert time_progress(dt.date(2022, 12, 31)) == D(100)
    assert time_progress(dt.date(2024, 6, 30)) == D("49.73")  # 182 / 366


def _model(data: dict[str, Any]) -> Monitoring:
    return MonitoringModel.model_validate(data)


def _june_report(data: dict[str, Any], code: str = CHANGCHUN) -> dict[str, Any]:
    report: dict[str, Any] = data["rounds"][0]["reports"][code]["programs"]["rental"]
    return report


def test_the_example_rounds_can_be_submitted(monitoring: Monitoring, targets: Targets, framework: Framework,
                                             tree: RegionTree) -> None:
    for day in (JUNE, SEPTEMBER):
        assessment = assess_round(monitoring, targets, framework, tree, day)
        assert not assessment.blocked
        assert assessment.warnings and all(w.explained for w in assessment.warnings)
        assert len([u for u in assessment.units if u.reported]) == 48
    june = assess_round(monitoring, targets, framework, tree, JUNE)
    renovation = june.total.programs["renovation"].execution
    assert renovation is not None and renovation.level is Level.red and renovation.projection is not None
    assert renovation.projection.score == 0


def test_execution_behind_time_progress_raises_the_declared_warning_with_the_projected_score(
        targets: Targets, framework: Framework, tree: RegionTree) -> None:
    data = raw("monitoring.yaml")
    report = _june_report(data)
    report["spent"] = report["budget"] * D("0.1")  # 10% executed when 49.59% of the year has gone
    assessment = assess_round(_model(data), targets, framework, tree, JUNE)
    status = assessment.unit(CHANGCHUN).programs["rental"]
    assert status.execution is not None and status.execution.rate == D(10) and status.execution.level is Level.red
    [warning] = [w for w in status.warnings if w.indicator is None]
    assert warning.rule == "execution_far_behind" and warning.level is Level.red
    assert warning.message == ("截至2022年6月30日预算执行率10%，落后时序进度（49.6%）39.6个百分点；按当前进度，"
                               "年末执行率预计约20%，“预算执行”指标将得0分（满分3分）")


def test_the_rules_are_data(targets: Targets, framework: Framework, tree: RegionTree) -> None:
    data = raw("monitoring.yaml")
    report = _june_report(data)
    report["spent"] = report["budget"] * D("0.35")  # 14.59 points behind
    assessment = assess_round(_model(data), targets, framework, tree, JUNE)
    [warning] = [w for w in assessment.unit(CHANGCHUN).programs["rental"].warnings if w.indicator is None]
    assert warning.rule == "execution_behind" and warning.level is Level.amber
    assert "年末执行率预计约71%，“预算执行”指标将得1分" in warning.message
    for rule in data["rules"]:
        if rule["kind"] == "execution_behind":
            rule["behind"] = 15
    relaxed = assess_round(_model(data), targets, framework, tree, JUNE)
    assert not [w for w in relaxed.unit(CHANGCHUN).programs["rental"].warnings if w.indicator is None]
    assert relaxed.unit(CHANGCHUN).programs["rental"].execution.level is Level.green  # type: ignore[union-attr]


def test_a_target_projected_to_be_missed_speaks_in_points(targets: Targets, framework: Framework,
                                                          tree: RegionTree) -> None:
    data = raw("monitoring.yaml")
    report = _june_report(data)
    report["progress"]["rental_housing"] = 1160  # 20% of 长春's 5799 when 40% is the declared path
    assessment = assess_round(_model(data), targets, framework, tree, JUNE)
    [warning] = [w for w in assessment.unit(CHANGCHUN).programs["rental"].warnings if w.indicator == "rental_housing"]
    assert warning.rule == "target_at_risk"
    assert warning.message == ("按当前进度，“保障性租赁住房筹集套数”年末预计约2900套，达不到目标≥5799套，"
                               "“保障性租赁住房计划完成率”指标将得5分（满分10分）")


def test_a_warning_without_reason_blocks_the_round(targets: Targets, framework: Framework, tree: RegionTree) -> None:
    data = raw("monitoring.yaml")
    report = _june_report(data)
    assert report["explanations"]
    report["explanations"] = [{**e, "measure": ""} for e in report["explanations"]]
    assessment = assess_round(_model(data), targets, framework, tree, JUNE)
    assert assessment.blocked
    blocking = [p for p in assessment.problems if p.is_error]
    assert blocking and all(p.code == MonitoringCode.EXPLANATION_MISSING for p in blocking)
    assert all(p.where.unit == CHANGCHUN for p in blocking)
    assert "长春市（市本级及市辖区）住房租赁保障：预警“预算执行进度滞后于时序进度”（预算执行）缺少纠偏措施，本轮监控情况不能报送" \
        in [p.message for p in blocking]


def test_a_unit_missing_from_a_round_is_named(targets: Targets, framework: Framework, tree: RegionTree) -> None:
    data = raw("monitoring.yaml")
    del data["rounds"][0]["reports"]["222426"]
    assessment = assess_round(_model(data), targets, framework, tree, JUNE)
    missing = [p for p in assessment.problems if p.code == MonitoringCode.UNIT_MISSING]
    assert [p.message for p in missing] == ["安图县尚未报送2022年6月30日的监控情况"]
    assert not assessment.blocked


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda d: d["rounds"][0].update(date="2022-07-01"), "不是声明的监控日期"),
    (lambda d: d["rules"].append(dict(d["rules"][0])), "偏离规则编号“execution_far_behind”重复"),
    (lambda d: d["rounds"][0]["reports"]["220100"]["programs"]["rental"]["explanations"][0].update(rule="nope"),
     "没有编号为“nope”的偏离规则"),
    (lambda d: d["rounds"][0]["reports"]["220100"]["programs"]["rental"]["progress"].update(nope=1),
     "绩效目标中没有指标“nope”"),
    (lambda d: d["programs"]["rental"].update(spent="nope"), "指标体系中没有数据项“nope”"),
    (lambda d: d["rules"][0].update(level="purple"), "不在允许范围内"),
])
def test_bad_monitoring_files_are_refused_at_their_line(tmp_path: Path, framework: Framework, targets: Targets,
                                                         tree: RegionTree, edit: object, expected: str) -> None:
    data = raw("monitoring.yaml")
    edit(data)  # type: ignore[operator]
    path = write(tmp_path / "monitoring.yaml", data)
    with pytest.raises(MonitoringError) as caught:
        load_monitoring(path, framework, targets, tree)
    messages = [p.message for p in caught.value.problems]
    assert any(expected in m for m in messages), messages
    assert all(p.where.line > 0 for p in caught.value.problems)
