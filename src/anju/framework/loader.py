"""Load and validate indicator frameworks from YAML.

A framework is a directory holding ``framework.yaml`` (metadata, grade bands, the list of program
files and the name of the appendix file), one YAML file per program and ``appendix.yaml`` (the
appendix tables, 附件统计表). Loading is all-or-nothing: every problem is
collected, each with its file and line, and :class:`FrameworkError` lists them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from anju.decimals import plain
from anju.framework.appendix import appendix_problems
from anju.framework.cache import cached_framework
from anju.framework.mapping import mapping_problems
from anju.framework.models import (
    BUILTIN_PLACEHOLDERS,
    METRIC_RULES,
    PLACEHOLDER_RE,
    Appendix,
    Checklist,
    Deduction,
    FigureMapping,
    Framework,
    Item,
    Program,
    Proportional,
    RatioTiers,
    SumOfChildren,
)
from anju.framework.soundness import grade_band_problems, soundness_problems
from anju.framework.variant import MAX_DEPTH, Change, apply_changes
from anju.problems import LoadCode, Problem, ProblemsError, Severity, at_line
from anju.yamlio import YamlDocument, YamlError, pydantic_problems, read_yaml

BUILTIN_DIR = Path(__file__).parent / "frameworks"


class FrameworkError(ProblemsError):
    """The framework could not be loaded; ``problems`` lists every reason with file and line."""


class UnknownFramework(FrameworkError):
    """No built-in framework has the requested id; ``available`` lists those that exist."""

    def __init__(self, framework_id: str, available: list[str]) -> None:
        self.framework_id = framework_id
        self.available = available
        shown = "、".join(available) or "无"
        super().__init__([Problem(LoadCode.REFERENCE_UNKNOWN, Severity.error,
                                  f"没有内置的“{framework_id}”年度指标体系（现有：{shown}）")])


def builtin_years() -> list[str]:
    return sorted(p.name for p in BUILTIN_DIR.iterdir() if (p / "framework.yaml").is_file())


@lru_cache(maxsize=8)
def builtin_framework(framework_id: str) -> Framework:
    """The framework shipped with anju for ``framework_id`` (e.g. ``"2022"``), from the compiled
    cache when its files have not changed (:mod:`anju.framework.cache`)."""
    if framework_id not in builtin_years():
        raise UnknownFramework(framework_id, builtin_years())
    path = BUILTIN_DIR / framework_id
    return cached_framework(framework_id, BUILTIN_DIR, lambda: load_framework(path))


def load_framework(path: Path | str) -> Framework:
    """Load a framework directory, its ``framework.yaml``, or a single program file.

    A single program file is wrapped in a one-program framework so it can be checked alone.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "framework.yaml"
    doc = _read(p)
    if not isinstance(doc.data, dict):
        raise FrameworkError([at_line(doc.path, 1, "指标体系文件的顶层应为键值映射")])
    if "dimensions" in doc.data:  # a program file on its own
        program = _load_program(doc)
        return Framework(id=f"check:{p.stem}", year=0, label=f"单独校验：{p.name}", programs=[program])
    return _load_root(doc, p.parent)


def _read(p: Path) -> YamlDocument:
    try:
        return read_yaml(p)
    except YamlError as exc:
        raise FrameworkError(exc.problems) from None


def _load_root(doc: YamlDocument, base: Path, depth: int = 0) -> Framework:
    if "extends" in doc.data:
        return _load_variant(doc, base, depth)
    data = dict(doc.data)
    raw_programs = data.get("programs")
    if not isinstance(raw_programs, list) or not raw_programs:
        raise FrameworkError([at_line(doc.path, doc.line_of(("programs",)), "缺少 programs（项目文件列表）")])
    programs, problems = _listed_programs(doc, base, raw_programs)
    source: _AppendixSource | None = None
    try:
        source = _appendix_source(doc, base)
    except FrameworkError as exc:
        problems.extend(exc.problems)
    mappings: list[_MappingSource] = []
    try:
        mappings = _mapping_sources(doc, base)
    except FrameworkError as exc:
        problems.extend(exc.problems)
    if problems or source is None:
        raise FrameworkError(problems)
    data["programs"] = programs
    data["appendix"] = source.appendix
    data["mappings"] = [m.mapping for m in mappings]
    framework = _validated(data, doc, source)
    _check_mappings(framework, mappings)
    return framework


@dataclass(frozen=True)
class _MappingSource:
    mapping: FigureMapping
    path: str
    line_of: Callable[[tuple[int | str, ...]], int]


