"""The official indicator table in and out of Excel (``anju framework export`` / ``import``).

The workbook has the layout officials use — 一级指标、二级指标、三级指标、分值、评分标准/评分要点、
指标说明 — and on the same rows the machine columns a rule needs (编号, 规则类型, 规则参数, 来源 …),
one sheet per program, plus the sheets 指标体系 (metadata and grade bands), 数据项 (figures) and
附件统计表 (appendix tables). Import is strict: every problem names its sheet and cell, and nothing
is written unless the whole table is sound. Export then import gives the same framework (the same
digest).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import Enum
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from anju.adapters.excel.styles import BOLD, BORDER, HEADER_FILL, INPUT_FILL, TITLE_FONT, WRAP
from anju.decimals import plain
from anju.files import make_dirs, write_text
from anju.framework.appendix import appendix_problems
from anju.framework.describe import describe_rule
from anju.framework.loader import FrameworkError, load_framework, program_problems
from anju.framework.models import (
    RULE_KIND_LABELS,
    RULE_KINDS,
    Appendix,
    AppendixTable,
    FigureSpec,
    Framework,
    GradeBand,
    Item,
    Program,
    Provenance,
)
from anju.framework.soundness import grade_band_problems, soundness_problems
from anju.problems import LoadCode, Problem, Severity, Where
from anju.yamlio import YamlDocument, dump_yaml, pydantic_problems

META_SHEET = "指标体系"
FIGURES_SHEET = "数据项"
APPENDIX_SHEET = "附件统计表"
README_SHEET = "说明"
SPECIAL_SHEETS = (README_SHEET, META_SHEET, FIGURES_SHEET, APPENDIX_SHEET)

HEADER_ROW = 6
COLUMNS = ["一级指标", "二级指标", "三级指标", "分值", "评分标准/评分要点", "指标说明", "编号", "规则类型", "规则参数（JSON）",
           "规则来源", "规则来源说明", "分值来源", "说明模板", "满分说明模板", "参考编号"]
WIDTHS = [16, 22, 30, 8, 48, 30, 34, 14, 60, 10, 30, 10, 40, 30, 10]
COL = {name: index + 1 for index, name in enumerate(COLUMNS)}
FIELD_COLUMN = {"points": "分值", "criteria": "评分标准/评分要点", "note": "指标说明", "provenance": "分值来源",
                "template": "说明模板", "template_full": "满分说明模板", "ref": "参考编号", "children": "编号", "id": "编号"}
RULE_FIELD_COLUMN = {"kind": "规则类型", "provenance": "规则来源", "note": "规则来源说明"}
FIGURE_COLUMNS = ["项目编号", "编号", "名称", "单位", "类型", "说明", "汇总方式（JSON）", "可填不适用"]
FIGURE_FIELDS = ["program", "id", "label", "unit", "kind", "description", "aggregation", "allow_not_applicable"]
META_FIELDS = [("id", "编号"), ("year", "年度"), ("label", "名称"), ("source", "文件依据"), ("provenance_note", "来源说明"),
               ("grade_scheme", "等级名称"), ("grade_bands_provenance", "等级来源"), ("mappings", "数据项对应关系（JSON）"),
               ("rounding", "按比例计分保留位数（JSON）")]
BAND_ROW = 11
PROVENANCE_BY_LABEL = {p.label: p for p in Provenance}
YES, NO = "是", "否"
PATH_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
BAND_CONDITIONS = {"≥": "at_least", ">": "above", "其余": None}


class TableError(FrameworkError):
    """The workbook is not a sound indicator table; every problem names its sheet and cell."""


# --- export -----------------------------------------------------------------------------------


def _number(value: Decimal) -> int | float | str:
    """A cell value for a Decimal: a whole number or a float that reads back to the same text."""
    text = plain(value)
    if "." not in text:
        return int(text)
    as_float = float(text)
    return as_float if repr(as_float) == text else text


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def sheet_title(label: str, taken: set[str]) -> str:
    """A worksheet name for a program label: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", "", label)[:31] or "项目"
    name, n = base, 2
    while name in taken:
        suffix = f"（{n}）"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _header(ws: Worksheet, row: int, names: list[str], widths: list[int]) -> None:
    for col, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BORDER, WRAP
        ws.column_dimensions[get_column_letter(col)].width = width


def _list_validation(ws: Worksheet, options: list[str], ranges: str, prompt: str) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
    dv.error, dv.errorTitle, dv.prompt, dv.promptTitle = f"请从列表中选择：{'、'.join(options)}", "取值无效", prompt, "填写提示"
    dv.add(ranges)
    ws.add_data_validation(dv)


