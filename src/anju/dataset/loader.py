"""Read a dataset YAML file and check it against its framework (all problems at once)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from anju.dataset.models import Dataset, ProgramData
from anju.decimals import plain
from anju.framework.loader import UnknownFramework, builtin_framework
from anju.framework.models import Checklist, Framework, Judged, Program, limit_breach
from anju.problems import LoadCode, Problem, ProblemsError, at_line
from anju.yamlio import YamlDocument, read_model

DATASET_FILE = "dataset.yaml"


class DatasetError(ProblemsError):
    """The dataset could not be loaded."""


def dataset_path(path: Path | str) -> Path:
    p = Path(path)
    return p / DATASET_FILE if p.is_dir() else p


def load_dataset(path: Path | str, framework: Framework | None = None) -> tuple[Dataset, Framework]:
    """Load a dataset (a file, or a directory holding ``dataset.yaml``) and its framework."""
    p = dataset_path(path)
    dataset, doc = read_model(p, Dataset, DatasetError, "数据文件")
    if framework is None:
        try:
            framework = builtin_framework(dataset.framework)
        except UnknownFramework as exc:
            shown = "、".join(exc.available) or "无"
            raise DatasetError([at_line(doc.path, doc.line_of(("framework",)),
                                        f"数据集声明的指标体系“{dataset.framework}”不是内置年度（现有：{shown}）："
                                        "请改为现有年度，或用 --framework 指定指标体系目录", LoadCode.REFERENCE_UNKNOWN)]) from None
    problems = cross_check(dataset, framework, doc)
    if problems:
        raise DatasetError(problems)
    return dataset, framework


@dataclass(frozen=True)
class _Locator:
    """File and line of a key in the dataset (0 when the dataset was not read from a file)."""

    doc: YamlDocument | None

    @property
    def file(self) -> str:
        return self.doc.path if self.doc else "数据集"

    def problem(self, loc: tuple[int | str, ...], message: str, code: LoadCode = LoadCode.REFERENCE_UNKNOWN) -> Problem:
        return at_line(self.file, self.doc.line_of(loc) if self.doc else 0, message, code)


def cross_check(dataset: Dataset, framework: Framework, doc: YamlDocument | None = None) -> list[Problem]:
    """Every key in the dataset must name something the framework declares."""
    at = _Locator(doc)
    problems: list[Problem] = []
    for program_id, data in dataset.programs.items():
        try:
            program = framework.program(program_id)
        except KeyError:
            problems.append(at.problem(("programs", program_id), f"指标体系“{framework.id}”没有项目“{program_id}”"))
            continue
        problems += _figure_problems(at, program, data)
        problems += _judgement_problems(at, program, data)
        problems += _item_key_problems(at, program, data)
    return problems


def _figure_problems(at: _Locator, program: Program, data: ProgramData) -> list[Problem]:
    """Every figure is declared by the framework and within its kind's limits (:data:`FIGURE_LIMITS`)."""
    specs = {f.id: f for f in program.figures}
    problems: list[Problem] = []
    for fid, value in data.figures.items():
        loc = ("programs", program.id, "figures", fid)
        spec = specs.get(fid)
        if spec is None:
            problems.append(at.problem(loc, f"{program.label}：未知的数据项“{fid}”（指标体系中没有定义）"))
            continue
        if not isinstance(value, Decimal):
            continue
        breach = limit_breach(spec.kind, spec.unit, value)
        if breach is not None:
            problems.append(at.problem(loc, f"{program.label}：“{spec.label}”（{fid}）{breach.reason}，实为“{plain(value)}”",
                                       LoadCode.FIGURE_LIMIT))
    return problems


def _judgement_problems(at: _Locator, program: Program, data: ProgramData) -> list[Problem]:
    items = program.item_map
    problems: list[Problem] = []
    for key, judgement in data.judgements.items():
        item = items.get(key)
        loc = ("programs", program.id, "judgements", key)
        if item is None:
            problems.append(at.problem(loc, f"{program.label}：判断所指的指标“{key}”不存在"))
        elif isinstance(item.rule, Checklist):
            clause_ids = {c.id for c in item.rule.clauses}
            problems += [
                at.problem((*loc, "clauses", cid),
                           f"{program.label}“{item.label}”：未知的评分要点“{cid}”（可用：{'、'.join(sorted(clause_ids))}）")
                for cid in judgement.clauses if cid not in clause_ids
            ]
        elif not isinstance(item.rule, Judged):
            problems.append(at.problem(loc, f"{program.label}“{item.label}”按数据计分，不接受人工判断", LoadCode.INCONSISTENT))
    return problems


def _item_key_problems(at: _Locator, program: Program, data: ProgramData) -> list[Problem]:
    items = program.item_map
    problems = [
        at.problem(("programs", program.id, "narrative", key), f"{program.label}：说明所指的指标“{key}”不存在")
        for key in data.narrative if key not in items
    ]
    problems += [
        at.problem(("programs", program.id, "stated"), f"{program.label}：文件所述得分或比例的指标“{key}”不存在")
        for key in [*data.stated.scores, *data.stated.percents] if key not in items
    ]
    return problems
