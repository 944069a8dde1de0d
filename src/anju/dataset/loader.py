"""Read a dataset YAML file and check it against its framework (all problems at once)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from anju.dataset.models import Dataset
from anju.framework.loader import _pydantic_problems, builtin_framework
from anju.framework.models import Checklist, Framework, Judged
from anju.yamlio import ProblemsError, SourceError, YamlDocument, read_yaml

DATASET_FILE = "dataset.yaml"


class DatasetError(ProblemsError[SourceError]):
    """The dataset could not be loaded."""


def dataset_path(path: Path | str) -> Path:
    p = Path(path)
    return p / DATASET_FILE if p.is_dir() else p


def load_dataset(path: Path | str, framework: Framework | None = None) -> tuple[Dataset, Framework]:
    """Load a dataset (a file, or a directory holding ``dataset.yaml``) and its framework."""
    p = dataset_path(path)
    try:
        doc = read_yaml(p)
    except SourceError as exc:
        raise DatasetError([exc]) from None
    if not isinstance(doc.data, dict):
        raise DatasetError([SourceError(doc.path, 1, "数据文件的顶层应为键值映射")])
    try:
        dataset = Dataset.model_validate(doc.data)
    except ValidationError as exc:
        raise DatasetError(_pydantic_problems(exc, doc)) from None
    if framework is None:
        framework = builtin_framework(dataset.framework)
    problems = cross_check(dataset, framework, doc)
    if problems:
        raise DatasetError(problems)
    return dataset, framework


def cross_check(dataset: Dataset, framework: Framework, doc: YamlDocument | None = None) -> list[SourceError]:
    """Every key in the dataset must name something the framework declares."""
    where = doc.path if doc else "数据集"

    def line(*loc: int | str) -> int:
        return doc.line_of(loc) if doc else 0

    problems: list[SourceError] = []
    for program_id, data in dataset.programs.items():
        try:
            program = framework.program(program_id)
        except KeyError:
            problems.append(SourceError(where, line("programs", program_id), f"指标体系“{framework.id}”没有项目“{program_id}”"))
            continue
        known_figures = {f.id for f in program.figures}
        for fid in data.figures:
            if fid not in known_figures:
                problems.append(
                    SourceError(where, line("programs", program_id, "figures", fid),
                                f"{program.label}：未知的数据项“{fid}”（指标体系中没有定义）")
                )
        items = dict(program.items())
        for key, judgement in data.judgements.items():
            item = items.get(key)
            loc = ("programs", program_id, "judgements", key)
            if item is None:
                problems.append(SourceError(where, line(*loc), f"{program.label}：判断所指的指标“{key}”不存在"))
                continue
            if isinstance(item.rule, Checklist):
                clause_ids = {c.id for c in item.rule.clauses}
                for cid in judgement.clauses:
                    if cid not in clause_ids:
                        problems.append(
                            SourceError(where, line(*loc, "clauses", cid),
                                        f"{program.label}“{item.label}”：未知的评分要点“{cid}”（可用：{'、'.join(sorted(clause_ids))}）")
                        )
            elif not isinstance(item.rule, Judged):
                problems.append(
                    SourceError(where, line(*loc), f"{program.label}“{item.label}”按数据计分，不接受人工判断")
                )
        for section in ("narrative",):
            for key in data.narrative:
                if key not in items:
                    problems.append(
                        SourceError(where, line("programs", program_id, section, key), f"{program.label}：说明所指的指标“{key}”不存在")
                    )
        for key in [*data.stated.scores, *data.stated.percents]:
            if key not in items:
                problems.append(
                    SourceError(where, line("programs", program_id, "stated"), f"{program.label}：文件所述得分或比例的指标“{key}”不存在")
                )
    return problems
