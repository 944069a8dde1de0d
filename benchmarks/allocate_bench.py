"""Benchmark: allocation by the factor method (run: .venv/bin/python benchmarks/allocate_bench.py).

Allocates with the built-in 2024 method (4 programs, 12 factors, difficulty inside every factor,
20% reward) over 31 provinces and over 3,000 counties (roughly every county-level unit in the
country), with deterministic pseudo-random quantities, coefficients and scores. Reports the best of
``--repeat`` runs for each size against the aim of under one second, and checks that every
program's parts add up exactly to its amount.
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal

from anju.allocation import Allocation, FactorMethod, RegionData, allocate, builtin_method
from anju.allocation.provinces import PROVINCES

AIM_SECONDS = 1.0
SEED = 2024
AMOUNT = Decimal("12345678.91")


def regions(method: FactorMethod, count: int, rng: random.Random) -> list[RegionData]:
    codes = list(PROVINCES) if count == len(PROVINCES) else [f"{100000 + i * 3:06d}" for i in range(count)]
    out = []
    for code in codes:
        quantities = {
            p.id: {f.figure: Decimal(rng.randint(0, 50_000)) for f in p.factors} for p in method.programs
        }
        scores = {s: Decimal(rng.randint(6000, 10000)) / 100 for s in method.score_programs}
        difficulty = Decimal(rng.randint(50, 150)) / 100
        out.append(RegionData(code, PROVINCES.get(code, f"县{code}"), difficulty, quantities, scores))
    return out


def check(allocation: Allocation) -> None:
    for program in allocation.programs:
        assert sum(s.amount for s in program.shares) == program.amount, program.id


def run(method: FactorMethod, count: int, repeat: int) -> float:
    data = regions(method, count, random.Random(SEED))
    amounts = {p.id: AMOUNT for p in method.programs}
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        allocation = allocate(method, data, amounts)
        best = min(best, time.perf_counter() - start)
    check(allocation)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    method = builtin_method("2024")
    for count, label in ((len(PROVINCES), "31 个省"), (3000, "3000 个县")):
        seconds = run(method, count, args.repeat)
        verdict = "达到" if seconds < AIM_SECONDS else "未达到"
        print(f"{label} × {len(method.programs)} 个项目：{seconds:.3f} 秒（目标 1 秒以内：{verdict}；各项目分配结果之和与下达金额分毫不差）")


if __name__ == "__main__":
    main()
