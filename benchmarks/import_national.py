"""Benchmark: import a national-scale batch of filled workbooks (default 3,000).

Builds a synthetic national region tree (30 provinces × 10 prefecture cities × 10 reporting
units each, written as region files like Jilin's), generates one filled template per unit in a
temporary directory (values borrowed from the Jilin example; ``anju template``'s own batch writer,
XlsxWriter on every core; not timed),
then imports them all in a fresh process with the real importer (python-calamine, zip checks,
layout checks, validation rules) and reports workbooks per second and peak memory; finally it
aggregates each province.

    .venv/bin/python benchmarks/import_national.py            # 3,000 workbooks
    .venv/bin/python benchmarks/import_national.py --count 600 --tracemalloc

Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from anju.adapters.excel.importer import ImportContext, import_workbooks, merge_outcomes
from anju.adapters.excel.template import write_region_templates
from anju.collect.aggregate import aggregate_units
from anju.collect.regions import RegionTree, builtin_region_codes, builtin_region_tree, load_region_trees
from anju.collect.units import UnitReport, load_units
from anju.collect.validation import builtin_rules
from anju.framework import builtin_framework

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
             "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"]
PER_PREFECTURE = 10  # the city's own report + 9 counties


def national_trees(directory: Path, count: int) -> int:
    """Write synthetic province files with ``count`` reporting units in all; returns the count."""
    written = 0
    for province in PROVINCES:
        if written >= count:
            break
        lines = [f'code: "{province}0000"', f"name: 省{province}", "units:",
                 f'  - {{code: "{province}0000", name: 省{province}, level: province, kind: province, reports: false}}']
        for prefecture in range(1, 11):
            if written >= count:
                break
            pcode = f"{province}{prefecture:02d}00"
            lines.append(f'  - {{code: "{pcode}", name: 市{pcode}, level: prefecture, kind: prefecture_city, '
                         f'parent: "{province}0000", report_name: 市{pcode}（市本级及市辖区）}}')
            written += 1
            for county in range(21, 21 + PER_PREFECTURE - 1):
                if written >= count:
                    break
                lines.append(f'  - {{code: "{province}{prefecture:02d}{county:02d}", name: 县{province}{prefecture:02d}{county:02d}, '
                             f'level: county, kind: county, parent: "{pcode}"}}')
                written += 1
        (directory / f"{province}0000.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def country_trees() -> dict[str, RegionTree]:
    """The 37 top-level reporting regions of the built-in code list (31 provinces, the 5 计划单列市,
    the 兵团), by code."""
    return {code: builtin_region_tree(code) for code in builtin_region_codes()}


def trees_of(regions: Path | None) -> dict[str, RegionTree]:
    """The region files in ``regions``; None: the country's built-in trees."""
    return country_trees() if regions is None else load_region_trees(regions)


def _jobs(trees: dict[str, RegionTree]) -> list[tuple[str, str]]:
    return [(tree.code, unit.code) for tree in trees.values() for unit in tree.reporting_units(2022)]


def borrowed_values(trees: dict[str, RegionTree]) -> dict[str, UnitReport]:
    """A filled report for every reporting unit: a Jilin city's for a prefecture, a Jilin county's
    for a county (chosen by the unit's code)."""
    framework = builtin_framework("2022")
    jilin = builtin_region_tree("220000")
    example = load_units(ROOT / "examples" / "jilin-2022", framework, jilin)
    cities = [r for c, r in example.units.items() if jilin.unit(c).kind == "prefecture_city"]
    counties = [r for c, r in example.units.items() if jilin.unit(c).level == "county"]
    values: dict[str, UnitReport] = {}
    for tree in trees.values():
        for unit in tree.reporting_units(2022):
            pool = cities if unit.level == "prefecture" else counties
            values[unit.code] = pool[int(unit.code) % len(pool)]
    return values


