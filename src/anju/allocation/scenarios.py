"""Scenarios: two allocations side by side, and the sensitivity to one weight.

:func:`compare` lines up two allocations (two methods, or two sets of inputs) region by region and
program by program. :func:`with_weight` derives a method with one weight changed — a factor's (the
program's other factors scaled so that the task share stays) or the reward share (the factors scaled
to take up the rest) — so that :func:`sensitivity` can show what that one weight does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from anju.allocation.engine import ZERO, Allocation, RegionData, allocate, computing
from anju.allocation.models import HUNDRED, FactorMethod, ProgramMethod
from anju.decimals import plain
from anju.problems import AllocationCode, Problem, ProblemsError, Severity, Where

REWARD_TARGET = "reward"


class ScenarioError(ProblemsError):
    """A weight that cannot be changed as asked."""


@dataclass(frozen=True)
class Difference:
    code: str
    name: str
    program: str
    left: Decimal
    right: Decimal

    @property
    def change(self) -> Decimal:
        return self.right - self.left


def compare(left: Allocation, right: Allocation) -> list[Difference]:
    """Per region and program (union of both), the amounts of ``left`` and ``right`` (0 where one has none)."""
    names = {**dict(right.regions), **dict(left.regions)}
    programs = [p.id for p in left.programs] + [p.id for p in right.programs if p.id not in {q.id for q in left.programs}]
    out: list[Difference] = []
    for code in sorted(names):
        for program in programs:
            out.append(Difference(code, names[code], program, _amount(left, program, code), _amount(right, program, code)))
    return out


def _amount(allocation: Allocation, program: str, code: str) -> Decimal:
    try:
        return allocation.program(program).share(code).amount
    except KeyError:
        return ZERO


def with_weight(method: FactorMethod, program_id: str, target: str, value: Decimal) -> FactorMethod:
    """``method`` with one weight of ``program_id`` set to ``value`` percent: a factor's (given by its
    figure id) or the reward share (``"reward"``); the other weights scale so the total stays 100%."""
    try:
        program = method.program(program_id)
    except KeyError:
        raise ScenarioError([_problem(f"分配办法没有项目“{program_id}”（有：{'、'.join(method.program_ids)}）")]) from None
    with localcontext(computing()):
        changed = _reward_changed(program, value) if target == REWARD_TARGET else _factor_changed(program, target, value)
    label = REWARD_LABEL if target == REWARD_TARGET else program.figure(target).label
    data = method.model_dump(mode="python")
    data["programs"] = [changed if p.id == program_id else p for p in method.programs]
    data["id"] = f"{method.id}+{program_id}.{target}={plain(value)}"
    data["label"] = f"{method.label}（{program.label}{label}权重改为{plain(value)}%）"
    return FactorMethod.model_validate(data)  # validated anew: no cached digest carried over


REWARD_LABEL = "奖励资金"


def _factor_changed(program: ProgramMethod, figure: str, value: Decimal) -> ProgramMethod:
    factors = {f.figure: f for f in program.factors}
    if figure not in factors:
        raise ScenarioError([_problem(f"{program.label}没有因素“{figure}”（有：{'、'.join(factors)}、{REWARD_TARGET}）",
                                      program.id)])
    task = program.task_share
    others = task - factors[figure].weight
    if value <= 0 or value > task or (value == task and len(factors) > 1):
        raise ScenarioError([_problem(f"{program.label}“{program.figure(figure).label}”的权重应在0与任务资金比例"
                                      f"{plain(task)}%之间（不含），实为{plain(value)}%", program.id)])
    if len(factors) == 1:
        return program
    scale = (task - value) / others
    updated = [f.model_copy(update={"weight": value if f.figure == figure else f.weight * scale}) for f in program.factors]
    return program.model_copy(update={"factors": updated})


def _reward_changed(program: ProgramMethod, value: Decimal) -> ProgramMethod:
    if program.reward is None:
        raise ScenarioError([_problem(f"{program.label}没有奖励资金", program.id)])
    if value <= 0 or value >= HUNDRED:
        raise ScenarioError([_problem(f"{program.label}奖励资金比例应在0与100%之间（不含），实为{plain(value)}%", program.id)])
    scale = (HUNDRED - value) / program.task_share
    factors = [f.model_copy(update={"weight": f.weight * scale}) for f in program.factors]
    return program.model_copy(update={"factors": factors, "reward": program.reward.model_copy(update={"share": value})})


def sensitivity(
    method: FactorMethod, regions: Sequence[RegionData], amounts: Mapping[str, Decimal], *, program_id: str, target: str,
    value: Decimal,
) -> tuple[Allocation, Allocation, list[Difference]]:
    """The allocation by ``method`` and by ``method`` with one weight changed, and their differences."""
    base = allocate(method, regions, amounts)
    variant = allocate(with_weight(method, program_id, target, value), regions, amounts)
    return base, variant, compare(base, variant)


def _problem(message: str, program: str | None = None) -> Problem:
    return Problem(AllocationCode.WEIGHTS_NOT_100, Severity.error, message, Where(program=program))