def export_workbook(framework: Framework) -> bytes:
    """The framework as an Excel indicator table (bytes of an .xlsx)."""
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = README_SHEET
    _readme(readme, framework)
    _meta_sheet(wb.create_sheet(META_SHEET), framework)
    taken = set(SPECIAL_SHEETS)
    for program in framework.programs:
        _program_sheet(wb.create_sheet(sheet_title(program.label, taken)), program)
    _figures_sheet(wb.create_sheet(FIGURES_SHEET), framework)
    _appendix_sheet(wb.create_sheet(APPENDIX_SHEET), framework.appendix)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _readme(ws: Worksheet, framework: Framework) -> None:
    lines = [
        f"{framework.label}——指标表",
        "",
        "本工作簿由 anju framework export 生成，可用 anju framework import 读回为指标体系（YAML）。",
        "每个项目一个工作表：一级指标、二级指标、三级指标、分值、评分标准/评分要点、指标说明为官方表格的栏目；",
        "其后的编号、规则类型、规则参数、来源等为计分所需的机器栏目，与官方栏目在同一行。",
        "持有官方评分表时：把官方的分值填入“分值”列、把评分标准原文填入“评分标准/评分要点”列，",
        "并按官方标准修改“规则参数”（分档、门槛、要点分值），把“规则来源”“分值来源”改为“官方”。",
        "编号是指标在项目内的路径（上级编号.本级编号），决定层级关系，请勿随意修改；新增指标时按此规则编号。",
        f"规则类型：{'、'.join(f'{k}（{v}）' for k, v in RULE_KIND_LABELS.items())}；有下级指标的行留空。",
        "来源：官方（官方表格）、样本（样本原文）、推断（由样本数字推断）、假设（待核实）。",
        "导入时逐格校验：分值合计、规则类型、分档是否连续、引用的数据项是否存在等，每处问题都指明工作表和单元格。",
    ]
    for row, text in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=text)
        if row == 1:
            cell.font = TITLE_FONT
    ws.column_dimensions["A"].width = 120


def _meta_sheet(ws: Worksheet, framework: Framework) -> None:
    _header(ws, 1, ["项目", "内容"], [16, 90])
    data = framework.model_dump(mode="json")
    for row, (key, label) in enumerate(META_FIELDS, start=2):
        ws.cell(row=row, column=1, value=label).font = BOLD
        value = data.get(key)
        if key == "grade_bands_provenance":
            value = Provenance(str(value)).label
        elif key == "mappings":
            value = _json([m.model_dump(mode="json", by_alias=True) for m in framework.mappings]) if framework.mappings else None
        elif key == "rounding":
            value = _json(framework.rounding.model_dump(mode="json", exclude_none=True))
        cell = ws.cell(row=row, column=2, value=value)
        cell.fill, cell.alignment = INPUT_FILL, WRAP
    _list_validation(ws, list(PROVENANCE_BY_LABEL), f"B{[k for k, _ in META_FIELDS].index('grade_bands_provenance') + 2}",
                     "等级划分的来源")
    _header(ws, BAND_ROW, ["等级", "条件", "分数线"], [16, 90, 12])
    for row, band in enumerate(framework.grade_bands, start=BAND_ROW + 1):
        condition = "≥" if band.at_least is not None else ">" if band.above is not None else "其余"
        ws.cell(row=row, column=1, value=band.label).fill = INPUT_FILL
        ws.cell(row=row, column=2, value=condition).fill = INPUT_FILL
        if band.bound is not None:
            ws.cell(row=row, column=3, value=_number(band.bound)).fill = INPUT_FILL
    _list_validation(ws, list(BAND_CONDITIONS), f"B{BAND_ROW + 1}:B{BAND_ROW + 20}", "≥：得分不低于分数线；>：高于分数线；其余：最低一档")


