"""Validation rules as data (in the spirit of DHIS2), run over each unit's figures.

A rule file (``anju/data/rules/<framework>.yaml``) declares three kinds of checks; the framework's
identities (total = sum of parts) join them as rules without being written here again
(:func:`identity_rules`):

``rules``
    left side, operator, right side — each an arithmetic expression over figure ids (evaluated
    with simpleeval over Decimal, never ``eval``) — a severity (``error`` blocks the workbook,
    ``warning`` needs a 情况说明), and a missing-value policy (``skip_if_any`` /
    ``skip_if_all`` / ``never_skip``, blanks counting as 0 in the last two). A rule applies to
    every program that declares all of its figures, and to every unit, without being copied;
    ``for_each`` / ``for_each_kind`` apply one rule to several figures through the name ``value``.
``changes``
    cross-year: a figure that moved by more than ``max_change_percent`` against last year's
    report (when it is given) needs an explanation.
``outliers``
    advisory: an expression compared across units by the modified z-score
    (0.6745 × (x − median) ÷ MAD; |z| > 3.5, Iglewicz & Hoaglin).

Findings carry a machine-readable rule id, the figure they concern (whose 情况说明 explains a
warning) and a Chinese message.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator
from simpleeval import SimpleEval

from anju.collect.regions import RegionTree
from anju.collect.units import UnitProgram, UnitsFile
from anju.dataset.models import FigureValue
from anju.decimals import plain, round_half_up, rounded_text
from anju.framework.models import (
    ID_PATTERN,
    IDENTITY_TOLERANCE,
    FigureKind,
    Framework,
    Program,
    ProgramId,
    Strict,
)
from anju.problems import Problem, ProblemsError, Severity, Where, at_line
from anju.yamlio import read_model

BUILTIN_RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"
VALUE = "value"
FUNCTIONS: dict[str, Callable[..., Any]] = {"abs": abs, "min": min, "max": max}
OPERATOR_TEXT = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
Z_FACTOR = Decimal("0.6745")
MEAN_AD_FACTOR = Decimal("1.253314")
FINDING_DECIMALS = 4
"""Places the two sides of a rule are shown with in a finding."""
NAME_RE = re.compile(r"\b[a-z_][a-z0-9_]*\b")


Expression = Annotated[str, Field(min_length=1)]


class _Scoped(Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    label: str
    programs: list[ProgramId] | None = None
    for_each: list[str] | None = None
    for_each_kind: FigureKind | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_scope(self) -> Any:
        if self.for_each is not None and self.for_each_kind is not None:
            raise ValueError("for_each 与 for_each_kind 只能给出一个")
        return self


class ValidationRule(_Scoped):
    left: Expression
    operator: Literal["==", "!=", "<", "<=", ">", ">="]
    right: Expression
    severity: Literal["error", "warning"] = "error"
    missing: Literal["skip_if_any", "skip_if_all", "never_skip"] = "skip_if_any"
    tolerance: Annotated[Decimal, Field(ge=0)] = Decimal(0)
    """How far apart the two sides of == / != may be and still count as equal."""
    where: str | None = None
    """The figure a finding points at (its cell, its 情况说明); default: the first figure on the left."""
    message: str | None = None
    """Optional Chinese hint appended to the finding."""


class ChangeRule(_Scoped):
    max_change_percent: Annotated[Decimal, Field(gt=0)]
    min_base: Annotated[Decimal, Field(ge=0)] = Decimal(0)
    """Last year's value below this is too small a base to compare."""
    severity: Literal["error", "warning"] = "warning"


class OutlierRule(_Scoped):
    expression: Expression
    unit: str = ""
    threshold: Annotated[Decimal, Field(gt=0)] = Decimal("3.5")
    min_units: Annotated[int, Field(ge=3)] = 5
    min_deviation: Annotated[Decimal, Field(ge=0)] = Decimal(0)
    """Ignore deviations from the median smaller than this (in the expression's unit)."""


class RuleSet(Strict):
    framework: str
    rules: list[ValidationRule] = Field(default_factory=list)
    changes: list[ChangeRule] = Field(default_factory=list)
    outliers: list[OutlierRule] = Field(default_factory=list)


def _finding(
    rule_id: str, severity: Severity, program: str, figure: str, message: str, *, unit: str | None = None
) -> Problem:
    """A rule that fired: the rule's id is the code; the figure is the one whose 情况说明 explains it."""
    return Problem(rule_id, severity, message, Where(program=program, figure=figure, unit=unit))


class RulesError(ProblemsError):
    """The rule file could not be loaded."""


# --- expressions --------------------------------------------------------------------------


