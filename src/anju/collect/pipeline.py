"""From the units' reports to the province: the one place where a units file becomes the
aggregated province figures and the per-prefecture rows of the appendix tables.

The command line (``evaluate --from-units``, ``report``), the web's evaluation assembly and the
web's documents all call :func:`dataset_from_units` and :func:`prefecture_rows`; nothing here prints
or exits — problems are raised as :class:`CollectError` with every reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from anju.collect.aggregate import (
    AggregateResult,
    ProgramFigures,
    aggregate_units,
    figure_differences,
    with_unit_figures,
)
from anju.collect.regions import RegionTree
from anju.collect.units import UnitsFile, load_units
from anju.dataset.models import Dataset, FigureValue, figure_text
from anju.framework.models import Framework
from anju.problems import CollectCode, Problem, ProblemsError, Severity, Where

UNITS_FILE = "units.yaml"

PrefectureRows = list[tuple[str, dict[str, ProgramFigures]]]
"""(prefecture name, program id → figure id → value): one appendix row per 地级市/州."""


class CollectError(ProblemsError):
    """The units' reports cannot give the province figures (wrong year, blank totals, …)."""


@dataclass(frozen=True)
class Difference:
    """A figure whose dataset value differs from the units' aggregate."""

    program: str
    figure: str
    dataset: FigureValue
    aggregated: FigureValue


@dataclass(frozen=True)
class FromUnits:
    """The dataset with its figures replaced by the units' aggregate, and what changed."""

    dataset: Dataset
    result: AggregateResult
    units: UnitsFile
    differences: list[Difference]


def units_file_for(dataset_path: Path, units: Path | None = None) -> Path:
    """``units`` when given, else the ``units.yaml`` next to the dataset."""
    if units is not None:
        return units
    return (dataset_path if dataset_path.is_dir() else dataset_path.parent) / UNITS_FILE


def dataset_from_units(dataset: Dataset, framework: Framework, units: UnitsFile, tree: RegionTree) -> FromUnits:
    """Aggregate every unit up the tree (all must have reported) and put the province totals in
    place of the dataset's figures; judgements, narrative and stated values are kept."""
    if units.year != dataset.year:
        raise CollectError([Problem(CollectCode.YEAR_MISMATCH, Severity.error,
                                    f"分地区数据为 {units.year} 年度，数据集为 {dataset.year} 年度")])
    result = aggregate_units(framework, tree, units)
    if result.problems:
        blanks = [p for p in result.problems if p.is_error]
        raise CollectError([
            Problem(CollectCode.TOTAL_BLANK, Severity.error, f"分地区数据汇总后合计为空：{p.message}", p.where)
            for p in blanks
        ] or result.problems)
    differences = [Difference(pid, fid, left, right) for pid, fid, left, right in figure_differences(dataset, result)]
    return FromUnits(with_unit_figures(dataset, result), result, units, differences)


def difference_problems(framework: Framework, differences: list[Difference]) -> list[Problem]:
    """Each difference as a warning naming the program, the figure and both values."""
    out: list[Problem] = []
    for diff in differences:
        program = framework.program(diff.program)
        spec = program.figure(diff.figure)
        out.append(Problem(
            CollectCode.FIGURE_DIFFERS, Severity.warning,
            f"{program.label}“{spec.label}”：数据集为{figure_text(diff.dataset)}，各单位汇总为{figure_text(diff.aggregated)}",
            Where(program=diff.program, figure=diff.figure),
        ))
    return out


def prefecture_rows(result: AggregateResult, tree: RegionTree) -> PrefectureRows:
    """One row per 地级市/州 directly under the province: the totals of its subtree (partial
    aggregates keep a blank where a unit is missing)."""
    return [(unit.name, result.totals[unit.code]) for unit in tree.children(tree.code, result.year)]


def partial_prefecture_rows(framework: Framework, units: UnitsFile, tree: RegionTree) -> PrefectureRows:
    """Per-prefecture rows from whatever has been reported so far."""
    return prefecture_rows(aggregate_units(framework, tree, units, partial=True), tree)


def read_units(path: Path, framework: Framework, tree: RegionTree) -> UnitsFile:
    """Load a units file, or raise :class:`CollectError` saying it is missing."""
    if not path.exists():
        raise CollectError([Problem(CollectCode.UNITS_MISSING, Severity.error, f"没有找到分地区数据 {path}",
                                    Where(file=str(path)))])
    return load_units(path, framework, tree)