def _program_sheet(ws: Worksheet, program: Program) -> None:
    dumped = program.model_dump(mode="json")
    extra = {k: dumped[k] for k in ("identities", "plausibility", "grading") if dumped.get(k)}
    for row, (label, value) in enumerate(
        [("项目编号", program.id), ("项目名称", program.label), ("满分", _number(program.points)),
         ("其他设置（JSON）", _json(extra) if extra else None)], start=1):
        ws.cell(row=row, column=1, value=label).font = BOLD
        ws.cell(row=row, column=2, value=value).fill = INPUT_FILL
    ws.merge_cells(start_row=4, start_column=2, end_row=4, end_column=6)
    _header(ws, HEADER_ROW, COLUMNS, WIDTHS)
    ws.freeze_panes = f"D{HEADER_ROW + 1}"
    row = HEADER_ROW
    for path, item in program.items():
        row += 1
        depth = path.count(".") + 1
        ws.cell(row=row, column=min(depth, 3), value=item.label)
        ws.cell(row=row, column=COL["分值"], value=_number(item.points))
        ws.cell(row=row, column=COL["评分标准/评分要点"], value=item.criteria or (describe_rule(item) if item.rule else None))
        ws.cell(row=row, column=COL["指标说明"], value=item.note)
        ws.cell(row=row, column=COL["编号"], value=path)
        ws.cell(row=row, column=COL["分值来源"], value=item.provenance.label)
        ws.cell(row=row, column=COL["说明模板"], value=item.template)
        ws.cell(row=row, column=COL["满分说明模板"], value=item.template_full)
        ws.cell(row=row, column=COL["参考编号"], value=item.ref)
        if item.rule is not None:
            rule = item.rule.model_dump(mode="json")
            ws.cell(row=row, column=COL["规则类型"], value=rule.pop("kind"))
            ws.cell(row=row, column=COL["规则来源"], value=Provenance(rule.pop("provenance")).label)
            ws.cell(row=row, column=COL["规则来源说明"], value=rule.pop("note", None))
            ws.cell(row=row, column=COL["规则参数（JSON）"], value=_json(rule) if rule else None)
        for col in range(1, len(COLUMNS) + 1):
            cell = ws.cell(row=row, column=col)
            cell.border, cell.alignment = BORDER, WRAP
        if depth == 1:
            for col in range(1, len(COLUMNS) + 1):
                ws.cell(row=row, column=col).font = BOLD
    last = max(row, HEADER_ROW + 1) + 200
    kinds = f"{get_column_letter(COL['规则类型'])}{HEADER_ROW + 1}:{get_column_letter(COL['规则类型'])}{last}"
    _list_validation(ws, list(RULE_KINDS), kinds, "有下级指标的行留空或填 sum")
    for name in ("规则来源", "分值来源"):
        letter = get_column_letter(COL[name])
        _list_validation(ws, list(PROVENANCE_BY_LABEL), f"{letter}{HEADER_ROW + 1}:{letter}{last}", "官方、样本、推断或假设")
    points = get_column_letter(COL["分值"])
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=False)
    dv.error, dv.errorTitle = "分值应为不小于0的数", "分值无效"
    dv.add(f"{points}{HEADER_ROW + 1}:{points}{last}")
    ws.add_data_validation(dv)


def _figures_sheet(ws: Worksheet, framework: Framework) -> None:
    _header(ws, 1, FIGURE_COLUMNS, [22, 30, 46, 10, 10, 40, 60, 10])
    row = 1
    for program in framework.programs:
        for spec in program.figures:
            row += 1
            data = spec.model_dump(mode="json")
            values = [program.id, spec.id, spec.label, spec.unit, spec.kind, spec.description,
                      _json(data["aggregation"]) if spec.aggregation != FigureSpec.model_fields["aggregation"].default else None,
                      YES if spec.allow_not_applicable else NO]
            for col, value in enumerate(values, start=1):
                ws.cell(row=row, column=col, value=value).border = BORDER
    _list_validation(ws, ["amount", "count", "quantity", "percent"], f"E2:E{row + 200}", "amount 金额、count 个数、quantity 数量、percent 百分比")
    _list_validation(ws, [YES, NO], f"H2:H{row + 200}", "是否允许填“不适用”")


def _appendix_sheet(ws: Worksheet, appendix: Appendix) -> None:
    _header(ws, 1, ["序号", "工作表", "定义（JSON）"], [8, 30, 120])
    for row, table in enumerate(appendix.tables, start=2):
        ws.cell(row=row, column=1, value=table.number)
        ws.cell(row=row, column=2, value=table.sheet)
        ws.cell(row=row, column=3, value=_json(table.model_dump(mode="json")))


# --- import -----------------------------------------------------------------------------------


