"""Read a monitoring file (``monitoring.yaml``) strictly and check it against the framework, the
targets and the region tree; every problem at its line, in Chinese, all at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from anju.collect.regions import RegionTree
from anju.framework.models import Framework, Program
from anju.monitoring.models import Monitoring
from anju.problems import LoadCode, Problem, ProblemsError, at_line
from anju.targets.models import Targets
from anju.yamlio import YamlDocument, read_model

MONITORING_FILE = "monitoring.yaml"


class MonitoringError(ProblemsError):
    """The monitoring file could not be accepted; ``problems`` lists every reason."""


def monitoring_path(path: Path | str) -> Path:
    p = Path(path)
    return p / MONITORING_FILE if p.is_dir() else p


def load_monitoring(path: Path | str, framework: Framework, targets: Targets, tree: RegionTree) -> Monitoring:
    monitoring, doc = read_model(monitoring_path(path), Monitoring, MonitoringError, "监控文件")
    problems = check_monitoring(monitoring, framework, targets, tree, doc)
    if problems:
        raise MonitoringError(problems)
    return monitoring


Say = Callable[[tuple[int | str, ...], str], Problem]


def _program_problems(monitoring: Monitoring, known: dict[str, Program], say: Say) -> list[Problem]:
    found = []
    for program_id, figures in monitoring.programs.items():
        program = known.get(program_id)
        if program is None:
            found.append(say(("programs", program_id), f"指标体系中没有项目“{program_id}”（有：{'、'.join(known)}）"))
            continue
        ids = {f.id for f in program.figures}
        found.extend(say(("programs", program_id, name), f"{program.label}：指标体系中没有数据项“{getattr(figures, name)}”")
                     for name in ("budget", "spent") if getattr(figures, name) not in ids)
    return found


def _indicator_ids(targets: Targets, program_id: str) -> set[str]:
    program_targets = targets.programs.get(program_id)
    return {i.id for i in program_targets.indicators} if program_targets is not None else set()


def _date_problems(monitoring: Monitoring, targets: Targets, known: dict[str, Program], say: Say) -> list[Problem]:
    found = []
    for index, declared in enumerate(monitoring.dates):
        for program_id, shares in declared.expected.items():
            loc: tuple[int | str, ...] = ("dates", index, "expected", program_id)
            if program_id not in monitoring.programs:
                found.append(say(loc, f"监控文件未声明项目“{program_id}”"))
                continue
            ids = _indicator_ids(targets, program_id)
            found.extend(say((*loc, i), f"{known[program_id].label}：绩效目标中没有指标“{i}”") for i in shares if i not in ids)
    return found


def _report_problems(monitoring: Monitoring, targets: Targets, known: dict[str, Program], tree: RegionTree,
                     say: Say) -> list[Problem]:
    found = []
    rule_ids = {r.id for r in monitoring.rules}
    for r_index, round_ in enumerate(monitoring.rounds):
        for code, report in round_.reports.items():
            loc: tuple[int | str, ...] = ("rounds", r_index, "reports", code)
            if code not in tree:
                found.append(say(loc, f"行政区划表中没有代码“{code}”"))
                continue
            name = tree.unit(code).display_name
            for program_id, data in report.programs.items():
                p_loc = (*loc, "programs", program_id)
                if program_id not in monitoring.programs:
                    found.append(say(p_loc, f"{name}：监控文件未声明项目“{program_id}”"))
                    continue
                label = f"{name}{known[program_id].label}"
                ids = _indicator_ids(targets, program_id)
                found.extend(say((*p_loc, "progress", i), f"{label}：绩效目标中没有指标“{i}”")
                             for i in data.progress if i not in ids)
                for e_index, answer in enumerate(data.explanations):
                    e_loc = (*p_loc, "explanations", e_index)
                    if answer.rule not in rule_ids:
                        found.append(say((*e_loc, "rule"), f"{label}：没有编号为“{answer.rule}”的偏离规则"))
                    if answer.indicator is not None and answer.indicator not in ids:
                        found.append(say((*e_loc, "indicator"), f"{label}：绩效目标中没有指标“{answer.indicator}”"))
    return found


def check_monitoring(monitoring: Monitoring, framework: Framework, targets: Targets, tree: RegionTree,
                     doc: YamlDocument | None = None) -> list[Problem]:
    """References of ``monitoring`` to the framework, the targets and the region tree (empty when all is well)."""
    file = doc.path if doc is not None else "监控数据"

    def say(loc: tuple[int | str, ...], message: str) -> Problem:
        return at_line(file, doc.line_of(loc) if doc is not None else 0, message, LoadCode.REFERENCE_UNKNOWN)

    problems: list[Problem] = []
    if monitoring.region != targets.region or monitoring.year != targets.year:
        problems.append(say(("region",), f"监控文件（{monitoring.region} {monitoring.year}年）与绩效目标"
                                         f"（{targets.region} {targets.year}年）不是同一地区、年度"))
    known = {p.id: p for p in framework.programs}
    problems.extend(_program_problems(monitoring, known, say))
    if problems:
        return problems
    return [*_date_problems(monitoring, targets, known, say), *_report_problems(monitoring, targets, known, tree, say)]