_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.Call,
                  ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd)


def expression_names(expr: str) -> list[str]:
    """Figure ids used by ``expr``; raises ValueError (Chinese) for anything but arithmetic."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"表达式“{expr}”有语法错误") from None
    names: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(f"表达式“{expr}”只能使用数据项、数字、+ - * / 和 abs/min/max，不能使用“{type(node).__name__}”")
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, int | float)):
            raise ValueError(f"表达式“{expr}”中的常量“{node.value!r}”不是数字")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                raise ValueError(f"表达式“{expr}”只能调用 abs、min、max")
        elif isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id not in names:
            names.append(node.id)
    return names


def _decimal_constant(node: ast.Constant) -> Decimal:
    return Decimal(str(node.value))


Compiled = Callable[[Mapping[str, Decimal]], Any]

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def _compiled(node: ast.AST) -> Compiled:
    """A function of the names computing what simpleeval computes for ``node`` (an expression that
    :func:`expression_names` accepted: the same operators, Decimal literals, abs/min/max), without
    walking the tree again for every unit."""
    if isinstance(node, ast.Expression):
        return _compiled(node.body)
    if isinstance(node, ast.BinOp):
        left, right, binary = _compiled(node.left), _compiled(node.right), _BINARY[type(node.op)]
        return lambda names: binary(left(names), right(names))
    if isinstance(node, ast.UnaryOp):
        operand, unary = _compiled(node.operand), _UNARY[type(node.op)]
        return lambda names: unary(operand(names))
    if isinstance(node, ast.Constant):
        constant = _decimal_constant(node)
        return lambda _names: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda names: names[name]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        function, arguments = FUNCTIONS[node.func.id], [_compiled(a) for a in node.args]
        return lambda names: function(*(argument(names) for argument in arguments))
    raise ValueError(type(node).__name__)


class _Evaluator:
    """One simpleeval evaluator reused across evaluations; literals become Decimal. An expression
    that :func:`expression_names` accepts is compiled once into plain functions (same operators,
    same order, same results); any other goes through simpleeval, which says what is wrong."""

    def __init__(self) -> None:
        self._eval = SimpleEval(names={}, functions=FUNCTIONS)
        self._eval.nodes[ast.Constant] = _decimal_constant
        self._parsed: dict[str, Any] = {}
        self._compiled: dict[str, tuple[Compiled, list[str]] | None] = {}

    def _compile(self, expr: str) -> tuple[Compiled, list[str]] | None:
        try:
            used = expression_names(expr)
            tree = ast.parse(expr.strip(), mode="eval")
        except ValueError:
            return None
        called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        if any(isinstance(n, ast.Name) and n.id in FUNCTIONS and id(n) not in called for n in ast.walk(tree)):
            return None  # a function's name used as a value: simpleeval's answer
        return _compiled(tree), used

    def __call__(self, expr: str, names: Mapping[str, Decimal]) -> Decimal:
        if expr not in self._compiled:
            self._compiled[expr] = self._compile(expr)
        compiled = self._compiled[expr]
        result: Any = None
        if compiled is not None and all(n in names for n in compiled[1]):
            result = compiled[0](names)
        else:
            parsed = self._parsed.get(expr)
            if parsed is None:
                parsed = self._parsed[expr] = SimpleEval.parse(expr)
            self._eval.names = dict(names)
            result = self._eval.eval(expr, previously_parsed=parsed)
        if isinstance(result, int) and not isinstance(result, bool):
            return Decimal(result)
        if not isinstance(result, Decimal):
            raise InvalidOperation(f"表达式“{expr}”的结果不是数值")
        return result


_EVALUATOR = _Evaluator()


def evaluate_expression(expr: str, names: Mapping[str, Decimal]) -> Decimal:
    """Evaluate an arithmetic expression over Decimal figures (simpleeval; literals as Decimal).

    Raises ZeroDivisionError / decimal errors for an undefined result.
    """
    return _EVALUATOR(expr, names)


# --- loading ------------------------------------------------------------------------------


def load_rules(path: Path | str, framework: Framework) -> RuleSet:
    """Load a rule file and check every expression against the framework's figures."""
    ruleset, doc = read_model(path, RuleSet, RulesError, "校验规则文件")
    problems = [at_line(doc.path, doc.line_of(loc), msg) for loc, msg in ruleset_problems(ruleset, framework)]
    if problems:
        raise RulesError(problems)
    return with_identities(ruleset, framework)


