"""What every command module shares: consoles, failing with a Chinese message, the options that
several commands take, and the load → (aggregate) → evaluate sequence. It never imports a command.

Exit codes (the contract is in :mod:`anju.cli`): 0 success; 1 findings of severity 错误 under
``--strict`` (or units missing for ``completeness``); 2 the input was refused and nothing was
written; 3 a system dependency is missing; 4 written in part (``import --partial``); 70 an internal
error; 130 interrupted.

Printing: both consoles are created with ``markup=False``, so nothing printed is ever read as rich
markup — a file named ``农安[draft].xlsx`` or a directory ``o[/x]`` prints as it is. Colour is
given with ``style=``, never with ``[red]…[/]`` in the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from anju.collect.pipeline import (
    CollectError,
    FromUnits,
    PrefectureRows,
    dataset_from_units,
    difference_problems,
    prefecture_rows,
    read_units,
    units_file_for,
)
from anju.collect.regions import (
    RegionError,
    RegionTree,
    builtin_region_codes,
    builtin_region_tree,
    load_region_trees,
)
from anju.collect.units import UnitsError, UnitsFile, load_units, units_path
from anju.dataset import Dataset, DatasetError, load_dataset
from anju.dataset.loader import dataset_path
from anju.framework import FrameworkError, builtin_framework, load_framework
from anju.framework.models import Framework
from anju.scoring import Evaluation, EvaluationError, evaluate
from anju.yamlio import YamlDocument, YamlError, read_yaml

if TYPE_CHECKING:  # imported where used: ``anju evaluate`` reads no rules, targets or monitoring
    from anju.collect.validation import RuleSet
    from anju.monitoring import Monitoring
    from anju.targets import Targets

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_TOOL_MISSING = 3
EXIT_PARTIAL = 4
EXIT_INTERNAL = 70
"""EX_SOFTWARE of sysexits.h."""
EXIT_INTERRUPTED = 130
EXIT_CODES = frozenset({EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_TOOL_MISSING, EXIT_PARTIAL, EXIT_INTERNAL,
                        EXIT_INTERRUPTED})
DEFAULT_FRAMEWORK = "2022"
DEFAULT_REGION = "220000"

console = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)

# --- options several commands take --------------------------------------------------------

FrameworkOpt = Annotated[str, typer.Option("--framework", "-f", help="指标体系目录或内置年度")]
OptionalFrameworkOpt = Annotated[
    str | None, typer.Option("--framework", "-f", help="指标体系目录或内置年度（默认取数据文件声明的年度）")
]
RegionOpt = Annotated[str, typer.Option("--region", "-r", help="省级行政区划代码")]
RegionsOpt = Annotated[Path | None, typer.Option("--regions", help="行政区划文件或目录（默认用内置表）")]
RulesOpt = Annotated[Path | None, typer.Option("--rules", help="校验规则文件（默认用内置规则）")]
PreviousOpt = Annotated[Path | None, typer.Option("--previous", help="上年的 units.yaml，用于跨年度比较")]
YearOpt = Annotated[int | None, typer.Option("--year", help="年度（代码会变化）")]


def fail(title: str, problems: Sequence[object] = (), code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print a title and one line per problem on stderr, then exit with ``code``.

    ``title`` and the problems are printed as text: a path or name holding ``[draft]`` stays whole.
    """
    err_console.print(title, style="bold red")
    for problem in problems:
        err_console.print(f"  - {problem}")
    raise typer.Exit(code)


def say(text: str, style: str | None = None, end: str = "\n") -> None:
    """Print text (names, paths and all): the consoles never read markup."""
    console.print(text, style=style, end=end)


def parse_date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option} 应为日期（如 2023-01-20），实为“{text}”")


def framework_arg(ref: str) -> Framework:
    """A framework directory or file, or the year of a built-in one."""
    try:
        return load_framework(ref) if Path(ref).exists() else builtin_framework(ref)
    except FrameworkError as exc:
        fail(f"指标体系“{ref}”有 {len(exc.problems)} 处问题：", exc.problems)


