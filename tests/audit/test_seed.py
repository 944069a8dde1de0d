"""The seed (Jilin 2022) as the first acceptance test: the known errors found, nothing else, and the
extracted dataset scoring 88 / 85 / 93 like the hand-made example dataset."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anju.audit import AuditResult
from anju.checks import run_checks
from anju.dataset import load_dataset
from anju.problems import ConsistencyCode, Severity
from anju.scoring import evaluate

from ..conftest import EXAMPLE
from .conftest import run, seed_text

EXPECTED = {
    # code, stated, computed → the paragraph (line of the seed) it is anchored in
    (ConsistencyCode.STATED_SUBTOTAL_MISMATCH, "85", "90"): 27,
    (ConsistencyCode.DENOMINATOR_SWITCH, "55", "55.7793"): 29,
    (ConsistencyCode.STATED_PERCENT_MISMATCH, "52.9", "32.834"): 31,
    (ConsistencyCode.STATED_SUBTOTAL_MISMATCH, "60", "55"): 37,
    (ConsistencyCode.IMPLAUSIBLE_MAGNITUDE, None, None): 38,
    (ConsistencyCode.SHARE_ABOVE_100, None, "101.4886"): 39,
}


def test_seed_findings_are_exactly_the_known_errors(seed_result: AuditResult) -> None:
    found = [(f.code, f.problem.stated, f.problem.computed, f.anchor.paragraph if f.anchor else None)
             for f in seed_result.findings]
    assert sorted({(c, s, k): p for c, s, k, p in found}.items()) == sorted(EXPECTED.items())
    assert len(found) == len(EXPECTED) + 1  # the two 0.85 m² per household warnings (planned and started)


def test_seed_execution_rate_names_the_78787_denominator(seed_result: AuditResult) -> None:
    [finding] = [f for f in seed_result.findings if f.code == ConsistencyCode.STATED_PERCENT_MISMATCH]
    assert finding.severity is Severity.error
    assert "41701.11 ÷ 127006" in finding.problem.message
    assert "78787" in finding.problem.message
    assert finding.place == "城镇老旧小区改造 › 资金管理 › 预算执行 › 预算执行率"
    assert "预算执行率为52.9%" in finding.quote


def test_seed_floor_area_per_household(seed_result: AuditResult) -> None:
    found = [f for f in seed_result.findings if f.code == ConsistencyCode.IMPLAUSIBLE_MAGNITUDE]
    assert len(found) == 2
    assert all("0.85平方米/户" in f.problem.message for f in found)


def test_seed_errors_are_the_three_known(seed_result: AuditResult) -> None:
    assert sorted((f.problem.stated or "") for f in seed_result.errors) == ["52.9", "60", "85"]


def test_seed_totals_and_coverage(seed_result: AuditResult) -> None:
    assert [(p.id, p.stated_total, p.computed_total, p.complete) for p in seed_result.programs] == [
        ("rental", Decimal(88), Decimal(88), True),
        ("renovation", Decimal(85), Decimal(85), True),
        ("shantytown", Decimal(93), Decimal(93), True),
    ]
    assert seed_result.region == "吉林省"
    assert seed_result.year == 2022
    coverage = seed_result.coverage
    assert coverage.total == coverage.checked + len(coverage.unchecked)
    assert coverage.checked > coverage.total * 3 // 4
    unchecked = {u.text for u in coverage.unchecked}
    assert {"19.7万平方米", "73632套", "48个"} <= unchecked
    assert "52.9%" not in unchecked


def test_seed_without_a_framework_finds_the_arithmetic_errors() -> None:
    result = run(seed_text(), framework=False)
    found = {(f.code, f.problem.stated) for f in result.findings}
    assert {(ConsistencyCode.STATED_PERCENT_MISMATCH, "52.9"), (ConsistencyCode.STATED_SUBTOTAL_MISMATCH, "60"),
            (ConsistencyCode.STATED_SUBTOTAL_MISMATCH, "85"), (ConsistencyCode.SHARE_ABOVE_100, "101"),
            (ConsistencyCode.DENOMINATOR_SWITCH, "55")} == found
    assert sorted(f.problem.stated or "" for f in result.errors) == ["52.9", "60", "85"]


def test_extracted_dataset_equals_the_example(seed_result: AuditResult) -> None:
    example, framework = load_dataset(EXAMPLE)
    extracted = seed_result.dataset
    assert extracted is not None
    for program_id, data in example.programs.items():
        got = extracted.programs[program_id]
        assert got.figures == data.figures, program_id
        assert got.stated.total == data.stated.total
        assert got.stated.percents == data.stated.percents
        for path, score in data.stated.scores.items():
            assert got.stated.scores[path] == score, (program_id, path)
    mine = evaluate(framework, extracted)
    theirs = evaluate(framework, example)
    assert [p.score for p in mine.programs] == [Decimal(88), Decimal(85), Decimal(93)]
    for a, b in zip(mine.programs, theirs.programs, strict=True):
        assert [(i.path, i.score) for i in a.items()] == [(i.path, i.score) for i in b.items()]
    assert sorted(p.code for p in run_checks(framework, extracted, mine)) == sorted(
        p.code for p in run_checks(framework, example, theirs))


@pytest.mark.parametrize("width", [23, 41, 80])
def test_hard_wrapped_copy_gives_the_same_findings(seed_result: AuditResult, width: int) -> None:
    lines = []
    for line in seed_text().splitlines():
        lines += [line[i:i + width] for i in range(0, len(line), width)] or [""]
    result = run("\n".join(lines))
    assert _signature(result) == _signature(seed_result)


def test_paragraphs_run_together_give_the_same_findings(seed_result: AuditResult) -> None:
    lines = [line for line in seed_text().splitlines() if line.strip()]
    merged = "\n".join("".join(lines[i:i + 2]) for i in range(0, len(lines), 2))
    assert _signature(run(merged)) == _signature(seed_result)


def test_half_width_punctuation_gives_the_same_findings(seed_result: AuditResult) -> None:
    text = seed_text()
    for full, half in (("，", ","), ("；", ";"), ("：", ":"), ("（", "("), ("）", ")"), ("％", "%")):
        text = text.replace(full, half)
    assert _signature(run(text)) == _signature(seed_result)


def _signature(result: AuditResult) -> list[tuple[str, str | None, str | None]]:
    return sorted((f.code, f.problem.stated, f.problem.computed) for f in result.findings if f.severity is not
                  Severity.advisory)
