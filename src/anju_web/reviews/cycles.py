"""Opening an evaluation year (ADR 0012): the cycle, an empty draft per reporting unit of the
region tree of the chosen year, and what is copied from the year before — each unit's 无此项任务,
the province's judgements and 逐项说明 as templates to review, and each unit's figures as the
baseline of the cross-year rules (shown beside every row of the form).

Here, not in the submissions app, because it writes the province's judgements too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from anju.collect.units import UNITS_FILE, UnitReport, UnitsFile, load_units
from anju.dataset import NOT_APPLICABLE, Dataset, load_dataset
from anju_web.accounts.policy import authorize
from anju_web.audit.models import AuditAction
from anju_web.audit.services import record
from anju_web.regions.models import Region
from anju_web.regions.source import region_tree
from anju_web.reviews.models import Judgement, Narrative
from anju_web.submissions.cycles import (
    YEARS,
    CycleRefused,
    baseline_of,
    deadline_refusal,
    framework_choices,
)
from anju_web.submissions.models import (
    ACCEPTED_OR_LATER,
    DONE,
    Cycle,
    EntryState,
    FigureEntry,
    Status,
    Submission,
)
from anju_web.submissions.units import validate


@dataclass(frozen=True)
class CycleRequest:
    """What a new evaluation year is opened with."""

    province: Region
    year: int
    framework_id: str
    deadline: dt.date
    region_year: int | None = None
    previous: Cycle | None = None
    copy_no_task: bool = False
    copy_templates: bool = False
    copy_baseline: bool = False
    title: str = ""


def _check(req: CycleRequest) -> None:
    low, high = YEARS
    if not low <= req.year <= high:
        raise CycleRefused(f"年度应在 {low}—{high} 之间，实为 {req.year}")
    if req.region_year is not None and not low <= req.region_year <= high:
        raise CycleRefused(f"区划版本年份应在 {low}—{high} 之间，实为 {req.region_year}")
    if req.framework_id not in framework_choices():
        raise CycleRefused(f"没有“{req.framework_id}”版指标体系（现有：{'、'.join(framework_choices())}）")
    if req.province.level != "province":
        raise CycleRefused(f"{req.province.name}不是省级单位，不能开启评价年度")
    refusal = deadline_refusal(req.year, req.deadline)
    if refusal:
        raise CycleRefused(refusal)
    if Cycle.objects.filter(region=req.province, year=req.year).exists():
        raise CycleRefused(f"{req.province.name}{req.year}年度已经开启，不能重复开启")
    if req.previous is not None:
        if req.previous.region_id != req.province.pk:
            raise CycleRefused(f"上一年度“{req.previous}”不是{req.province.name}的评价年度")
        if req.previous.year >= req.year:
            raise CycleRefused(f"上一年度“{req.previous}”应早于 {req.year} 年")
    elif req.copy_no_task or req.copy_templates or req.copy_baseline:
        raise CycleRefused("要复制上年的内容，须选择上一评价年度")


@transaction.atomic
def open_cycle(user: Any, req: CycleRequest) -> Cycle:
    """Open the year: the cycle, an empty draft per reporting unit, and what ``req`` copies."""
    authorize(user, "submissions.add_cycle", req.province)
    _check(req)
    cycle = Cycle.objects.create(
        region=req.province, year=req.year, framework_id=req.framework_id,
        title=req.title.strip() or f"{req.province.name}{req.year}年度城镇保障性安居工程绩效评价",
        deadline=req.deadline, region_year=req.region_year, previous=req.previous,
        source=f"由{req.previous}开启" if req.previous else "",
    )
    tree = region_tree(req.province.code)
    before: dict[str, Submission] = {}
    if req.previous is not None:
        before = {s.region_id: s for s in req.previous.submissions.all()}
    framework = cycle.framework
    program_ids = {p.id for p in framework.programs}
    rows = []
    for unit in tree.reporting_units(cycle.tree_year):
        sub = Submission(cycle=cycle, region_id=unit.code)
        last = before.get(unit.code)
        if last is not None and req.copy_no_task:
            sub.no_task = sorted(set(last.no_task) & program_ids)
        if last is not None and req.copy_baseline:
            sub.baseline = baseline_of(last)
        rows.append(sub)
    Submission.objects.bulk_create(rows)
    copied = ""
    if req.previous is not None and req.copy_templates:
        copied = _copy_templates(req.previous, cycle, program_ids)
    parts = [f"指标体系 {cycle.framework_id} 版", f"区划 {cycle.tree_year} 年版", f"报表单位 {len(rows)} 个",
             f"截止 {cycle.deadline:%Y-%m-%d}"]
    if req.previous is not None:
        chosen = [name for flag, name in ((req.copy_no_task, "无此项任务"), (req.copy_templates, "判断和说明模板"),
                                          (req.copy_baseline, "上年数据")) if flag]
        parts.append(f"自{req.previous}复制：{'、'.join(chosen) or '无'}{copied}")
    record(user, AuditAction.cycle_opened, cycle.audit_target(), new="；".join(parts))
    return cycle


def _copy_templates(previous: Cycle, cycle: Cycle, program_ids: set[str]) -> str:
    items = {pid: {path for path, _ in cycle.framework.program(pid).items()} for pid in program_ids}
    judgements = [
        Judgement(cycle=cycle, program=j.program, item_path=j.item_path, points=j.points, clauses=j.clauses,
                  reason=j.reason, evidence=j.evidence)
        for j in previous.judgements.all() if j.item_path in items.get(j.program, set())
    ]
    Judgement.objects.bulk_create(judgements)
    narratives = [
        Narrative(cycle=cycle, program=n.program, item_path=n.item_path, text=n.text)
        for n in previous.narratives.all() if n.item_path in items.get(n.program, set())
    ]
    Narrative.objects.bulk_create(narratives)
    return f"（判断 {len(judgements)} 项、逐项说明 {len(narratives)} 项）"


def load_report(submission: Submission, report: UnitReport, source: str, status: Status = Status.draft) -> None:
    """Store one unit's report (from a units.yaml) in its submission, in ``status``, and validate it."""
    rows = []
    no_task = []
    for pid, data in report.programs.items():
        if data.no_task:
            no_task.append(pid)
            continue
        for fid, value in data.figures.items():
            if value is None:
                continue
            if value == NOT_APPLICABLE:
                rows.append(FigureEntry(submission=submission, program=pid, figure_id=fid, state=EntryState.not_applicable,
                                        explanation=data.explanations.get(fid, "")))
            else:
                rows.append(FigureEntry(submission=submission, program=pid, figure_id=fid, state=EntryState.value,
                                        value=value, explanation=data.explanations.get(fid, "")))
        for fid, answer in data.answers.items():
            rows.append(FigureEntry(submission=submission, program=pid, figure_id=fid,
                                    state=EntryState.yes if answer else EntryState.no,
                                    explanation=data.explanations.get(fid, "")))
    FigureEntry.objects.bulk_create(rows)
    submitted = dt.datetime.combine(report.submitted_on or submission.cycle.deadline, dt.time(10, 0),
                                    tzinfo=dt.timezone(dt.timedelta(hours=8)))
    submission.no_task = sorted(no_task)
    submission.status = status
    submission.source = source
    if status != Status.draft:
        submission.submitted_at = submitted
    if status in ACCEPTED_OR_LATER:
        submission.accepted_at = submitted + dt.timedelta(days=2)
    if status in DONE:
        submission.approved_at = submitted + dt.timedelta(days=5)
    submission.issues = [p.as_dict() for p in validate(submission)]
    submission.checked_at = submitted
    submission.save()


