"""Generate examples/jilin-2022/targets.yaml and monitoring.yaml: Jilin's 2022 performance targets
(绩效目标) broken down to its 9 prefectures and 48 reporting units, and two monitoring rounds
(6月30日, 9月30日) — 示例数据，非真实数据.

The real targets table and monitoring reports are not public. The targets are the seed's planned
quantities (保障性租赁住房 12670套, 公租房 500套, 租赁补贴 75174户, 老旧小区 1142个 …), broken down
to the units exactly as units.yaml breaks down the planned figures, so every part adds up. The
monitoring rounds take each unit's year-end spending and completion (units.yaml) and a share of it
reached by 6月30日 and 9月30日 that varies from unit to unit deterministically (SHA-256 of the unit
code, no random state), so the year-end figures stay the seed's. Every warning the declared rules
raise carries an illustrative reason and correction measure.

Run: ``python examples/jilin-2022/make_year.py``; ``--check`` exits 1 when the files differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from anju.collect.regions import builtin_region_tree
from anju.framework import builtin_framework
from anju.monitoring import assess_round
from anju.monitoring.models import Monitoring
from anju.targets.models import Targets
from anju.yamlio import dump_yaml, parse_yaml, read_yaml

HERE = Path(__file__).resolve().parent
CENT = Decimal("0.01")
NOTE = "示例数据，非真实数据：目标值取自样本的计划数，按 units.yaml 的分地区计划数分解；监控数据按各单位年末数的示意比例生成。"

INDICATORS: dict[str, list[dict[str, Any]]] = {
    "rental": [
        {"id": "rental_housing", "label": "保障性租赁住房筹集套数", "category": "quantity", "comparison": "≥",
         "unit": "套", "figure": "rental_housing_raised", "planned_figure": "rental_housing_planned",
         "item": "outputs.rental_housing_completion", "adds_up": True},
        {"id": "public_housing", "label": "新筹集公租房套数", "category": "quantity", "comparison": "≥", "unit": "套",
         "figure": "public_housing_started", "planned_figure": "public_housing_planned",
         "item": "outputs.public_housing_completion", "adds_up": True},
        {"id": "rental_subsidy", "label": "发放租赁补贴户数", "category": "quantity", "comparison": "≥", "unit": "户",
         "figure": "subsidy_paid", "planned_figure": "subsidy_planned", "item": "outputs.subsidy_completion",
         "adds_up": True},
        {"id": "quality", "label": "工程质量", "category": "quality", "comparison": "定性",
         "text": "符合工程建设标准，未发生工程质量问题", "item": "outputs.quality"},
        {"id": "distribution", "label": "资金分解下达及时性", "category": "timeliness", "comparison": "定性",
         "text": "收到中央资金后30日内分解下达市县", "item": "fund_management.fund_distribution"},
        {"id": "coverage", "label": "城镇户籍低保、低收入住房困难家庭申请公租房的保障率", "category": "social",
         "comparison": "≥", "value": 100, "unit": "%", "figure": "low_income_coverage_rate",
         "item": "outputs.low_income_coverage"},
        {"id": "management", "label": "租赁住房管理制度", "category": "sustainability", "comparison": "定性",
         "text": "保障性租赁住房管理服务平台和管理制度逐步健全", "item": "outputs.operations.management"},
        {"id": "satisfaction", "label": "租赁住房保障对象满意度", "category": "beneficiary", "comparison": "≥",
         "value": 85, "unit": "%", "figure": "satisfaction_rate", "item": "outputs.satisfaction"},
    ],
    "renovation": [
        {"id": "communities", "label": "开工改造老旧小区个数", "category": "quantity", "comparison": "≥", "unit": "个",
         "figure": "started_communities", "planned_figure": "planned_communities",
         "item": "outputs.plan_completion.communities", "adds_up": True},
        {"id": "households", "label": "惠及居民户数", "category": "quantity", "comparison": "≥", "unit": "户",
         "figure": "started_households", "planned_figure": "planned_households",
         "item": "outputs.plan_completion.households", "adds_up": True},
        {"id": "buildings", "label": "改造楼栋数", "category": "quantity", "comparison": "≥", "unit": "栋",
         "figure": "started_buildings", "planned_figure": "planned_buildings",
         "item": "outputs.plan_completion.buildings", "adds_up": True},
        {"id": "quality", "label": "工程质量安全", "category": "quality", "comparison": "定性",
         "text": "未发生工程质量安全事故", "item": "outputs.quality_safety"},
        {"id": "basic_gaps", "label": "基础类设施短板纳入改造方案的小区占比", "category": "social", "comparison": "≥",
         "value": 100, "unit": "%", "item": "outputs.content.basic_gaps"},
        {"id": "long_term", "label": "建立住宅专项维修资金机制的小区占比", "category": "sustainability",
         "comparison": "≥", "value": 80, "unit": "%", "item": "outputs.long_term.maintenance_fund"},
        {"id": "satisfaction", "label": "完成改造小区居民满意度", "category": "beneficiary", "comparison": "定性",
         "text": "居民满意度达到80%以上", "item": "satisfaction.resident_satisfaction"},
    ],
    "shantytown": [
        {"id": "started", "label": "棚户区改造开工套数", "category": "quantity", "comparison": "≥", "unit": "套",
         "figure": "started_units", "planned_figure": "planned_units", "item": "outputs.plan_completion",
         "adds_up": True},
        {"id": "allocation", "label": "基本建成安置住房分配率", "category": "quantity", "comparison": "≥", "value": 80,
         "unit": "%", "item": "outputs.allocation_rate"},
        {"id": "quality", "label": "工程质量", "category": "quality", "comparison": "定性",
         "text": "符合工程建设标准，未发生工程质量问题", "item": "outputs.quality"},
        {"id": "living", "label": "棚户区居民住房条件", "category": "social", "comparison": "定性",
         "text": "住房条件明显改善，城市功能进一步完善"},
        {"id": "satisfaction", "label": "回迁安置居民满意度", "category": "beneficiary", "comparison": "定性",
         "text": "满意度达到80%以上", "item": "outputs.resident_satisfaction"},
    ],
}
OVERALL = {
    "rental": "筹集保障性租赁住房12670套、公租房500套，向75174户城镇住房保障对象发放租赁补贴，城镇户籍低保、"
              "低收入住房困难家庭申请公租房应保尽保，加快发展保障性租赁住房，健全住房租赁管理制度，改善城镇住房困难群众居住条件。",
    "renovation": "开工改造城镇老旧小区1142个、惠及居民196644户、改造楼栋3603栋，补齐基础类设施短板，"
                  "推动建立小区长效管理机制，改善居民居住条件，提升居民满意度。",
    "shantytown": "棚户区改造开工20445套，基本建成安置住房分配率达到80%以上，确保工程质量，改善棚户区居民住房条件。",
}
EXECUTION = {p: {"budget": "central_budget", "spent": "central_spent"} for p in INDICATORS}
ROUNDS = (dt.date(2022, 6, 30), dt.date(2022, 9, 30))
DATES = (dt.date(2022, 6, 30), dt.date(2022, 9, 30), dt.date(2022, 11, 30))
SPENT_SHARE = {  # share of the unit's year-end spending reached by each round (before the unit's factor)
    "rental": (Decimal("0.40"), Decimal("0.72")),
    "renovation": (Decimal("0.30"), Decimal("0.62")),
    "shantytown": (Decimal("0.45"), Decimal("0.78")),
}
DONE_SHARE = (Decimal("0.42"), Decimal("0.78"))
"""Share of the unit's year-end completion reached by each round (before the unit's factor)."""
EXPECTED = {DATES[0]: 40, DATES[1]: 75, DATES[2]: 90}
"""The declared yearly path of the quantity targets (开工、筹集 in the construction season)."""
REASONS = {
    "execution": [
        ("项目前期手续办理周期较长，工程款按进度拨付，资金支付滞后于时序进度。",
         "加快项目前期手续办理，按月调度资金支付进度，督促项目单位按工程进度及时申请拨付。"),
        ("部分项目冬季施工期短，集中在第三季度开工，资金使用集中在下半年。",
         "建立项目支出台账，对进度滞后项目逐一约谈，确保年底前完成支出。"),
        ("资金分配到具体项目较晚，项目单位尚未完成招投标。",
         "压茬推进招投标，已完成招标的项目先行拨付预付款。"),
    ],
    "target": [
        ("受疫情影响部分项目开工推迟，筹集进度落后于计划。", "倒排工期、挂图作战，确保在施工季完成年度任务。"),
        ("个别项目土地和规划手续尚未办结。", "协调自然资源、规划部门并联审批，力争下一季度开工。"),
    ],
}


def factor(code: str, salt: str) -> Decimal:
    """A deterministic factor in [0.70, 1.30] from the unit code."""
    digest = hashlib.sha256(f"{code}/{salt}".encode()).digest()
    return Decimal(70 + digest[0] * 60 // 255) / 100


def num(raw: Any) -> Decimal:
    return Decimal(str(raw)) if isinstance(raw, int | float | Decimal) else Decimal(0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def unit_figures(units: dict[str, Any], code: str, program: str) -> dict[str, Any]:
    data = units[code]["programs"].get(program) or {}
    return data.get("figures") or {}


def build_targets(dataset: dict[str, Any], units: dict[str, Any], tree: Any) -> dict[str, Any]:
    programs: dict[str, Any] = {}
    for program, indicators in INDICATORS.items():
        figures = dataset["programs"][program]["figures"]
        rows = []
        for spec in indicators:
            row = dict(spec)
            if spec.get("adds_up"):
                row["value"] = num(figures[spec["planned_figure"]])
            rows.append({k: row[k] for k in ("id", "label", "category", "comparison", "value", "text", "unit", "figure",
                                             "planned_figure", "item", "adds_up") if k in row})
        unit_parts: dict[str, dict[str, Decimal]] = {}
        prefecture_parts: dict[str, dict[str, Decimal]] = {}
        for code in units:
            fig = unit_figures(units, code, program)
            parts = {s["id"]: num(fig.get(s["planned_figure"])) for s in indicators if s.get("adds_up")}
            unit_parts[code] = parts
            prefecture = tree.prefecture_of(code)
            bucket = prefecture_parts.setdefault(prefecture.code, {k: Decimal(0) for k in parts})
            for key, value in parts.items():
                bucket[key] += value
        programs[program] = {
            "overall": OVERALL[program],
            "funds": num(figures["central_budget"]),
            "indicators": rows,
            "prefectures": prefecture_parts,
            "units": unit_parts,
        }
    return {
        "region": "220000", "year": 2022, "framework": "2022",
        "title": "吉林省2022年度中央财政城镇保障性安居工程补助资金区域绩效目标（示例）",
        "note": NOTE,
        "issued": {"date": dt.date(2022, 6, 10).isoformat(), "document": "吉财建〔2022〕示例号",
                   "title": "关于下达2022年中央财政城镇保障性安居工程补助资金预算的通知（示例）"},
        "programs": programs,
    }


def build_monitoring(units: dict[str, Any]) -> dict[str, Any]:
    rounds = []
    for index, day in enumerate(ROUNDS):
        reports: dict[str, Any] = {}
        for code in units:
            programs: dict[str, Any] = {}
            for program, indicators in INDICATORS.items():
                fig = unit_figures(units, code, program)
                if not fig:
                    continue
                budget, year_end = num(fig.get("central_budget")), num(fig.get("central_spent"))
                share = min(SPENT_SHARE[program][index] * factor(code, f"{program}/spent"), Decimal(1))
                progress = {}
                for spec in indicators:
                    if spec.get("adds_up"):
                        done = num(fig.get(spec["figure"]))
                        progress[spec["id"]] = whole(done * min(DONE_SHARE[index] * factor(code, spec["id"]), Decimal(1)))
                programs[program] = {"budget": budget, "spent": cents(year_end * share), "progress": progress}
            deadline = day + dt.timedelta(days=10)
            reports[code] = {"submitted": (deadline - dt.timedelta(days=int(factor(code, "day") * 5))).isoformat(),
                             "programs": programs}
        rounds.append({"date": day.isoformat(), "reports": reports})
    return {
        "region": "220000", "year": 2022, "framework": "2022",
        "title": "吉林省2022年度城镇保障性安居工程补助资金绩效运行监控（示例）",
        "note": NOTE,
        "programs": EXECUTION,
        "rules": [
            {"id": "execution_far_behind", "kind": "execution_behind", "label": "预算执行进度严重滞后",
             "behind": 20, "level": "red"},
            {"id": "execution_behind", "kind": "execution_behind", "label": "预算执行进度滞后于时序进度",
             "behind": 10, "level": "amber"},
            {"id": "target_behind", "kind": "target_behind", "label": "绩效目标完成进度滞后", "behind": 15,
             "level": "amber"},
            {"id": "target_at_risk", "kind": "target_projection", "label": "按当前进度年末不能完成绩效目标",
             "level": "red"},
        ],
        "dates": [
            {"date": day.isoformat(), "deadline": (day + dt.timedelta(days=10)).isoformat(),
             "expected": {p: {s["id"]: EXPECTED[day] for s in specs if s.get("adds_up")} for p, specs in INDICATORS.items()}}
            for day in DATES
        ],
        "rounds": rounds,
    }


def explain(monitoring: dict[str, Any], targets: Targets) -> None:
    """Add a reason and a measure for every warning the rules raise (each unit answers its own)."""
    framework = builtin_framework("2022")
    tree = builtin_region_tree("220000")
    model = Monitoring.model_validate(monitoring)
    for round_data in monitoring["rounds"]:
        day = dt.date.fromisoformat(round_data["date"])
        assessment = assess_round(model, targets, framework, tree, day)
        for warning in assessment.warnings:
            pool = REASONS["target" if warning.indicator else "execution"]
            reason, measure = pool[int(factor(warning.unit, warning.rule + (warning.indicator or "")) * 10) % len(pool)]
            answer: dict[str, Any] = {"rule": warning.rule}
            if warning.indicator:
                answer["indicator"] = warning.indicator
            answer.update({"reason": reason, "measure": measure})
            report = round_data["reports"][warning.unit]["programs"][warning.program]
            report.setdefault("explanations", []).append(answer)


def render() -> dict[str, str]:
    dataset = read_yaml(HERE / "dataset.yaml").data
    units = read_yaml(HERE / "units.yaml").data["units"]
    tree = builtin_region_tree("220000")
    targets_data = build_targets(dataset, units, tree)
    targets_text = dump_yaml(targets_data, header=f"示例数据，非真实数据（illustrative）\n{NOTE}\n重新生成：python examples/jilin-2022/make_year.py")
    targets = Targets.model_validate(read_yaml_text(targets_text))
    monitoring = build_monitoring(units)
    explain(monitoring, targets)
    monitoring_text = dump_yaml(monitoring, header=f"示例数据，非真实数据（illustrative）\n{NOTE}\n重新生成：python examples/jilin-2022/make_year.py")
    return {"targets.yaml": targets_text, "monitoring.yaml": monitoring_text}


def read_yaml_text(text: str) -> Any:
    return parse_yaml(text, "targets.yaml").data


def main(argv: list[str]) -> int:
    files = render()
    if "--check" in argv:
        stale = [name for name, text in files.items() if (HERE / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"{name} 与生成结果不同：请运行 python examples/jilin-2022/make_year.py")
        return 1 if stale else 0
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"已生成 {HERE / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
