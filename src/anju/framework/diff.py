"""What changed between two frameworks: programs and indicators added, removed and changed, with
points, rules (thresholds, tiers, clauses) and templates before and after.

Used by ``anju framework diff A B``, by ``anju framework show`` for a variant (against the framework
it extends) and by the web catalogue. Programs are matched by id, indicators by their path inside the
program; a figure mapping (:mod:`anju.framework.mapping`) is a separate, declared thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from anju.decimals import plain
from anju.framework.describe import describe_rule, provenance_of
from anju.framework.models import Framework, Item, Program

ChangeKind = Literal["added", "removed", "changed"]
CHANGE_LABELS: dict[str, str] = {"added": "新增", "removed": "删除", "changed": "修改"}
SOURCE_LABEL = "来源"


@dataclass(frozen=True)
class FieldChange:
    """One attribute of an item before and after (分值 5 → 4)."""

    label: str
    before: str
    after: str


TEMPLATE_LABELS = ("说明模板", "满分说明模板")


@dataclass(frozen=True)
class ItemChange:
    kind: ChangeKind
    path: str
    label: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class ProgramDiff:
    program_id: str
    label: str
    kind: ChangeKind
    items: list[ItemChange] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    continues: str | None = None
    """The label of the older program this one continues under another id (declared mapping)."""
    continues_id: str | None = None


@dataclass(frozen=True)
class FrameworkDiff:
    before: str
    after: str
    programs: list[ProgramDiff]
    fields: list[FieldChange]

    @property
    def empty(self) -> bool:
        return not self.programs and not self.fields

    def changed_paths(self, program_id: str) -> dict[str, ChangeKind]:
        """Item path → change kind, for marking a table (``framework show`` of a variant)."""
        for program in self.programs:
            if program.program_id == program_id:
                return {c.path: c.kind for c in program.items}
        return {}

    def lines(self) -> list[str]:
        """The diff as Chinese text, one line per change."""
        out: list[str] = [f"指标体系对比：{self.before} → {self.after}"]
        out += [f"  {f.label}：{f.before} → {f.after}" for f in self.fields]
        if self.empty:
            out.append("  两者相同。")
        for program in self.programs:
            if program.kind != "changed":
                out.append(f"{CHANGE_LABELS[program.kind]}项目：{program.label}（{program.program_id}）")
                continue
            continues = f"，延续{program.continues}（{program.continues_id}）" if program.continues else ""
            out.append(f"修改项目：{program.label}（{program.program_id}{continues}）")
            out += [f"  {f.label}：{f.before} → {f.after}" for f in program.fields]
            tagged = [c for c in program.items if c.kind == "changed" and [f.label for f in c.fields] == [SOURCE_LABEL]]
            for change in program.items:
                if change in tagged:
                    continue
                out.append(f"  {CHANGE_LABELS[change.kind]}指标：{change.label}（{change.path}）")
                out += [f"    {f.label}：{f.before} → {f.after}" for f in change.fields]
            if tagged:
                moves = sorted({f"{c.fields[0].before} → {c.fields[0].after}" for c in tagged})
                out.append(f"  仅来源标注改变的指标 {len(tagged)} 个（{'；'.join(moves)}）：{'；'.join(c.label for c in tagged)}")
        return out


def _item_fields(before: Item, after: Item) -> list[FieldChange]:
    changes: list[FieldChange] = []
    if before.label != after.label:
        changes.append(FieldChange("名称", before.label, after.label))
    if before.points != after.points:
        changes.append(FieldChange("分值", plain(before.points), plain(after.points)))
    if (before.rule is None) != (after.rule is None) or (
        before.rule is not None and after.rule is not None
        and before.rule.model_dump(mode="json", exclude={"note", "provenance"})
        != after.rule.model_dump(mode="json", exclude={"note", "provenance"})
    ):
        changes.append(FieldChange("评分规则", describe_rule(before), describe_rule(after)))
    if provenance_of(before) != provenance_of(after):
        changes.append(FieldChange(SOURCE_LABEL, provenance_of(before).label, provenance_of(after).label))
    for attr, label in (("template", "说明模板"), ("template_full", "满分说明模板")):
        if getattr(before, attr) != getattr(after, attr):
            changes.append(FieldChange(label, getattr(before, attr) or "（无）", getattr(after, attr) or "（无）"))
    return changes


def diff_programs(before: Program, after: Program) -> ProgramDiff:
    old = dict(before.items())
    new = dict(after.items())
    items: list[ItemChange] = []
    for path, item in new.items():
        if path not in old:
            if "." not in path or _parent(path) in old:  # only the top of an added subtree
                items.append(ItemChange("added", path, item.label, [FieldChange("分值", "—", plain(item.points))]))
        else:
            changed = _item_fields(old[path], item)
            if changed:
                items.append(ItemChange("changed", path, item.label, changed))
    for path, item in old.items():
        if path not in new and (_parent(path) in new or "." not in path):
            items.append(ItemChange("removed", path, item.label, [FieldChange("分值", plain(item.points), "—")]))
    fields: list[FieldChange] = []
    if before.label != after.label:
        fields.append(FieldChange("名称", before.label, after.label))
    if before.points != after.points:
        fields.append(FieldChange("满分", plain(before.points), plain(after.points)))
    old_figures = {f.id for f in before.figures}
    new_figures = {f.id for f in after.figures}
    if old_figures != new_figures:
        added = "、".join(f.label for f in after.figures if f.id not in old_figures) or "无"
        removed = "、".join(f.label for f in before.figures if f.id not in new_figures) or "无"
        fields.append(FieldChange("数据项", f"删除：{removed}", f"新增：{added}"))
    if before.grading != after.grading:
        fields.append(FieldChange("等级划分", before.grading.describe() if before.grading else "沿用指标体系",
                                  after.grading.describe() if after.grading else "沿用指标体系"))
    return ProgramDiff(after.id, after.label, "changed", items, fields)


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def diff_frameworks(before: Framework, after: Framework) -> FrameworkDiff:
    """Programs are paired by id, or by the ``from_program`` of ``after``'s declared mapping from
    ``before`` (2024 住房保障 continues 2022 住房租赁保障)."""
    old = {p.id: p for p in before.programs}
    pairs = {p.id: p.id for p in after.programs if p.id in old}
    mapping = after.mapping_from(before.id)
    if mapping is not None:
        for program_id, declared in mapping.programs.items():
            source = declared.from_program or program_id
            if source in old and program_id in {p.id for p in after.programs}:
                pairs[program_id] = source
    programs: list[ProgramDiff] = []
    for program in after.programs:
        paired = pairs.get(program.id)
        if paired is None:
            programs.append(ProgramDiff(program.id, program.label, "added"))
            continue
        diff = diff_programs(old[paired], program)
        if paired != program.id:
            diff = replace(diff, continues=old[paired].label, continues_id=paired)
        if diff.items or diff.fields or paired != program.id:
            programs.append(diff)
    continued = set(pairs.values())
    programs += [ProgramDiff(p.id, p.label, "removed") for p in before.programs if p.id not in continued]
    fields: list[FieldChange] = []
    before_scheme, after_scheme = before.scheme(), after.scheme()
    if before_scheme != after_scheme:
        fields.append(FieldChange("等级划分", before_scheme.describe() if before_scheme else "无",
                                  after_scheme.describe() if after_scheme else "无"))
    if before.rounding.proportional != after.rounding.proportional:
        fields.append(FieldChange("按比例计分保留位数", before.rounding.places_text, after.rounding.places_text))
    old_tables = [t.sheet for t in before.appendix.tables]
    new_tables = [t.sheet for t in after.appendix.tables]
    if old_tables != new_tables:
        fields.append(FieldChange("附件统计表", "、".join(old_tables) or "无", "、".join(new_tables) or "无"))
    return FrameworkDiff(before.label, after.label, programs, fields)