def region_trees(region: str | None, regions: Path | None) -> dict[str, RegionTree]:
    """The region trees of a file or directory (or the built-in one of ``region``)."""
    try:
        if regions is not None:
            trees = load_region_trees(regions)
            if region is not None and region not in trees:
                fail(f"{regions} 中没有地区“{region}”的行政区划表（有：{'、'.join(trees)}）")
            return {region: trees[region]} if region is not None else trees
        code = region or DEFAULT_REGION
        return {code: builtin_region_tree(code)}
    except RegionError as exc:
        fail(f"行政区划表有 {len(exc.problems)} 处问题：", exc.problems)


def builtin_trees() -> dict[str, RegionTree]:
    try:
        return {code: builtin_region_tree(code) for code in builtin_region_codes()}
    except RegionError as exc:
        fail("内置行政区划表有问题：", exc.problems)


def region_tree(region: str | None, regions: Path | None) -> RegionTree:
    trees = region_trees(region, regions)
    if len(trees) != 1:
        fail(f"{regions} 含有多个省的行政区划表，请用 --region 指定一个")
    return next(iter(trees.values()))


def ruleset(framework: Framework, rules: Path | None) -> RuleSet:
    from anju.collect.validation import RulesError, builtin_rules, load_rules  # noqa: PLC0415 - see TYPE_CHECKING

    try:
        return load_rules(rules, framework) if rules is not None else builtin_rules(framework)
    except RulesError as exc:
        fail(f"校验规则有 {len(exc.problems)} 处问题：", exc.problems)


def units_of(path: Path, framework: Framework, tree: RegionTree) -> UnitsFile:
    try:
        return load_units(path, framework, tree)
    except UnitsError as exc:
        fail(f"分地区数据有 {len(exc.problems)} 处问题：", exc.problems)


def declared(path: Path) -> tuple[dict[str, str], YamlDocument]:
    """The region and framework a units file declares, read before loading it strictly."""
    try:
        doc = read_yaml(units_path(path))
    except YamlError as exc:
        fail("无法读取分地区数据：", exc.problems)
    data = doc.data if isinstance(doc.data, dict) else {}
    return {key: str(data[key]) for key in ("region", "framework") if data.get(key) is not None}, doc


def declared_framework(ref: str, doc: YamlDocument) -> Framework:
    """The framework a units file names, a wrong name reported at its line in that file."""
    try:
        return load_framework(ref) if Path(ref).exists() else builtin_framework(ref)
    except FrameworkError as exc:
        line = doc.line_of(("framework",))
        fail(f"{doc.path}:{line}：分地区数据声明的指标体系“{ref}”无法使用：", exc.problems)


def open_units(path: Path, regions: Path | None, framework_ref: str | None) -> tuple[UnitsFile, Framework, RegionTree]:
    """A units file with the framework and region tree it declares (or those given)."""
    said, doc = declared(path)
    if framework_ref is not None:
        framework = framework_arg(framework_ref)
    else:
        framework = declared_framework(said.get("framework", DEFAULT_FRAMEWORK), doc)
    region = said.get("region")
    if regions is None and region is not None and region not in builtin_region_codes():
        fail(f"{doc.path}:{doc.line_of(('region',))}：分地区数据声明的地区“{region}”没有内置行政区划表"
             f"（现有：{'、'.join(builtin_region_codes())}），请用 --regions 指定行政区划表文件")
    tree = region_tree(region, regions)
    return units_of(path, framework, tree), framework, tree