def identity_rules(framework: Framework) -> list[ValidationRule]:
    """The framework's identities (total = sum of parts, ``identities:`` in a program file) as the
    validation rules ``<program>_<identity>`` over every unit's report: declared once, checked on
    the province's figures by :mod:`anju.checks.consistency` and on each unit's here, with the same
    tolerance. An identity over a figure the units do not report (a count of units) is checked on
    the province only."""
    rules: list[ValidationRule] = []
    for program in framework.programs:
        reportable = _reportable(program)
        for identity in program.identities:
            if not {identity.total, *identity.parts} <= reportable:
                continue
            rules.append(ValidationRule(
                id=f"{program.id}_{identity.id}", label=identity.label, programs=[program.id],
                left=identity.total, operator="==", right=" + ".join(identity.parts),
                tolerance=IDENTITY_TOLERANCE, severity="error",
            ))
    return rules


def with_identities(ruleset: RuleSet, framework: Framework) -> RuleSet:
    """The rule set with the framework's identities in front of its own rules."""
    return ruleset.model_copy(update={"rules": [*identity_rules(framework), *ruleset.rules]})


_BUILTIN_CACHE: dict[str, tuple[Framework, RuleSet]] = {}


def builtin_rules(framework: Framework) -> RuleSet:
    """The rules shipped for ``framework.id`` with the framework's identities (only those when no
    rule file is shipped)."""
    cached = _BUILTIN_CACHE.get(framework.id)
    if cached is not None and cached[0] is framework:
        return cached[1]
    path = BUILTIN_RULES_DIR / f"{framework.id}.yaml"
    ruleset = load_rules(path, framework) if path.is_file() else with_identities(RuleSet(framework=framework.id), framework)
    _BUILTIN_CACHE[framework.id] = (framework, ruleset)
    return ruleset


def _reportable(program: Program) -> set[str]:
    return {f.id for f in program.figures if not f.aggregation.asks_units}


def ruleset_problems(ruleset: RuleSet, framework: Framework) -> list[tuple[tuple[int | str, ...], str]]:
    problems: list[tuple[tuple[int | str, ...], str]] = []
    if ruleset.framework != framework.id:
        problems.append((("framework",), f"规则适用于指标体系“{ruleset.framework}”，与“{framework.id}”不一致"))
    sections: list[tuple[str, Sequence[ValidationRule | ChangeRule | OutlierRule]]] = [
        ("rules", ruleset.rules), ("changes", ruleset.changes), ("outliers", ruleset.outliers)
    ]
    ids: set[str] = set()
    declared = {rule.id: rule.label for rule in identity_rules(framework)}
    for section, entries in sections:
        for index, rule in enumerate(entries):
            loc: tuple[int | str, ...] = (section, index)
            if rule.id in declared:
                problems.append(((*loc, "id"), f"规则编号“{rule.id}”已是指标体系中的勾稽关系“{declared[rule.id]}”："
                                                "勾稽关系自动作为校验规则，无需在此重复"))
            elif rule.id in ids:
                problems.append(((*loc, "id"), f"规则编号“{rule.id}”重复"))
            ids.add(rule.id)
            try:
                bindings = list(_bindings(rule, framework))
            except ValueError as exc:
                problems.append((loc, f"规则“{rule.label}”（{rule.id}）：{exc}"))
                continue
            if not bindings:
                problems.append((loc, f"规则“{rule.label}”（{rule.id}）不适用于任何项目：所用数据项没有同时出现在同一项目中"))
            if isinstance(rule, ValidationRule) and rule.where is not None:
                for program, _value, _names in bindings:
                    if rule.where not in _reportable(program):
                        problems.append(((*loc, "where"), f"规则“{rule.label}”的 where“{rule.where}”不是{program.label}的填报数据项"))
    return problems


def _rule_names(rule: ValidationRule | ChangeRule | OutlierRule) -> list[str]:
    if isinstance(rule, ValidationRule):
        names = expression_names(rule.left)
        names += [n for n in expression_names(rule.right) if n not in names]
        return names
    if isinstance(rule, OutlierRule):
        return expression_names(rule.expression)
    return []


