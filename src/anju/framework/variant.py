"""Provincial variants: a framework that ``extends`` another and changes points, thresholds, bands,
templates, or adds and removes indicators (a province's 实施细则 for its cities).

A variant's ``framework.yaml`` gives ``extends`` (a built-in year or a directory relative to it), any
top-level field it overrides (id, label, grade_bands …, appendix) and a list of ``changes``::

    extends: "2022"
    changes:
      - {program: rental, item: fund_management.fund_raising, set: {rule: {tiers: [...]}}}
      - {program: renovation, set: {grading: {label: …, bands: [...]}}}
      - {program: rental, item: outputs, add: {id: …, label: …, points: 3, rule: …}}
      - {program: rental, remove: outputs.development_target}
      - {program: shantytown, remove_program: true}

``set`` merges into the program or the item (mappings merge key by key, lists are replaced);
``add`` appends a child (to the dimensions without ``item``); ``add_figures`` appends figures. The
result is validated like any framework: children still add up and every figure exists.
This module works on plain mappings (the parent's JSON dump); the loader validates the result.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from pydantic import Field, model_validator

from anju.framework.models import ID_PATTERN, Strict

PATH_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
MAX_DEPTH = 4
"""How many ``extends`` a chain may have (a province's variant of a variant …)."""


class Change(Strict):
    """One change a variant makes to the framework it extends."""

    program: Annotated[str, Field(pattern=ID_PATTERN)]
    item: Annotated[str, Field(pattern=PATH_PATTERN)] | None = None
    set: dict[str, Any] | None = None
    add: dict[str, Any] | None = None
    add_figures: list[dict[str, Any]] | None = None
    remove: Annotated[str, Field(pattern=PATH_PATTERN)] | None = None
    remove_program: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Change:
        actions = [self.set is not None, self.add is not None, self.add_figures is not None,
                   self.remove is not None, self.remove_program]
        if sum(actions) != 1:
            raise ValueError("每条 changes 须且只须给出 set、add、add_figures、remove、remove_program 之一")
        if self.item is not None and (self.remove is not None or self.remove_program or self.add_figures is not None):
            raise ValueError("remove、remove_program 和 add_figures 不与 item 同用（remove 直接给出指标路径）")
        return self


def merge(base: Any, patch: Any) -> Any:
    """``patch`` over ``base``: mappings merge key by key (a rule of another ``kind`` replaces the
    rule), anything else is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        if "kind" in patch and patch["kind"] != base.get("kind"):
            return copy.deepcopy(patch)  # a rule of another kind replaces the rule
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(patch)


def _find(children: list[dict[str, Any]], path: str) -> tuple[list[dict[str, Any]], int] | None:
    """The list holding the item at ``path`` and its index there."""
    parts = path.split(".")
    siblings = children
    for depth, part in enumerate(parts):
        index = next((i for i, node in enumerate(siblings) if node.get("id") == part), None)
        if index is None:
            return None
        if depth == len(parts) - 1:
            return siblings, index
        siblings = siblings[index].setdefault("children", [])
    return None


def apply_changes(programs: list[dict[str, Any]], changes: list[Change]) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """The programs with the changes applied, and the changes that could not be (index, message)."""
    out = copy.deepcopy(programs)
    problems: list[tuple[int, str]] = []
    for index, change in enumerate(changes):
        program = next((p for p in out if p.get("id") == change.program), None)
        if program is None:
            known = "、".join(str(p.get("id")) for p in out)
            problems.append((index, f"继承的指标体系没有项目“{change.program}”（有：{known}）"))
            continue
        if change.remove_program:
            out.remove(program)
            continue
        if change.add_figures is not None:
            program["figures"] = [*program.get("figures", []), *copy.deepcopy(change.add_figures)]
            continue
        if change.remove is not None:
            found = _find(program["dimensions"], change.remove)
            if found is None:
                problems.append((index, f"项目“{program.get('label')}”没有指标“{change.remove}”，无法删除"))
            else:
                found[0].pop(found[1])
            continue
        target: dict[str, Any] = program
        if change.item is not None:
            found = _find(program["dimensions"], change.item)
            if found is None:
                problems.append((index, f"项目“{program.get('label')}”没有指标“{change.item}”"))
                continue
            target = found[0][found[1]]
        if change.set is not None:
            if "id" in change.set:
                problems.append((index, "set 不能修改编号 id（请用 remove 和 add）"))
                continue
            target.update(merge(target, change.set))
        elif change.add is not None:
            key = "dimensions" if change.item is None else "children"
            if key == "children" and target.get("rule") is not None and target["rule"].get("kind") != "sum":
                problems.append((index, f"指标“{target.get('label')}”有评分规则，不能再添加下级指标（先用 set 去掉 rule）"))
                continue
            target[key] = [*target.get(key, []), copy.deepcopy(change.add)]
    return out, problems