@dataclass
class _Reader:
    """Collects problems with sheet and cell while the workbook is read."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, sheet: str, cell: str, message: str, code: str = LoadCode.FIELD_INVALID) -> None:
        self.problems.append(Problem(code, Severity.error, message, Where(file=self.file, sheet=sheet, cell=cell)))

    def located(self, problems: list[Problem], cells: list[tuple[str, str]]) -> None:
        """Problems whose ``line`` is an index into ``cells`` (see :func:`_indexer`)."""
        for p in problems:
            sheet, cell = cells[p.where.line] if 0 <= p.where.line < len(cells) else cells[0]
            self.problems.append(replace(p, where=Where(file=self.file, sheet=sheet, cell=cell)))


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _indexer(cells: list[tuple[str, str]], resolve: Callable[[tuple[int | str, ...]], tuple[str, str]]) -> Callable[[tuple[int | str, ...]], int]:
    """A ``line_of`` for :func:`pydantic_problems` that returns an index into ``cells``."""
    def line_of(loc: tuple[int | str, ...]) -> int:
        cells.append(resolve(loc))
        return len(cells) - 1
    return line_of


def _plain_data(value: Any) -> Any:
    """Model dump (python mode) with enums as their values, for YAML."""
    if isinstance(value, dict):
        return {k: _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


@dataclass
class _ProgramRows:
    sheet: str
    data: dict[str, Any]
    item_rows: dict[tuple[int | str, ...], tuple[int, int]] = field(default_factory=dict)
    """Location of an item in ``data`` → (row, depth)."""
    figure_rows: list[int] = field(default_factory=list)

    def cell(self, loc: tuple[int | str, ...]) -> tuple[str, str]:
        if not loc or loc[0] in ("id", "label", "points"):
            row = {"id": 1, "label": 2, "points": 3}.get(str(loc[0]) if loc else "points", 3)
            return self.sheet, f"B{row}"
        if loc[0] in ("identities", "plausibility", "grading"):
            return self.sheet, "B4"
        if loc[0] == "figures":
            index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
            rows = self.figure_rows
            row = rows[index] if index < len(rows) else (rows[-1] if rows else 1)
            column = {"id": "B", "label": "C", "unit": "D", "kind": "E", "description": "F", "aggregation": "G",
                      "allow_not_applicable": "H"}.get(str(next(iter(loc[2:3]), "")), "B")
            return FIGURES_SHEET, f"{column}{row}"
        for cut in range(len(loc), 0, -1):
            found = self.item_rows.get(loc[:cut])
            if found is None:
                continue
            row, depth = found
            rest = loc[cut:]
            name = "编号"
            if rest and rest[0] == "rule":
                name = RULE_FIELD_COLUMN.get(str(rest[1]), "规则参数（JSON）") if len(rest) > 1 else "规则参数（JSON）"
            elif rest and rest[0] == "label":
                return self.sheet, f"{get_column_letter(min(depth, 3))}{row}"
            elif rest:
                name = FIELD_COLUMN.get(str(rest[0]), "编号")
            return self.sheet, f"{get_column_letter(COL[name])}{row}"
        return self.sheet, f"{get_column_letter(COL['编号'])}{HEADER_ROW + 1}"


def _read_program(ws: Worksheet, reader: _Reader) -> _ProgramRows | None:
    sheet = ws.title
    header = [_text(ws.cell(row=HEADER_ROW, column=c).value) for c in range(1, len(COLUMNS) + 1)]
    if header != COLUMNS:
        reader.problem(sheet, f"A{HEADER_ROW}", f"第{HEADER_ROW}行应为表头：{'、'.join(COLUMNS)}（请用 anju framework export 导出的表格填写）")
        return None
    points = _decimal(ws["B3"].value)
    if points is None:
        reader.problem(sheet, "B3", "满分应为数字")
    extra: dict[str, Any] = {}
    extra_text = _text(ws["B4"].value)
    if extra_text:
        try:
            parsed = json.loads(extra_text)
        except json.JSONDecodeError as exc:
            reader.problem(sheet, "B4", f"其他设置不是有效的 JSON（第{exc.colno}个字符附近）")
        else:
            if isinstance(parsed, dict):
                extra = parsed
            else:
                reader.problem(sheet, "B4", "其他设置应为 JSON 对象（{…}）")
    data: dict[str, Any] = {"id": _text(ws["B1"].value), "label": _text(ws["B2"].value), "points": points,
                            "figures": [], "dimensions": [], **extra}
    rows = _ProgramRows(sheet, data)
    nodes: dict[str, tuple[dict[str, Any], tuple[int | str, ...]]] = {}
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        values = {name: ws.cell(row=row, column=COL[name]).value for name in COLUMNS}
        if all(_text(v) is None for v in values.values()):
            continue
        _read_row(values, row, rows, nodes, reader)
    return rows


def _read_row(values: Mapping[str, object], row: int, rows: _ProgramRows,
              nodes: dict[str, tuple[dict[str, Any], tuple[int | str, ...]]], reader: _Reader) -> None:
    """One indicator row into the program's tree (its parent is an earlier row)."""
    sheet, data = rows.sheet, rows.data
    path = _text(values["编号"])
    at = f"{get_column_letter(COL['编号'])}{row}"
    if path is None or not PATH_RE.match(path):
        reader.problem(sheet, at, f"编号“{path or ''}”无效：应为小写英文编号，用“.”连接上级（如 fund_management.fund_raising）")
        return
    if path in nodes:
        reader.problem(sheet, at, f"编号“{path}”重复")
        return
    parent_path, _, own_id = path.rpartition(".")
    depth = path.count(".") + 1
    label = _text(values[COLUMNS[min(depth, 3) - 1]])
    if label is None:
        reader.problem(sheet, f"{get_column_letter(min(depth, 3))}{row}", f"指标“{path}”缺少名称（第{depth}级填在“{COLUMNS[min(depth, 3) - 1]}”列）")
    item: dict[str, Any] = {"id": own_id, "label": label or own_id}
    item_points = _decimal(values["分值"])
    if item_points is None:
        reader.problem(sheet, f"{get_column_letter(COL['分值'])}{row}", f"“{label or path}”的分值应为数字")
    item["points"] = item_points if item_points is not None else Decimal(0)
    for key, name in (("note", "指标说明"), ("template", "说明模板"), ("template_full", "满分说明模板"), ("ref", "参考编号")):
        text = _text(values[name])
        if text is not None:
            item[key] = text
    item["provenance"] = _provenance(values["分值来源"], reader, sheet, f"{get_column_letter(COL['分值来源'])}{row}")
    rule = _rule(values, row, reader, sheet, label or path)
    if rule is not None:
        item["rule"] = rule
    criteria = _text(values["评分标准/评分要点"])
    if criteria is not None:
        item["_criteria"] = criteria
    if parent_path:
        parent = nodes.get(parent_path)
        if parent is None:
            reader.problem(sheet, at, f"编号“{path}”的上级“{parent_path}”不在它之前的行中")
            return
        siblings = parent[0].setdefault("children", [])
        loc: tuple[int | str, ...] = (*parent[1], "children", len(siblings))
    else:
        siblings = data["dimensions"]
        loc = ("dimensions", len(siblings))
    siblings.append(item)
    nodes[path] = (item, loc)
    rows.item_rows[loc] = (row, depth)