def _mapping_sources(doc: YamlDocument, base: Path) -> list[_MappingSource]:
    """``mappings: [mapping-2022.yaml]`` (files next to framework.yaml) or inline declarations."""
    entries = doc.data.get("mappings", [])
    if not isinstance(entries, list):
        raise FrameworkError([at_line(doc.path, doc.line_of(("mappings",)), "mappings 应为列表（对应关系文件名或定义）")])
    out: list[_MappingSource] = []
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        line_of: Callable[[tuple[int | str, ...]], int]
        if isinstance(entry, str):
            sub = _read(base / entry)
            line_of = sub.line_of
        elif isinstance(entry, dict):
            sub = YamlDocument(doc.path, entry, None)
            line_of = _under(doc, ("mappings", index))
        else:
            problems.append(at_line(doc.path, doc.line_of(("mappings", index)), "mappings 的每一项应为文件名或对应关系定义"))
            continue
        try:
            out.append(_MappingSource(FigureMapping.model_validate(sub.data), sub.path, line_of))
        except ValidationError as exc:
            problems += pydantic_problems(exc, sub, line_of)
    if problems:
        raise FrameworkError(problems)
    return out


def _check_mappings(framework: Framework, sources: list[_MappingSource]) -> None:
    """Each mapping names a built-in older framework and figures that exist on both sides."""
    problems: list[Problem] = []
    for source in sources:
        ref = source.mapping.from_framework
        if ref == framework.id or ref not in builtin_years():
            problems.append(at_line(source.path, source.line_of(("from",)),
                                    f"对应关系的 from“{ref}”应为另一个内置年度（现有：{'、'.join(builtin_years())}）",
                                    LoadCode.REFERENCE_UNKNOWN))
            continue
        previous = builtin_framework(ref)
        problems += [at_line(source.path, source.line_of(loc), msg, LoadCode.REFERENCE_UNKNOWN)
                     for loc, msg in mapping_problems(source.mapping, framework, previous)]
    if problems:
        raise FrameworkError(problems)


def _listed_programs(doc: YamlDocument, base: Path, raw_programs: list[object]) -> tuple[list[Program], list[Problem]]:
    """The programs ``programs:`` lists (file names or inline definitions)."""
    problems: list[Problem] = []
    programs: list[Program] = []
    for index, entry in enumerate(raw_programs):
        if isinstance(entry, str):
            try:
                programs.append(_load_program(_read(base / entry)))
            except FrameworkError as exc:
                problems.extend(_named_in_root(exc.problems, doc, index, entry))
        elif isinstance(entry, dict):
            sub = YamlDocument(doc.path, entry, None)
            try:
                programs.append(_load_program(sub, offset_doc=doc, offset_loc=("programs", index)))
            except FrameworkError as exc:
                problems.extend(exc.problems)
        else:
            problems.append(at_line(doc.path, doc.line_of(("programs", index)), "programs 的每一项应为文件名或项目定义"))
    return programs, problems


def _validated(data: dict[str, object], doc: YamlDocument, source: _AppendixSource) -> Framework:
    """The framework from its resolved fields, with every check across programs."""
    problems: list[Problem] = []
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(pydantic_problems(exc, doc)) from None
    problems += [at_line(doc.path, doc.line_of(loc), msg, code) for loc, msg, code in grade_band_problems(framework)]
    seen: set[str] = set()
    for program in framework.programs:
        if program.id in seen:
            problems.append(at_line(doc.path, doc.line_of(("programs",)), f"项目“{program.id}”重复出现"))
        seen.add(program.id)
    problems += [at_line(source.path, source.line_of(loc), message, code)
                 for loc, message, code in appendix_problems(framework.appendix, framework)]
    if problems:
        raise FrameworkError(problems)
    return framework


