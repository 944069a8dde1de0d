"""What a point is worth: the marginal reward per point and the gain of the next tier or full marks,
each checked against allocating again with the changed score."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, localcontext

import pytest

from anju.allocation import (
    Allocation,
    FactorMethod,
    Resolved,
    allocate,
    builtin_method,
    item_gains,
    load_inputs,
    point_values,
)
from anju.allocation.engine import computing
from anju.allocation.worth import money_text
from anju.framework import builtin_framework

from .helpers import EXAMPLES, region

D = Decimal


@pytest.fixture(scope="module")
def national(method_2022: FactorMethod) -> tuple[Resolved, Allocation]:
    resolved = load_inputs(EXAMPLES / "national.yaml", method_2022)
    return resolved, allocate(method_2022, resolved.regions, resolved.amounts)


def _change(after: Allocation, before: Allocation, program: str, code: str) -> Decimal:
    """The exact change of ``code``'s reward, computed at the engine's precision."""
    new, old = after.program(program).share(code).reward, before.program(program).share(code).reward
    assert new is not None and old is not None
    with localcontext(computing()):
        return new.exact - old.exact


def _reallocated(resolved: Resolved, method: FactorMethod, code: str, program: str, score: Decimal) -> Allocation:
    regions = [replace(r, scores={**r.scores, program: score}) if r.code == code else r for r in resolved.regions]
    return allocate(method, regions, resolved.amounts)


def test_one_point_is_worth_what_a_reallocation_says(national: tuple[Resolved, Allocation], method_2022: FactorMethod) -> None:
    resolved, allocation = national
    values = {(p.code, p.program): p for p in point_values(allocation)}
    assert len(values) == len(allocation.regions) * 3
    jilin = values["220000", "rental"]
    assert jilin.score == 88
    again = _reallocated(resolved, method_2022, "220000", "rental", D(89))
    expected = _change(again, allocation, "rental", "220000")
    assert jilin.per_point == expected
    assert jilin.per_point > 0
    assert jilin.by_program == (("rental", expected),)


def test_budget_execution_to_80_percent_gains_a_point_and_money(national: tuple[Resolved, Allocation],
                                                                method_2022: FactorMethod) -> None:
    resolved, allocation = national
    gains = item_gains(allocation, builtin_framework("2022"), resolved.evaluations["220000"])
    rental = [g for g in gains if g.program == "rental" and g.path.endswith("budget_execution.execution_rate")]
    assert [g.target for g in rental] == ["next_tier", "full"]
    first = rental[0]
    assert first.action == "预算执行率由64.93%提高到80%"
    assert first.score_gain == 1
    again = _reallocated(resolved, method_2022, "220000", "rental", D(89))
    money = _change(again, allocation, "rental", "220000")
    assert first.money == money
    assert first.sentence == f"预算执行率由64.93%提高到80%，得分+1，按2022年方法约增加奖励资金{money_text(allocation, money)}万元"
    assert rental[1].action == "预算执行率由64.93%提高到90%" and rental[1].score_gain == 2
    assert rental[1].money > first.money


def test_a_lower_is_better_metric_says_lower(national: tuple[Resolved, Allocation]) -> None:
    resolved, allocation = national
    gains = item_gains(allocation, builtin_framework("2022"), resolved.evaluations["220000"])
    central = [g for g in gains if g.path.endswith("central_reliance")]
    assert central[0].action == "中央补助资金占实际到位资金比例由75.81%降低到70%以下"


def test_every_lost_point_is_priced_and_full_marks_are_never_exceeded(national: tuple[Resolved, Allocation]) -> None:
    resolved, allocation = national
    evaluation = resolved.evaluations["220000"]
    gains = item_gains(allocation, builtin_framework("2022"), evaluation)
    lost = {(p.id, i.path) for p in evaluation.programs for i in p.items() if not i.children and i.score < i.points}
    priced = {(g.program, g.path) for g in gains}
    assert priced <= lost
    metric_or_judged = {(p.id, i.path) for p in evaluation.programs for i in p.items()
                        if not i.children and i.score < i.points and (i.metric is None or i.metric.value is not None)}
    assert metric_or_judged <= priced
    for gain in gains:
        program = evaluation.program(gain.program)
        assert program.score + gain.score_gain <= 100
        assert gain.money >= 0


def test_a_borrowed_score_is_worth_money_in_every_program_using_it() -> None:
    method = builtin_method("2024")
    quantities = {p.id: {f.figure: 10 + i for i, f in enumerate(p.factors)} for p in method.programs}
    regions = [
        region("110000", "1", {"rental": "90", "renovation": "80", "shantytown": "85"}, **quantities),
        region("120000", "1.2", {"rental": "70", "renovation": "95", "shantytown": "75"}, **quantities),
    ]
    allocation = allocate(method, regions, {p.id: D(1000) for p in method.programs})
    value = next(p for p in point_values(allocation) if p.code == "110000" and p.program == "renovation")
    assert [program for program, _ in value.by_program] == ["urban_village", "renovation"]
    assert all(change > 0 for _, change in value.by_program)
    with localcontext(computing()):
        assert value.per_point == sum(change for _, change in value.by_program)


def test_a_region_at_full_marks_is_asked_about_its_last_point(test_method: FactorMethod) -> None:
    regions = [
        region("110000", "1", {"renovation": "100"}, renovation={"planned_area": 10, "planned_households": 1}),
        region("120000", "1", {"renovation": "80"}, renovation={"planned_area": 20, "planned_households": 3}),
    ]
    allocation = allocate(test_method, regions, {"renovation": D(500)})
    value = next(p for p in point_values(allocation) if p.code == "110000")
    assert value.score == 100 and value.per_point > 0
