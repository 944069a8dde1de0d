"""Generate examples/jilin-2022/units.yaml: an illustrative breakdown of Jilin's 2022 province
figures over its 48 reporting units (示例数据，非真实分地区数据).

The real breakdown is not public. This script splits every province figure of dataset.yaml over
the units deterministically (no random state: every "random" factor is a SHA-256 of the unit code
and the figure id), with exact Decimal remainders (largest-remainder method), so that every sum
equals the seed's province figure to the cent and every unit-level rule holds:

* weights are illustrative orders of magnitude (示意权重), not statistics;
* parts and totals stay consistent in each unit (全部 = 中央 + 市县, …);
* a part never exceeds its whole in a unit (已分配 ≤ 达到交付条件, …);
* 白山市 and its counties have no 老旧小区 task (the seed: 白山市2022年无计划任务), so 7 地级市
  have a task; 3 issued bonds, 2 used loans, 5 used online voting;
* only 长春市 (the one 人口净流入大城市) reports a 十四五 rental-housing target; 7 units built
  rental housing (the seed: 7个市县开展了保障性租赁住房和公租房建设工作).

Run: ``python examples/jilin-2022/make_units.py`` (writes units.yaml next to this file);
``--check`` exits 1 when the file on disk differs from what the script generates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from anju.collect.aggregate import aggregate_units
from anju.collect.regions import builtin_region_tree
from anju.collect.units import UnitProgram, UnitReport, UnitsFile, dump_units
from anju.collect.validation import builtin_rules, check_units
from anju.dataset import load_dataset
from anju.dataset.models import NOT_APPLICABLE, FigureValue

HERE = Path(__file__).resolve().parent
NOTE = "示例数据，非真实分地区数据：按示意权重把样本的全省数据确定性地分解到48个报表单位，各项合计与样本全省数一致。"
HEADER = (
    "示例数据，非真实分地区数据（illustrative, not real per-unit data）\n"
    "吉林省2022年度城镇保障性安居工程分地区填报数据：由 make_units.py 按示意权重把 dataset.yaml 的全省数\n"
    "确定性地分解到48个报表单位（9个地级市/州本级 + 39个县（市）），各项合计与全省数分毫不差。\n"
    "重新生成：python examples/jilin-2022/make_units.py"
)
CENT = Decimal("0.01")
ONE = Decimal(1)

# 示意权重（约数，表示城区人口的数量级，非统计数据）
WEIGHTS: dict[str, int] = {
    "220100": 450, "220122": 90, "220182": 100, "220183": 80, "220184": 95,
    "220200": 180, "220221": 35, "220281": 40, "220282": 40, "220283": 55, "220284": 50,
    "220300": 60, "220322": 65, "220323": 40, "220382": 35,
    "220400": 45, "220421": 35, "220422": 30,
    "220500": 40, "220521": 20, "220523": 30, "220524": 35, "220581": 55, "220582": 20,
    "220600": 35, "220621": 28, "220622": 13, "220623": 7, "220681": 15,
    "220700": 60, "220721": 55, "220722": 60, "220723": 27, "220781": 65,
    "220800": 50, "220821": 27, "220822": 33, "220881": 38, "220882": 37,
    "222400": 20, "222401": 65, "222402": 11, "222403": 45, "222404": 23, "222405": 15,
    "222406": 15, "222424": 20, "222426": 18,
}
RENTAL_BUILDERS = ["220100", "220200", "220300", "220500", "220581", "220700", "222401"]
PUBLIC_HOUSING_BUILDERS = ["220100", "220200", "222401"]
NO_RENOVATION_TASK = ["220600", "220621", "220622", "220623", "220681"]  # 白山市及所辖县（市）
NET_INFLOW_CITY = "220100"
DEADLINE = dt.date(2023, 1, 20)
LATE = {"220623": dt.date(2023, 1, 23), "222402": dt.date(2023, 1, 22)}


def factor(code: str, key: str, low: str, high: str) -> Decimal:
    """A deterministic number in [low, high] from the unit code and a key (4 decimals)."""
    digest = int(hashlib.sha256(f"{code}:{key}".encode()).hexdigest()[:8], 16)
    lo, hi = Decimal(low), Decimal(high)
    return (lo + (hi - lo) * Decimal(digest) / Decimal(0xFFFFFFFF)).quantize(Decimal("0.0001"))


def split(total: Decimal, weights: dict[str, Decimal], quantum: Decimal) -> dict[str, Decimal]:
    """Largest-remainder split of ``total`` in steps of ``quantum``; the parts add up exactly."""
    steps = total / quantum
    if steps != steps.to_integral_value():
        raise ValueError(f"{total} 不是 {quantum} 的整数倍")
    weight_sum = sum(weights.values(), Decimal(0))
    quotas = {code: steps * w / weight_sum for code, w in weights.items()}
    floors = {code: q.to_integral_value(rounding=ROUND_FLOOR) for code, q in quotas.items()}
    left = int(steps - sum(floors.values(), Decimal(0)))
    order = sorted(weights, key=lambda c: (-(quotas[c] - floors[c]), c))
    for code in order[:left]:
        floors[code] += 1
    return {code: floors[code] * quantum for code in weights}


def split_capped(
    total: Decimal, weights: dict[str, Decimal], caps: dict[str, Decimal], quantum: Decimal
) -> dict[str, Decimal]:
    """Like :func:`split`, but no part exceeds its cap (the excess goes to the others)."""
    if total > sum(caps.values(), Decimal(0)):
        raise ValueError("合计超过上限之和")
    fixed: dict[str, Decimal] = {}
    while True:
        free = {c: w for c, w in weights.items() if c not in fixed}
        parts = split(total - sum(fixed.values(), Decimal(0)), free, quantum)
        over = {c: v for c, v in parts.items() if v > caps[c]}
        if not over:
            return {**fixed, **parts}
        for code in over:
            fixed[code] = caps[code]


def jittered(codes: Sequence[str], key: str, low: str = "0.7", high: str = "1.3") -> dict[str, Decimal]:
    return {c: WEIGHTS[c] * factor(c, key, low, high) for c in codes}


def scaled(base: dict[str, Decimal], key: str, low: str, high: str) -> dict[str, Decimal]:
    return {c: v * factor(c, key, low, high) for c, v in base.items()}


def ranked(codes: Sequence[str], key: str) -> list[str]:
    return sorted(codes, key=lambda c: hashlib.sha256(f"{c}:{key}".encode()).hexdigest())


def build() -> UnitsFile:
    dataset, framework = load_dataset(HERE)
    tree = builtin_region_tree(dataset.region.code)
    units = [u for u in tree.reporting_units(dataset.year)]
    codes = [u.code for u in units]
    figures: dict[str, dict[str, dict[str, FigureValue]]] = {c: {} for c in codes}
    answers: dict[str, dict[str, bool]] = {c: {} for c in codes}

    def prov(program: str, fid: str) -> Decimal:
        value = dataset.programs[program].figures[fid]  # type: ignore[index]
        assert isinstance(value, Decimal)
        return value

    def put(program: str, fid: str, parts: dict[str, Decimal], among: Sequence[str]) -> None:
        for code in among:
            figures[code].setdefault(program, {})[fid] = parts.get(code, Decimal(0))

    # 住房租赁保障 ---------------------------------------------------------------------------
    r = "rental"
    central = split(prov(r, "central_funds"), jittered(codes, "r.central"), CENT)
    county = split(prov(r, "county_funds"), jittered(codes, "r.county"), CENT)
    put(r, "total_funds", {c: central[c] + county[c] for c in codes}, codes)
    put(r, "central_funds", central, codes)
    put(r, "county_funds", county, codes)
    put(r, "central_budget", central, codes)
    put(r, "central_spent", split(prov(r, "central_spent"), scaled(central, "r.spent", "0.45", "0.85"), CENT), codes)
    put(r, "violations", {}, codes)
    planned = split(prov(r, "rental_housing_planned"), jittered(RENTAL_BUILDERS, "r.rental"), ONE)
    put(r, "rental_housing_planned", planned, codes)
    put(r, "rental_housing_raised", planned, codes)
    public = split(prov(r, "public_housing_planned"), jittered(PUBLIC_HOUSING_BUILDERS, "r.public"), ONE)
    put(r, "public_housing_planned", public, codes)
    put(r, "public_housing_started", public, codes)
    subsidy = split(prov(r, "subsidy_planned"), jittered(codes, "r.subsidy"), ONE)
    put(r, "subsidy_planned", subsidy, codes)
    put(r, "subsidy_paid", split(prov(r, "subsidy_paid"), scaled(subsidy, "r.paid", "0.95", "1.2"), ONE), codes)
    put(r, "low_income_coverage_rate", {c: Decimal(100) for c in codes}, codes)
    for code in codes:
        target = code == NET_INFLOW_CITY
        figures[code][r]["target_new_rental"] = prov(r, "target_new_rental") if target else NOT_APPLICABLE
        figures[code][r]["target_new_supply"] = prov(r, "target_new_supply") if target else NOT_APPLICABLE
    stock = split(prov(r, "rental_units_total"), jittered(codes, "r.stock"), ONE)
    put(r, "rental_units_total", stock, codes)
    put(r, "rental_units_operated",
        split_capped(prov(r, "rental_units_operated"), scaled(stock, "r.operated", "0.1", "0.45"), stock, ONE), codes)
    put(r, "quality_problems", {}, codes)
    put(r, "satisfaction_rate", _satisfaction(codes, figures, prov(r, "satisfaction_rate")), codes)

    # 城镇老旧小区改造 -------------------------------------------------------------------------
    o = "renovation"
    task = [c for c in codes if c not in NO_RENOVATION_TASK]
    planned_c = split(prov(o, "planned_communities"), jittered(task, "o.planned"), ONE)
    started_c = split(prov(o, "started_communities"), scaled(planned_c, "o.started", "0.97", "1.06"), ONE)
    size = {c: planned_c[c] * factor(c, "o.size", "0.8", "1.2") for c in task}
    households = split(prov(o, "planned_households"), size, ONE)
    area = split(prov(o, "planned_area"), households, ONE)
    buildings = split(prov(o, "planned_buildings"), scaled(planned_c, "o.buildings", "0.8", "1.2"), ONE)
    put(o, "planned_communities", planned_c, task)
    put(o, "started_communities", started_c, task)
    put(o, "planned_households", households, task)
    put(o, "started_households", split(prov(o, "started_households"), households, ONE), task)
    put(o, "planned_area", area, task)
    put(o, "started_area", split(prov(o, "started_area"), area, ONE), task)
    put(o, "planned_buildings", buildings, task)
    put(o, "started_buildings", split(prov(o, "started_buildings"), buildings, ONE), task)
    renovated = {c: max(planned_c[c], started_c[c]) for c in task}
    for fid in ("market_operator_communities", "resident_contribution_communities", "party_org_communities",
                "owners_committee_communities", "contiguous_communities", "utility_handover_communities",
                "maintenance_fund_communities"):
        put(o, fid, split_capped(prov(o, fid), scaled(planned_c, f"o.{fid}", "0.6", "1.4"), renovated, ONE), task)
    put(o, "plan_approved_communities", started_c, task)
    for whole, part in (("basic_gap_communities", "basic_gap_included"),
                        ("improvement_gap_communities", "improvement_gap_included"),
                        ("upgrade_gap_communities", "upgrade_gap_included")):
        gaps = split_capped(prov(o, whole), scaled(planned_c, f"o.{whole}", "0.85", "1.15"), renovated, ONE)
        put(o, whole, gaps, task)
        put(o, part, split_capped(prov(o, part), scaled(gaps, f"o.{part}", "0.9", "1.1"), gaps, ONE), task)
    social = split(prov(o, "social_funds"), jittered(task, "o.social"), CENT)
    subsidy_o = split(prov(o, "central_subsidy"), jittered(task, "o.subsidy"), CENT)
    investment = split(prov(o, "central_budget_investment"), jittered(task, "o.investment"), CENT)
    spending = split(prov(o, "county_spending"), jittered(task, "o.spending"), CENT)
    central_total = {c: subsidy_o[c] + investment[c] for c in task}
    put(o, "funds_in_place", {c: social[c] + central_total[c] + spending[c] for c in task}, task)
    put(o, "social_funds", social, task)
    put(o, "central_funds_total", central_total, task)
    put(o, "central_subsidy", subsidy_o, task)
    put(o, "central_budget_investment", investment, task)
    put(o, "county_spending", spending, task)
    budget_o = split(prov(o, "central_budget"), jittered(task, "o.budget"), CENT)
    put(o, "central_budget", budget_o, task)
    put(o, "central_spent", split(prov(o, "central_spent"), scaled(budget_o, "o.spent", "0.2", "0.45"), CENT), task)
    put(o, "violations", {}, task)
    put(o, "quality_problems", {}, task)
    cities = [c for c in task if tree.unit(c).kind == "prefecture_city"]
    for fid, count in (("cities_issuing_bonds", 3), ("cities_using_loans", 2), ("cities_online_voting", 5)):
        chosen = set(ranked(cities, fid)[:count])
        for code in cities:
            answers[code][fid] = code in chosen

    # 城市棚户区改造 ---------------------------------------------------------------------------
    s = "shantytown"
    put(s, "local_funds", split(prov(s, "local_funds"), jittered(codes, "s.local"), CENT), codes)
    budget_s = split(prov(s, "central_budget"), jittered(codes, "s.budget"), CENT)
    put(s, "central_budget", budget_s, codes)
    put(s, "central_spent", split(prov(s, "central_spent"), scaled(budget_s, "s.spent", "0.45", "0.8"), CENT), codes)
    put(s, "violations", {}, codes)
    put(s, "plan_five_year", split(prov(s, "plan_five_year"), jittered(codes, "s.five"), ONE), codes)
    planned_s = split(prov(s, "planned_units"), jittered(codes, "s.planned"), ONE)
    put(s, "planned_units", planned_s, codes)
    put(s, "started_units", split(prov(s, "started_units"), scaled(planned_s, "s.started", "0.95", "1.15"), ONE), codes)
    ready = split(prov(s, "ready_units"), scaled(planned_s, "s.ready", "0.7", "1.3"), ONE)
    put(s, "ready_units", ready, codes)
    put(s, "allocated_units", split_capped(prov(s, "allocated_units"), scaled(ready, "s.allocated", "0.7", "0.9"), ready, ONE), codes)
    put(s, "quality_problems", {}, codes)

    reports: dict[str, UnitReport] = {}
    for index, unit in enumerate(units):
        code = unit.code
        programs: dict[str, UnitProgram] = {}
        for program in framework.programs:
            if program.id == o and code in NO_RENOVATION_TASK:
                programs[program.id] = UnitProgram(no_task=True)
            else:
                reported = figures[code][program.id]
                ordered = {f.id: reported[f.id] for f in program.figures if f.id in reported}
                programs[program.id] = UnitProgram(
                    figures=ordered, answers=answers[code] if program.id == o else {}
                )
        submitted = LATE.get(code, dt.date(2023, 1, 5) + dt.timedelta(days=index % 14))
        reports[code] = UnitReport.model_validate(
            {"name": unit.display_name, "submitted_at": submitted, "programs": programs}
        )
    result = UnitsFile(
        framework=framework.id,
        region=tree.code,
        year=dataset.year,
        title="吉林省2022年度城镇保障性安居工程分地区填报数据（示例）",
        note=NOTE,
        example=True,
        deadline=DEADLINE,
        units=reports,
    )
    _verify(result)
    return result


def _satisfaction(codes: list[str], figures: dict[str, dict[str, dict[str, FigureValue]]], target: Decimal) -> dict[str, Decimal]:
    """Unit rates of 90–98% whose weighted mean (weights: 累计筹集 + 补贴户数) rounds to ``target``:
    the unit with the largest weight takes the balance, rounded to 0.01."""
    def weight(code: str) -> Decimal:
        values = [figures[code]["rental"]["rental_units_total"], figures[code]["rental"]["subsidy_paid"]]
        return sum((v for v in values if isinstance(v, Decimal)), Decimal(0))

    weights = {c: weight(c) for c in codes}
    anchor = max(codes, key=lambda c: (weights[c], c))
    rates = {c: factor(c, "r.satisfaction", "90", "98").quantize(Decimal("0.1")) for c in codes if c != anchor}
    rest = sum((weights[c] * rates[c] for c in rates), Decimal(0))
    total = sum(weights.values(), Decimal(0))
    rates[anchor] = ((target * total - rest) / weights[anchor]).quantize(CENT)
    return rates


def _verify(units: UnitsFile) -> None:
    """Every province figure equals the seed's; no unit breaks an error rule."""
    dataset, framework = load_dataset(HERE)
    tree = builtin_region_tree(units.region)
    result = aggregate_units(framework, tree, units)
    if result.problems:
        raise SystemExit("汇总有问题：" + "；".join(str(p) for p in result.problems))
    for program_id, data in dataset.programs.items():
        for fid, value in data.figures.items():
            got = result.province()[program_id][fid]
            if got != value:
                raise SystemExit(f"{program_id}.{fid}：全省数 {value}，分解后合计 {got}")
    errors = [f for f in check_units(builtin_rules(framework), framework, units) if f.severity.value != "advisory"]
    if errors:
        raise SystemExit("分解结果违反校验规则：\n" + "\n".join(f.message for f in errors))


def render() -> str:
    return dump_units(build(), HEADER)


def main(argv: list[str]) -> int:
    target = HERE / "units.yaml"
    text = render()
    if "--check" in argv:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print("units.yaml 与生成结果不一致，请重新运行 make_units.py", file=sys.stderr)
            return 1
        print("units.yaml 与生成结果一致。")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"已写入 {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
