"""The central allocation (中央 → 各省、计划单列市、兵团) run by 财政部 from the national dashboard.

The engine's level ``province`` (:mod:`anju.allocation`, as ``anju allocate`` with
``level: province``), with each region's quantities (the method's 计划数 figures) and program scores
taken from its latest stored evaluation run of the scores' year — the same run the 全国看板 shows —
and the financial-difficulty coefficients and the amounts typed by 财政部. Quick for 37 regions, so
computed in the request; every save is a new version with its explicit inputs and result, written
together with its audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from anju.allocation import AllocationError, FactorMethod, InputsError, allocate, point_values
from anju.allocation.inputs import AllocationInputs, RegionInput, resolve
from anju.allocation.payload import allocation_payload
from anju.collect.entry import as_decimal
from anju.decimals import plain
from anju.problems import AllocationCode, Problem, Severity, Where
from anju_web.accounts.policy import authorize
from anju_web.allocations.models import NationalAllocation
from anju_web.allocations.services import (
    DEFAULT_METHOD,
    AllocationFailed,
    method_of,
    read_amounts,
    unchanged_method,
    written,
)
from anju_web.audit.models import AuditAction, AuditObject, AuditTarget
from anju_web.audit.services import record
from anju_web.regions.models import Region
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions.models import Cycle

PERMISSION = "allocations.run_allocation"
__all__ = ["DEFAULT_METHOD", "AllocationFailed", "method_of"]  # the form's defaults, re-exported
DEFAULT_DIFFICULTY = "1.00"


@dataclass
class Recipient:
    """A top-level region and the evaluation run its scores and quantities come from."""

    region: Region
    run: EvaluationRun | None = None
    difficulty: str = DEFAULT_DIFFICULTY
    """The coefficient shown in the form (the last version's, or 1.00)."""


@dataclass(frozen=True)
class NationalForm:
    method_id: str
    scores_year: int
    amounts: dict[str, str]
    difficulty: dict[str, str]
    note: str = ""

    @property
    def year(self) -> int:
        return self.scores_year + 1


def latest(year: int) -> NationalAllocation | None:
    """The latest version of the central allocation of ``year``'s funds."""
    return NationalAllocation.objects.filter(year=year).order_by("-version").first()


def recipients(scores_year: int) -> list[Recipient]:
    """Every top-level region (by code) with its cycle's latest run of ``scores_year`` (a few queries)."""
    regions = list(Region.objects.filter(parent__isnull=True).order_by("code"))
    cycles = dict(Cycle.objects.filter(year=scores_year, region__parent__isnull=True).values_list("pk", "region_id"))
    latest_run: dict[int, int] = {}
    for pk, cycle_id in EvaluationRun.objects.filter(cycle_id__in=cycles).order_by("cycle_id", "-created_at", "-pk").values_list(
            "pk", "cycle_id"):
        latest_run.setdefault(cycle_id, pk)
    runs = {cycles[run.cycle_id]: run for run in EvaluationRun.objects.filter(pk__in=latest_run.values()).only(
        "cycle_id", "dataset", "totals")}
    previous = latest(scores_year + 1)
    given = {code: str(region.get("fiscal_difficulty", "")) for code, region in
             (previous.inputs.get("regions", {}) if previous is not None else {}).items()}
    return [Recipient(r, runs.get(r.code), given.get(r.code) or DEFAULT_DIFFICULTY) for r in regions]


def _problem(message: str, code: AllocationCode = AllocationCode.AMOUNT_MISSING, unit: str | None = None,
             program: str | None = None) -> Problem:
    return Problem(code, Severity.error, message, Where(unit=unit, program=program))


def _quantities(method: FactorMethod, run: EvaluationRun) -> dict[str, dict[str, Decimal | None]]:
    programs = run.dataset.get("programs", {})
    out: dict[str, dict[str, Decimal | None]] = {}
    for program in method.programs:
        figures = programs.get(program.id, {}).get("figures", {})
        out[program.id] = {f.figure: as_decimal(figures.get(f.figure)) for f in program.factors}
    return out


def read_form(method: FactorMethod, form: NationalForm, chosen: list[Recipient]) -> AllocationInputs:
    """The inputs: amounts and coefficients from the form, every problem at once; quantities and
    scores from each region's run."""
    amounts, problems = read_amounts(method, form.amounts)
    regions: dict[str, RegionInput] = {}
    for recipient in chosen:
        code, name = recipient.region.code, recipient.region.name
        raw = form.difficulty.get(code, "").strip()
        value = as_decimal(raw) if raw else None
        if value is None or value <= 0:
            problems.append(_problem(f"{name}的财政困难程度系数应为大于0的数，实为“{raw or '空白'}”",
                                     AllocationCode.DIFFICULTY_INVALID, unit=code))
            continue
        assert recipient.run is not None
        regions[code] = RegionInput(
            name=name, fiscal_difficulty=value, quantities=_quantities(method, recipient.run),
            scores={pid: Decimal(score) for pid, score in recipient.run.totals.items()
                    if pid in {p.id for p in method.programs}})
    if problems:
        raise AllocationFailed(problems)
    return AllocationInputs(
        title=f"{form.year}年中央财政城镇保障性安居工程补助资金分配测算", year=form.year, scores_year=form.scores_year,
        method=method.id, level="province", issuer="财政部", score_basis="self_assessed", amounts=amounts, regions=regions,
    )


@dataclass(frozen=True)
class Saved:
    row: NationalAllocation
    left_out: list[str]
    """Regions without an evaluation run of the scores' year (not allocated to)."""


def save(user: Any, form: NationalForm) -> Saved:
    """Compute and save a new version of the central allocation of ``form.year``; the audit event
    is written in the same transaction. Raises :class:`AllocationFailed` (Chinese problems)."""
    authorize(user, PERMISSION, None)
    method = method_of(form.method_id)
    everyone = recipients(form.scores_year)
    chosen = [r for r in everyone if r.run is not None]
    left_out = [r.region.name for r in everyone if r.run is None]
    if not chosen:
        raise AllocationFailed([_problem(f"{form.scores_year}年没有任何地区的评价结果，无法测算{form.year}年的中央分配",
                                         AllocationCode.NO_REGIONS)])
    inputs = read_form(method, form, chosen)
    try:
        resolved = resolve(inputs, method, display="中央分配测算输入")
        allocation = allocate(method, resolved.regions, resolved.amounts)
    except (InputsError, AllocationError) as exc:
        raise AllocationFailed(exc.problems) from None
    payload = allocation_payload(allocation, resolved, point_values(allocation), (), trace=True)
    note = form.note
    if left_out:
        note = "；".join(filter(None, [note, f"未参与分配（{form.scores_year}年无评价结果）：{'、'.join(left_out)}"]))
    for _attempt in range(SAVE_ATTEMPTS):
        try:
            with transaction.atomic():
                # One version number at a time: the unique constraint refuses a second writer's
                # duplicate, and this writer then takes the next number.
                row = NationalAllocation.objects.create(
                    year=form.year, scores_year=form.scores_year, version=next_version(form.year), method_id=method.id,
                    method_label=method.label, method_digest=method.digest,
                    inputs=inputs.model_dump(mode="json", exclude_none=True), result=payload, total=allocation.total,
                    note=note, created_by=user,
                )
                amounts = "，".join(f"{p.label}{plain(p.amount)}万元" for p in allocation.programs)
                record(user, AuditAction.allocation_saved, AuditTarget(AuditObject.allocation, row.pk, str(row)),
                       field="下达合计", new=f"{plain(allocation.total)}万元",
                       note=f"按{method.label}测算，{len(chosen)} 个地区：{amounts}")
            return Saved(row, left_out)
        except IntegrityError:
            continue
    raise AllocationFailed([_problem(f"{form.year}年的中央分配测算正被他人同时保存，本次未保存，请稍后重试",
                                     AllocationCode.SAVE_CONFLICT)])


SAVE_ATTEMPTS = 3
"""How often a save takes the next version number when another writer took it meanwhile."""


def document(row: NationalAllocation, kind: str) -> tuple[str, bytes, str]:
    """(file name, bytes, content type) of one document (资金分配表, 下达资金通知代拟稿) of a saved
    central allocation, recomputed from its stored inputs (refused if the method has changed since)."""
    method = unchanged_method(row.method_id, row.method_digest)
    try:
        resolved = resolve(AllocationInputs.model_validate(row.inputs), method, display="中央分配测算输入")
        allocation = allocate(method, resolved.regions, resolved.amounts)
    except (InputsError, AllocationError) as exc:
        raise AllocationFailed(exc.problems) from None
    return written(kind, f"{row.year}年中央资金分配第{row.version}版", resolved, allocation)


def versions(year: int) -> list[NationalAllocation]:
    """The saved central allocations of ``year``, newest first."""
    return list(NationalAllocation.objects.filter(year=year).select_related("created_by").order_by("-version"))


def next_version(year: int) -> int:
    """The version number a new central allocation of ``year`` gets."""
    last: int = NationalAllocation.objects.filter(year=year).aggregate(n=Max("version"))["n"] or 0
    return last + 1


def shares(year: int) -> dict[str, Decimal]:
    """Each region's total of the latest central allocation of ``year`` (empty when none)."""
    row = latest(year)
    return {code: Decimal(amount) for code, amount in row.shares().items()} if row is not None else {}
