"""Read a targets file (``targets.yaml``) strictly and check it against the framework and the region tree.

Every problem is reported at once, in Chinese, with the file and line: a program the framework
does not have, a figure or item it does not have, a unit the region tree does not have, a part for
an indicator that does not exist, and every breakdown that does not add up
(:mod:`anju.targets.breakdown`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from anju.collect.regions import RegionTree
from anju.framework.models import Framework, Program
from anju.problems import LoadCode, Problem, ProblemsError, at_line
from anju.targets.breakdown import breakdown_problems
from anju.targets.models import ProgramTargets, Targets
from anju.yamlio import YamlDocument, read_model

TARGETS_FILE = "targets.yaml"


class TargetsError(ProblemsError):
    """The targets file could not be accepted; ``problems`` lists every reason."""


def targets_path(path: Path | str) -> Path:
    """A targets file, or the ``targets.yaml`` of a directory."""
    p = Path(path)
    return p / TARGETS_FILE if p.is_dir() else p


def load_targets(path: Path | str, framework: Framework, tree: RegionTree) -> Targets:
    """The targets of ``path``, checked; raises :class:`TargetsError` with every problem."""
    targets, doc = read_model(targets_path(path), Targets, TargetsError, "绩效目标文件")
    problems = check_targets(targets, framework, tree, doc)
    if problems:
        raise TargetsError(problems)
    return targets


def _item_paths(program: Program) -> set[str]:
    return {path for path, _ in program.items()}


Say = Callable[[tuple[int | str, ...], str], Problem]


def _reference_problems(program: Program, targets: ProgramTargets, say: Say) -> list[Problem]:
    """Figures and items of the framework that the indicators name."""
    figures = {f.id for f in program.figures}
    items = _item_paths(program)
    found = []
    for index, indicator in enumerate(targets.indicators):
        loc: tuple[int | str, ...] = ("programs", program.id, "indicators", index)
        for name in ("figure", "planned_figure"):
            figure = getattr(indicator, name)
            if figure is not None and figure not in figures:
                found.append(say((*loc, name), f"{program.label}“{indicator.label}”：指标体系中没有数据项“{figure}”"))
        if indicator.item is not None and indicator.item not in items:
            found.append(say((*loc, "item"), f"{program.label}“{indicator.label}”：指标体系中没有指标“{indicator.item}”"))
    return found


def _part_problems(program: Program, targets: ProgramTargets, tree: RegionTree, year: int, say: Say) -> list[Problem]:
    """The codes and indicators of the breakdown."""
    ids = {i.id for i in targets.indicators}
    found = []
    for section in ("prefectures", "units"):
        parts: dict[str, dict[str, object]] = getattr(targets, section)
        for code, values in parts.items():
            loc: tuple[int | str, ...] = ("programs", program.id, section, code)
            if code not in tree:
                found.append(say(loc, f"{program.label}：行政区划表中没有代码“{code}”"))
                continue
            unit = tree.unit(code)
            if section == "prefectures" and unit.level != "prefecture":
                found.append(say(loc, f"{program.label}：{unit}不是市（州），不能列在 prefectures 下"))
            if section == "units" and (not unit.reports or not unit.valid_in(year)):
                found.append(say(loc, f"{program.label}：{unit}在{year}年不是报表单位"))
            found.extend(say((*loc, indicator_id), f"{program.label}：{unit.name}的分解目标中有未定义的指标“{indicator_id}”")
                         for indicator_id in values if indicator_id not in ids)
    return found


def check_targets(targets: Targets, framework: Framework, tree: RegionTree, doc: YamlDocument | None = None) -> list[Problem]:
    """References and breakdown of ``targets`` (empty when all is well)."""
    file = doc.path if doc is not None else "绩效目标"

    def line(loc: tuple[int | str, ...]) -> int:
        return doc.line_of(loc) if doc is not None else 0

    def say(loc: tuple[int | str, ...], message: str) -> Problem:
        return at_line(file, line(loc), message, LoadCode.REFERENCE_UNKNOWN)

    problems: list[Problem] = []
    if targets.region != tree.code:
        problems.append(say(("region",), f"绩效目标的地区“{targets.region}”与行政区划表（{tree.name} {tree.code}）不符"))
    known = {p.id: p for p in framework.programs}
    for program_id, program_targets in targets.programs.items():
        program = known.get(program_id)
        if program is None:
            problems.append(say(("programs", program_id), f"指标体系中没有项目“{program_id}”（有：{'、'.join(known)}）"))
            continue
        found = [*_reference_problems(program, program_targets, say),
                 *_part_problems(program, program_targets, tree, targets.year, say)]
        problems.extend(found)
        if not found:
            problems.extend(breakdown_problems(program.label, program_id, program_targets, tree, year=targets.year,
                                               file=file, locate=line))
    return problems
