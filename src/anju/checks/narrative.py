"""Narrative against the evaluation: the dataset's fixed paragraphs must not contradict the figures.

A narrative is written once and kept year after year; when the figures change it can go on saying
"没有发现……违规违纪行为" next to the generated "发现……问题2件", "（3分）" for a point judged 未达到,
or "均达到100%" for a rate that fell short. Placeholders (``{violations}``, ``{score}``,
``{clause_<id>}``, ``{rate:0}``) avoid this by construction; this check finds what is left:

- a negation claim (没有发现/尚未发现/尚无发现/未发现/未出现) in an item that deducts per finding
  while the findings figure is above 0;
- a claim that everything was reached (均达到/全部达到/均已达到/全部完成) in an item that lost points,
  or "达到N%" above the item's computed rate;
- the "（N分）" of a narrative against the item's score, or, when the narrative has one per checklist
  clause, against each clause's score in order;
- a count of findings ("N件") against the findings figure.

Each contradiction is an error (:attr:`ConsistencyCode.NARRATIVE_CONTRADICTION`) quoting the words
and both values; ``anju report`` writes nothing while one remains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation

from anju.decimals import plain
from anju.framework.models import Deduction, Item
from anju.problems import ConsistencyCode, Problem, Severity, Where
from anju.scoring.result import ItemResult, ProgramResult

NEGATION = re.compile(r"(没有发现|尚未发现|尚无发现|未发现|未出现|没有出现)[^。；，]*")
ALL_REACHED = re.compile(r"(均达到|全部达到|均已达到|全部完成|均已完成|均完成)([^。；，]*)")
POINTS = re.compile(r"（(\d+(?:\.\d+)?)分）")
PERCENT = re.compile(r"达到(\d+(?:\.\d+)?)%")
COUNT = re.compile(r"(\d+)件")
PERCENT_TOLERANCE = Decimal("0.5")


def _quote(text: str, limit: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def narrative_contradictions(
    program: ProgramResult, definitions: Mapping[str, Item], figures: dict[str, object]
) -> Iterator[Problem]:
    """Every contradiction between an item's narrative and its result, in document order."""
    for result in program.items():
        if not result.narrative:
            continue
        yield from _item(program, result, definitions.get(result.path), figures)


def _problem(program: ProgramResult, result: ItemResult, message: str, *, stated: str | None = None,
             computed: str | None = None) -> Problem:
    return Problem(
        ConsistencyCode.NARRATIVE_CONTRADICTION, Severity.error,
        f"{program.label}：“{result.label}”的说明文字{message}",
        Where(program=program.id, item=result.path), stated=stated, computed=computed,
    )


def _item(program: ProgramResult, result: ItemResult, item: Item | None, figures: dict[str, object]) -> Iterator[Problem]:
    text = result.narrative or ""
    rule = item.rule if item is not None else None
    if isinstance(rule, Deduction):
        found = figures.get(rule.findings)
        if isinstance(found, Decimal) and found > 0:
            for match in NEGATION.finditer(text):
                yield _problem(program, result, f"称“{_quote(match.group(0))}”，但数据为发现问题{plain(found)}件"
                               f"（得分{plain(result.score)}分）", stated="0", computed=plain(found))
        if isinstance(found, Decimal):
            for match in COUNT.finditer(text):
                said = _number(match.group(1))
                if said is not None and said != found:
                    yield _problem(program, result, f"写“{match.group(0)}”，但数据为{plain(found)}件",
                                   stated=plain(said), computed=plain(found))
    if result.score < result.points:
        for match in ALL_REACHED.finditer(text):
            yield _problem(program, result, f"称“{_quote(match.group(0))}”，但该项未得满分"
                           f"（得分{plain(result.score)}分，分值{plain(result.points)}分）",
                           stated=plain(result.points), computed=plain(result.score))
    if result.metric is not None and result.metric.value is not None:
        for match in PERCENT.finditer(text):
            said = _number(match.group(1))
            if said is not None and said - result.metric.value > PERCENT_TOLERANCE:
                yield _problem(program, result, f"写“{match.group(0)}”，但计算的{result.metric.label}为"
                               f"{plain(result.metric.value)}%", stated=plain(said), computed=plain(result.metric.value))
    yield from _points(program, result, text)


def _points(program: ProgramResult, result: ItemResult, text: str) -> Iterator[Problem]:
    said = [(m.group(0), _number(m.group(1))) for m in POINTS.finditer(text)]
    if not said:
        return
    if result.clauses and len(said) == len(result.clauses):
        for index, ((words, value), clause) in enumerate(zip(said, result.clauses, strict=True), start=1):
            if value != clause.score:
                yield _problem(program, result, f"第{index}个要点（{clause.label}）写“{words}”，"
                               f"但计分为{plain(clause.score)}分", stated=plain(value or Decimal(0)), computed=plain(clause.score))
        return
    if len(said) == 1 and not result.children and said[0][1] != result.score:
        words, value = said[0]
        yield _problem(program, result, f"写“{words}”，但计分为{plain(result.score)}分",
                       stated=plain(value or Decimal(0)), computed=plain(result.score))
