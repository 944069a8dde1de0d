"""Import targets and monitoring files into a cycle, and read them back through the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from pydantic import BaseModel

from anju.collect.entry import EntryError, read_value
from anju.collect.regions import RegionTree
from anju.collect.rows import EntryRow
from anju.decimals import plain
from anju.framework.models import Framework
from anju.monitoring import Monitoring, MonitoringError, RoundAssessment, assess_round, assess_year, entries
from anju.monitoring.loader import check_monitoring
from anju.problems import ProblemsError
from anju.targets import Targets, TargetsError, check_targets
from anju.yamlio import YamlDocument, YamlError, dump_yaml, parse_yaml, validate_model
from anju_web.accounts.policy import authorize, has
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import record
from anju_web.performance.models import YearPlan
from anju_web.regions.models import Region
from anju_web.regions.source import region_tree
from anju_web.submissions.models import Cycle

VIEW = "performance.view_yearplan"
CHANGE = "performance.change_yearplan"
MAX_BYTES = 5 * 1024 * 1024


class YearFileRejected(Exception):
    """An uploaded targets or monitoring file that is not accepted; ``problems`` are Chinese sentences."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class YearData:
    targets: Targets
    monitoring: Monitoring | None
    framework: Framework
    tree: RegionTree

    def dates(self) -> list[dt.date]:
        return [d.date for d in self.monitoring.dates] if self.monitoring is not None else []

    def reported(self) -> list[dt.date]:
        return sorted(r.date for r in self.monitoring.rounds) if self.monitoring is not None else []

    def assess(self, day: dt.date) -> RoundAssessment:
        assert self.monitoring is not None
        return assess_round(self.monitoring, self.targets, self.framework, self.tree, day)

    def rounds(self) -> list[RoundAssessment]:
        if self.monitoring is None:
            return []
        return assess_year(self.monitoring, self.targets, self.framework, self.tree)


def _text(upload: UploadedFile) -> tuple[str, str]:
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    if (upload.size or 0) > MAX_BYTES:
        raise YearFileRejected([f"{name}：文件过大（上限 {MAX_BYTES // (1024 * 1024)} MB）"])
    try:
        return name, b"".join(upload.chunks()).decode("utf-8")
    except UnicodeDecodeError:
        raise YearFileRejected([f"{name}：不是 UTF-8 编码的 YAML 文本文件"]) from None


ModelT = TypeVar("ModelT", bound=BaseModel)


def _parse(text: str, name: str, model: type[ModelT], error: type[ProblemsError], what: str) -> tuple[ModelT, YamlDocument]:
    try:
        doc = parse_yaml(text, name)
        return validate_model(doc, model, error, what), doc
    except (YamlError, ProblemsError) as exc:
        raise YearFileRejected([str(p) for p in exc.problems]) from None


def read_targets(cycle: Cycle, text: str, name: str = "targets.yaml") -> Targets:
    """The targets of ``text``, checked against the cycle's framework and region tree."""
    targets, doc = _parse(text, name, Targets, TargetsError, "绩效目标文件")
    if targets.year != cycle.year:
        raise YearFileRejected([f"{name}：文件的年度（{targets.year}）与本评价年度（{cycle.year}）不符"])
    problems = check_targets(targets, cycle.framework, region_tree(cycle.region_id), doc)
    if problems:
        raise YearFileRejected([str(p) for p in problems])
    return targets


def read_monitoring(cycle: Cycle, targets: Targets, text: str, name: str = "monitoring.yaml") -> Monitoring:
    monitoring, doc = _parse(text, name, Monitoring, MonitoringError, "监控文件")
    problems = check_monitoring(monitoring, cycle.framework, targets, region_tree(cycle.region_id), doc)
    if problems:
        raise YearFileRejected([str(p) for p in problems])
    return monitoring


def year_data(cycle: Cycle) -> YearData | None:
    plan = YearPlan.objects.filter(cycle=cycle).first()
    if plan is None:
        return None
    targets = read_targets(cycle, plan.targets, plan.targets_name)
    monitoring = read_monitoring(cycle, targets, plan.monitoring, plan.monitoring_name) if plan.monitoring else None
    return YearData(targets, monitoring, cycle.framework, region_tree(cycle.region_id))


def import_targets(user: Any, cycle: Cycle, upload: UploadedFile) -> Targets:
    authorize(user, CHANGE, cycle.region)
    name, text = _text(upload)
    targets = read_targets(cycle, text, name)
    plan = YearPlan.objects.filter(cycle=cycle).first()
    if plan is not None and plan.monitoring:
        read_monitoring(cycle, targets, plan.monitoring, plan.monitoring_name)  # the rounds must still fit
    with transaction.atomic():
        plan, _ = YearPlan.objects.update_or_create(cycle=cycle, defaults={"targets": text, "targets_name": name,
                                                                           "updated_by": user})
        record(user, AuditAction.targets_imported, _plan_target(cycle, plan), field="绩效目标文件", new=name,
               note=f"{len(targets.programs)} 个项目的绩效目标")
    return targets