def generate_workbooks(regions: Path | None, out: Path, workers: int) -> tuple[int, float]:
    """One filled template per reporting unit of ``regions`` (None: the whole country's built-in
    trees) written into ``out`` by ``anju template``'s batch writer on ``workers`` processes (values
    borrowed from Jilin by kind of unit); returns the number written and the seconds the writing took."""
    trees = trees_of(regions)
    values = borrowed_values(trees)
    framework = builtin_framework("2022")
    start = time.perf_counter()
    paths = write_region_templates(framework, list(trees.values()), out, year=2022, prefill=values, workers=workers)
    return len(paths), time.perf_counter() - start


def synthetic_batch(directory: Path, count: int, workers: int) -> tuple[Path, Path, int, float]:
    """The synthetic national batch in ``directory``: its region files (``regions/``) and ``count``
    filled workbooks (``workbooks/``); returns both folders, the count and the generation time."""
    regions, out = directory / "regions", directory / "workbooks"
    regions.mkdir()
    out.mkdir()
    national_trees(regions, count)
    units, seconds = generate_workbooks(regions, out, workers)
    return regions, out, units, seconds


def _import(regions: str, out: str, trace: bool, queue: Any) -> None:
    """Runs in a fresh process so that its peak memory is the import's own."""
    framework = builtin_framework("2022")
    trees = load_region_trees(regions)
    context = ImportContext(framework, trees, builtin_rules(framework))
    paths = sorted(Path(out).glob("*.xlsx"))
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    outcomes = import_workbooks(paths, context)
    elapsed = time.perf_counter() - start
    python_peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    start = time.perf_counter()
    provinces = 0
    for tree in trees.values():
        units = merge_outcomes(outcomes, framework, tree, 2022)
        result = aggregate_units(framework, tree, units)
        provinces += 1 if result.problems == [] else 0
    aggregate_time = time.perf_counter() - start
    rejected = [str(p) for o in outcomes if not o.accepted for p in o.problems][:5]
    queue.put({
        "files": len(paths), "accepted": sum(o.accepted for o in outcomes), "rejected": rejected,
        "seconds": elapsed, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "python_peak": python_peak, "aggregate_seconds": aggregate_time, "provinces_complete": provinces,
        "provinces": len(trees),
    })


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=3000, help="number of workbooks (default 3000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes used to generate")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap peak (slower)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="anju-bench-") as tmp:
        print(f"生成 {args.count} 个单位的已填报工作簿（合成的省，{args.workers} 个进程）……", flush=True)
        regions, out, units, generated = synthetic_batch(Path(tmp), args.count, args.workers)
        ctx = multiprocessing.get_context("spawn")
        size = sum(p.stat().st_size for p in out.glob("*.xlsx"))
        print(f"  生成 {units} 个，用时 {generated:.1f} 秒，共 {size / 1024 / 1024:.1f} MB（不计入导入时间）", flush=True)
        queue = ctx.Queue()
        child = ctx.Process(target=_import, args=(str(regions), str(out), args.tracemalloc, queue))
        child.start()
        stats = queue.get()
        child.join()
    rate = stats["files"] / stats["seconds"]
    print(f"导入 {stats['files']} 个工作簿：{stats['seconds']:.2f} 秒，{rate:.0f} 个/秒；"
          f"通过 {stats['accepted']} 个；进程内存峰值 {stats['maxrss_kb'] / 1024:.0f} MB（ru_maxrss）")
    if stats["python_peak"] is not None:
        print(f"  Python 堆峰值 {stats['python_peak'] / 1024 / 1024:.1f} MB（tracemalloc，计时含其开销）")
    print(f"逐省汇总 {stats['provinces']} 个省：{stats['aggregate_seconds']:.2f} 秒（合计完整的省 {stats['provinces_complete']} 个）")
    for problem in stats["rejected"]:
        print(f"  拒收示例：{problem}")
    return 0 if stats["accepted"] == stats["files"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
