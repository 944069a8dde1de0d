"""Read a targets file (``targets.yaml``) strictly and check it against the framework and the region tree.

Every problem is reported at once, in Chinese, with the file and line: a program the framework
does not have, a figure or item it does not have, a unit the region tree does not have, a part for
an indicator that does not exist, and every breakdown that does not add up
(:mod:`anju.targets.breakdown`).
"""

from __future__ import annotations

from pathlib import Path

from anju.collect.regions import RegionTree
from anju.framework.models import Framework, Program
from anju.problems import LoadCode, Problem, ProblemsError, at_line
from anju.targets.breakdown import breakdown_problems
from anju.targets.models import Targets
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


def check_targets(targets: Targets, framework: Framework, tree: RegionTree, doc: YamlDocument | None = None) -> list[Problem]:
    """References and breakdown of ``targets`` (empty when all is well)."""
    file = doc.path if doc is not None else "绩效目标"

    def line(loc: tuple[int | str, ...]) -> int:
        return doc.line_of(loc) if doc is not None else 0

    def problem(loc: tuple[int | str, ...], message: str, code: str = LoadCode.REFERENCE_UNKNOWN) -> Problem:
        return at_line(file, line(loc), message, code)

    problems: list[Problem] = []
    if targets.region != tree.code:
        problems.append(problem(("region",), f"绩效目标的地区“{targets.region}”与行政区划表（{tree.name} {tree.code}）不符"))
    known = {p.id: p for p in framework.programs}
    for program_id, program_targets in targets.programs.items():
        program = known.get(program_id)
        if program is None:
            problems.append(problem(("programs", program_id),
                                    f"指标体系中没有项目“{program_id}”（有：{'、'.join(known)}）"))
            continue
        figures = {f.id for f in program.figures}
        items = _item_paths(program)
        ids = {i.id for i in program_targets.indicators}
        for index, indicator in enumerate(program_targets.indicators):
            for name in ("figure", "planned_figure"):
                figure = getattr(indicator, name)
                if figure is not None and figure not in figures:
                    problems.append(problem(("programs", program_id, "indicators", index, name),
                                            f"{program.label}“{indicator.label}”：指标体系中没有数据项“{figure}”"))
            if indicator.item is not None and indicator.item not in items:
                problems.append(problem(("programs", program_id, "indicators", index, "item"),
                                        f"{program.label}“{indicator.label}”：指标体系中没有指标“{indicator.item}”"))
        for section, level_word in (("prefectures", "市（州）"), ("units", "报表单位")):
            parts = getattr(program_targets, section)
            for code, values in parts.items():
                loc: tuple[int | str, ...] = ("programs", program_id, section, code)
                if code not in tree:
                    problems.append(problem(loc, f"{program.label}：行政区划表中没有代码“{code}”"))
                    continue
                unit = tree.unit(code)
                if section == "prefectures" and unit.level != "prefecture":
                    problems.append(problem(loc, f"{program.label}：{unit}不是市（州），不能列在 prefectures 下"))
                if section == "units" and (not unit.reports or not unit.valid_in(targets.year)):
                    problems.append(problem(loc, f"{program.label}：{unit}在{targets.year}年不是{level_word}"))
                for indicator_id in values:
                    if indicator_id not in ids:
                        problems.append(problem((*loc, indicator_id),
                                                f"{program.label}：{unit.name}的分解目标中有未定义的指标“{indicator_id}”"))
        if not problems:
            problems.extend(breakdown_problems(program.label, program_id, program_targets, tree, targets.year,
                                               file, line))
    return problems
