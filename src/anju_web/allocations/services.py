"""Allocating a province's funds to its prefectures from what the cycle has collected.

The quantities are the units' reports (each prefecture's subtree: 市本级 + its counties), the scores
are each prefecture scored from its own figures with the province's judgements (the engine's
:func:`anju.allocation.inputs.resolve` with the collected data handed over in memory), and the
financial-difficulty coefficients and amounts are typed by the finance department. Every save is a
new version holding the explicit inputs (so its documents can be rebuilt exactly) and the result,
written together with its audit event.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max

from anju.adapters.allocation import write_allocation_table, write_notice
from anju.allocation import Allocation as EngineAllocation
from anju.allocation import (
    AllocationError,
    FactorMethod,
    InputsError,
    MethodError,
    Resolved,
    allocate,
    builtin_method,
    builtin_method_ids,
    item_gains,
    point_values,
)
from anju.allocation.inputs import AllocationInputs, RegionInput, Supplied, resolve
from anju.allocation.payload import allocation_payload
from anju.collect.entry import as_decimal
from anju.decimals import plain
from anju.problems import AllocationCode, Problem, ProblemsError, Severity, Where
from anju_web.allocations.models import Allocation
from anju_web.audit.models import AuditAction
from anju_web.audit.services import record
from anju_web.regions.source import region_tree
from anju_web.reviews.assembly import evaluators_dataset, unit_submissions
from anju_web.submissions.models import Cycle
from anju_web.submissions.units import units_file

DEFAULT_METHOD = "2022"
LEVEL = "prefecture"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JSON = "application/json"


class AllocationFailed(ProblemsError):
    """The allocation could not be computed; ``problems`` says why, in Chinese."""


def methods() -> list[FactorMethod]:
    return [builtin_method(method_id) for method_id in builtin_method_ids()]


def method_of(method_id: str) -> FactorMethod:
    try:
        return builtin_method(method_id)
    except MethodError as exc:
        raise AllocationFailed(exc.problems) from None


def prefectures(cycle: Cycle, year: int) -> list[tuple[str, str]]:
    """(code, name) of the prefecture-level units that receive the province's funds in ``year``."""
    tree = region_tree(cycle.region_id)
    return [(u.code, u.name) for u in tree.children(tree.code, year)]


@dataclass(frozen=True)
class Form:
    """What the finance department typed."""

    method_id: str
    year: int
    amounts: dict[str, str]
    difficulty: dict[str, str]
    note: str = ""


def _problem(message: str, code: AllocationCode = AllocationCode.AMOUNT_MISSING, unit: str | None = None,
             program: str | None = None) -> Problem:
    return Problem(code, Severity.error, message, Where(unit=unit, program=program))


def read_amounts(method: FactorMethod, typed: dict[str, str]) -> tuple[dict[str, Decimal], list[Problem]]:
    """The amount to allocate per program as typed (万元; blank: not allocated), and every problem."""
    problems: list[Problem] = []
    amounts: dict[str, Decimal] = {}
    for program in method.programs:
        raw = typed.get(program.id, "").strip()
        if not raw:
            continue
        value = as_decimal(raw)
        if value is None or value < 0:
            problems.append(_problem(f"{program.label}的下达金额应为非负数（万元），实为“{raw}”", program=program.id))
        else:
            amounts[program.id] = value
    if not amounts and not problems:
        problems.append(_problem("请至少填写一个项目的下达金额（万元）"))
    return amounts, problems


def read_form(cycle: Cycle, method: FactorMethod, form: Form) -> AllocationInputs:
    """The inputs the form gives, every problem at once (blank or unreadable amounts, coefficients)."""
    amounts, problems = read_amounts(method, form.amounts)
    regions: dict[str, RegionInput] = {}
    for code, name in prefectures(cycle, form.year):
        raw = form.difficulty.get(code, "").strip()
        value = as_decimal(raw) if raw else None
        if value is None or value <= 0:
            problems.append(_problem(f"{name}的财政困难程度系数应为大于0的数，实为“{raw or '空白'}”",
                                     AllocationCode.DIFFICULTY_INVALID, unit=code))
            continue
        regions[code] = RegionInput(name=name, fiscal_difficulty=value)
    if problems:
        raise AllocationFailed(problems)
    return AllocationInputs(
        title=f"{cycle.region.name}{form.year}年中央财政城镇保障性安居工程补助资金分配测算",
        year=form.year, scores_year=cycle.year, method=method.id, level=LEVEL, region=cycle.region_id,
        issuer=f"{cycle.region.name}财政厅", score_basis="self_assessed", amounts=amounts, regions=regions,
    )


def supplied(cycle: Cycle) -> Supplied:
    """The cycle's collected units' reports and the province's judgements."""
    submissions = unit_submissions(cycle)
    if not submissions:
        raise AllocationFailed([_problem(f"{cycle}还没有任何单位的填报，无法取得分配因素", AllocationCode.QUANTITY_BLANK)])
    units = units_file(cycle.framework, cycle.region_id, cycle.year, submissions)
    return Supplied(units, evaluators_dataset(cycle), f"{cycle}各单位的填报")


@dataclass(frozen=True)
class Computed:
    resolved: Resolved
    allocation: EngineAllocation
    payload: dict[str, Any]