def _provenance(value: object, reader: _Reader, sheet: str, cell: str) -> str:
    text = _text(value)
    if text is None:
        return Provenance.assumed.value
    if text in PROVENANCE_BY_LABEL:
        return PROVENANCE_BY_LABEL[text].value
    if text in {p.value for p in Provenance}:
        return text
    reader.problem(sheet, cell, f"来源“{text}”无效（可填：{'、'.join(PROVENANCE_BY_LABEL)}）")
    return Provenance.assumed.value


def _rule(values: Mapping[str, object], row: int, reader: _Reader, sheet: str, name: str) -> dict[str, Any] | None:
    kind = _text(values["规则类型"])
    params = _text(values["规则参数（JSON）"])
    if kind is None:
        if params is not None:
            reader.problem(sheet, f"{get_column_letter(COL['规则类型'])}{row}", f"“{name}”给出了规则参数但没有规则类型")
        return None
    if kind not in RULE_KINDS:
        known = "、".join(f"{k}（{v}）" for k, v in RULE_KIND_LABELS.items())
        reader.problem(sheet, f"{get_column_letter(COL['规则类型'])}{row}", f"“{name}”的规则类型“{kind}”未知（可用：{known}）",
                       LoadCode.REFERENCE_UNKNOWN)
        return None
    rule: dict[str, Any] = {"kind": kind}
    if params is not None:
        try:
            parsed = json.loads(params)
        except json.JSONDecodeError as exc:
            reader.problem(sheet, f"{get_column_letter(COL['规则参数（JSON）'])}{row}",
                           f"“{name}”的规则参数不是有效的 JSON（第{exc.colno}个字符附近）")
            return None
        if not isinstance(parsed, dict):
            reader.problem(sheet, f"{get_column_letter(COL['规则参数（JSON）'])}{row}", f"“{name}”的规则参数应为 JSON 对象（{{…}}）")
            return None
        rule.update(parsed)
    rule["provenance"] = _provenance(values["规则来源"], reader, sheet, f"{get_column_letter(COL['规则来源'])}{row}")
    note = _text(values["规则来源说明"])
    if note is not None:
        rule["note"] = note
    return rule


