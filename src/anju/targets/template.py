"""A draft targets file for a region and year, from the framework (and, with a dataset, filled).

The draft has every program of the framework, and for each one a 数量指标 per completion metric of
the framework whose denominator is a planned quantity (not money): the indicator links the actual
figure, the planned figure and the scoring item, so that at year end its actual value and its score
come from the evaluation. Without a dataset the 指标值 and the 年度总体目标 are left blank for the
province to fill (the loader names each one); with a dataset they are its planned figures, broken
down to the units and prefectures exactly as the units file (``units.yaml``) breaks them down —
every part then adds up by construction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from anju.collect.regions import RegionTree
from anju.collect.units import UnitsFile
from anju.dataset.models import Dataset
from anju.framework.models import Framework, Program, Proportional, RatioTiers, Threshold


def _completion_indicators(program: Program) -> list[dict[str, Any]]:
    found = []
    for path, item in program.items():
        rule = item.rule
        if not isinstance(rule, RatioTiers | Proportional | Threshold) or rule.metric.kind != "completion":
            continue
        numerator, denominator = rule.metric.numerator, rule.metric.denominator or []
        if len(numerator) != 1 or len(denominator) != 1:
            continue
        planned = program.figure(denominator[0])
        if planned.kind == "amount":
            continue  # spending against budget is monitored as budget execution, not as a target
        found.append({
            "id": numerator[0], "label": program.figure(numerator[0]).label.replace("实际", ""), "category": "quantity",
            "comparison": "≥", "value": None, "unit": planned.unit, "figure": numerator[0],
            "planned_figure": denominator[0], "item": path, "adds_up": True,
        })
    return found


def _value(raw: object) -> Decimal:
    return raw if isinstance(raw, Decimal) else Decimal(0)


def draft_targets(framework: Framework, tree: RegionTree, year: int, dataset: Dataset | None = None,
                  units: UnitsFile | None = None) -> dict[str, Any]:
    """The data of a ``targets.yaml`` to edit (dump with :func:`anju.yamlio.dump_yaml`)."""
    reporting = [u for u in tree.reporting_units(year) if u.level != "province"]
    programs: dict[str, Any] = {}
    for program in framework.programs:
        indicators = _completion_indicators(program)
        entry: dict[str, Any] = {"overall": "", "indicators": indicators}
        if dataset is not None and program.id in dataset.programs:
            for indicator in indicators:
                indicator["value"] = _value(dataset.figure(program.id, indicator["planned_figure"]))
        if units is not None:
            parts: dict[str, dict[str, Decimal]] = {}
            prefectures: dict[str, dict[str, Decimal]] = {}
            for unit in reporting:
                report = units.units.get(unit.code)
                data = report.programs.get(program.id) if report is not None else None
                figures = data.figures if data is not None else {}
                parts[unit.code] = {i["id"]: _value(figures.get(i["planned_figure"])) for i in indicators}
                prefecture = tree.prefecture_of(unit.code)
                if prefecture is not None:
                    bucket = prefectures.setdefault(prefecture.code, {i["id"]: Decimal(0) for i in indicators})
                    for key, value in parts[unit.code].items():
                        bucket[key] += value
            entry["prefectures"] = prefectures
            entry["units"] = parts
        programs[program.id] = entry
    return {
        "region": tree.code, "year": year, "framework": framework.id,
        "title": f"{tree.name}{year}年度区域绩效目标",
        "issued": {"date": None, "document": "", "title": ""},
        "programs": programs,
    }