def _trees(cycle: Cycle) -> dict[str, Any]:
    return {cycle.region_id: region_tree(cycle.region_id)}


def compute(cycle: Cycle, method: FactorMethod, inputs: AllocationInputs, *, collected: bool = True) -> Computed:
    """Resolve and allocate; with ``collected`` the quantities and scores come from the cycle's data,
    otherwise ``inputs`` carries them (a saved version's explicit inputs)."""
    try:
        resolved = resolve(inputs, method, trees=_trees(cycle), display="测算输入",
                           supplied=supplied(cycle) if collected else None)
        allocation = allocate(method, resolved.regions, resolved.amounts)
    except (InputsError, AllocationError) as exc:
        raise AllocationFailed(exc.problems) from None
    gains = []
    for code, evaluation in resolved.evaluations.items():
        gains.extend(item_gains(allocation, cycle.framework, evaluation, code))
    payload = allocation_payload(allocation, resolved, point_values(allocation), gains, trace=True)
    return Computed(resolved, allocation, payload)


def explicit_inputs(resolved: Resolved) -> AllocationInputs:
    """The inputs with every region's quantities, coefficient and scores written out (no sources)."""
    regions = {
        r.code: RegionInput(name=r.name, fiscal_difficulty=r.fiscal_difficulty,
                            quantities={p: dict(q) for p, q in r.quantities.items()}, scores=dict(r.scores))
        for r in resolved.regions
    }
    return resolved.inputs.model_copy(update={"regions": regions, "units": None, "judgements_from": None})


@transaction.atomic
def save_allocation(user: Any, cycle: Cycle, form: Form) -> Allocation:
    """Compute and save a new version; the audit event is written in the same transaction."""
    method = method_of(form.method_id)
    computed = compute(cycle, method, read_form(cycle, method, form))
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()  # one version number at a time
    last = Allocation.objects.filter(region=cycle.region, year=form.year).aggregate(n=Max("version"))["n"] or 0
    inputs = explicit_inputs(computed.resolved)
    row = Allocation.objects.create(
        region=cycle.region, cycle=cycle, year=form.year, version=last + 1, method_id=method.id,
        method_label=method.label, method_digest=method.digest, inputs=inputs.model_dump(mode="json", exclude_none=True),
        result=computed.payload, total=computed.allocation.total, note=form.note, created_by=user,
    )
    amounts = "，".join(f"{p.label}{plain(p.amount)}万元" for p in computed.allocation.programs)
    record(user, AuditAction.allocation_saved, row.target, field="下达合计", new=f"{plain(row.total)}万元",
           note=f"按{method.label}测算：{amounts}")
    return row


def unchanged_method(method_id: str, digest: str) -> FactorMethod:
    """The method a saved version was computed with, refused if it has been changed since (its
    documents are rebuilt from the stored inputs and must come out as saved)."""
    method = method_of(method_id)
    if method.digest != digest:
        raise AllocationFailed([_problem(f"分配办法“{method.label}”在本版测算后已修改，文书无法按原办法重新生成：请重新测算",
                                         AllocationCode.PROGRAM_UNKNOWN)])
    return method


def rebuilt(row: Allocation) -> tuple[Resolved, EngineAllocation]:
    """The saved version recomputed from its explicit inputs (refused if the method has changed since)."""
    method = unchanged_method(row.method_id, row.method_digest)
    inputs = AllocationInputs.model_validate(row.inputs)
    computed = compute(row.cycle, method, inputs, collected=False)
    return computed.resolved, computed.allocation


DOCUMENTS: dict[str, tuple[str, str, str]] = {
    # kind: (label, file name, content type)
    "table": ("资金分配表", "资金分配表.xlsx", XLSX),
    "notice": ("下达资金通知（代拟稿）", "下达资金通知（代拟稿）.docx", DOCX),
}


def document(row: Allocation, kind: str) -> tuple[str, bytes, str]:
    """(file name, bytes, content type) of one document of a saved version."""
    resolved, allocation = rebuilt(row)
    return written(kind, f"{row.region.name}{row.year}年第{row.version}版", resolved, allocation)


def written(kind: str, prefix: str, resolved: Resolved, allocation: EngineAllocation) -> tuple[str, bytes, str]:
    """One of :data:`DOCUMENTS` of an allocation: (file name, bytes, content type)."""
    _, name, content_type = DOCUMENTS[kind]
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / name
        if kind == "table":
            write_allocation_table(allocation, target, resolved)
        else:
            write_notice(allocation, target, resolved)
        return f"{prefix}{name}", target.read_bytes(), content_type


def changes(row: Allocation, previous: Allocation | None) -> list[dict[str, Any]]:
    """Per region and program, this version's amount against the previous version's."""
    if previous is None:
        return []
    before: Mapping[tuple[str, str], str] = {(r["code"], r["program"]): r["amount"] for r in previous.result["rows"]}
    labels = {pid: p["label"] for pid, p in row.result["totals"]["programs"].items()}
    out = []
    for item in row.result["rows"]:
        old = before.get((item["code"], item["program"]))
        change = Decimal(item["amount"]) - Decimal(old) if old is not None else None
        shown = ("+" if change is not None and change > 0 else "") + plain(change) if change is not None else "—"
        out.append({**item, "program_label": labels.get(item["program"], item["program"]), "previous": old, "change": shown})
    return out
