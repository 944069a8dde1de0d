"""Read a monitoring file (``monitoring.yaml``) strictly and check it against the framework, the
targets and the region tree; every problem at its line, in Chinese, all at once."""

from __future__ import annotations

from pathlib import Path

from anju.collect.regions import RegionTree
from anju.framework.models import Framework
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


def check_monitoring(monitoring: Monitoring, framework: Framework, targets: Targets, tree: RegionTree,
                     doc: YamlDocument | None = None) -> list[Problem]:
    file = doc.path if doc is not None else "监控数据"

    def problem(loc: tuple[int | str, ...], message: str) -> Problem:
        return at_line(file, doc.line_of(loc) if doc is not None else 0, message, LoadCode.REFERENCE_UNKNOWN)

    problems: list[Problem] = []
    if monitoring.region != targets.region or monitoring.year != targets.year:
        problems.append(problem(("region",), f"监控文件（{monitoring.region} {monitoring.year}年）与绩效目标"
                                             f"（{targets.region} {targets.year}年）不是同一地区、年度"))
    known = {p.id: p for p in framework.programs}
    for program_id, figures in monitoring.programs.items():
        program = known.get(program_id)
        if program is None:
            problems.append(problem(("programs", program_id), f"指标体系中没有项目“{program_id}”（有：{'、'.join(known)}）"))
            continue
        ids = {f.id for f in program.figures}
        for name in ("budget", "spent"):
            figure = getattr(figures, name)
            if figure not in ids:
                problems.append(problem(("programs", program_id, name), f"{program.label}：指标体系中没有数据项“{figure}”"))
    if problems:
        return problems

    def indicators(program_id: str) -> set[str]:
        program_targets = targets.programs.get(program_id)
        return {i.id for i in program_targets.indicators} if program_targets is not None else set()

    for index, declared in enumerate(monitoring.dates):
        for program_id, shares in declared.expected.items():
            if program_id not in monitoring.programs:
                problems.append(problem(("dates", index, "expected", program_id), f"监控文件未声明项目“{program_id}”"))
                continue
            for indicator_id in shares:
                if indicator_id not in indicators(program_id):
                    problems.append(problem(("dates", index, "expected", program_id, indicator_id),
                                            f"{known[program_id].label}：绩效目标中没有指标“{indicator_id}”"))
    rule_ids = {r.id for r in monitoring.rules}
    for r_index, round_ in enumerate(monitoring.rounds):
        for code, report in round_.reports.items():
            loc: tuple[int | str, ...] = ("rounds", r_index, "reports", code)
            if code not in tree:
                problems.append(problem(loc, f"行政区划表中没有代码“{code}”"))
                continue
            name = tree.unit(code).display_name
            for program_id, data in report.programs.items():
                p_loc = (*loc, "programs", program_id)
                if program_id not in monitoring.programs:
                    problems.append(problem(p_loc, f"{name}：监控文件未声明项目“{program_id}”"))
                    continue
                label = known[program_id].label
                for indicator_id in data.progress:
                    if indicator_id not in indicators(program_id):
                        problems.append(problem((*p_loc, "progress", indicator_id),
                                                f"{name}{label}：绩效目标中没有指标“{indicator_id}”"))
                for e_index, answer in enumerate(data.explanations):
                    if answer.rule not in rule_ids:
                        problems.append(problem((*p_loc, "explanations", e_index, "rule"),
                                                f"{name}{label}：没有编号为“{answer.rule}”的偏离规则"))
                    if answer.indicator is not None and answer.indicator not in indicators(program_id):
                        problems.append(problem((*p_loc, "explanations", e_index, "indicator"),
                                                f"{name}{label}：绩效目标中没有指标“{answer.indicator}”"))
    return problems
