"""Properties of the engine for random inputs (hypothesis), over every built-in method.

* the parts add up exactly to the amount, to the declared unit (task + reward per program, totals);
* the order of the regions changes nothing;
* doubling every region's quantities changes nothing;
* raising one region's quantity or score never lowers its exact amount, and its rounded amount by at
  most one rounding unit (largest remainder can move one unit between regions: the apportionment
  paradox, stated in docs/adr/0005-allocation.md);
* a region with zero quantities gets zero task money.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anju.allocation import FactorMethod, RegionData, allocate, builtin_method, builtin_method_ids
from anju.allocation.rounding import apportion

D = Decimal
METHODS = {method_id: builtin_method(method_id) for method_id in builtin_method_ids()}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def quantity(draw: st.DrawFn, kind: str) -> Decimal:
    if kind == "count":
        return D(draw(st.integers(min_value=0, max_value=200_000)))
    return D(draw(st.integers(min_value=0, max_value=50_000_000))) / 100


@st.composite
def scenario(draw: st.DrawFn) -> tuple[FactorMethod, list[RegionData], dict[str, Decimal]]:
    method = METHODS[draw(st.sampled_from(sorted(METHODS)))]
    count = draw(st.integers(min_value=1, max_value=12))
    codes = draw(st.lists(st.integers(min_value=110000, max_value=659999), min_size=count, max_size=count, unique=True))
    regions = []
    for code in codes:
        quantities = {
            p.id: {f.figure: draw(quantity(p.figure(f.figure).kind)) for f in p.factors} for p in method.programs
        }
        # every program needs some quantity somewhere: give the first region at least one
        if code == codes[0]:
            for p in method.programs:
                quantities[p.id][p.factors[0].figure] += 1
        scores = {pid: D(draw(st.integers(min_value=1, max_value=10_000))) / 100 for pid in method.score_programs}
        difficulty = D(draw(st.integers(min_value=30, max_value=200))) / 100
        regions.append(RegionData(str(code), f"地区{code}", difficulty, quantities, scores))
    step = method.rounding.step
    amounts = {p.id: step * draw(st.integers(min_value=0, max_value=10**10)) for p in method.programs}
    return method, regions, amounts


@SETTINGS
@given(scenario())
def test_parts_add_up_to_the_amount_to_the_unit(case: tuple[FactorMethod, list[RegionData], dict[str, Decimal]]) -> None:
    method, regions, amounts = case
    allocation = allocate(method, regions, amounts)
    step = method.rounding.step
    for program in allocation.programs:
        assert program.task_pool + program.reward_pool == program.amount
        assert sum(s.task_amount for s in program.shares) == program.task_pool
        assert sum(s.reward_amount for s in program.shares) == program.reward_pool
        assert sum(s.amount for s in program.shares) == amounts[program.id]
        for share in program.shares:
            assert (share.amount / step) == (share.amount / step).to_integral_value()
            assert abs(share.task_amount - share.task.exact) < step
    assert sum(allocation.region_total(code) for code, _ in allocation.regions) == sum(amounts.values())


@SETTINGS
@given(scenario(), st.randoms(use_true_random=False))
def test_order_of_regions_changes_nothing(case: tuple[FactorMethod, list[RegionData], dict[str, Decimal]], rnd: object) -> None:
    method, regions, amounts = case
    shuffled = list(regions)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    first = allocate(method, regions, amounts)
    second = allocate(method, shuffled, amounts)
    assert [(s.code, s.program, s.task.exact, s.amount) for s in first.rows()] == \
           [(s.code, s.program, s.task.exact, s.amount) for s in second.rows()]


@SETTINGS
@given(scenario())
def test_doubling_every_quantity_changes_nothing(case: tuple[FactorMethod, list[RegionData], dict[str, Decimal]]) -> None:
    method, regions, amounts = case
    doubled = [
        replace(r, quantities={p: {f: v * 2 for f, v in figures.items() if v is not None} for p, figures in r.quantities.items()})
        for r in regions
    ]
    first = allocate(method, regions, amounts)
    second = allocate(method, doubled, amounts)
    assert [(s.code, s.task.exact, s.amount) for s in first.rows()] == [(s.code, s.task.exact, s.amount) for s in second.rows()]


@SETTINGS
@given(scenario(), st.data())
def test_more_quantity_never_lowers_the_amount(case: tuple[FactorMethod, list[RegionData], dict[str, Decimal]],
                                               data: st.DataObject) -> None:
    method, regions, amounts = case
    index = data.draw(st.integers(min_value=0, max_value=len(regions) - 1))
    program = data.draw(st.sampled_from(method.programs))
    factor = data.draw(st.sampled_from(program.factors)).figure
    extra = D(data.draw(st.integers(min_value=1, max_value=100_000)))
    target = regions[index]
    raised = replace(target, quantities={**target.quantities,
                                         program.id: {**target.quantities[program.id],
                                                      factor: target.quantities[program.id][factor] + extra}})
    before = allocate(method, regions, amounts).program(program.id).share(target.code)
    after = allocate(method, [*regions[:index], raised, *regions[index + 1:]], amounts).program(program.id).share(target.code)
    assert after.exact >= before.exact
    assert after.amount >= before.amount - method.rounding.step


@SETTINGS
@given(scenario(), st.data())
def test_a_higher_score_never_lowers_the_amount(case: tuple[FactorMethod, list[RegionData], dict[str, Decimal]],
                                                data: st.DataObject) -> None:
    method, regions, amounts = case
    if not method.score_programs:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(regions) - 1))
    score_program = data.draw(st.sampled_from(method.score_programs))
    target = regions[index]
    new_score = min(D(100), target.scores[score_program] + D(data.draw(st.integers(min_value=1, max_value=3000))) / 100)
    raised = replace(target, scores={**target.scores, score_program: new_score})
    before = allocate(method, regions, amounts)
    after = allocate(method, [*regions[:index], raised, *regions[index + 1:]], amounts)
    for program in before.programs:
        old, new = program.share(target.code), after.program(program.id).share(target.code)
        assert new.exact >= old.exact
        assert new.amount >= old.amount - method.rounding.step
        assert new.task_amount == old.task_amount


@SETTINGS
@given(scenario())
def test_zero_quantities_get_zero_task_money(case: tuple[FactorMethod, list[RegionData], dict[str, Decimal]]) -> None:
    method, regions, amounts = case
    idle = RegionData("999999", "无任务地区", D("1.2"),
                      {p.id: {f.figure: D(0) for f in p.factors} for p in method.programs},
                      {pid: D(100) for pid in method.score_programs})
    allocation = allocate(method, [*regions, idle], amounts)
    for program in allocation.programs:
        share = program.share("999999")
        assert share.task_amount == 0
        assert share.index == 0
        if program.method.reward is not None and program.method.reward.volume == "task_index":
            assert share.reward_amount == 0


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30), st.integers(min_value=0, max_value=10**8))
def test_largest_remainder_adds_up_and_stays_within_one_unit(weights: list[int], units: int) -> None:
    step = D("0.01")
    whole = step * units
    total = sum(weights)
    if total == 0:
        return
    parts = [(f"{i:06d}", whole * D(w) / D(total)) for i, w in enumerate(weights)]
    rounded = apportion(whole, parts, step)
    assert sum(r.amount for r in rounded) == whole
    assert all(abs(r.amount - r.exact) < step for r in rounded)
    assert all(r.amount == 0 for r, w in zip(rounded, weights, strict=True) if w == 0)


def test_ties_go_to_the_smaller_code_whatever_the_order() -> None:
    parts = [("220200", D("0.005")), ("220100", D("0.005"))]
    rounded = {r.key: r.amount for r in apportion(D("0.01"), parts, D("0.01"))}
    assert rounded == {"220100": D("0.01"), "220200": D(0)}
    rounded = {r.key: r.amount for r in apportion(D("0.01"), list(reversed(parts)), D("0.01"))}
    assert rounded == {"220100": D("0.01"), "220200": D(0)}