def _read_figures(ws: Worksheet, programs: dict[str, _ProgramRows], reader: _Reader) -> None:
    header = [_text(ws.cell(row=1, column=c).value) for c in range(1, len(FIGURE_COLUMNS) + 1)]
    if header != FIGURE_COLUMNS:
        reader.problem(FIGURES_SHEET, "A1", f"第1行应为表头：{'、'.join(FIGURE_COLUMNS)}")
        return
    for row in range(2, ws.max_row + 1):
        values = [ws.cell(row=row, column=c).value for c in range(1, len(FIGURE_COLUMNS) + 1)]
        if all(_text(v) is None for v in values):
            continue
        record = dict(zip(FIGURE_FIELDS, values, strict=True))
        program = programs.get(_text(record["program"]) or "")
        if program is None:
            reader.problem(FIGURES_SHEET, f"A{row}", f"项目编号“{_text(record['program']) or ''}”不是任何项目工作表的项目编号",
                           LoadCode.REFERENCE_UNKNOWN)
            continue
        spec: dict[str, Any] = {k: _text(record[k]) for k in ("id", "label", "unit", "kind")}
        description = _text(record["description"])
        if description is not None:
            spec["description"] = description
        aggregation = _text(record["aggregation"])
        if aggregation is not None:
            try:
                spec["aggregation"] = json.loads(aggregation)
            except json.JSONDecodeError:
                reader.problem(FIGURES_SHEET, f"G{row}", "汇总方式不是有效的 JSON")
        flag = _text(record["allow_not_applicable"])
        if flag not in (None, YES, NO):
            reader.problem(FIGURES_SHEET, f"H{row}", f"“可填不适用”应为“是”或“否”，而不是“{flag}”")
        spec["allow_not_applicable"] = flag == YES
        program.data["figures"].append(spec)
        program.figure_rows.append(row)


def _meta_value(key: str, value: object, cell: str, reader: _Reader) -> object:
    """One metadata cell's value for the framework (None: leave the field out)."""
    if key == "grade_bands_provenance":
        return _provenance(value, reader, META_SHEET, cell)
    text = _text(value)
    if key in {"mappings", "rounding"} and text is not None:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            what = "数据项对应关系" if key == "mappings" else "按比例计分保留位数"
            reader.problem(META_SHEET, cell, f"{what}不是有效的 JSON（第{exc.colno}个字符附近）")
            return None
    if key == "year":
        year = _decimal(value)
        if year is None or year != year.to_integral_value():
            reader.problem(META_SHEET, cell, "年度应为整数（如 2024）")
            return None
        return int(year)
    if text is None:
        return None
    return value if isinstance(value, str) and key != "id" else text


def _read_meta(ws: Worksheet, reader: _Reader) -> tuple[dict[str, Any], dict[int, int]]:
    data: dict[str, Any] = {}
    for row, (key, label) in enumerate(META_FIELDS, start=2):
        if _text(ws.cell(row=row, column=1).value) != label:
            reader.problem(META_SHEET, f"A{row}", f"应为“{label}”（请用 anju framework export 导出的表格填写）")
            continue
        value = _meta_value(key, ws.cell(row=row, column=2).value, f"B{row}", reader)
        if value is not None:
            data[key] = value
    bands: list[dict[str, Any]] = []
    band_rows: dict[int, int] = {}
    for row in range(BAND_ROW + 1, ws.max_row + 1):
        band_label, condition, bound = (ws.cell(row=row, column=c).value for c in (1, 2, 3))
        if _text(band_label) is None and _text(condition) is None and bound is None:
            continue
        condition_text = _text(condition) or ""
        if condition_text not in BAND_CONDITIONS:
            reader.problem(META_SHEET, f"B{row}", f"等级条件“{condition_text}”无效（可填：≥、>、其余）")
            continue
        band: dict[str, Any] = {"label": _text(band_label)}
        band_key = BAND_CONDITIONS[condition_text]
        if band_key is not None:
            number = _decimal(bound)
            if number is None:
                reader.problem(META_SHEET, f"C{row}", f"等级“{_text(band_label) or ''}”的分数线应为数字")
                continue
            band[band_key] = number
        elif bound is not None:
            reader.problem(META_SHEET, f"C{row}", "条件为“其余”的等级不填分数线")
        band_rows[len(bands)] = row
        bands.append(band)
    data["grade_bands"] = bands
    return data, band_rows


