"""`make bench`: each hot path measured against its limit, in one run, printed as a table with ratios.

    .venv/bin/python benchmarks/bench.py               # 3,000 workbooks
    .venv/bin/python benchmarks/bench.py --count 600   # quicker; limits scaled by count/3000

Rows (limits from issue 15):

* ``anju evaluate examples/jilin-2022``, the whole process (best of 5, the framework cache warm,
  anju's bytecode compiled as an installed package has it), wall time and CPU time — limit 0.3 s;
* generating N filled unit templates on every core (``anju template``'s batch writer, XlsxWriter) —
  limit 15 s for 3,000;
* importing the N workbooks (every core) against python-calamine reading every cell of the same
  files in one process — limit 2× the calamine read;
* peak RSS of the import (the importing process and, separately, its largest worker) — 300 MB;
* the whole country end to end — limit 60 s: one filled workbook for every reporting unit of the
  37 top-level reporting regions of the built-in code list (31 provinces, the 5 计划单列市, the
  兵团; values borrowed from Jilin's cities and counties; generated first, not timed), imported on
  every core; then for each region, as ``anju report --figures units`` does: its units merged,
  aggregated up its tree, put into its dataset (examples/national-2022), the 3 programs scored and
  checked, and its explanation package written by ``write_report`` (no PDF, no charts), the
  regions shared by every core. A region whose aggregate cannot be scored (a ratio over 地级市
  where the tree has none: the 直辖市, the 兵团) is scored from its dataset, as ``--figures
  dataset`` does; the bench names them. The country has the reporting units its code list has
  (2,282 in 2022, where the issue estimated about 3,000), whatever ``--count`` says.

The synthetic batch (rows 2–4: ``import_national.synthetic_batch``, up to 100 units in each of 30
made-up provinces) is ``--count`` workbooks.

The web load (p95, requests/s) is measured by ``make bench-web`` (benchmarks/web_load.py).
Not a test: nothing here asserts a time. On a shared machine wall times include waiting for a
core; the CPU column shows the process's own time.
"""

from __future__ import annotations

import argparse
import compileall
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

from import_national import country_trees, generate_workbooks, synthetic_batch

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "examples" / "national-2022"
ANJU = Path(sys.executable).parent / "anju"


def bench_evaluate(runs: int = 5) -> tuple[float, float]:
    """Best wall and CPU time of the whole ``anju evaluate`` process (the first run fills the cache).

    anju's own modules are compiled to bytecode first, as a wheel install does (``make install``
    does it too): an editable checkout run with ``PYTHONDONTWRITEBYTECODE=1`` would otherwise
    compile every module of ``src/anju`` from source on every run (about 0.1 s)."""
    compileall.compile_dir(ROOT / "src" / "anju", quiet=1)
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


def _import(regions: str, paths: list[str], workers: int, queue: Any) -> None:
    """Import the synthetic batch (every core) in a fresh process: its time and peak memory."""
    from anju.adapters.excel.importer import ImportContext, import_workbooks
    from anju.collect.regions import load_region_trees
    from anju.collect.validation import builtin_rules
    from anju.framework import builtin_framework

    framework = builtin_framework("2022")
    context = ImportContext(framework, load_region_trees(regions), builtin_rules(framework))
    start = time.perf_counter()
    outcomes = import_workbooks([Path(p) for p in paths], context, workers=workers)
    queue.put({
        "import_seconds": time.perf_counter() - start,
        "accepted": sum(o.accepted for o in outcomes), "files": len(outcomes),
        "rejected": [str(p) for o in outcomes if not o.accepted for p in o.refusals][:3],
        "rss_import_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "rss_workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    })


