"""How a framework's items are named and described to people — shared by the command line, the
web pages and the documents, so an item reads the same everywhere."""

from __future__ import annotations

from decimal import Decimal

from anju.decimals import plain
from anju.framework.models import (
    METRIC_RULES,
    RULE_KIND_LABELS,
    Checklist,
    Deduction,
    Framework,
    Item,
    Judged,
    Program,
    Provenance,
    Rounding,
)
from anju.problems import Where

PATH_SEPARATOR = " › "


def describe_rule(item: Item, rounding: Rounding | None = None) -> str:
    """A one-line Chinese statement of how an item is scored; a proportional rule names the
    framework's rounding when ``rounding`` is given (it is declared once, in framework.yaml)."""
    rule = item.rule
    if rule is None or rule.kind == "sum":
        return RULE_KIND_LABELS["sum"]
    if isinstance(rule, METRIC_RULES):
        metric = rule.metric.label
        if rule.kind == "ratio_tiers":
            tiers = "；".join(f"{t.describe()}→{plain(t.points)}" for t in rule.tiers)
            return f"{metric}分档：{tiers}"
        if rule.kind == "proportional":
            places = f"，保留{rounding.places_text}" if rounding is not None else ""
            return f"{metric}按比例计分（{plain(rule.full_at)}%得满分{places}）"
        bound = rule.at_least if rule.at_least is not None else rule.at_most
        op = "≥" if rule.at_least is not None else "≤"
        return f"{metric}{op}{plain(bound or Decimal(0))}%得满分，否则0分"
    if isinstance(rule, Checklist):
        return "要点：" + "；".join(f"{c.label}({plain(c.points)})" for c in rule.clauses)
    if isinstance(rule, Judged):
        return "评价人员评分" + (f"：{rule.guidance}" if rule.guidance else "")
    if isinstance(rule, Deduction):
        return f"每发现1件问题扣{plain(rule.per_finding)}分，扣完为止"
    return RULE_KIND_LABELS.get(rule.kind, rule.kind)


def provenance_of(item: Item) -> Provenance:
    """Where an item's scoring comes from: its rule's tag, or the item's own for inner nodes."""
    return item.rule.provenance if item.rule is not None else item.provenance


def item_labels(program: Program, item_path: str) -> list[str]:
    """The labels along an item path (``fund_management.fund_distribution`` → 资金管理, 资金分配);
    an unknown step keeps its id."""
    items = program.item_map
    labels: list[str] = []
    prefix = ""
    for part in item_path.split("."):
        prefix = f"{prefix}.{part}" if prefix else part
        node = items.get(prefix)
        labels.append(node.label if node else part)
    return labels


def item_label(framework: Framework, program_id: str, item_path: str, *, with_program: bool = True) -> str:
    """住房租赁保障 › 资金管理 › 资金分配."""
    program = framework.program(program_id)
    labels = item_labels(program, item_path)
    return PATH_SEPARATOR.join([program.label, *labels] if with_program else labels)


def judged_items(framework: Framework, program_id: str) -> list[tuple[str, Item]]:
    """Items an evaluator judges: checklist and judged rules."""
    return [(p, i) for p, i in framework.program(program_id).items() if isinstance(i.rule, Checklist | Judged)]


def place_label(framework: Framework, where: Where) -> str:
    """Where a problem is, in the framework's words: 住房租赁保障 › 资金管理 › 预算执行, or the figure's
    label; empty when it names no program. Unknown ids are kept rather than hidden."""
    if where.program is None:
        return ""
    try:
        program = framework.program(where.program)
    except KeyError:
        return where.program
    parts = [program.label]
    if where.item:
        parts.extend(item_labels(program, where.item))
    elif where.figure:
        try:
            parts.append(f"“{program.figure(where.figure).label}”")
        except KeyError:
            parts.append(where.figure)
    return PATH_SEPARATOR.join(parts)
