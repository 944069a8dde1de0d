"""`make bench`: each hot path measured against its limit, in one run, printed as a table with ratios.

    .venv/bin/python benchmarks/bench.py               # 3,000 workbooks
    .venv/bin/python benchmarks/bench.py --count 600   # quicker; limits scaled by count/3000

Rows (limits from issue 15):

* ``anju evaluate examples/jilin-2022``, the whole process (best of 5, the framework cache warm),
  wall time and CPU time — limit 0.3 s;
* generating N filled unit templates on every core (``anju template``'s batch writer, XlsxWriter) —
  limit 15 s for 3,000;
* importing the N workbooks (every core) against python-calamine reading every cell of the same
  files in one process — limit 2× the calamine read;
* peak RSS of the import (the importing process and, separately, its largest worker) — 300 MB;
* the country end to end: import, then per region merge, aggregate and score the 3 programs —
  limit 60 s. The regions are synthetic (``import_national.national_trees``: 30 provinces of up to
  100 units each, values borrowed from Jilin), not the 37 real reporting regions; the 37
  explanation packages are not rendered by this bench.

The web load (p95, requests/s) is measured by ``make bench-web`` (benchmarks/web_load.py).
Not a test: nothing here asserts a time. On a shared machine wall times include waiting for a
core; the CPU column shows the process's own time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_national import synthetic_batch

from anju.collect.regions import load_region_trees

ROOT = Path(__file__).resolve().parents[1]
ANJU = Path(sys.executable).parent / "anju"


def bench_evaluate(runs: int = 5) -> tuple[float, float]:
    """Best wall and CPU time of the whole ``anju evaluate`` process (the first run fills the cache)."""
    best_wall, best_cpu = float("inf"), float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs + 1):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([str(ANJU), "evaluate", str(ROOT / "examples" / "jilin-2022"), "-o", f"{tmp}/e.json"],
                           check=True, stdout=subprocess.DEVNULL)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def _calamine_read(paths: list[str], queue: Any) -> None:
    import python_calamine

    start = time.perf_counter()
    cells = 0
    for path in paths:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
        for name in workbook.sheet_names:
            for row in workbook.get_sheet_by_name(name).to_python():
                cells += len(row)
    queue.put({"seconds": time.perf_counter() - start, "cells": cells})


def _country(regions: str, paths: list[str], workers: int, queue: Any) -> None:
    """Import (every core), then per region merge, aggregate and score; in a fresh process."""
    from anju.adapters.excel.importer import ImportContext, import_workbooks, merge_outcomes
    from anju.collect.aggregate import aggregate_units, with_unit_figures
    from anju.collect.validation import builtin_rules
    from anju.dataset import load_dataset
    from anju.framework import builtin_framework
    from anju.scoring import evaluate

    start = time.perf_counter()
    framework = builtin_framework("2022")
    trees = load_region_trees(regions)
    context = ImportContext(framework, trees, builtin_rules(framework))
    outcomes = import_workbooks([Path(p) for p in paths], context, workers=workers)
    imported = time.perf_counter() - start
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    dataset, _ = load_dataset(ROOT / "examples" / "jilin-2022")
    scored = 0
    for tree in trees.values():
        units = merge_outcomes(outcomes, framework, tree, 2022)
        result = aggregate_units(framework, tree, units)
        evaluation = evaluate(framework, with_unit_figures(dataset, result))
        scored += len(evaluation.programs)
    queue.put({
        "import_seconds": imported, "total_seconds": time.perf_counter() - start,
        "accepted": sum(o.accepted for o in outcomes), "files": len(outcomes),
        "rejected": [str(p) for o in outcomes if not o.accepted for p in o.refusals][:3],
        "regions": len(trees), "programs_scored": scored,
        "rss_import_kb": rss_import,
        "rss_workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    })


def _in_child(ctx: Any, target: Any, *args: Any) -> dict[str, Any]:
    queue = ctx.Queue()
    child = ctx.Process(target=target, args=(*args, queue))
    child.start()
    result: dict[str, Any] = queue.get()
    child.join()
    return result


def _row(what: str, figure: float, unit: str, limit: float, note: str = "") -> str:
    ratio = figure / limit if limit else float("inf")
    verdict = "达标 met" if ratio <= 1 else "未达标 missed"
    return f"| {what} | {figure:.2f} {unit} | {limit:.2f} {unit} | {ratio:.2f} | {verdict} | {note} |"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=3000, help="number of unit workbooks (default 3000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    scale = args.count / 3000
    rows: list[str] = []
    print("1/4 anju evaluate（整个进程，取 5 次最好）……", flush=True)
    wall, cpu = bench_evaluate()
    rows.append(_row("anju evaluate 吉林（整个进程，墙钟）whole process, wall", wall, "s", 0.3))
    rows.append(_row("anju evaluate 吉林（整个进程，CPU）whole process, CPU", cpu, "s", 0.3))
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="anju-bench-") as tmp:
        print(f"2/4 生成 {args.count} 个单位的已填报模板（{args.workers} 个进程，XlsxWriter，anju template 的批量写入）……",
              flush=True)
        regions, out, units, generated = synthetic_batch(Path(tmp), args.count, args.workers)
        rows.append(_row(f"生成 {units} 个模板 generate templates", generated, "s", 15 * scale))
        paths = sorted(str(p) for p in out.glob("*.xlsx"))
        print("3/4 python-calamine 读出全部单元格（1 个进程，下限）……", flush=True)
        bare = _in_child(ctx, _calamine_read, paths)
        print(f"4/4 导入 {len(paths)} 个工作簿（{args.workers} 个进程），逐地区汇总并计分 3 个项目……", flush=True)
        country = _in_child(ctx, _country, str(regions), paths, args.workers)
    rows.append(_row(f"导入 {country['files']} 个工作簿 import（限值 = calamine 读取 {bare['seconds']:.2f} s × 2）",
                     country["import_seconds"], "s", 2 * bare["seconds"], f"calamine 1 进程；导入 {args.workers} 进程"))
    rows.append(_row("导入进程内存峰值 peak RSS, importing process", country["rss_import_kb"] / 1024, "MB", 300))
    rows.append(_row("导入子进程内存峰值 peak RSS, largest worker", country["rss_workers_kb"] / 1024, "MB", 300))
    rows.append(_row(f"全国端到端 country end to end（{country['regions']} 个合成地区）", country["total_seconds"], "s",
                     60 * scale, f"计分 {country['programs_scored']} 个项目；未生成说明材料"))
    print()
    print("| 项目 what | 实测 measured | 限值 limit | 比值 ratio | 结论 | 说明 note |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    print(f"\n通过 {country['accepted']}/{country['files']} 个工作簿；CPU 核数 {os.cpu_count()}；负载 {os.getloadavg()[0]:.1f}")
    for problem in country["rejected"]:
        print(f"  拒收示例：{problem}")
    print("Web 负载（p95、每秒请求数）见 make bench-web。")
    return 0 if country["accepted"] == country["files"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
