"""Variants of the seed with one injected error each: a changed figure, rate, subtotal, total and
part. Each is found (a new error beyond the seed's own) and located at the changed paragraph."""

from __future__ import annotations

import pytest

from anju.audit import AuditResult
from anju.problems import ConsistencyCode, Severity

from .conftest import run, seed_text

# (what, original, replacement, code expected, anchored number)
VARIANTS = [
    ("figure", "实际支出31524.96万元", "实际支出21524.96万元", ConsistencyCode.STATED_PERCENT_MISMATCH, "64.9%"),
    ("rate", "实际发放住房租赁补贴80206户，完成计划的107%", "实际发放住房租赁补贴80206户，完成计划的117%",
     ConsistencyCode.STATED_PERCENT_MISMATCH, "117%"),
    ("subtotal", "（一）资金管理方面（得分18分）\n“资金筹集”得分5分。截至2023年1月5日，我省用于租赁",
     "（一）资金管理方面（得分19分）\n“资金筹集”得分5分。截至2023年1月5日，我省用于租赁",
     ConsistencyCode.STATED_SUBTOTAL_MISMATCH, "19分"),
    ("total", "用于租赁住房保障绩效评价得分88分", "用于租赁住房保障绩效评价得分89分",
     ConsistencyCode.STATED_SUBTOTAL_MISMATCH, "89分"),
    ("part", "市县安排财政资金41256.62万元", "市县安排财政资金41265.62万元",
     ConsistencyCode.PARTS_TOTAL_MISMATCH, "89805.62万元"),
    ("criterion", "1.资金管理办法健全、规范（2分）", "1.资金管理办法健全、规范（1分）",
     ConsistencyCode.STATED_SUBTOTAL_MISMATCH, "5分"),
    ("completion", "实际开工建设500套，完成计划的100%", "实际开工建设450套，完成计划的100%",
     ConsistencyCode.STATED_PERCENT_MISMATCH, "100%"),
]


def _new_errors(result: AuditResult, base: AuditResult) -> list:  # type: ignore[type-arg]
    before = {(f.code, f.problem.stated, f.anchor.paragraph if f.anchor else None) for f in base.errors}
    return [f for f in result.errors if (f.code, f.problem.stated, f.anchor.paragraph if f.anchor else None)
            not in before]


@pytest.mark.parametrize(("what", "original", "replacement", "code", "anchored"), VARIANTS,
                         ids=[v[0] for v in VARIANTS])
def test_single_injected_error_is_found_and_located(
    seed_result: AuditResult, what: str, original: str, replacement: str, code: str, anchored: str,
) -> None:
    text = seed_text()
    assert text.count(original) == 1, f"{what}: the original passage must be unique"
    changed = text.replace(original, replacement)
    at = changed.index(replacement) + max(replacement.find(anchored), 0)
    line = changed[:at].count("\n") + 1
    result = run(changed)
    new = _new_errors(result, seed_result)
    assert new, f"{what}: no new error found"
    hits = [f for f in new if f.code == code and f.anchor is not None and f.anchor.paragraph == line]
    assert hits, f"{what}: expected {code} at paragraph {line}, got {[(f.code, f.anchor) for f in new]}"
    anchor = hits[0].anchor
    assert anchor is not None
    block = result.document.blocks[anchor.block - 1]
    assert block.text[anchor.start:anchor.end].replace(" ", "") == anchored


def test_the_seed_itself_has_no_other_error(seed_result: AuditResult) -> None:
    assert all(f.severity is not Severity.error or f.problem.stated in {"52.9", "60", "85"}
               for f in seed_result.findings)
