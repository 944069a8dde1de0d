"""Write the illustrative national dataset (示例数据): one dataset per top-level reporting region.

Jilin's file is the real one (../jilin-2022/dataset.yaml, the seed's figures: 88 / 85 / 93). Every
other region's figures are made from Jilin's, scaled and varied with a random generator seeded by
the region's code, so the same script always writes the same files. They are NOT real data.

Usage:  python examples/national-2022/make_national.py           write the files
        python examples/national-2022/make_national.py --check   exit 1 if a committed file differs
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
JILIN = HERE.parent / "jilin-2022" / "dataset.yaml"
REGIONS = HERE.parents[1] / "src" / "anju" / "data" / "regions"
NOT_SCALED = ("_rate", "violations", "quality_problems", "cities_", "prefecture_cities_with_task")
PAIRS = {  # completed figure → its plan, completion varied around 100%
    "rental": {"rental_housing_raised": "rental_housing_planned", "public_housing_started": "public_housing_planned",
               "subsidy_paid": "subsidy_planned", "rental_units_operated": "rental_units_total"},
    "renovation": {"started_communities": "planned_communities", "started_households": "planned_households",
                   "started_area": "planned_area", "started_buildings": "planned_buildings",
                   "basic_gap_included": "basic_gap_communities", "improvement_gap_included": "improvement_gap_communities",
                   "upgrade_gap_included": "upgrade_gap_communities"},
    "shantytown": {"started_units": "planned_units"},
}
CAPPED = {"basic_gap_included", "improvement_gap_included", "upgrade_gap_included", "rental_units_operated"}
HEADER = """\
# 示例数据（illustrative, not real data）：{name}2022年度城镇保障性安居工程绩效评价数据
# 由 make_national.py 从吉林省数据按地区代码生成（随机数以地区代码为种子），不是真实数据。
"""


def regions() -> list[tuple[str, str]]:
    out = []
    for path in sorted(REGIONS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append((str(data["code"]), str(data["name"])))
    return out


def money(value: Decimal) -> float | int:
    rounded = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def make(code: str, name: str, jilin: dict) -> dict:
    rng = random.Random(int(code))
    size = Decimal(str(round(rng.uniform(0.3, 2.5), 2)))
    programs = {}
    for program_id, program in jilin["programs"].items():
        figures: dict[str, object] = {}
        for key, value in program["figures"].items():
            if not isinstance(value, (int, float)) or any(part in key for part in NOT_SCALED):
                figures[key] = value
                continue
            scaled = Decimal(str(value)) * size
            figures[key] = money(scaled) if isinstance(value, float) else int(scaled.to_integral_value(ROUND_HALF_UP))
        for done, plan in PAIRS[program_id].items():
            rate = Decimal(str(round(rng.uniform(0.82, 1.06), 3)))
            if done in CAPPED:
                rate = min(rate, Decimal(1))
            figures[done] = int((Decimal(figures[plan]) * rate).to_integral_value(ROUND_HALF_UP))  # type: ignore[arg-type]
        spent = Decimal(str(round(rng.uniform(0.5, 1.0), 3)))
        figures["central_spent"] = money(Decimal(str(figures["central_budget"])) * spent)
        if "satisfaction_rate" in figures:
            figures["satisfaction_rate"] = rng.randint(82, 98)
        figures["violations"] = 1 if rng.random() < 0.1 else 0
        if program_id == "rental":  # the parts add up to the total, as in Jilin's figures
            figures["total_funds"] = money(Decimal(str(figures["central_funds"])) + Decimal(str(figures["county_funds"])))
        programs[program_id] = {"figures": figures, "judgements": program["judgements"]}
    return {
        "region": {"code": code, "name": name},
        "year": 2022,
        "framework": "2022",
        "as_of": dt.date(2023, 1, 5 + int(code[:2]) % 20),
        "title": f"{name}2022年度城镇保障性安居工程财政资金绩效评价数据（示例数据）",
        "source": "示例数据：由 make_national.py 从吉林省数据按地区代码生成，不是真实数据",
        "programs": programs,
    }


def submitted_at(code: str) -> str | None:
    """The day the region's evaluation went to its 监管局 (示例): most before 2月28日, a few not yet."""
    rng = random.Random(int(code) + 1)
    if code != "220000" and rng.random() < 0.15:
        return None
    return (dt.date(2023, 2, 10) + dt.timedelta(days=rng.randint(0, 18))).isoformat()


def render() -> dict[str, str]:
    jilin = yaml.safe_load(JILIN.read_text(encoding="utf-8"))
    files: dict[str, str] = {}
    manifest = ["# 示例数据（illustrative, not real data）：全国37个顶层报表地区2022年度绩效评价数据集。",
                "# 由 make_national.py 生成；吉林省为样本的真实数据，其余各地区的数字均为示例，不是真实数据。",
                "# submitted_at：报送财政部监管局的日期（示例）；缺省表示尚未报送。",
                "title: 全国2022年度城镇保障性安居工程绩效评价（示例数据）", "year: 2022", 'framework: "2022"',
                "regions:"]
    for code, name in regions():
        if code == "220000":
            files[f"{code}.yaml"] = JILIN.read_text(encoding="utf-8")
        else:
            body = yaml.safe_dump(make(code, name, jilin), allow_unicode=True, sort_keys=False, width=120)
            files[f"{code}.yaml"] = HEADER.format(name=name) + body
        date = submitted_at(code)
        manifest.append(f'  "{code}": {{name: {name}, dataset: {code}.yaml' + (f", submitted_at: {date}}}" if date else "}"))
    files["national.yaml"] = "\n".join(manifest) + "\n"
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成全国示例数据集（示例：python examples/national-2022/make_national.py --check）")
    parser.add_argument("--check", action="store_true", help="只比较，不写入；有差异时退出码为 1")
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        differ = [n for n, text in files.items() if not (HERE / n).is_file() or (HERE / n).read_text(encoding="utf-8") != text]
        if differ:
            print("与生成结果不一致：" + "、".join(differ), file=sys.stderr)
            return 1
        print(f"{len(files)} 个文件与生成结果一致")
        return 0
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
    print(f"已写入 {len(files)} 个文件：{HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