def dataset_units(path: Path, dataset: Dataset, framework: Framework, units: Path | None) -> UnitsFile | None:
    """The units file of a dataset (``units.yaml`` beside it, or ``units``); None when it has none."""
    target = units_file_for(path, units)
    if not target.exists():
        if units is not None:
            fail(f"没有找到分地区数据 {target}")
        return None
    tree = dataset_tree(dataset)
    try:
        return read_units(target, framework, tree)
    except (UnitsError, CollectError) as exc:
        fail(f"分地区数据有 {len(exc.problems)} 处问题：", exc.problems)


def dataset_tree(dataset: Dataset) -> RegionTree:
    try:
        return builtin_region_tree(dataset.region.code)
    except RegionError as exc:
        fail("行政区划表有问题：", exc.problems)


FiguresOpt = Annotated[
    str | None,
    typer.Option("--figures", help="数据集与分地区数据（units.yaml）不一致时采用哪一方：dataset 数据集 / units 各单位汇总数"),
]
FIGURE_SOURCES = ("dataset", "units")


@dataclass(frozen=True)
class Sources:
    """Where the figures came from: the aggregate (when the units were used) and the per-prefecture
    rows of the appendix tables, taken from the same figures the body and the score table use."""

    aggregated: FromUnits | None
    rows: PrefectureRows | None
    """None: the appendix tables have the province's own row only."""
    rows_note: str | None = None
    """The units file's label when its rows are illustrative (示例数据)."""
    notes: tuple[str, ...] = ()
    """What the signer must know about the choice made (for the 核对清单)."""


def _check_choice(choice: str | None) -> None:
    if choice is not None and choice not in FIGURE_SOURCES:
        fail(f"--figures 只能是 dataset（采用数据集）或 units（采用各单位汇总数），实为“{choice}”")


def resolve_sources(
    path: Path, dataset: Dataset, framework: Framework, units: Path | None, choice: str | None, *, use_rows: bool
) -> Sources:
    """One source of truth for the body, the score table and the appendix tables.

    With a units file beside the dataset (or ``units``), the units are aggregated and compared with
    the dataset. Equal: the appendix rows are the prefectures' totals, which add up to the dataset's
    figures. Different, or incomplete: nothing is written unless ``choice`` says which side to use —
    ``units`` scores the aggregate, ``dataset`` scores the dataset and lists only the province's
    row. ``use_rows`` False (``--province-only``) reads no units at all, unless ``units`` is given."""
    _check_choice(choice)
    if not use_rows and choice != "units" and units is None:
        return Sources(None, None)
    data = dataset_units(path, dataset, framework, units)
    if data is None:
        if choice == "units":
            fail(f"没有找到分地区数据 {units_file_for(path, units)}（--figures units 需要数据集目录中的 units.yaml，或用 --units 指定）")
        return Sources(None, None)
    source = units_file_for(path, units)
    label = data.note if data.example else None
    tree = dataset_tree(dataset)
    try:
        result = dataset_from_units(dataset, framework, data, tree)
    except CollectError as exc:
        if choice == "dataset":
            note = f"分地区数据（{source}）不完整，计分和附件统计表均采用数据集（全省一行）"
            say(f"注：{note}。", style="yellow")
            return Sources(None, None, notes=(note,))
        fail(f"分地区数据（{source}）有 {len(exc.problems)} 项问题，无法与数据集核对，未生成材料"
             "（加 --figures dataset 只用数据集，附件统计表只列全省一行）：", exc.problems)
    changed = difference_problems(framework, result.differences)
    say(f"数据来源：{source}（{len(data.units)} 个报表单位逐级汇总）")
    if label:
        say(f"注：{label}", style="yellow")
    if changed and choice is None:
        fail(
            f"数据集（{dataset_path(path)}）与分地区数据（{source}）有 {len(changed)} 个数据项不一致，"
            "正文、得分表与附件统计表将互相矛盾，未生成材料。请改正其中一方，或用 --figures dataset"
            "（采用数据集，附件统计表只列全省一行）/ --figures units（采用各单位汇总数）明确采用哪一方：",
            [p.message for p in changed],
        )
    if changed and choice == "dataset":
        note = f"数据集与分地区数据有 {len(changed)} 个数据项不一致，按 --figures dataset 采用数据集；附件统计表只列全省一行"
        say(f"注：{note}：", style="yellow")
        for problem in changed:
            say(f"  - {problem.message}")
        return Sources(None, None, notes=(note, *(p.message for p in changed)))
    notes: tuple[str, ...] = ()
    if changed:
        note = f"数据集与分地区数据有 {len(changed)} 个数据项不一致，按 --figures units 采用各单位汇总数"
        say(f"注：{note}：", style="yellow")
        for problem in changed:
            say(f"  - {problem.message}")
        notes = (note, *(p.message for p in changed))
    rows = prefecture_rows(result.result, tree) if use_rows else None
    return Sources(result, rows, label, notes)