def _plan_target(cycle: Cycle, plan: YearPlan, region: Region | None = None) -> AuditTarget:
    label = f"{cycle}绩效目标与监控" if region is None else f"{region.name}{cycle.year}年度监控填报"
    return AuditTarget(AuditObject.year_plan, plan.pk, label, region=region or cycle.region, cycle_id=cycle.pk)


def import_monitoring(user: Any, cycle: Cycle, upload: UploadedFile) -> Monitoring:
    authorize(user, CHANGE, cycle.region)
    plan = YearPlan.objects.filter(cycle=cycle).first()
    if plan is None:
        raise YearFileRejected(["请先导入绩效目标，再导入监控数据"])
    name, text = _text(upload)
    monitoring = read_monitoring(cycle, read_targets(cycle, plan.targets, plan.targets_name), text, name)
    with transaction.atomic():
        plan.monitoring, plan.monitoring_name, plan.updated_by = text, name, user
        plan.save()
        record(user, AuditAction.monitoring_imported, _plan_target(cycle, plan), field="监控数据文件", new=name)
    return monitoring


FILL = "submissions.fill_submission"
REVIEW = ("submissions.review_submission", "submissions.approve_submission")
"""地级市审核 or 省级审定 over the unit: either may return (退回) a unit's monitoring report."""
REASON_MAX = 2000


def may_report(user: Any, region: Any) -> bool:
    """A unit's clerk for the unit, or the province for any unit it sees."""
    return has(user, FILL, region) or has(user, CHANGE, region)


def may_review(user: Any, region: Any = None) -> bool:
    """A prefecture reviewer for its counties, the province for every unit (``region`` None: anywhere)."""
    return any(has(user, permission, region) for permission in REVIEW)


@dataclass(frozen=True)
class FormRow:
    """One value a unit enters for a monitoring date: a row of the engine's list
    (:func:`anju.monitoring.entries.report_values`, the monitoring workbook's rows too) with its form field name."""

    name: str
    label: str
    unit: str
    target: str
    """The unit's yearly target (its part of the breakdown), “—” for money."""
    row: EntryRow


def unit_programs(data: YearData, code: str) -> list[str]:
    """The programs the unit reports on (those it has targets for), as the monitoring workbook has them."""
    assert data.monitoring is not None
    return entries.unit_programs(data.monitoring, data.targets, code)


def unit_rows(data: YearData, program_id: str, code: str) -> list[FormRow]:
    """Budget, spending and the progress on each target that adds up, read through the one value reader."""
    assert data.monitoring is not None
    values = entries.report_values(data.framework, data.monitoring, data.targets, program_id, code)
    return [FormRow(f"{program_id}-{v.key.replace(':', '-')}", v.label, v.unit,
                    plain(v.target) if v.target is not None else "—", v.entry) for v in values]


