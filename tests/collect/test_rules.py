"""Validation rules as data: expressions, missing-value policies, every program without copies,
cross-year changes, outliers by modified z-score, and broken rule files."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from anju.collect.regions import RegionTree
from anju.collect.units import UnitProgram, UnitsFile
from anju.collect.validation import (
    RulesError,
    RuleSet,
    check_program,
    check_units,
    evaluate_expression,
    expression_names,
    find_outliers,
    identity_rules,
    load_rules,
    modified_z_scores,
)
from anju.framework import Framework
from anju.framework.models import IDENTITY_TOLERANCE


def program_data(**figures: object) -> UnitProgram:
    return UnitProgram(figures=figures)  # type: ignore[arg-type]


def test_builtin_rules_hold_for_the_example(rules: RuleSet, framework: Framework, example_units: UnitsFile) -> None:
    assert check_units(rules, framework, example_units) == []


def test_one_rule_applies_to_every_program(rules: RuleSet, framework: Framework) -> None:
    for program in framework.programs:
        data = program_data(central_budget=Decimal(100), central_spent=Decimal(150))
        [finding] = [f for f in check_program(rules, framework, program, data) if f.code == "spent_within_budget"]
        assert finding.severity.value == "error" and finding.figure == "central_spent" and finding.program == program.id
        assert "中央财政补助资金实际支出为150" in finding.message


def test_missing_value_policies(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        """framework: "2022"
rules:
  - {id: a, label: 任何空白即跳过, left: total_funds, operator: "==", right: central_funds + county_funds}
  - {id: b, label: 全部空白才跳过, left: total_funds, operator: "==", right: central_funds + county_funds, missing: skip_if_all}
  - {id: c, label: 空白按0, left: total_funds, operator: ">=", right: "0", missing: never_skip, severity: warning}