def load_and_evaluate(
    path: Path,
    framework_ref: str | None,
    use_units: bool,
    units: Path | None,
    consequence: str,
    *,
    choice: str | None = None,
    use_rows: bool = True,
) -> tuple[Framework, Dataset, Evaluation, Sources]:
    """Load the dataset (and its framework), compare it with its units (:func:`resolve_sources`),
    and score the figures chosen; on any problem print every reason, then ``consequence`` (e.g. "未计分").
    ``use_units`` (``--from-units``) is ``choice="units"``."""
    fw = framework_arg(framework_ref) if framework_ref else None
    try:
        dataset, fw = load_dataset(path, fw)
    except DatasetError as exc:
        fail(f"数据集有 {len(exc.problems)} 处问题，{consequence}：", exc.problems)
    except FrameworkError as exc:
        fail("指标体系有问题：", exc.problems)
    if use_units:
        _check_choice(choice)
        if choice == "dataset":
            fail("--from-units 与 --figures dataset 不能同时使用")
        choice = "units"
    sources = resolve_sources(path, dataset, fw, units, choice, use_rows=use_rows)
    if sources.aggregated is not None:
        dataset = sources.aggregated.dataset
    try:
        evaluation = evaluate(fw, dataset)
    except EvaluationError as exc:
        fail(f"有 {len(exc.problems)} 个指标无法计分（{dataset_path(path)}），{consequence}：", exc.problems)
    return fw, dataset, evaluation, sources


def year_targets(path: Path, regions: Path | None = None, framework_ref: str | None = None
                 ) -> tuple[Targets, Framework, RegionTree]:
    """The targets file of ``path`` (a file or a directory holding ``targets.yaml``) with the
    framework and the region tree it declares."""
    from anju.targets import TargetsError, load_targets, targets_path  # noqa: PLC0415 - see TYPE_CHECKING

    target = targets_path(path)
    try:
        doc = read_yaml(target)
    except YamlError as exc:
        fail("无法读取绩效目标：", exc.problems)
    data = doc.data if isinstance(doc.data, dict) else {}
    fw = framework_arg(framework_ref or str(data.get("framework") or DEFAULT_FRAMEWORK))
    tree = region_tree(str(data["region"]) if data.get("region") is not None else None, regions)
    try:
        return load_targets(target, fw, tree), fw, tree
    except TargetsError as exc:
        fail(f"绩效目标有 {len(exc.problems)} 处问题，未接受：", exc.problems)


def year_monitoring(path: Path, targets: Targets, framework: Framework, tree: RegionTree,
                    monitoring: Path | None = None) -> Monitoring:
    """The monitoring file of ``path`` (or ``monitoring``), checked against the targets."""
    from anju.monitoring import MonitoringError, load_monitoring, monitoring_path  # noqa: PLC0415 - see TYPE_CHECKING

    target = monitoring_path(monitoring or path)
    if not target.exists():
        fail(f"没有找到监控文件 {target}")
    try:
        return load_monitoring(target, framework, targets, tree)
    except MonitoringError as exc:
        fail(f"监控文件有 {len(exc.problems)} 处问题，未接受：", exc.problems)
