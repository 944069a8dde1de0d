"""Scenarios: two allocations side by side, and one weight changed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anju.allocation import FactorMethod, allocate, load_inputs
from anju.allocation.scenarios import ScenarioError, compare, sensitivity, with_weight

from .helpers import EXAMPLES

D = Decimal


def test_changing_one_weight_keeps_the_program_at_100(method_2022: FactorMethod) -> None:
    changed = with_weight(method_2022, "renovation", "planned_area", D(40))
    program = changed.program("renovation")
    assert [f.weight for f in program.factors] == [D(40), D(24), D(8), D(8)]
    assert program.task_share + program.reward_share == 100
    assert changed.digest != method_2022.digest
    assert "改造面积权重改为40%" in changed.label
    reward = with_weight(method_2022, "rental", "reward", D(30))
    assert reward.program("rental").reward_share == 30
    assert reward.program("rental").task_share == 70


def test_a_weight_out_of_range_is_refused(method_2022: FactorMethod) -> None:
    with pytest.raises(ScenarioError):
        with_weight(method_2022, "renovation", "planned_area", D(80))
    with pytest.raises(ScenarioError):
        with_weight(method_2022, "renovation", "planned_roads", D(10))
    with pytest.raises(ScenarioError):
        with_weight(method_2022, "renovation", "reward", D(100))


def test_more_weight_on_area_moves_money_to_the_regions_with_more_area(method_2022: FactorMethod) -> None:
    resolved = load_inputs(EXAMPLES / "national.yaml", method_2022)
    base, variant, differences = sensitivity(method_2022, resolved.regions, resolved.amounts, program_id="renovation",
                                             target="planned_area", value=D(50))
    renovation = [d for d in differences if d.program == "renovation"]
    assert sum(d.change for d in renovation) == 0
    assert all(d.change == 0 for d in differences if d.program != "renovation")
    shares = {s.code: s.factors[0].share - s.factors[1].share for s in base.program("renovation").shares}
    richest_in_area = max(shares, key=lambda code: shares[code])
    assert next(d for d in renovation if d.code == richest_in_area).change > 0
    assert variant.method.program("renovation").factors[0].weight == 50


def test_compare_two_methods_lines_up_every_region_and_program(method_2022: FactorMethod) -> None:
    resolved = load_inputs(EXAMPLES / "national.yaml", method_2022)
    left = allocate(method_2022, resolved.regions, resolved.amounts)
    right = allocate(method_2022, resolved.regions, {**resolved.amounts, "rental": resolved.amounts["rental"] + 100})
    differences = compare(left, right)
    assert len(differences) == len(left.regions) * 3
    assert sum(d.change for d in differences) == 100
    assert all(d.change == 0 for d in differences if d.program != "rental")
