"""The national level: every top-level reporting region's evaluation in one year, and the ranking.

A national set is a directory with ``national.yaml`` (title, year, framework and one entry per
region: its dataset file and, when it has gone, the day it went to the 监管局) and the datasets it
names. Every region is evaluated by the same engine as ``anju evaluate``; the ranking is by the
mean of the programs' scores (equal scores share a rank).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated

from pydantic import Field

from anju.collect.regions import RegionError, builtin_region_codes, builtin_region_tree
from anju.dataset import Dataset
from anju.dataset.loader import DatasetError, load_dataset
from anju.fields import Date, RegionCode
from anju.framework.loader import FrameworkError
from anju.framework.models import Strict
from anju.problems import Problem, ProblemsError, at_line
from anju.scoring import Evaluation, EvaluationError, evaluate
from anju.yamlio import read_model

MANIFEST = "national.yaml"


class NationalEntry(Strict):
    name: Annotated[str, Field(min_length=1)]
    dataset: Annotated[str, Field(min_length=1)]
    submitted_at: Date | None = None
    """The day the region's evaluation went to its 监管局 (None: not yet)."""


class NationalManifest(Strict):
    title: str
    year: int
    framework: str
    regions: dict[RegionCode, NationalEntry]


class NationalError(ProblemsError):
    """The national set could not be evaluated; ``problems`` names every file and line."""


@dataclass(frozen=True)
class RegionResult:
    code: str
    name: str
    kind: str
    submitted_at: dt.date | None
    evaluation: Evaluation
    mean: Decimal
    rank: int = 0
    dataset: Dataset | None = None
    """The dataset the region was scored from (what a web system stores with the region's run)."""

    def score(self, program_id: str) -> Decimal:
        return self.evaluation.program(program_id).score


@dataclass(frozen=True)
class NationalResult:
    title: str
    year: int
    programs: list[tuple[str, str]]
    """(id, label) of the framework's programs, in order."""
    regions: list[RegionResult]
    """Ranked, best first."""
    missing: list[str]
    """Built-in top-level regions the set has no dataset for."""


def manifest_path(path: Path | str) -> Path:
    p = Path(path)
    return p / MANIFEST if p.is_dir() else p


def evaluate_national(path: Path | str) -> NationalResult:
    """Evaluate every region of the set at ``path`` (a directory or its ``national.yaml``)."""
    file = manifest_path(path)
    manifest, doc = read_model(file, NationalManifest, NationalError, "全国数据集清单")
    problems: list[Problem] = []
    known = set(builtin_region_codes())
    results: list[RegionResult] = []
    programs: list[tuple[str, str]] = []
    for code, entry in manifest.regions.items():
        line = doc.line_of(("regions", code))
        if code not in known:
            problems.append(at_line(doc.path, line, f"“{code}”（{entry.name}）不是内置的顶层报表地区"))
            continue
        target = file.parent / entry.dataset
        if not target.is_file():
            problems.append(at_line(doc.path, line, f"{entry.name}的数据集“{entry.dataset}”不存在"))
            continue
        try:
            dataset, framework = load_dataset(target)
            evaluation = evaluate(framework, dataset)
            root = builtin_region_tree(code).root
        except (DatasetError, FrameworkError, EvaluationError, RegionError) as exc:
            problems.extend(exc.problems)
            continue
        if dataset.region.code != code:
            problems.append(at_line(str(target), 0, f"数据集的地区代码“{dataset.region.code}”与清单中的“{code}”（{entry.name}）不一致"))
            continue
        if dataset.year != manifest.year or framework.id != manifest.framework:
            problems.append(at_line(str(target), 0, f"{entry.name}的数据集为{dataset.year}年、指标体系“{framework.id}”，"
                                                    f"清单为{manifest.year}年、“{manifest.framework}”"))
            continue
        programs = [(p.id, p.label) for p in evaluation.programs]
        total = sum((p.score for p in evaluation.programs), Decimal(0))
        mean = (total / len(evaluation.programs)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        results.append(RegionResult(code, entry.name, root.kind, entry.submitted_at, evaluation, mean, dataset=dataset))
    if problems:
        raise NationalError(problems)
    return NationalResult(manifest.title, manifest.year, programs, rank(results),
                          sorted(known - set(manifest.regions)))


def rank(results: list[RegionResult]) -> list[RegionResult]:
    """Best mean first; equal means share a rank (1, 2, 2, 4), ties listed by code."""
    ordered = sorted(results, key=lambda r: (-r.mean, r.code))
    ranked: list[RegionResult] = []
    for index, result in enumerate(ordered):
        same = ranked and ranked[-1].mean == result.mean
        ranked.append(RegionResult(result.code, result.name, result.kind, result.submitted_at, result.evaluation,
                                   result.mean, ranked[-1].rank if same else index + 1, result.dataset))
    return ranked