def _load_variant(doc: YamlDocument, base: Path, depth: int) -> Framework:
    """A framework that ``extends`` another: the parent's programs with the ``changes`` applied,
    the parent's fields overridden by the variant's, then every check of a framework."""
    data = dict(doc.data)
    ref = data.pop("extends")
    extends_line = doc.line_of(("extends",))
    if not isinstance(ref, str) or not ref.strip():
        raise FrameworkError([at_line(doc.path, extends_line, "extends 应为内置年度（如 \"2022\"）或指标体系目录")])
    if depth >= MAX_DEPTH:
        raise FrameworkError([at_line(doc.path, extends_line, f"extends 层数超过{MAX_DEPTH}层（是否循环继承？）")])
    parent = _parent_framework(ref, base, depth, doc.path, extends_line)
    raw_changes = data.pop("changes", [])
    if not isinstance(raw_changes, list):
        raise FrameworkError([at_line(doc.path, doc.line_of(("changes",)), "changes 应为列表")])
    problems: list[Problem] = []
    changes: list[Change] = []
    for index, raw in enumerate(raw_changes):
        try:
            changes.append(Change.model_validate(raw))
        except ValidationError as exc:
            problems += pydantic_problems(exc, doc, _under(doc, ("changes", index)))
    if problems:
        raise FrameworkError(problems)
    dumped = parent.model_dump(mode="json")
    resolved, failed = apply_changes(dumped["programs"], changes)
    problems += [at_line(doc.path, doc.line_of(("changes", index)), msg, LoadCode.REFERENCE_UNKNOWN) for index, msg in failed]
    programs: list[Program] = []
    for raw_program in resolved:
        first = next((i for i, c in enumerate(changes) if c.program == raw_program.get("id")), None)
        line = doc.line_of(("changes", first)) if first is not None else extends_line
        try:
            programs.append(_load_program(YamlDocument(doc.path, raw_program, None), fixed_line=line))
        except FrameworkError as exc:
            problems += [replace(p, message=f"继承并修改后，{p.message}") for p in exc.problems]
    added = data.pop("programs", None)
    if isinstance(added, list):
        more, more_problems = _listed_programs(doc, base, added)
        programs += more
        problems += more_problems
    if "appendix" in data:
        try:
            source = _appendix_source(doc, base)
        except FrameworkError as exc:
            problems += exc.problems
    else:
        def at_extends(loc: tuple[int | str, ...]) -> int:
            return extends_line

        source = _AppendixSource(parent.appendix, doc.path, at_extends)
    if problems:
        raise FrameworkError(problems)
    fields = {k: v for k, v in dumped.items() if k not in ("programs", "appendix", "extends")}
    fields.update(data)
    fields.update({"programs": programs, "appendix": source.appendix, "extends": ref})
    framework = _validated(fields, doc, source)
    framework.set_parent(parent)
    return framework


def _under(doc: YamlDocument, prefix: tuple[int | str, ...]) -> Callable[[tuple[int | str, ...]], int]:
    """The line of a location inside ``prefix`` of ``doc``."""
    def line_of(loc: tuple[int | str, ...]) -> int:
        return doc.line_of((*prefix, *loc))
    return line_of


def _parent_framework(ref: str, base: Path, depth: int, path: str, line: int) -> Framework:
    if ref in builtin_years():
        return builtin_framework(ref)
    directory = (base / ref).resolve()
    root = directory / "framework.yaml"
    if not root.is_file():
        raise FrameworkError([at_line(path, line, f"extends 所指的“{ref}”既不是内置年度（现有：{'、'.join(builtin_years())}），"
                                                  "也不是含 framework.yaml 的目录", LoadCode.REFERENCE_UNKNOWN)])
    doc = _read(root)
    if not isinstance(doc.data, dict):
        raise FrameworkError([at_line(doc.path, 1, "指标体系文件的顶层应为键值映射")])
    return _load_root(doc, directory, depth + 1)


def _named_in_root(problems: list[Problem], doc: YamlDocument, index: int, entry: str) -> list[Problem]:
    """A program file that does not exist is a problem of the framework.yaml line that names it."""
    return [
        at_line(doc.path, doc.line_of(("programs", index)), f"项目文件“{entry}”不存在（{p.where.file}）", LoadCode.FILE_MISSING)
        if p.code == LoadCode.FILE_MISSING else p
        for p in problems
    ]


@dataclass(frozen=True)
class _AppendixSource:
    """The appendix declaration, validated, with where its lines are (its own file or framework.yaml)."""

    appendix: Appendix
    path: str
    line_of: Callable[[tuple[int | str, ...]], int]


def _appendix_source(doc: YamlDocument, base: Path) -> _AppendixSource:
    """``appendix: appendix.yaml`` (a file next to framework.yaml) or the declaration inline."""
    entry = doc.data.get("appendix")
    if isinstance(entry, str):
        sub = _read(base / entry)
        if not isinstance(sub.data, dict):
            raise FrameworkError([at_line(sub.path, 1, "附件统计表文件的顶层应为键值映射（tables: …）")])

        def line_of(loc: tuple[int | str, ...]) -> int:
            return sub.line_of(loc)
    elif isinstance(entry, dict):
        sub = YamlDocument(doc.path, entry, None)

        def line_of(loc: tuple[int | str, ...]) -> int:
            return doc.line_of(("appendix", *loc))
    else:
        line = doc.line_of(("appendix",)) if "appendix" in doc.data else 1
        raise FrameworkError([at_line(doc.path, line, "缺少 appendix（附件统计表，如 appendix: appendix.yaml）",
                                      LoadCode.FIELD_INVALID)])
    try:
        appendix = Appendix.model_validate(sub.data)
    except ValidationError as exc:
        raise FrameworkError(pydantic_problems(exc, sub, line_of)) from None
    return _AppendixSource(appendix, sub.path, line_of)