""",
        encoding="utf-8",
    )
    ruleset = load_rules(path, framework)
    rental = framework.program("rental")
    partly = program_data(total_funds=Decimal(10), central_funds=Decimal(4))
    assert [f.code for f in check_program(ruleset, framework, rental, partly)] == ["b"]  # 10 ≠ 4 + 0
    assert check_program(ruleset, framework, rental, program_data()) == []


def test_for_each_kind_binds_value(rules: RuleSet, framework: Framework) -> None:
    rental = framework.program("rental")
    data = program_data(satisfaction_rate=Decimal("0.94"), low_income_coverage_rate=Decimal(100))
    findings = [f for f in check_program(rules, framework, rental, data) if f.code == "percent_as_fraction"]
    assert [f.figure for f in findings] == ["satisfaction_rate"]
    assert findings[0].message.startswith("百分比应按百分数填报：租赁住房保障满意度为0.94")


def test_cross_year_change(rules: RuleSet, framework: Framework) -> None:
    shantytown = framework.program("shantytown")
    now = program_data(central_budget=Decimal(5000), planned_units=Decimal(100))
    before = program_data(central_budget=Decimal(1000), planned_units=Decimal(90))
    [finding] = check_program(rules, framework, shantytown, now, before)
    assert finding.code == "amount_change"
    assert finding.message == ("金额较上年变化过大：“中央财政补助资金预算（指标）”较上年变化+400%"
                               "（上年1000万元，本年5000万元），超过±100%")
    small_base = program_data(central_budget=Decimal(50))
    assert check_program(rules, framework, shantytown, now, small_base) == []  # below min_base


def test_modified_z_scores() -> None:
    values = [Decimal(v) for v in (10, 11, 12, 11, 10, 12, 11, 60)]
    scores = modified_z_scores(values)
    assert scores is not None
    assert abs(scores[-1]) > Decimal("3.5")
    assert all(abs(z) <= Decimal("3.5") for z in scores[:-1])
    assert modified_z_scores([Decimal(5)] * 6) is None


def test_outliers_across_units(rules: RuleSet, framework: Framework, tree: RegionTree,
                               example_units: UnitsFile) -> None:
    assert find_outliers(rules, framework, tree, example_units) == []
    report = example_units.units["220182"]
    rental = report.program("rental")
    assert rental is not None
    changed = rental.model_copy(update={"figures": {**rental.figures, "central_spent": Decimal("0.01")}})
    units = example_units.model_copy(update={"units": {
        **example_units.units, "220182": report.model_copy(update={"programs": {**report.programs, "rental": changed}})}})
    [finding] = find_outliers(rules, framework, tree, units)
    assert finding.code == "execution_rate_outlier" and finding.unit == "220182"
    assert finding.severity.value == "advisory"
    assert finding.message.startswith("榆树市住房租赁保障：预算执行率为0")


def test_expressions_are_arithmetic_only() -> None:
    assert expression_names("max(planned_communities, started_communities) * 1.5") == [
        "planned_communities", "started_communities"]
    assert evaluate_expression("a / 3 + 0.1", {"a": Decimal(1)}) == Decimal(1) / Decimal(3) + Decimal("0.1")
    for bad in ("__import__('os')", "a if b else c", "a.real", "open('x')", "[1, 2]", "a < b"):
        with pytest.raises(ValueError, match="表达式"):
            expression_names(bad)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('{id: a, label: 甲, left: no_such_figure, operator: "<=", right: "1"}', "引用了未定义（或不由单位填报）的数据项“no_such_figure”"),
        ('{id: a, label: 甲, left: "__import__(\'os\')", operator: "<=", right: "1"}', "只能调用 abs、min、max"),
        ('{id: a, label: 甲, left: value, operator: "<=", right: "1"}', "使用了 value，但没有给出 for_each 或 for_each_kind"),
        ('{id: a, label: 甲, left: local_funds, operator: "<=", right: total_funds}', "不适用于任何项目"),
        ('{id: a, label: 甲, programs: [rental], left: local_funds, operator: "<=", right: "1"}', "住房租赁保障没有数据项“local_funds”"),
        ('{id: a, label: 甲, left: central_spent, operator: "=<", right: central_budget}', "不在允许范围内"),
    ],
)
def test_broken_rule_files(framework: Framework, tmp_path: Path, rule: str, message: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(f'framework: "2022"\nrules:\n  - {rule}\n', encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path, framework)
    text = "\n".join(str(p) for p in error.value.problems)
    assert message in text and "r.yaml:3" in text


def test_the_frameworks_identities_are_rules_named_after_them(rules: RuleSet, framework: Framework) -> None:
    """total = parts is declared once (identities: in the program file) and checked on every unit."""
    generated = {r.id: r for r in identity_rules(framework)}
    assert list(generated) == ["rental_funds_parts", "renovation_funds_parts", "renovation_central_parts"]
    assert [r.id for r in rules.rules][:3] == list(generated)
    assert all(r.tolerance == IDENTITY_TOLERANCE and r.severity == "error" for r in generated.values())
    rental = framework.program("rental")
    data = program_data(total_funds=Decimal("100.01"), central_funds=Decimal(60), county_funds=Decimal(40))
    [finding] = check_program(rules, framework, rental, data)
    assert (finding.code, finding.program, finding.figure) == ("rental_funds_parts", "rental", "total_funds")
    assert finding.message == ("全部财政资金等于中央财政资金与市县安排财政资金之和：用于租赁住房保障的全部财政资金为100.01，"
                               "中央财政资金 + 市县安排财政资金为100，"
                               "不满足“用于租赁住房保障的全部财政资金 = 中央财政资金 + 市县安排财政资金”")
    within = program_data(total_funds=Decimal("100.005"), central_funds=Decimal(60), county_funds=Decimal(40))
    assert check_program(rules, framework, rental, within) == []


def test_a_rule_file_cannot_declare_an_identity_again(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text('framework: "2022"\nrules:\n  - {id: rental_funds_parts, label: 甲, left: total_funds, '
                    'operator: "==", right: central_funds + county_funds}\n', encoding="utf-8")
    with pytest.raises(RulesError) as error:
        load_rules(path, framework)
    [problem] = error.value.problems
    assert (problem.where.file, problem.where.line) == (str(path), 3)
    assert "已是指标体系中的勾稽关系“全部财政资金等于中央财政资金与市县安排财政资金之和”" in problem.message


def test_a_rule_file_gets_the_identities_too(framework: Framework, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text('framework: "2022"\nrules:\n  - {id: a, label: 甲, left: central_spent, operator: "<=", '
                    'right: central_budget}\n', encoding="utf-8")
    assert [r.id for r in load_rules(path, framework).rules] == [
        "rental_funds_parts", "renovation_funds_parts", "renovation_central_parts", "a"]


@pytest.mark.parametrize("expr", ["a+b*2", "-a/3", "abs(a-b)/max(a,b,1)", "min(a, b) * 100 / (a + 0.5)", "+a", "a/b",
                                  "(a+b)/(a-b)", "a - 0.1 - 0.2"])
def test_compiled_expressions_compute_what_simpleeval_computes(expr: str) -> None:
    import ast as _ast
    from decimal import Decimal as D

    from simpleeval import SimpleEval

    from anju.collect import validation

    def by_simpleeval(names: dict[str, D]) -> object:
        plain = SimpleEval(names=dict(names), functions=validation.FUNCTIONS)
        plain.nodes[_ast.Constant] = validation._decimal_constant
        try:
            return plain.eval(expr)
        except ArithmeticError as exc:
            return type(exc)

    evaluator = validation._Evaluator()
    for names in ({"a": D("3.3"), "b": D("7")}, {"a": D(0), "b": D(0)}, {"a": D("1e-30"), "b": D("-12345.678")}):
        try:
            ours: object = evaluator(expr, names)
        except ArithmeticError as exc:
            ours = type(exc)
        assert ours == by_simpleeval(names)
    assert evaluator._compiled[expr] is not None  # the compiled way was taken