def _round_data(plan: YearPlan, day: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    data = parse_yaml(plan.monitoring, plan.monitoring_name).data
    rounds = data.setdefault("rounds", [])
    found = next((r for r in rounds if str(r.get("date")) == day.isoformat()), None)
    if found is None:
        found = {"date": day.isoformat(), "reports": {}}
        rounds.append(found)
        rounds.sort(key=lambda r: str(r.get("date")))
    return data, found


def _explanations(program_id: str, posted: Any) -> list[dict[str, Any]]:
    """The reason and measure typed for each warning (fields ``reason::program::rule::indicator``)."""
    found = []
    for key in posted:
        if not key.startswith(f"reason::{program_id}::"):
            continue
        rule, indicator = key.split("::")[2:4]
        reason = str(posted.get(key, "")).strip()
        measure = str(posted.get(f"measure::{program_id}::{rule}::{indicator}", "")).strip()
        if reason or measure:
            answer: dict[str, Any] = {"rule": rule, "reason": reason, "measure": measure}
            if indicator:
                answer["indicator"] = indicator
            found.append(answer)
    return found


def _program_from_form(current: YearData, program_id: str, code: str, posted: Any,
                       problems: list[str]) -> dict[str, Any] | None:
    """One program's report from the form (None when the unit left it blank); problems are appended."""
    values: dict[str, Decimal] = {}
    label = current.framework.program(program_id).label
    for form_row in unit_rows(current, program_id, code):
        try:
            value = read_value(form_row.row, posted.get(form_row.name, ""))
        except EntryError as exc:
            problems.append(f"{label}“{form_row.label}”：{exc.message}")
            continue
        if isinstance(value, Decimal):
            values[form_row.name.removeprefix(f"{program_id}-")] = value
        elif value is not None:
            problems.append(f"{label}“{form_row.label}”：请填写数值")
    if "budget" not in values and "spent" not in values:
        return None
    if "budget" not in values or "spent" not in values:
        problems.append(f"{label}：预算和实际支出须同时填写")
        return None
    progress = {k.removeprefix("progress-"): v for k, v in values.items() if k.startswith("progress-")}
    return {"budget": values["budget"], "spent": values["spent"], "progress": progress,
            "explanations": _explanations(program_id, posted)}


def save_unit_report(user: Any, cycle: Cycle, day: dt.date, code: str, posted: Any, *, submit: bool = False) -> list[str]:
    """Store a unit's report for ``day`` from a form; returns the problems (nothing stored when there are
    any). ``submit`` also marks it 报送 — refused while a warning lacks its reason or measure (the
    figures and answers typed are kept)."""
    region = Region.objects.get(pk=code)
    if not may_report(user, region):
        authorize(user, FILL, region)
    plan = YearPlan.objects.get(cycle=cycle)
    current = year_data(cycle)
    if current is None or current.monitoring is None or day not in current.dates():
        raise YearFileRejected(["不是声明的监控日期"])
    problems: list[str] = []
    programs = {p: r for p in unit_programs(current, code) if (r := _program_from_form(current, p, code, posted, problems))}
    if problems:
        return problems
    data, round_ = _round_data(plan, day)
    previous = round_["reports"].get(code) or {}
    report: dict[str, Any] = {"programs": programs}
    if previous.get("submitted") and not submit:
        report["submitted"] = previous["submitted"]
    if previous.get("returned"):
        report["returned"] = previous["returned"]  # still returned until the unit submits again
    round_["reports"][code] = report
    monitoring = read_monitoring(cycle, current.targets, dump_yaml(data), plan.monitoring_name)
    blocking: list[str] = []
    if submit:
        assessment = assess_round(monitoring, current.targets, current.framework, current.tree, day)
        blocking = [p.message for p in assessment.problems if p.is_error and p.where.unit == code]
        if not blocking:
            report["submitted"] = dt.date.today().isoformat()
            report.pop("returned", None)
    text = dump_yaml(data)
    read_monitoring(cycle, current.targets, text, plan.monitoring_name)
    with transaction.atomic():
        plan.monitoring, plan.updated_by = text, user
        plan.save()
        reported = submit and not blocking
        record(user, AuditAction.monitoring_reported if reported else AuditAction.monitoring_saved,
               _plan_target(cycle, plan, region), field=f"{day.month}月{day.day}日监控",
               old=_summary(current.framework, previous.get("programs") or {}),
               new=_summary(current.framework, programs),
               note="退回后重新报送" if reported and previous.get("returned") else "")
    return blocking


def return_unit_report(user: Any, cycle: Cycle, day: dt.date, code: str, reason: str) -> None:
    """A reviewer sends a unit's submitted report for ``day`` back with ``reason`` (退回): it is no longer
    报送 until the unit corrects it and submits again; the unit sees the reason in its list."""
    region = Region.objects.get(pk=code)
    if not may_review(user, region):
        authorize(user, REVIEW[0], region)
    reason = reason.strip()
    if not reason:
        raise YearFileRejected(["请填写退回原因"])
    if len(reason) > REASON_MAX:
        raise YearFileRejected([f"退回原因过长（上限 {REASON_MAX} 字）"])
    plan = YearPlan.objects.get(cycle=cycle)
    current = year_data(cycle)
    if current is None or current.monitoring is None or day not in current.dates():
        raise YearFileRejected(["不是声明的监控日期"])
    data, round_ = _round_data(plan, day)
    report = round_["reports"].get(code)
    if not report or not report.get("submitted"):
        raise YearFileRejected([f"{region.name}{day.month}月{day.day}日的监控情况尚未报送，不能退回"])
    del report["submitted"]
    report["returned"] = {"date": dt.date.today().isoformat(), "reason": reason}
    text = dump_yaml(data)
    read_monitoring(cycle, current.targets, text, plan.monitoring_name)
    with transaction.atomic():
        plan.monitoring, plan.updated_by = text, user
        plan.save()
        record(user, AuditAction.returned, _plan_target(cycle, plan, region), field=f"{day.month}月{day.day}日监控",
               old="已报送", new="已退回", note=reason)


def _summary(framework: Framework, programs: dict[str, Any]) -> str:
    """What a unit reported for one date, as the log shows it: program labels, never ids."""
    lines = []
    for program in framework.programs:
        report = programs.get(program.id)
        if not report:
            continue
        lines.append(f"{program.label}：预算{plain(Decimal(report['budget']))}万元，实际支出{plain(Decimal(report['spent']))}万元，"
                     f"目标进度{len(report.get('progress') or {})}项，预警说明{len(report.get('explanations') or [])}条")
    return "；".join(lines)