def _load_program(
    doc: YamlDocument, offset_doc: YamlDocument | None = None, offset_loc: tuple[int | str, ...] = (),
    fixed_line: int | None = None,
) -> Program:
    """A program from its mapping; ``fixed_line`` puts every problem on one line (a variant's
    change that produced the program)."""
    line_doc = offset_doc or doc

    def line_of(loc: tuple[int | str, ...]) -> int:
        return fixed_line if fixed_line is not None else line_doc.line_of((*offset_loc, *loc))

    if not isinstance(doc.data, dict):
        raise FrameworkError([at_line(doc.path, line_of(()), "项目定义应为键值映射")])
    try:
        program = Program.model_validate(doc.data)
    except ValidationError as exc:
        raise FrameworkError(pydantic_problems(exc, doc, line_of)) from None
    problems = [at_line(line_doc.path, line_of(loc), msg) for loc, msg in program_problems(program)]
    problems += [at_line(line_doc.path, line_of(loc), msg, code) for loc, msg, code in soundness_problems(program)]
    if problems:
        raise FrameworkError(problems)
    return program


def _item_walk(
    items: list[Item], loc: tuple[int | str, ...], prefix: str
) -> Iterator[tuple[Item, tuple[int | str, ...], str]]:
    for index, item in enumerate(items):
        item_loc = (*loc, index)
        path = f"{prefix}.{item.id}" if prefix else item.id
        yield item, item_loc, path
        yield from _item_walk(item.children, (*item_loc, "children"), path)


def _name(program: Program, item: Item, path: str) -> str:
    return f"“{item.label}”（{program.id}.{path}）"


Located = list[tuple[tuple[int | str, ...], str]]
"""Problems as (location inside the program's YAML, Chinese message)."""


def program_problems(program: Program) -> Located:
    """Semantic checks pydantic cannot express; each problem is (location, Chinese message)."""
    figure_ids = [f.id for f in program.figures]
    known = set(figure_ids)
    problems = _aggregation_problems(program, known)
    problems += [(("figures",), f"数据项编号“{fid}”重复") for fid in sorted({f for f in figure_ids if figure_ids.count(f) > 1})]
    total = sum((d.points for d in program.dimensions), Decimal(0))
    if total != program.points:
        problems.append(
            (("points",), f"项目“{program.label}”总分值为 {plain(program.points)}，但一级指标分值合计为 {plain(total)}")
        )
    _sibling_ids(program.dimensions, ("dimensions",), problems, program.label)
    for item, loc, path in _item_walk(program.dimensions, ("dimensions",), ""):
        name = _name(program, item, path)
        problems += _tree_problems(item, loc, name)
        problems += _rule_problems(item, loc, name, known)
        problems += _template_problems(item, loc, name, known)
    problems += _reference_problems(program, known)
    return problems


def _tree_problems(item: Item, loc: tuple[int | str, ...], name: str) -> Located:
    """Inner nodes add up and score as the sum of their children; leaves have a rule."""
    problems: Located = []
    rule = item.rule
    if item.children:
        _sibling_ids(item.children, (*loc, "children"), problems, item.label)
        if rule is not None and not isinstance(rule, SumOfChildren):
            problems.append(((*loc, "rule"), f"{name}有下级指标，其规则只能是 sum（下级合计）"))
        child_total = sum((c.points for c in item.children), Decimal(0))
        if child_total != item.points:
            problems.append(((*loc, "points"), f"{name}分值为 {plain(item.points)}，但下级分值合计为 {plain(child_total)}"))
    elif rule is None:
        problems.append((loc, f"{name}没有下级指标，必须给出评分规则 rule"))
    elif isinstance(rule, SumOfChildren):
        problems.append(((*loc, "rule"), f"{name}没有下级指标，不能使用 sum 规则"))
    return problems


