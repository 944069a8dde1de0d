"""The national dashboard (全国看板): every top-level reporting region in one year.

Read with a handful of queries for all 37 regions (no page re-scores anything: the scores are the
regions' latest stored evaluation runs). Loading the national example (``anju-web load_national``)
creates each region's cycle and its evaluation run in bulk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from anju.decimals import plain
from anju.national import NationalResult, evaluate_national
from anju_web.accounts.roles import Role
from anju_web.accounts.services import assign_role, ensure_groups
from anju_web.allocations.models import Allocation
from anju_web.allocations.national import shares
from anju_web.audits.models import DocumentAudit
from anju_web.regions.models import Region
from anju_web.regions.services import sync_regions
from anju_web.reviews.models import AdjustmentStatus, Comment, EvaluationRun, ScoreAdjustment
from anju_web.submissions.models import Cycle

GRADES = (("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)), ("差", Decimal(0)))
"""财政部预算绩效评价等级（优 ≥90、良 80–89、中 60–79、差 <60）, for the distribution."""
NATIONAL_ACCOUNTS = (
    ("mof", Role.national_evaluator, "财政部", "钱进"),
    ("mohurd", Role.national_reader, "住房和城乡建设部", "郑华"),
)


@dataclass
class RegionRow:
    region: Region
    cycle: Cycle | None = None
    scores: dict[str, Decimal] = field(default_factory=dict)
    dimensions: dict[str, list[tuple[str, Decimal, Decimal]]] = field(default_factory=dict)
    mean: Decimal | None = None
    rank: int | None = None
    open_findings: int = 0
    audits: int = 0
    audit_errors: int = 0
    allocation: Decimal | None = None
    cells: list[tuple[str, str]] = field(default_factory=list)
    """(score, 一级指标 scores) per program, in the overview's program order, for the template."""

    @property
    def allocation_text(self) -> str:
        return plain(self.allocation) if self.allocation is not None else ""

    @property
    def mean_text(self) -> str:
        return plain(self.mean) if self.mean is not None else ""

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.cycle.signed_at if self.cycle is not None else None

    def dimension_text(self, program_id: str) -> str:
        return "；".join(f"{label} {plain(score)}/{plain(points)}" for label, score, points in self.dimensions.get(program_id, []))


@dataclass
class Overview:
    year: int | None
    years: list[int]
    programs: list[tuple[str, str]]
    rows: list[RegionRow]
    distribution: list[tuple[str, list[int]]]
    """(grade, count per program), in GRADES order."""
    central: bool = False
    """Whether the allocation column is 财政部's central allocation (else the provinces' own)."""

    @property
    def submitted(self) -> int:
        return sum(r.submitted_at is not None for r in self.rows)

    @property
    def evaluated(self) -> int:
        return sum(r.mean is not None for r in self.rows)


def national_years() -> list[int]:
    """Years with a cycle of a top-level region, latest first."""
    return sorted(set(Cycle.objects.filter(region__parent__isnull=True).values_list("year", flat=True)), reverse=True)


def overview_year() -> int | None:
    years = national_years()
    return years[0] if years else None


def has_cycles(year: int) -> bool:
    return Cycle.objects.filter(year=year, region__parent__isnull=True).exists()


def top_regions() -> list[Region]:
    return list(Region.objects.filter(parent__isnull=True).order_by("code"))


def overview(year: int | None) -> Overview:
    regions = top_regions()
    years = national_years()
    if year is None:
        year = years[0] if years else None
    rows = {r.code: RegionRow(r) for r in regions}
    programs: list[tuple[str, str]] = []
    cycles = (list(Cycle.objects.filter(year=year, region__parent__isnull=True).select_related("region"))
              if year is not None else [])
    for cycle in cycles:
        rows[cycle.region_id].cycle = cycle
    ids = [c.pk for c in cycles]
    by_cycle = {c.pk: rows[c.region_id] for c in cycles}
    _scores(ids, by_cycle, programs)
    _findings(ids, by_cycle)
    central = shares(year + 1) if year is not None else {}
    if central:  # 财政部's central allocation of next year's funds (中央 → 各地)
        for code, amount in central.items():
            if code in rows:
                rows[code].allocation = amount
    elif year is not None:  # else what each province has allocated of next year's funds
        for allocation in Allocation.objects.filter(year=year + 1, region_id__in=rows).order_by("region_id", "-version"):
            row = rows[allocation.region_id]
            if row.allocation is None:
                row.allocation = allocation.total
    ranked = sorted((r for r in rows.values() if r.mean is not None), key=lambda r: (-(r.mean or 0), r.region.code))
    for index, row in enumerate(ranked):
        row.rank = ranked[index - 1].rank if index and ranked[index - 1].mean == row.mean else index + 1
    unranked = [r for r in rows.values() if r.mean is None]
    for row in rows.values():
        row.cells = [(plain(row.scores[pid]) if pid in row.scores else "", row.dimension_text(pid)) for pid, _ in programs]
    distribution = [(grade, [sum(1 for r in ranked if _grade(r.scores.get(pid)) == grade) for pid, _ in programs])
                    for grade, _ in GRADES]
    return Overview(year, years, programs, ranked + unranked, distribution, central=bool(central))


