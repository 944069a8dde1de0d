"""The built-in job kinds, each wrapping a service of the web system that may take long:

- ``evaluation``: :func:`anju_web.reviews.services.run_evaluation` for the job's cycle;
- ``document_packages``: the report package (:func:`anju_web.reports.documents.package`) of the
  latest run of each of several provinces' cycles;
- ``document_audits``: :func:`anju_web.audits.services.audit_stored` for each of several documents;
- ``dataset_load``: :func:`anju_web.reviews.cycles.load_dataset_into_cycle` (every unit's report of
  a province's dataset); the job is attached to the cycle it loaded into.

Every result has a Chinese ``summary``; lists of rows name regions and documents, never ids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from anju.adapters.report import FontMissingError, PdfError, PdfUnavailable, TemplateProblem
from anju.collect.units import UnitsError
from anju.dataset import DatasetError
from anju.decimals import plain
from anju.scoring import EvaluationError
from anju_web.accounts.policy import authorize
from anju_web.audits.services import ADD as AUDIT_ADD
from anju_web.audits.services import audit_stored
from anju_web.audits.storage import DocumentRejected
from anju_web.jobs.models import Job
from anju_web.jobs.registry import JobFailed, Progress, register
from anju_web.reports import documents
from anju_web.reviews.assembly import AssemblyError
from anju_web.reviews.cycles import load_dataset_into_cycle
from anju_web.reviews.services import latest_run, run_evaluation, run_is_current
from anju_web.submissions.cycles import CycleRefused
from anju_web.submissions.models import Cycle, Status

PROBLEMS_QUOTED = 10


def _cycle(job: Job) -> Cycle:
    if job.cycle is None:
        raise JobFailed("任务没有所属的评价年度")
    return job.cycle


def _problem_lines(problems: list[Any]) -> str:
    lines = [str(p) for p in problems[:PROBLEMS_QUOTED]]
    if len(problems) > PROBLEMS_QUOTED:
        lines.append(f"……另有 {len(problems) - PROBLEMS_QUOTED} 处")
    return "\n".join(lines)


@register("evaluation", "运行评价", "reviews.run_evaluation")
def evaluation(job: Job, progress: Progress) -> dict[str, Any]:
    cycle = _cycle(job)
    progress(0, 1, f"正在汇总{cycle}各单位的填报并计分")
    try:
        outcome = run_evaluation(job.created_by, cycle)
    except EvaluationError as exc:
        raise JobFailed(f"有 {len(exc.problems)} 个指标无法计分，未保存评价结果：\n{_problem_lines(exc.problems)}") from None
    except AssemblyError as exc:
        raise JobFailed(f"各单位的填报汇总后有 {len(exc.problems)} 处问题，无法计分，未保存评价结果：\n"
                        f"{_problem_lines(exc.problems)}") from None
    progress(1, 1, "评价完成")
    totals = "，".join(f"{p.label} {plain(p.score)} 分" for p in outcome.run.evaluation().programs)
    return {"summary": f"评价完成：{totals}（{outcome.changed_scores} 个得分有变化）",
            "totals": outcome.run.totals, "changed_scores": outcome.changed_scores}


@register("document_packages", "生成多个地区的评价材料包", "reviews.view_evaluationrun")
def document_packages(job: Job, progress: Progress) -> dict[str, Any]:
    ids = [int(i) for i in job.params.get("cycles", [])]
    chosen = {c.pk: c for c in Cycle.objects.filter(pk__in=ids).select_related("region")}
    rows: list[dict[str, Any]] = []
    made = 0
    for done, cycle_id in enumerate(ids):
        cycle = chosen.get(cycle_id)
        if cycle is None:
            continue
        progress(done, len(ids), f"正在生成{cycle}的评价材料包")
        row: dict[str, Any] = {"region": cycle.region.name, "cycle": str(cycle), "cycle_id": cycle.pk}
        try:
            authorize(job.created_by, "reviews.view_evaluationrun", cycle.region)
            run = latest_run(cycle)
            if run is None:
                row |= {"ok": False, "status": "未生成：尚未运行评价"}
            else:
                documents.package(cycle, run)
                made += 1
                stale = "" if run_is_current(cycle, run) else "（评价结果不是最新，数据已修改，请重新运行评价）"
                row |= {"ok": True, "status": f"已生成{stale}"}
        except (PermissionDenied, Http404):
            row |= {"ok": False, "status": "未生成：不在提交人的权限范围内"}
        except (documents.DocumentUnavailable, FontMissingError, PdfUnavailable, PdfError, TemplateProblem) as exc:
            row |= {"ok": False, "status": f"未生成：{exc}"}
        rows.append(row)
    progress(len(ids), len(ids), "材料包生成完毕")
    return {"summary": f"已生成 {made} 个地区的评价材料包（共 {len(rows)} 个）", "rows": rows}


@register("document_audits", "批量核查说明材料", AUDIT_ADD)
def document_audits(job: Job, progress: Progress) -> dict[str, Any]:
    cycle = _cycle(job)
    files = list(job.params.get("documents", []))
    rows: list[dict[str, Any]] = []
    for done, item in enumerate(files):
        name = str(item["name"])
        progress(done, len(files), f"正在核查“{name}”")
        try:
            kept = audit_stored(job.created_by, cycle, name=name, digest=str(item["sha256"]), size=int(item["size"]),
                                suffix=str(item["suffix"]), title=str(item.get("title", "")))
        except DocumentRejected as exc:
            rows.append({"document": name, "ok": False, "status": f"未核查：{exc}"})
            continue
        rows.append({"document": name, "ok": True, "audit_id": kept.pk,
                     "status": f"错误 {kept.errors} 项，警告 {kept.warnings} 项，核对 {kept.checked}/{kept.numbers} 个数字"})
    progress(len(files), len(files), "核查完毕")
    checked = sum(1 for r in rows if r["ok"])
    return {"summary": f"已核查 {checked} 份材料（共 {len(files)} 份）", "rows": rows}


@register("dataset_load", "导入数据集（各单位填报）", "submissions.add_cycle")
def dataset_load(job: Job, progress: Progress) -> dict[str, Any]:
    path = Path(str(job.params["path"]))
    deadline = dt.date.fromisoformat(job.params["deadline"]) if job.params.get("deadline") else None
    progress(0, 1, f"正在导入数据集 {path.name}")
    try:
        loaded = load_dataset_into_cycle(job.created_by, path, deadline=deadline,
                                         status=Status(job.params.get("status", Status.draft)))
    except (DatasetError, UnitsError) as exc:
        raise JobFailed(f"数据集有问题，未导入：\n{exc}") from None
    except CycleRefused as exc:
        raise JobFailed(f"未导入：{exc}") from None
    Job.objects.filter(pk=job.pk).update(cycle=loaded.cycle)
    progress(1, 1, "导入完毕")
    verb = "开启并导入" if loaded.opened else "导入"
    return {"summary": f"已{verb}{loaded.cycle}：单位填报 {loaded.units} 个，判断 {loaded.cycle.judgements.count()} 项",
            "units": loaded.units}
