"""What every command module shares: consoles, failing with a Chinese message, and the
load → (aggregate) → evaluate sequence that ``evaluate`` and ``report`` both start with."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from anju.dataset import Dataset, DatasetError, load_dataset
from anju.dataset.loader import dataset_path
from anju.framework import FrameworkError, builtin_framework, load_framework
from anju.framework.models import Framework
from anju.scoring import Evaluation, EvaluationError, evaluate

EXIT_BAD_INPUT = 2
EXIT_TOOL_MISSING = 3

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(title: str, problems: Sequence[object] = (), code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print a title and one line per problem on stderr, then exit with ``code``."""
    err_console.print(f"[bold red]{title}[/]")
    for problem in problems:
        err_console.print(f"  - {problem}", markup=False)
    raise typer.Exit(code)


def framework_arg(ref: str) -> Framework:
    """A framework directory or file, or the year of a built-in one."""
    try:
        return load_framework(ref) if Path(ref).exists() else builtin_framework(ref)
    except FrameworkError as exc:
        fail(f"指标体系“{ref}”有 {len(exc.problems)} 处问题：", exc.problems)


def load_and_evaluate(
    path: Path, framework_ref: str | None, from_units: bool, units: Path | None, consequence: str
) -> tuple[Framework, Dataset, Evaluation]:
    """Load the dataset (and its framework), optionally replace its figures by the aggregate of its
    units, and score it; on any problem print every reason, then ``consequence`` (e.g. "未计分")."""
    fw = framework_arg(framework_ref) if framework_ref else None
    try:
        dataset, fw = load_dataset(path, fw)
    except DatasetError as exc:
        fail(f"数据集有 {len(exc.problems)} 处问题，{consequence}：", exc.problems)
    except FrameworkError as exc:
        fail("指标体系有问题：", exc.problems)
    if from_units or units is not None:
        from anju import cli_collect  # the collection commands import this module

        dataset = cli_collect.dataset_from_units(path, dataset, fw, units)
    try:
        evaluation = evaluate(fw, dataset)
    except EvaluationError as exc:
        fail(f"有 {len(exc.problems)} 个指标无法计分（{dataset_path(path)}），{consequence}：", exc.problems)
    return fw, dataset, evaluation