def _read_appendix(ws: Worksheet, reader: _Reader) -> tuple[list[Any], list[int]]:
    tables: list[Any] = []
    rows: list[int] = []
    for row in range(2, ws.max_row + 1):
        text = _text(ws.cell(row=row, column=3).value)
        if text is None:
            continue
        try:
            tables.append(json.loads(text))
            rows.append(row)
        except json.JSONDecodeError as exc:
            reader.problem(APPENDIX_SHEET, f"C{row}", f"附件统计表定义不是有效的 JSON（第{exc.colno}个字符附近）")
    return tables, rows


def _program_model(rows: _ProgramRows, reader: _Reader) -> Program | None:
    criteria: dict[tuple[int | str, ...], str] = {}
    for loc in rows.item_rows:
        node: Any = rows.data
        for key in loc:
            node = node[key]
        text = node.pop("_criteria", None)
        if text is not None:
            criteria[loc] = text
    cells: list[tuple[str, str]] = []
    try:
        program = Program.model_validate(rows.data)
    except ValidationError as exc:
        doc = YamlDocument(rows.sheet, rows.data, None)
        reader.located(pydantic_problems(exc, doc, _indexer(cells, rows.cell)), cells)
        return None
    located = [(loc, msg, LoadCode.INCONSISTENT) for loc, msg in program_problems(program)]
    located += soundness_problems(program)
    for loc, message, code in located:
        sheet, cell = rows.cell(loc)
        reader.problem(sheet, cell, message, code)
    if located:
        return None
    return _with_criteria(program, criteria)


def _with_criteria(program: Program, criteria: dict[tuple[int | str, ...], str]) -> Program:
    """Keep a typed 评分标准 only where it says something the rule's description does not."""
    def visit(items: list[Item], loc: tuple[int | str, ...]) -> list[Item]:
        out: list[Item] = []
        for index, item in enumerate(items):
            here = (*loc, index)
            children = visit(item.children, (*here, "children"))
            text = criteria.get(here)
            generated = describe_rule(item) if item.rule else None
            kept = text if text is not None and text != generated else None
            out.append(item.model_copy(update={"children": children, "criteria": kept}))
        return out
    dimensions = visit(program.dimensions, ("dimensions",))
    return Program.model_validate({**program.model_dump(), "dimensions": [d.model_dump() for d in dimensions]})