def _country(paths: list[str], packages: str, workers: int, queue: Any) -> None:
    """The whole country in a fresh process: import (every core), then every region's package."""
    import multiprocessing as mp

    from anju.adapters.excel.importer import ImportContext, import_workbooks, merge_outcomes
    from anju.collect.validation import builtin_rules
    from anju.framework import builtin_framework

    start = time.perf_counter()
    framework = builtin_framework("2022")
    trees = country_trees()
    context = ImportContext(framework, trees, builtin_rules(framework))
    outcomes = import_workbooks([Path(p) for p in paths], context, workers=workers)
    imported = time.perf_counter() - start
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    batches = sorted(((code, merge_outcomes(outcomes, framework, tree, 2022)) for code, tree in trees.items()),
                     key=lambda batch: -len(batch[1].units))  # the largest regions first: the cores finish together
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with mp.get_context(method).Pool(workers, initializer=_package_init, initargs=(packages,)) as pool:
        written = pool.map(_package, batches, chunksize=1)
    queue.put({
        "import_seconds": imported, "total_seconds": time.perf_counter() - start,
        "accepted": sum(o.accepted for o in outcomes), "files": len(outcomes),
        "rejected": [str(p) for o in outcomes if not o.accepted for p in o.refusals][:3],
        "regions": len(trees), "programs_scored": sum(programs for programs, _files, _units in written),
        "packages": sum(1 for _programs, files, _units in written if files),
        "package_files": sum(files for _programs, files, _units in written),
        "from_dataset": [name for _programs, _files, name in written if name],
        "rss_import_kb": rss_import,
        "rss_workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    })


_PACKAGES: list[Any] = []


def _package_init(packages: str) -> None:
    from anju.framework import builtin_framework

    _PACKAGES[:] = [builtin_framework("2022"), country_trees(), Path(packages)]


def _package(batch: tuple[str, Any]) -> tuple[int, int, str]:
    """One region as ``anju report --figures units`` does it: aggregate its units into its dataset,
    score and check, write its explanation package (no PDF, no charts). A region whose aggregate
    cannot be scored (a ratio over 地级市 when the tree has none: the 直辖市, the 兵团) is scored
    from its dataset's figures, as ``--figures dataset`` would. Returns (programs scored, files,
    the region's name when its dataset's figures were scored)."""
    from anju.adapters.report import write_report
    from anju.checks import run_checks
    from anju.collect.pipeline import dataset_from_units, prefecture_rows
    from anju.dataset import load_dataset
    from anju.scoring import evaluate
    from anju.scoring.engine import EvaluationError

    code, units = batch
    framework, trees, packages = _PACKAGES
    tree = trees[code]
    dataset, _ = load_dataset(NATIONAL / f"{code}.yaml", framework)
    source = dataset_from_units(dataset, framework, units, tree)
    scored, rows, from_units = source.dataset, prefecture_rows(source.result, tree), True
    try:
        evaluation = evaluate(framework, scored)
    except EvaluationError:  # a ratio over units the tree lacks (地级市 of a 直辖市): as --figures dataset does
        scored, rows, from_units = dataset, None, False
        evaluation = evaluate(framework, scored)
    findings = run_checks(framework, scored, evaluation)
    files = write_report(evaluation, framework, scored, packages / code, pdf=False, charts=False, rows=rows,
                         findings=findings)
    return len(evaluation.programs), len(files.listing()), "" if from_units else tree.name


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
    print("1/5 anju evaluate（整个进程，取 5 次最好）……", flush=True)
    wall, cpu = bench_evaluate()
    rows.append(_row("anju evaluate 吉林（整个进程，墙钟）whole process, wall", wall, "s", 0.3))
    rows.append(_row("anju evaluate 吉林（整个进程，CPU）whole process, CPU", cpu, "s", 0.3))
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="anju-bench-") as tmp:
        print(f"2/5 生成 {args.count} 个单位的已填报模板（合成的省，{args.workers} 个进程，XlsxWriter，anju template 的批量写入）……",
              flush=True)
        _regions, out, units, generated = synthetic_batch(Path(tmp), args.count, args.workers)
        rows.append(_row(f"生成 {units} 个模板 generate templates", generated, "s", 15 * scale))
        paths = sorted(str(p) for p in out.glob("*.xlsx"))
        print("3/5 python-calamine 读出全部单元格（1 个进程，下限）……", flush=True)
        bare = _in_child(ctx, _calamine_read, paths)
        print(f"4/5 导入 {len(paths)} 个工作簿（{args.workers} 个进程）……", flush=True)
        batch = _in_child(ctx, _import, str(_regions), paths, args.workers)
        country_dir, packages = Path(tmp) / "country", Path(tmp) / "packages"
        country_dir.mkdir()
        packages.mkdir()
        print("5/5 全国端到端：为 37 个地区的全部报表单位生成已填报模板（不计时）……", flush=True)
        country_units, _seconds = generate_workbooks(None, country_dir, args.workers)
        print(f"    导入 {country_units} 个工作簿，逐地区汇总、计分 3 个项目并生成说明材料（{args.workers} 个进程）……", flush=True)
        country = _in_child(ctx, _country, sorted(str(p) for p in country_dir.glob("*.xlsx")), str(packages), args.workers)
    rows.append(_row(f"导入 {batch['files']} 个工作簿 import（限值 = calamine 读取 {bare['seconds']:.2f} s × 2）",
                     batch["import_seconds"], "s", 2 * bare["seconds"], f"calamine 1 进程；导入 {args.workers} 进程"))
    rows.append(_row("导入进程内存峰值 peak RSS, importing process", batch["rss_import_kb"] / 1024, "MB", 300))
    rows.append(_row("导入子进程内存峰值 peak RSS, largest worker", batch["rss_workers_kb"] / 1024, "MB", 300))
    rows.append(_row(f"全国端到端 country end to end（{country['regions']} 个地区，{country['files']} 个工作簿）",
                     country["total_seconds"], "s", 60,
                     f"其中导入 {country['import_seconds']:.2f} s；计分 {country['programs_scored']} 个项目"
                     f"（{country['regions'] - len(country['from_dataset'])} 个地区按单位汇总数，"
                     f"{len(country['from_dataset'])} 个按数据集）；"
                     f"说明材料 {country['packages']} 套（{country['package_files']} 个文件，无 PDF、无图表）"))
    print()
    print("| 项目 what | 实测 measured | 限值 limit | 比值 ratio | 结论 | 说明 note |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    print(f"\n通过：合成批次 {batch['accepted']}/{batch['files']}，全国 {country['accepted']}/{country['files']} 个工作簿；"
          f"CPU 核数 {os.cpu_count()}；负载 {os.getloadavg()[0]:.1f}")
    if country["from_dataset"]:
        print(f"按数据集计分的地区（单位汇总数无法计分，如直辖市、兵团没有地级市）：{'、'.join(country['from_dataset'])}")
    for problem in [*batch["rejected"], *country["rejected"]]:
        print(f"  拒收示例：{problem}")
    print("Web 负载（p95、每秒请求数）见 make bench-web。")
    complete = batch["accepted"] == batch["files"] and country["accepted"] == country["files"]
    return 0 if complete and country["packages"] == country["regions"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