def _scores(ids: list[int], by_cycle: dict[int, RegionRow], programs: list[tuple[str, str]]) -> None:
    """Each cycle's latest run: program and 一级指标 scores, and the mean of the programs."""
    seen: set[int] = set()
    for run in EvaluationRun.objects.filter(cycle_id__in=ids).order_by("cycle_id", "-created_at", "-pk").only("cycle_id", "result"):
        if run.cycle_id in seen:
            continue
        seen.add(run.cycle_id)
        row = by_cycle[run.cycle_id]
        for program in run.result["programs"]:
            if (program["id"], program["label"]) not in programs:
                programs.append((program["id"], program["label"]))
            row.scores[program["id"]] = Decimal(program["score"])
            row.dimensions[program["id"]] = [(d["label"], Decimal(d["score"]), Decimal(d["points"])) for d in program["dimensions"]]
        if row.scores:
            total = sum(row.scores.values(), Decimal(0))
            row.mean = (total / len(row.scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _findings(ids: list[int], by_cycle: dict[int, RegionRow]) -> None:
    """Open comments and proposed score adjustments; document audits and their errors."""
    for item in Comment.objects.filter(cycle_id__in=ids, resolved_at__isnull=True).values("cycle_id").annotate(n=Count("pk")):
        by_cycle[item["cycle_id"]].open_findings += item["n"]
    for item in (ScoreAdjustment.objects.filter(cycle_id__in=ids, status=AdjustmentStatus.proposed)
                 .values("cycle_id").annotate(n=Count("pk"))):
        by_cycle[item["cycle_id"]].open_findings += item["n"]
    for item in DocumentAudit.objects.filter(cycle_id__in=ids).values("cycle_id").annotate(n=Count("pk"), e=Sum("errors")):
        by_cycle[item["cycle_id"]].audits = item["n"]
        by_cycle[item["cycle_id"]].audit_errors = item["e"] or 0


def _grade(score: Decimal | None) -> str | None:
    if score is None:
        return None
    return next(grade for grade, floor in GRADES if score >= floor)


@transaction.atomic
def load_national(path: Path | str, password: str | None = None) -> tuple[NationalResult, int]:
    """Evaluate the national set at ``path`` and store, for every region, its cycle (with the day it
    went to the 监管局) and the evaluation run, in bulk; returns the result and how many cycles were
    created (a region that already has the year's cycle keeps it and gets a new run)."""
    result = evaluate_national(path)
    ensure_groups()
    sync_regions()
    user_model = get_user_model()
    users = {}
    for username, role, department, display_name in NATIONAL_ACCOUNTS:
        user, created = user_model.objects.get_or_create(username=username)
        if created and password:
            user.set_password(password)
            user.save()
        assign_role(user, role, None, department=department, display_name=display_name)
        users[role] = user
    actor = users[Role.national_evaluator]
    existing = {c.region_id: c for c in Cycle.objects.filter(year=result.year, region_id__in=[r.code for r in result.regions])}
    new = []
    for region in result.regions:
        if region.code in existing:
            continue
        evaluation = region.evaluation
        new.append(Cycle(
            region_id=region.code, year=result.year, framework_id=evaluation.framework_id,
            title=f"{region.name}{result.year}年度城镇保障性安居工程绩效评价（示例数据）",
            deadline=dt.date(result.year + 1, 1, 31), as_of=evaluation.as_of, source="示例数据：全国示例数据集",
            signed_at=(timezone.make_aware(dt.datetime.combine(region.submitted_at, dt.time(17, 0)))
                       if region.submitted_at else None),
        ))
    Cycle.objects.bulk_create(new)
    cycles = {c.region_id: c for c in Cycle.objects.filter(year=result.year, region_id__in=[r.code for r in result.regions])}
    runs = []
    for region in result.regions:
        evaluation = region.evaluation
        runs.append(EvaluationRun(
            cycle=cycles[region.code], created_by=actor, data_version=cycles[region.code].data_version,
            input_hash=evaluation.input_hash, dataset_hash=evaluation.dataset_hash, framework_hash=evaluation.framework_hash,
            source="示例数据：全国示例数据集", result=evaluation.model_dump(mode="json"),
            dataset=region.dataset.model_dump(mode="json") if region.dataset is not None else {},
            totals={p.id: str(p.score) for p in evaluation.programs},
        ))
    EvaluationRun.objects.bulk_create(runs)
    return result, len(new)


def as_context(data: Overview) -> dict[str, Any]:
    return {"overview": data, "grades": [g for g, _ in GRADES]}
