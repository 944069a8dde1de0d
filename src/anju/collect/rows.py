"""Which figures and questions a reporting unit answers for a program — collection knowledge that
the workbook layout, the web form and the API all build on.

A row is either a figure the unit reports (a number, or 不适用 where the figure allows it) or a
yes/no question asked of its kind of unit (e.g. 本市是否发行债券), which anju counts up the tree.
Unit counts without a question come from the 无此项任务 switch and are not asked at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from anju.collect.regions import RegionUnit
from anju.dataset.models import NOT_APPLICABLE_TEXT
from anju.framework.models import FigureSpec, Program

__all__ = ["NO", "NOT_APPLICABLE_TEXT", "YES", "EntryRow", "entry_rows"]

YES, NO = "是", "否"

KIND_REQUIREMENT = {
    "amount": "非负数，单位{unit}，最多两位小数",
    "quantity": "非负数，单位{unit}，最多两位小数",
    "count": "非负整数，单位{unit}",
    "percent": "0—100之间的数，按百分数填写（94%填94），最多两位小数",
}


@dataclass(frozen=True)
class EntryRow:
    """One thing a unit answers: a figure, or a yes/no question about it."""

    spec: FigureSpec
    question: bool
    """A yes/no answer that anju counts (e.g. 本市是否发行债券), not a number."""

    @property
    def figure_id(self) -> str:
        return self.spec.id

    @property
    def label(self) -> str:
        if self.question:
            return self.spec.aggregation.question or self.spec.label
        return self.spec.label

    @property
    def unit(self) -> str:
        return f"{YES}/{NO}" if self.question else self.spec.unit

    @property
    def requirement(self) -> str:
        if self.question:
            return f"选择“{YES}”或“{NO}”"
        text = KIND_REQUIREMENT[self.spec.kind].format(unit=self.spec.unit)
        if self.spec.allow_not_applicable:
            text += f"；不适用的填“{NOT_APPLICABLE_TEXT}”"
        if self.spec.description:
            text += f"。{self.spec.description}"
        return text


def entry_rows(program: Program, unit: RegionUnit) -> tuple[EntryRow, ...]:
    """The rows a unit fills for a program, in the framework's order."""
    rows: list[EntryRow] = []
    for spec in program.figures:
        agg = spec.aggregation
        if agg.asks_units:
            if agg.question is None or unit.kind not in (agg.kinds or []):
                continue
            rows.append(EntryRow(spec, question=True))
        else:
            rows.append(EntryRow(spec, question=False))
    return tuple(rows)
