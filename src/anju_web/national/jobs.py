"""The national run (全国评价): 财政部 scores every top-level region's cycle of one year as one
background job, region by region, with the provincial run's own service
(:func:`anju_web.reviews.services.run_national_evaluation`): each region's run is stored with its
cycle, exactly as a provincial run, so the 全国看板 and the region's pages show it.

A region that cannot be scored (its data incomplete, its cycle 审定 or archived) is reported by
name with the reason, in Chinese; the other regions are still run, each in its own transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from anju.decimals import plain
from anju.scoring import EvaluationError
from anju_web.jobs.kinds import PROBLEMS_QUOTED
from anju_web.jobs.models import Job
from anju_web.jobs.registry import JobFailed, Progress, register
from anju_web.reviews.assembly import AssemblyError
from anju_web.reviews.services import NATIONAL_RUN, ReviewError, run_national_evaluation
from anju_web.submissions.cycles import CycleArchived
from anju_web.submissions.models import Cycle

log = logging.getLogger(__name__)

KIND = "national_run"
EVALUATED, REFUSED, FAILED = "evaluated", "refused", "failed"


def _first_problems(problems: list[Any]) -> str:
    quoted = "；".join(str(p) for p in problems[:PROBLEMS_QUOTED])
    more = len(problems) - PROBLEMS_QUOTED
    return quoted + (f"；……另有 {more} 处" if more > 0 else "")


def national_cycles(year: int) -> list[Cycle]:
    """The year's cycles of the top-level reporting regions, by region code."""
    return list(Cycle.objects.filter(year=year, region__parent__isnull=True).select_related("region").order_by("region_id"))


def _one(job: Job, cycle: Cycle) -> dict[str, Any]:
    row: dict[str, Any] = {"region": cycle.region.name, "cycle": str(cycle), "cycle_id": cycle.pk}
    if cycle.signed_at is not None:  # said briefly here; the run itself refuses it too, under the cycle's lock
        return row | {"ok": False, "outcome": REFUSED,
                      "status": f"未评价：已于{timezone.localtime(cycle.signed_at):%Y年%m月%d日}审定，审定的结果以审定时的评价运行为准"}
    try:
        outcome = run_national_evaluation(job.created_by, cycle)
    except ReviewError as exc:  # 审定: the provincial run's own refusal
        return row | {"ok": False, "outcome": REFUSED, "status": f"未评价：{exc}"}
    except CycleArchived as exc:  # (a PermissionDenied: caught first)
        return row | {"ok": False, "outcome": REFUSED, "status": f"未评价：{exc}"}
    except (PermissionDenied, Http404):
        return row | {"ok": False, "outcome": REFUSED, "status": "未评价：不在提交人的权限范围内"}
    except EvaluationError as exc:
        return row | {"ok": False, "outcome": FAILED,
                      "status": f"评价失败：有 {len(exc.problems)} 个指标无法计分（{_first_problems(exc.problems)}）"}
    except AssemblyError as exc:
        return row | {"ok": False, "outcome": FAILED, "status": f"评价失败：{_first_problems(exc.problems)}"}
    except Exception as exc:  # one region's fault must not stop the others; the traceback goes to the log
        log.exception("national run job %s: %s failed", job.pk, cycle)
        return row | {"ok": False, "outcome": FAILED,
                      "status": f"评价出错（{type(exc).__name__}），已写入服务器日志，请联系系统管理员"}
    totals = "，".join(f"{p.label} {plain(p.score)} 分" for p in outcome.run.evaluation().programs)
    return row | {"ok": True, "outcome": EVALUATED, "status": f"已评价：{totals}", "totals": outcome.run.totals}


@register(KIND, "全国评价（各地区计分）", NATIONAL_RUN)
def national_run(job: Job, progress: Progress) -> dict[str, Any]:
    year = int(job.params.get("year", 0))
    cycles = national_cycles(year)
    if not cycles:
        raise JobFailed(f"{year}年没有任何地区的评价年度，无法运行全国评价")
    rows: list[dict[str, Any]] = []
    for done, cycle in enumerate(cycles):
        progress(done, len(cycles), f"正在评价{cycle.region.name}（第 {done + 1} 个，共 {len(cycles)} 个地区）")
        rows.append(_one(job, cycle))
    progress(len(cycles), len(cycles), "全国评价完毕")
    counts = {k: sum(1 for r in rows if r["outcome"] == k) for k in (EVALUATED, REFUSED, FAILED)}
    summary = f"{year}年度全国评价：{len(rows)} 个地区，已评价 {counts[EVALUATED]} 个"
    if counts[REFUSED]:
        summary += f"，未评价 {counts[REFUSED]} 个（已审定等）"
    if counts[FAILED]:
        failed = "、".join(r["region"] for r in rows if r["outcome"] == FAILED)
        summary += f"，评价失败 {counts[FAILED]} 个（{failed}）"
    return {"summary": summary, "year": year, "counts": counts, "rows": rows}