def _bindings(
    rule: ValidationRule | ChangeRule | OutlierRule, framework: Framework
) -> Iterator[tuple[Program, str | None, list[str]]]:
    """(program, figure bound to ``value`` or None, figure ids used) for every place the rule applies.

    Raises ValueError when the rule names a figure no program declares.
    """
    names = _rule_names(rule)
    fixed = [n for n in names if n != VALUE]
    every = set().union(*(_reportable(p) for p in framework.programs))
    for_each = rule.for_each
    unknown = [n for n in [*fixed, *(for_each or [])] if n not in every]
    if unknown:
        raise ValueError(f"引用了未定义（或不由单位填报）的数据项“{'、'.join(unknown)}”")
    uses_value = VALUE in names or isinstance(rule, ChangeRule)
    looping = for_each is not None or rule.for_each_kind is not None
    if uses_value and not looping:
        raise ValueError("使用了 value，但没有给出 for_each 或 for_each_kind")
    if looping and not uses_value:
        raise ValueError("给出了 for_each / for_each_kind，但表达式中没有使用 value")
    for program in framework.programs:
        if rule.programs is not None and program.id not in rule.programs:
            continue
        reportable = _reportable(program)
        if rule.programs is not None:
            missing = [n for n in fixed if n not in reportable]
            if missing:
                raise ValueError(f"{program.label}没有数据项“{'、'.join(missing)}”")
        if not all(n in reportable for n in fixed):
            continue
        if not looping:
            yield program, None, fixed
            continue
        targets = [
            f.id
            for f in program.figures
            if f.id in reportable
            and (f.id in for_each if for_each is not None else f.kind == rule.for_each_kind)
        ]
        for fid in targets:
            yield program, fid, [*fixed, fid]


# --- running ------------------------------------------------------------------------------

Binding = tuple[Program, str | None, list[str]]
_BINDING_CACHE: dict[tuple[int, int], tuple[RuleSet, Framework, dict[str, list[tuple[Any, Binding]]]]] = {}


def _program_bindings(ruleset: RuleSet, framework: Framework, program_id: str) -> list[tuple[Any, Binding]]:
    """(rule, binding) pairs of the rules and change rules for one program, computed once."""
    key = (id(ruleset), id(framework))
    cached = _BINDING_CACHE.get(key)
    if cached is None or cached[0] is not ruleset or cached[1] is not framework:
        table: dict[str, list[tuple[Any, Binding]]] = {p.id: [] for p in framework.programs}
        rules: list[ValidationRule | ChangeRule] = [*ruleset.rules, *ruleset.changes]
        for rule in rules:
            for binding in _bindings(rule, framework):
                table[binding[0].id].append((rule, binding))
        cached = (ruleset, framework, table)
        _BINDING_CACHE[key] = cached
    return cached[2].get(program_id, [])



def _number(value: FigureValue) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _names_text(expr: str, program: Program, bound: str | None) -> str:
    labels = {f.id: f.label for f in program.figures}

    def swap(match: re.Match[str]) -> str:
        name = match.group(0)
        if name == VALUE and bound is not None:
            return labels[bound]
        return labels.get(name, name)

    return NAME_RE.sub(swap, expr).replace("*", "×").replace("/", "÷")


def check_program(
    ruleset: RuleSet,
    framework: Framework,
    program: Program,
    data: UnitProgram,
    previous: UnitProgram | None = None,
    *,
    unit: str | None = None,
) -> list[Problem]:
    """Run every rule and change rule that applies to ``program`` over one unit's report."""
    if data.no_task:
        return []
    findings: list[Problem] = []
    figures = data.figures
    compare = previous is not None and not previous.no_task
    for rule, (_prog, bound, names) in _program_bindings(ruleset, framework, program.id):
        finding: Problem | None = None
        if isinstance(rule, ValidationRule):
            finding = _check_rule(rule, program, figures, bound, names)
        elif compare and bound is not None:
            assert previous is not None
            finding = _check_change(rule, program, bound, figures.get(bound), previous.figures.get(bound))
        if finding is not None:
            findings.append(replace(finding.with_where(unit=unit), explanation=data.explanations.get(finding.where.figure or "")))
    return findings


def _check_rule(
    rule: ValidationRule, program: Program, figures: Mapping[str, FigureValue], bound: str | None, names: list[str]
) -> Problem | None:
    values = {n: _number(figures.get(n)) for n in names}
    blanks = [n for n, v in values.items() if v is None]
    if blanks and (rule.missing == "skip_if_any" or (rule.missing == "skip_if_all" and len(blanks) == len(values))):
        return None
    scope: dict[str, Decimal] = {n: v if v is not None else Decimal(0) for n, v in values.items()}
    if bound is not None:
        scope[VALUE] = scope[bound]
    try:
        left = evaluate_expression(rule.left, scope)
        right = evaluate_expression(rule.right, scope)
    except (ZeroDivisionError, InvalidOperation, ArithmeticError):
        return None
    if _holds(left, rule.operator, right, rule.tolerance):
        return None
    where = rule.where or bound or next((n for n in expression_names(rule.left) if n != VALUE), names[0])
    left_text = _names_text(rule.left, program, bound)
    right_text = _names_text(rule.right, program, bound)
    op = OPERATOR_TEXT[rule.operator]
    right_value = "" if right_text == rounded_text(right, FINDING_DECIMALS) else f"，{right_text}为{rounded_text(right, FINDING_DECIMALS)}"
    message = f"{rule.label}：{left_text}为{rounded_text(left, FINDING_DECIMALS)}{right_value}，不满足“{left_text} {op} {right_text}”"
    if rule.message:
        message += f"（{rule.message}）"
    return _finding(rule.id, Severity(rule.severity), program.id, where, message)


