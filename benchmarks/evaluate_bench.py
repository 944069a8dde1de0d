"""Benchmark: how fast the engine scores and checks datasets (run: .venv/bin/python benchmarks/evaluate_bench.py).

Scores the Jilin example N times (default 3,000: roughly every county-level unit in the country
evaluated once) and reports evaluations per second and peak traced memory.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

from anju.checks import run_checks
from anju.dataset import load_dataset
from anju.scoring import evaluate

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=3000)
    args = parser.parse_args()
    dataset, framework = load_dataset(ROOT / "examples" / "jilin-2022")
    start = time.perf_counter()
    for _ in range(args.n):
        evaluation = evaluate(framework, dataset)
        run_checks(framework, dataset, evaluation)
    elapsed = time.perf_counter() - start
    tracemalloc.start()  # memory measured on a separate, smaller run: tracing slows Python down
    for _ in range(min(args.n, 50)):
        evaluation = evaluate(framework, dataset)
        run_checks(framework, dataset, evaluation)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"评价并核对 {args.n} 次（每次 3 个项目）：{elapsed:.2f} 秒，{args.n / elapsed:.0f} 次/秒，峰值内存 {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