def _rule_problems(item: Item, loc: tuple[int | str, ...], name: str, known: set[str]) -> Located:
    """A rule's figures exist, its clauses and tiers add up to the item's points."""
    problems: Located = []
    rule = item.rule
    if isinstance(rule, METRIC_RULES):
        problems += [((*loc, "rule", "metric"), f"{name}引用了未定义的数据项“{fid}”")
                     for fid in rule.metric.figure_ids() if fid not in known]
    if isinstance(rule, Deduction) and rule.findings not in known:
        problems.append(((*loc, "rule", "findings"), f"{name}引用了未定义的数据项“{rule.findings}”"))
    if isinstance(rule, Checklist):
        clause_total = sum((c.points for c in rule.clauses), Decimal(0))
        if clause_total != item.points:
            problems.append(
                ((*loc, "rule", "clauses"), f"{name}分值为 {plain(item.points)}，但评分要点分值合计为 {plain(clause_total)}")
            )
        ids = [c.id for c in rule.clauses]
        problems += [((*loc, "rule", "clauses"), f"{name}的评分要点编号“{cid}”重复")
                     for cid in sorted({c for c in ids if ids.count(c) > 1})]
    if isinstance(rule, Proportional) and rule.decimals is not None:
        problems.append(((*loc, "rule", "decimals"),
                         f"{name}单独声明了保留位数（decimals: {rule.decimals}）：一个指标体系的按比例计分只用一种保留方式，"
                         "请删去此处的 decimals，在 framework.yaml 的 rounding: {proportional: 位数} 中统一声明"))
    if isinstance(rule, RatioTiers):
        top = max(t.points for t in rule.tiers)
        if top != item.points:
            problems.append(((*loc, "rule", "tiers"), f"{name}分值为 {plain(item.points)}，但各档最高得分为 {plain(top)}"))
    return problems


def _template_problems(item: Item, loc: tuple[int | str, ...], name: str, known: set[str]) -> Located:
    """Explanation templates use only declared figures and built-in placeholders, with paired braces."""
    problems: Located = []
    allowed = known | BUILTIN_PLACEHOLDERS
    for field in ("template", "template_full"):
        text = getattr(item, field)
        if not text:
            continue
        problems += [((*loc, field), f"{name}的说明模板使用了未知占位符“{{{match.group(1)}}}”")
                     for match in PLACEHOLDER_RE.finditer(text) if match.group(1) not in allowed]
        stray = PLACEHOLDER_RE.sub("", text)
        if "{" in stray or "}" in stray:
            problems.append(((*loc, field), f"{name}的说明模板含有不成对或格式错误的花括号"))
    return problems


def _reference_problems(program: Program, known: set[str]) -> Located:
    """Identities and plausibility checks name declared figures."""
    problems: Located = []
    ids = [identity.id for identity in program.identities]
    for index, identity in enumerate(program.identities):
        problems += [(("identities", index), f"勾稽关系“{identity.label}”引用了未定义的数据项“{fid}”")
                     for fid in [identity.total, *identity.parts] if fid not in known]
        if ids.count(identity.id) > 1:
            problems.append((("identities", index), f"勾稽关系编号“{identity.id}”重复"))
    for index, check in enumerate(program.plausibility):
        problems += [(("plausibility", index), f"合理性检查“{check.label}”引用了未定义的数据项“{fid}”")
                     for fid in (check.numerator, check.denominator) if fid not in known]
    return problems


def _aggregation_problems(program: Program, known: set[str]) -> Located:
    """A percent cannot be summed; weights must be declared figures; unit counts are counts."""
    problems: Located = []
    for index, spec in enumerate(program.figures):
        loc: tuple[int | str, ...] = ("figures", index, "aggregation")
        agg = spec.aggregation
        name = f"数据项“{spec.label}”（{spec.id}）"
        if spec.kind == "percent" and agg.method in ("sum", "count_units"):
            problems.append((loc, f"{name}是百分比，不能由各市县相加：须声明 aggregation（weighted_mean、min 或 max）"))
        if agg.method == "count_units" and spec.kind != "count":
            problems.append((loc, f"{name}按单位计数汇总，其类型应为 count"))
        if agg.method in ("weighted_mean", "min", "max") and spec.kind != "percent":
            problems.append((loc, f"{name}不是百分比，不能用 {agg.method} 汇总"))
        for wid in agg.weight or []:
            if wid not in known:
                problems.append((loc, f"{name}的权重引用了未定义的数据项“{wid}”"))
            elif program.figure(wid).kind == "percent" or program.figure(wid).aggregation.method != "sum":
                problems.append((loc, f"{name}的权重“{wid}”须是可相加的数据项"))
    return problems


def _sibling_ids(items: list[Item], loc: tuple[int | str, ...], problems: Located, parent: str) -> None:
    ids = [i.id for i in items]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append((loc, f"“{parent}”下的指标编号“{dup}”重复"))


def framework_json_schema() -> str:
    """JSON Schema of a framework file, for editors (VS Code YAML, etc.)."""
    return json.dumps(Framework.model_json_schema(), ensure_ascii=False, indent=2)