def _holds(left: Decimal, operator: str, right: Decimal, tolerance: Decimal) -> bool:
    close = abs(left - right) <= tolerance
    if operator == "==":
        return close
    if operator == "!=":
        return not close
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right or close
    if operator == ">":
        return left > right
    return left >= right or close


def _check_change(
    rule: ChangeRule, program: Program, figure: str, current: FigureValue, previous: FigureValue
) -> Problem | None:
    now, before = _number(current), _number(previous)
    if now is None or before is None or before == 0 or abs(before) < rule.min_base:
        return None
    change = (now - before) * 100 / abs(before)
    if abs(change) <= rule.max_change_percent:
        return None
    spec = program.figure(figure)
    sign = "+" if change > 0 else ""
    message = (
        f"{rule.label}：“{spec.label}”较上年变化{sign}{plain(round_half_up(change, 1))}%"
        f"（上年{plain(before)}{spec.unit}，本年{plain(now)}{spec.unit}），超过±{plain(rule.max_change_percent)}%"
    )
    return _finding(rule.id, Severity(rule.severity), program.id, figure, message)


def check_units(
    ruleset: RuleSet,
    framework: Framework,
    units: UnitsFile,
    previous: UnitsFile | None = None,
) -> list[Problem]:
    """Every rule over every unit and program of a batch (with last year's reports when given)."""
    findings: list[Problem] = []
    for code, report in units.units.items():
        before = previous.units.get(code) if previous is not None else None
        for program_id, data in report.programs.items():
            program = framework.program(program_id)
            last = before.program(program_id) if before is not None else None
            findings.extend(check_program(ruleset, framework, program, data, last, unit=code))
    return findings


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def modified_z_scores(values: list[Decimal]) -> list[Decimal] | None:
    """0.6745 × (x − median) ÷ MAD; with MAD = 0, (x − median) ÷ (1.253314 × mean absolute
    deviation); None when every value is the same."""
    median = _median(values)
    deviations = [abs(v - median) for v in values]
    mad = _median(deviations)
    if mad != 0:
        return [Z_FACTOR * (v - median) / mad for v in values]
    mean_ad = sum(deviations, Decimal(0)) / len(values)
    if mean_ad == 0:
        return None
    return [(v - median) / (MEAN_AD_FACTOR * mean_ad) for v in values]


def find_outliers(
    ruleset: RuleSet, framework: Framework, tree: RegionTree, units: UnitsFile
) -> list[Problem]:
    """Advisory: units whose value of an outlier expression is far from the other units'."""
    findings: list[Problem] = []
    for rule in ruleset.outliers:
        for program, bound, names in _bindings(rule, framework):
            observed: list[tuple[str, Decimal]] = []
            for code, report in units.units.items():
                data = report.program(program.id)
                if data is None or data.no_task:
                    continue
                values = {n: _number(data.figures.get(n)) for n in names}
                if any(v is None for v in values.values()):
                    continue
                scope = {n: v for n, v in values.items() if v is not None}
                if bound is not None:
                    scope[VALUE] = scope[bound]
                try:
                    observed.append((code, evaluate_expression(rule.expression, scope)))
                except (ZeroDivisionError, InvalidOperation, ArithmeticError):
                    continue
            if len(observed) < rule.min_units:
                continue
            scores = modified_z_scores([v for _, v in observed])
            if scores is None:
                continue
            median = _median([v for _, v in observed])
            label = _names_text(rule.expression, program, bound) if bound is not None else rule.label
            where = bound or names[0]
            for (code, value), z in zip(observed, scores, strict=True):
                if abs(z) <= rule.threshold or abs(value - median) < rule.min_deviation:
                    continue
                name = tree.unit(code).display_name if code in tree else code
                message = (
                    f"{name}{program.label}：{label}为{plain(round_half_up(value, 2))}{rule.unit}，"
                    f"各单位中位数为{plain(round_half_up(median, 2))}{rule.unit}，修正z值{plain(round_half_up(z, 2))}"
                    f"（|z|>{plain(rule.threshold)}），与其他单位差异较大，请核实"
                )
                findings.append(_finding(rule.id, Severity.advisory, program.id, where, message, unit=code))
    return findings