def _open(path: Path) -> Any:
    try:
        return load_workbook(path, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise TableError([Problem(LoadCode.FIELD_INVALID, Severity.error, "不是有效的 Excel 工作簿（.xlsx）",
                                  Where(file=path.name))]) from None


def _read_programs(wb: Any, reader: _Reader) -> dict[str, _ProgramRows]:
    programs: dict[str, _ProgramRows] = {}
    for ws in wb.worksheets:
        if ws.title in SPECIAL_SHEETS:
            continue
        rows = _read_program(ws, reader)
        if rows is None:
            continue
        program_id = rows.data.get("id") or ""
        if program_id in programs:
            reader.problem(ws.title, "B1", f"项目编号“{program_id}”与工作表“{programs[program_id].sheet}”重复")
            continue
        programs[program_id] = rows
    if not programs:
        reader.problem(README_SHEET, "A1", "没有任何项目工作表")
    return programs


@dataclass(frozen=True)
class _MetaCells:
    """Where a framework-level location is in the workbook (指标体系 and 附件统计表 sheets)."""

    band_rows: dict[int, int]
    table_rows: list[int]

    def __call__(self, loc: tuple[int | str, ...]) -> tuple[str, str]:
        head, index, attr = [*loc, "", 0, ""][:3]
        if head == "grade_bands":
            row = self.band_rows.get(index if isinstance(index, int) else 0, BAND_ROW)
            return META_SHEET, f"{'C' if attr in ('at_least', 'above') else 'A'}{row}"
        if head == "appendix":
            table = next(iter(loc[2:3]), 0)
            number = table if isinstance(table, int) else 0
            return APPENDIX_SHEET, f"C{self.table_rows[number] if number < len(self.table_rows) else 2}"
        keys = [k for k, _ in META_FIELDS]
        return META_SHEET, f"B{keys.index(str(head)) + 2 if head in keys else 2}"


def read_workbook(path: Path) -> Framework:
    """The framework an indicator table declares; :class:`TableError` lists every problem by cell."""
    reader = _Reader(path.name)
    wb = _open(path)
    for name in (META_SHEET, FIGURES_SHEET, APPENDIX_SHEET):
        if name not in wb.sheetnames:
            reader.problem(name, "A1", f"缺少工作表“{name}”（请用 anju framework export 导出的表格填写）", LoadCode.FILE_MISSING)
    if reader.problems:
        raise TableError(reader.problems)
    meta, band_rows = _read_meta(wb[META_SHEET], reader)
    programs = _read_programs(wb, reader)
    _read_figures(wb[FIGURES_SHEET], programs, reader)
    tables, table_rows = _read_appendix(wb[APPENDIX_SHEET], reader)
    if reader.problems:
        raise TableError(reader.problems)
    models = [_program_model(rows, reader) for rows in programs.values()]
    if reader.problems:
        raise TableError(reader.problems)
    meta_cell = _MetaCells(band_rows, table_rows)
    cells: list[tuple[str, str]] = []
    try:
        appendix = Appendix(tables=[AppendixTable.model_validate(t) for t in tables])
        framework = Framework.model_validate({**meta, "programs": [m for m in models if m is not None], "appendix": appendix})
    except ValidationError as exc:
        doc = YamlDocument(META_SHEET, {**meta, "appendix": {"tables": tables}}, None)
        reader.located(pydantic_problems(exc, doc, _indexer(cells, meta_cell)), cells)
        raise TableError(reader.problems) from None
    for loc, message, code in grade_band_problems(framework):
        reader.problem(*meta_cell(loc), message, code)
    for loc, message, code in appendix_problems(framework.appendix, framework):
        reader.problem(*meta_cell(("appendix", "tables", *loc)), message, code)
    if reader.problems:
        raise TableError(reader.problems)
    return framework


def _band_data(band: GradeBand) -> dict[str, Any]:
    return _plain_data(band.model_dump(exclude_none=True))  # type: ignore[no-any-return]


def framework_files(framework: Framework) -> dict[str, str]:
    """The YAML files of a framework directory (framework.yaml, one file per program, appendix.yaml)."""
    files: dict[str, str] = {}
    names = [f"{program.id}.yaml" for program in framework.programs]
    root: dict[str, Any] = {"id": framework.id, "year": framework.year, "label": framework.label}
    for key in ("source", "provenance_note", "grade_scheme"):
        value = getattr(framework, key)
        if value is not None:
            root[key] = value
    root["grade_bands"] = [_band_data(b) for b in framework.grade_bands]
    root["grade_bands_provenance"] = framework.grade_bands_provenance.value
    root["rounding"] = _plain_data(framework.rounding.model_dump(mode="json", exclude_none=True))
    root["programs"] = names
    root["appendix"] = "appendix.yaml"
    mapping_names = [f"mapping-{m.from_framework}.yaml" for m in framework.mappings]
    if mapping_names:
        root["mappings"] = mapping_names
    files["framework.yaml"] = dump_yaml(root, header=f"{framework.label}\n由 anju framework import 从 Excel 指标表生成；改后运行 anju framework check 校验。")
    for name, program in zip(names, framework.programs, strict=True):
        files[name] = dump_yaml(_plain_data(program.model_dump(exclude_defaults=True)), header=program.label)
    for name, mapping in zip(mapping_names, framework.mappings, strict=True):
        files[name] = dump_yaml(_plain_data(mapping.model_dump(by_alias=True, exclude_defaults=True)), header="数据项对应关系")
    files["appendix.yaml"] = dump_yaml(_plain_data(framework.appendix.model_dump(exclude_defaults=True)), header="附件统计表")
    return files


def write_framework_dir(framework: Framework, directory: Path) -> Framework:
    """Write the framework's YAML files into ``directory`` (new or empty) as a set, then load them
    back as a check; returns the loaded framework (its digest equals ``framework.digest``)."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise TableError([Problem(LoadCode.FIELD_INVALID, Severity.error, f"输出目录“{directory}”已存在且不为空：请指定新目录",
                                  Where(file=str(directory)))])
    make_dirs(directory.parent if directory.parent != Path("") else Path("."))
    staging = Path(tempfile.mkdtemp(prefix=".anju-import-", dir=directory.parent or Path(".")))
    try:
        for name, text in framework_files(framework).items():
            write_text(staging / name, text)
        loaded = load_framework(staging)
        if loaded.digest != framework.digest:
            raise RuntimeError("导入结果与 Excel 指标表不一致（内部错误）")
        if directory.exists():
            directory.rmdir()
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return load_framework(directory)


def workbook_items(framework: Framework) -> Iterator[tuple[str, str, Item]]:
    """(sheet, path, item) of every indicator row, in workbook order (for tests and tools)."""
    taken = set(SPECIAL_SHEETS)
    for program in framework.programs:
        sheet = sheet_title(program.label, taken)
        for path, item in program.items():
            yield sheet, path, item
