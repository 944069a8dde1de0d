"""The signer's 核对清单: everything the official must know before signing, and nothing of it in
the documents sent.

One entry per finding, in sections:

1. 数据来源 — which figures were used (dataset or units aggregate), and that illustrative rows
   (示例数据) are not real per-unit data;
2. 一致性检查 — every finding of :func:`anju.checks.run_checks` except those of sections 3 and 4;
3. 与报送数不同的数值 — stated percentages that the framework recomputes on another base
   (居民参与出资 55% → 56% because the framework's base is 年度计划改造小区), or that were wrong;
4. 说明文字矛盾 — narrative contradictions (``anju report`` refuses to write while one remains, so a
   written package lists none; the web lists them on the evaluation page);
5. 失分指标 — every scored item below its points, with how the score was reached (what the
   监管局 will ask about first);
6. 计分所依据的假设 — every item whose rule or maximum is reconstructed (provenance ``assumed``),
   with its score: a different official table would change these;
7. 内部备注 — the evaluators' internal notes (``judgements.*.note``), and the dataset's note and source.

Written as Markdown and as a workbook (one sheet, one row per entry, filterable).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from anju.dataset.models import Dataset
from anju.decimals import plain
from anju.framework.models import Framework, Provenance
from anju.problems import ConsistencyCode, Problem
from anju.scoring.result import Evaluation, ItemResult

SOURCES = "数据来源"
CHECKS = "一致性检查"
RESTATED = "与报送数不同的数值"
NARRATIVE = "说明文字矛盾"
ASSUMPTIONS = "计分所依据的假设"
ROUNDED_MARK = "，按规定保留"
"""What a proportional branch text says when the declared rounding changed the product."""
NOTES = "内部备注"
LOST = "失分指标"
SECTIONS = (SOURCES, CHECKS, RESTATED, NARRATIVE, LOST, ASSUMPTIONS, NOTES)
RESTATED_CODES = frozenset({ConsistencyCode.DENOMINATOR_SWITCH, ConsistencyCode.STATED_PERCENT_MISMATCH})


@dataclass(frozen=True)
class Entry:
    section: str
    level: str
    """错误 / 警告 / 提示 for findings; 说明 otherwise."""
    program: str
    item: str
    text: str


@dataclass(frozen=True)
class Checklist:
    region: str
    year: int
    entries: list[Entry]

    def count(self, section: str) -> int:
        return sum(1 for e in self.entries if e.section == section)

    def summary(self) -> str:
        """核对清单：一致性检查 8 项（错误 1 项）……"""
        parts = []
        for section in SECTIONS:
            n = self.count(section)
            errors = sum(1 for e in self.entries if e.section == section and e.level == "错误")
            parts.append(f"{section} {n} 项" + (f"（其中错误 {errors} 项）" if errors else ""))
        return "，".join(parts)


def _labels(evaluation: Evaluation) -> dict[tuple[str, str], str]:
    return {(p.id, item.path): item.label for p in evaluation.programs for item in p.items()}


def _finding(problem: Problem, section: str, programs: dict[str, str], labels: dict[tuple[str, str], str]) -> Entry:
    program = programs.get(problem.where.program or "", "")
    item = labels.get((problem.where.program or "", problem.where.item or ""), "")
    text = problem.message.removeprefix(f"{program}：") if program else problem.message
    return Entry(section, problem.severity.label, program, item, text)


def build_checklist(
    evaluation: Evaluation,
    framework: Framework,
    dataset: Dataset,
    findings: Sequence[Problem],
    *,
    source_notes: Sequence[str] = (),
    rows_note: str | None = None,
) -> Checklist:
    programs = {p.id: p.label for p in evaluation.programs}
    labels = _labels(evaluation)
    entries: list[Entry] = [Entry(SOURCES, "说明", "", "", note) for note in source_notes]
    if rows_note:
        entries.append(Entry(SOURCES, "警告", "", "", f"附件统计表的分地区行为示例数据：{rows_note}"
                                                     "报送前须换成真实的分地区数据，或用 --province-only 只列全省一行。"))
    if not source_notes and not rows_note:
        entries.append(Entry(SOURCES, "说明", "", "", "计分、正文、得分表和附件统计表均采用数据集（dataset.yaml）的数据。"))
    for problem in findings:
        if problem.code == ConsistencyCode.NARRATIVE_CONTRADICTION:
            section = NARRATIVE
        elif problem.code in RESTATED_CODES:
            section = RESTATED
        else:
            section = CHECKS
        entries.append(_finding(problem, section, programs, labels))
    entries += _lost(evaluation)
    entries += _assumptions(evaluation, framework)
    entries += [Entry(NOTES, "说明", p.label, item.label, item.note)
                for p in evaluation.programs for item in p.items() if item.note]
    for remark in (dataset.note, dataset.source):
        if remark:
            entries.append(Entry(NOTES, "说明", "", "", f"数据集：{remark}"))
    return Checklist(evaluation.region_name, evaluation.year, entries)


def render_checklist_markdown(checklist: Checklist) -> str:
    lines = [f"# {checklist.region}{checklist.year}年度绩效评价材料核对清单（内部，不随材料报送）", "",
             "签发前请逐项核对。本清单列出一致性检查发现的问题、计分所依据的假设、与报送数不同的数值和内部备注；"
             "这些内容不出现在正式材料中。", "", checklist.summary() + "。", ""]
    for number, section in enumerate(SECTIONS, start=1):
        entries = [e for e in checklist.entries if e.section == section]
        lines += [f"## {number}. {section}（{len(entries)} 项）", ""]
        if not entries:
            lines += ["无。", ""]
            continue
        for entry in entries:
            where = "›".join(part for part in (entry.program, entry.item) if part)
            prefix = f"【{entry.level}】" if entry.level != "说明" else ""
            lines.append(f"- {prefix}{where + '：' if where else ''}{entry.text}")
        lines.append("")
    return "\n".join(lines)


CHECKLIST_COLUMNS = (("序号", 6), ("类别", 16), ("级别", 7), ("项目", 14), ("指标", 24), ("内容", 90))


def write_checklist_workbook(target: Path, checklist: Checklist) -> Path:
    partial = target.with_name(target.name + ".part")
    book = xlsxwriter.Workbook(str(partial), {"default_format_properties": {"font_name": "宋体", "font_size": 11}})
    title = f"{checklist.region}{checklist.year}年度绩效评价材料核对清单（内部，不随材料报送）"
    book.set_properties({"title": title})
    sheet = book.add_worksheet("核对清单")
    title_format = book.add_format({"font_name": "黑体", "font_size": 14, "align": "center"})
    header = book.add_format({"font_name": "黑体", "border": 1, "bg_color": "#D9D9D9", "align": "center"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    last = len(CHECKLIST_COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, title, title_format)
    sheet.merge_range(1, 0, 1, last, checklist.summary() + "。", cell)
    sheet.set_row(1, 33)
    for col, (name, width) in enumerate(CHECKLIST_COLUMNS):
        sheet.write_string(2, col, name, header)
        sheet.set_column(col, col, width)
    for index, entry in enumerate(checklist.entries, start=1):
        r = 2 + index
        for col, value in enumerate((str(index), entry.section, entry.level, entry.program, entry.item, entry.text)):
            sheet.write_string(r, col, value, cell)
        sheet.set_row(r, 15 * max(1, -(-len(entry.text) * 2 // 88)) + 3)
    sheet.freeze_panes(3, 0)
    sheet.autofilter(2, 0, 2 + len(checklist.entries), last)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    book.close()
    partial.replace(target)
    return target


def _lost(evaluation: Evaluation) -> list[Entry]:
    entries = []
    for program in evaluation.programs:
        for item in program.items():
            if not item.children and item.score < item.points:
                why = f"；理由：{item.reason}" if item.reason else ""
                entries.append(Entry(LOST, "说明", program.label, item.label,
                                     f"扣{plain(item.deduction)}分（得分{plain(item.score)}分，分值{plain(item.points)}分）："
                                     f"{item.branch}{why}"))
    return entries


def _assumptions(evaluation: Evaluation, framework: Framework) -> list[Entry]:
    entries = []
    for program in evaluation.programs:
        definitions = dict(framework.program(program.id).items())
        for item in program.items():
            definition = definitions.get(item.path)
            assumed_points = definition is not None and definition.provenance == Provenance.assumed
            if item.provenance != Provenance.assumed and not assumed_points:
                continue
            what = "评分规则" if item.provenance == Provenance.assumed else "分值"
            note = ""
            if definition is not None:
                rule_note = getattr(definition.rule, "note", None) if definition.rule is not None else None
                note = next((n for n in (rule_note, definition.note) if n), "")
            text = (f"{what}为重建的假设（非官方表格原文），得分{plain(item.score)}分（分值{plain(item.points)}分）"
                    + (f"；{' '.join(note.split())}" if note else ""))
            entries.append(Entry(ASSUMPTIONS, "说明", program.label, item.label, text))
        entries += _rounding_entries(program.label, program.items(), framework)
    return entries


def _rounding_entries(program: str, items: Iterable[ItemResult], framework: Framework) -> list[Entry]:
    """Each proportional score the framework's declared rounding changed, while that rounding is not
    read in an official table (2022: whole points, inferred from one item of the seed)."""
    rounding = framework.rounding
    if rounding.provenance == Provenance.official:
        return []
    note = " ".join((rounding.note or "").split())
    return [Entry(ASSUMPTIONS, "说明", program, item.label,
                  f"按比例计分统一保留{rounding.places_text}（{rounding.provenance.label}）：{item.branch}"
                  + (f"；{note}" if note else ""))
            for item in items if ROUNDED_MARK in item.branch]