@dataclass(frozen=True)
class DatasetLoad:
    cycle: Cycle
    opened: bool
    units: int


def read_dataset(path: Path | str) -> tuple[Dataset, UnitsFile | None, Path]:
    """A province's ``dataset.yaml`` and the ``units.yaml`` beside it (if any); raises the loaders'
    :class:`~anju.dataset.DatasetError` / :class:`~anju.collect.units.UnitsError` with Chinese messages."""
    dataset, framework = load_dataset(path)
    units_yaml = Path(path) / UNITS_FILE if Path(path).is_dir() else Path(path).with_name(UNITS_FILE)
    units = load_units(units_yaml, framework, region_tree(dataset.region.code)) if units_yaml.exists() else None
    return dataset, units, units_yaml


@transaction.atomic
def load_dataset_into_cycle(user: Any, path: Path | str, *, deadline: dt.date | None = None,
                            status: Status = Status.draft) -> DatasetLoad:
    """Load a real province's dataset into its cycle of that year (opened here when there is none):
    the evaluators' judgements and 逐项说明 (replacing any template), what the document stated,
    and every unit's report from ``units.yaml`` into its empty draft. All or nothing: a unit that
    already has figures, or is not a reporting unit of the cycle, refuses the whole load."""
    dataset, units, units_yaml = read_dataset(path)
    province = Region.objects.filter(pk=dataset.region.code).first()
    if province is None:
        raise CycleRefused(f"没有行政区划“{dataset.region.code}”")
    cycle = Cycle.objects.filter(region=province, year=dataset.year).first()
    opened = cycle is None
    if cycle is None:
        cycle = open_cycle(user, CycleRequest(
            province=province, year=dataset.year, framework_id=dataset.framework,
            deadline=deadline or (units.deadline if units and units.deadline else dt.date(dataset.year + 1, 1, 31)),
            title=dataset.title or ""))
    else:
        authorize(user, "submissions.add_cycle", province)
        if cycle.framework_id != dataset.framework:
            raise CycleRefused(f"{cycle}使用 {cycle.framework_id} 版指标体系，数据集是 {dataset.framework} 版")
    submissions = {s.region_id: s for s in cycle.submissions.select_related("region", "cycle")}
    reports = units.units if units is not None else {}
    unknown = [code for code in reports if code not in submissions]
    if unknown:
        raise CycleRefused(f"{len(unknown)} 个单位不是{cycle}的报表单位（{'、'.join(unknown[:5])}），未导入")
    filled = [submissions[code].region.display_name for code in reports
              if submissions[code].entries.exists() or submissions[code].status != Status.draft]
    if filled:
        raise CycleRefused(f"{len(filled)} 个单位已有填报数据或已提交（{'、'.join(filled[:5])}），未导入")
    cycle.stated = {pid: data.stated.model_dump(mode="json", exclude_defaults=True) for pid, data in dataset.programs.items()}
    cycle.as_of = dataset.as_of
    cycle.source = dataset.source or cycle.source
    cycle.save(update_fields=["stated", "as_of", "source"])
    for pid, data in dataset.programs.items():
        for item_path, judgement in data.judgements.items():
            Judgement.objects.update_or_create(cycle=cycle, program=pid, item_path=item_path, defaults={
                "points": judgement.points, "reason": judgement.reason or "", "evidence": list(judgement.evidence),
                "clauses": {k: v if isinstance(v, bool) else str(v) for k, v in judgement.clauses.items()},
            })
        for item_path, text in data.narrative.items():
            Narrative.objects.update_or_create(cycle=cycle, program=pid, item_path=item_path, defaults={"text": text})
    for code, report in reports.items():
        load_report(submissions[code], report, f"数据集导入：{units_yaml.name}", status)
    cycle.inputs_changed()
    record(user, AuditAction.dataset_loaded, cycle.audit_target(),
           new=f"判断 {cycle.judgements.count()} 项，逐项说明 {cycle.narratives.count()} 项，单位填报 {len(reports)} 个",
           note=str(path))
    return DatasetLoad(cycle, opened, len(reports))
