"""Read a filled allocation inputs workbook back, strictly, like the unit workbooks: all or nothing.

The bytes are inspected first (:mod:`anju.adapters.excel.package`: size, what the file really is,
encryption, macros, zip bombs, formula-error cells). Then the hidden metadata must match the layout
anju builds today for that method, level, province, year and region list (method hash and a checksum
over the layout), every code and header must be where it was, and every value is read with its
limits — quantities by the one value reader (:func:`anju.collect.entry.read_value`), amounts to the
method's unit, coefficients above 0, scores 0–100. Every problem names the file, the sheet and the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import python_calamine
from pydantic import ValidationError

from anju.adapters.allocation.layout import (
    BASIC_ID_COL,
    BASIC_SHEET,
    CODE_COL,
    DIFFICULTY_KEY,
    FIRST_ROW,
    HEADER_ROW,
    META_SHEET,
    NAME_COL,
    SCORE_BASIS_TEXT,
    SCORE_PREFIX,
    TEMPLATE_FORMAT,
    TEMPLATE_KIND,
    BasicRow,
    Column,
    InputsLayout,
    RegionSheet,
    build_layout,
)
from anju.adapters.excel.package import (
    NOT_COMPUTED,
    ImportLimits,
    PackageScan,
    Refused,
    check_extents,
    open_workbook,
)
from anju.allocation.inputs import AllocationInputs, InputsError
from anju.allocation.models import FactorMethod
from anju.collect.entry import EntryError, as_decimal, is_blank, normalized_text, read_value, shown
from anju.collect.rows import EntryRow
from anju.framework.models import FigureSpec
from anju.problems import EntryCode, ImportCode, Problem, Severity, Where

COEFFICIENT_PLACES = 4
SCORE_PLACES = 2
SCORE_MAX = Decimal(100)
YEAR_DIGITS = 4
META_COLUMNS = 2


class _Sheet:
    """A calamine sheet addressed by A1 references."""

    def __init__(self, rows: list[list[Any]]) -> None:
        self.rows = rows

    def get(self, col: str, row: int) -> Any:
        index = 0
        for ch in col:
            index = index * 26 + (ord(ch) - 64)
        if row - 1 >= len(self.rows):
            return ""
        values = self.rows[row - 1]
        return values[index - 1] if index - 1 < len(values) else ""


@dataclass
class _Reader:
    display: str
    scan: PackageScan
    problems: list[Problem] = field(default_factory=list)

    def problem(self, code: EntryCode | ImportCode, message: str, sheet: str | None = None, cell: str | None = None) -> None:
        self.problems.append(Problem(code, Severity.error, message, Where(file=self.display, sheet=sheet, cell=cell)))

    def formula_error(self, sheet: str, cell: str, label: str) -> bool:
        """An error cell or a formula without a cached value, reported; calamine reads both as blank."""
        for ref, code in self.scan.errors.get(sheet, []):
            if ref == cell:
                self.problem(EntryCode.FORMULA_ERROR, f"“{label}”为公式错误“{code}”：请改为直接填写数值", sheet, cell)
                return True
        if cell in self.scan.uncomputed(sheet):
            self.problem(EntryCode.FORMULA_NOT_COMPUTED, f"“{label}”{NOT_COMPUTED}", sheet, cell)
            return True
        return False

    def decimal(self, sheet: str, cell: str, raw: Any, label: str, places: int, *, positive: bool = False,
                maximum: Decimal | None = None) -> Decimal | None:
        """A number with at most ``places`` decimals, ≥ 0 (> 0 when ``positive``), ≤ ``maximum``."""
        value = as_decimal(raw)
        seen = shown(raw)
        if value is None:
            self.problem(EntryCode.NOT_A_NUMBER, f"“{label}”应为数值，实为“{seen}”", sheet, cell)
            return None
        if value < 0 or (positive and value == 0):
            bound = "大于0" if positive else "非负数"
            self.problem(EntryCode.NEGATIVE, f"“{label}”应为{bound}，实为“{seen}”", sheet, cell)
            return None
        if maximum is not None and value > maximum:
            self.problem(EntryCode.TOO_LARGE, f"“{label}”不能超过{maximum}，实为“{seen}”", sheet, cell)
            return None
        rounded = value.quantize(Decimal(1).scaleb(-places))
        if rounded != value:
            if isinstance(raw, float) and abs(rounded - value) < Decimal("1e-9"):
                value = rounded
            else:
                self.problem(EntryCode.TOO_MANY_DECIMALS, f"“{label}”最多保留{places}位小数，实为“{seen}”", sheet, cell)
                return None
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def import_inputs(path: Path, method: FactorMethod, display: str | None = None,
                  limits: ImportLimits | None = None) -> AllocationInputs:
    """Read one filled workbook into inputs; raises :class:`InputsError` with every problem."""
    name = display or path.name
    try:
        return _import(path, name, method, limits or ImportLimits())
    except Refused as refused:
        raise InputsError([refused.problem]) from None


def _import(path: Path, display: str, method: FactorMethod, limits: ImportLimits) -> AllocationInputs:
    _, scan, workbook = open_workbook(path, display, limits)
    if META_SHEET not in workbook.sheet_names:
        raise Refused(display, ImportCode.NOT_A_TEMPLATE, "不是本系统生成的分配测算输入表（缺少模板标识）：请用 anju allocate template 生成的表格填写")
    meta = _meta(_rows(workbook, META_SHEET, display))
    layout = _check_meta(meta, display, method)
    check_extents(scan, layout.extent, display)
    reader = _Reader(display, scan)
    missing = [s for s in [BASIC_SHEET, *(sheet.name for sheet in layout.sheets)] if s not in workbook.sheet_names]
    for sheet_name in missing:
        reader.problem(ImportCode.SHEET_MISSING, f"缺少工作表“{sheet_name}”：请勿删除或重命名工作表")
    if missing:
        raise InputsError(reader.problems)
    basic = _read_basic(reader, _Sheet(_rows(workbook, BASIC_SHEET, display)), layout, method)
    first_amount = next(row for row in layout.basic if row.key.startswith("amount:"))
    if not basic["amounts"] and not reader.problems:
        reader.problem(EntryCode.REQUIRED_BLANK, "各项目的下达金额都没有填写：至少填写一个项目（万元）", BASIC_SHEET, first_amount.cell)
    regions: dict[str, dict[str, Any]] = {code: {"name": name} for code, name in layout.regions}
    for sheet in layout.sheets:
        _read_region_sheet(reader, _Sheet(_rows(workbook, sheet.name, display)), layout, sheet, regions)
    if reader.problems:
        raise InputsError(reader.problems)
    payload = {
        **basic,
        "year": layout.year,
        "method": method.id,
        "level": layout.level,
        "region": layout.region or None,
        "regions": regions,
    }
    try:
        return AllocationInputs.model_validate(payload)
    except ValidationError as exc:  # pragma: no cover - every value was checked above
        raise InputsError([Problem(ImportCode.STRUCTURE_CHANGED, Severity.error, f"输入表内容不完整：{exc.errors()[0]['msg']}",
                                   Where(file=display))]) from None


def _rows(workbook: python_calamine.CalamineWorkbook, name: str, display: str) -> list[list[Any]]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # calamine's reasons are English and technical
        raise Refused(display, ImportCode.CORRUPT, "无法读取工作表：内容已损坏或不是 Excel 保存的格式，"
                                                   "请在 Excel 或 WPS 中打开并另存为 .xlsx 后提交", name) from None


def _meta(rows: list[list[Any]]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for row in rows:
        if len(row) >= META_COLUMNS and isinstance(row[0], str) and row[0]:
            value = row[1]
            meta[row[0]] = str(int(value)) if isinstance(value, float) and value == int(value) else str(value)
    return meta


def _check_meta(meta: dict[str, str], display: str, method: FactorMethod) -> InputsLayout:
    if meta.get("kind") != TEMPLATE_KIND:
        raise Refused(display, ImportCode.NOT_A_TEMPLATE, "这不是分配测算输入表（可能是市县填报表）：请用 anju allocate template 生成的表格")
    if meta.get("format") != TEMPLATE_FORMAT:
        raise Refused(display, ImportCode.TEMPLATE_OUTDATED, f"模板版本不符（本文件为第 {meta.get('format') or '?'} 版，当前为第 {TEMPLATE_FORMAT} 版）：请重新生成模板")
    if meta.get("method") != method.id:
        raise Refused(display, ImportCode.TEMPLATE_FOREIGN, f"模板按分配办法“{meta.get('method', '?')}”生成，与本次所用的“{method.id}”不符")
    codes = [c for c in meta.get("regions", "").split(",") if c]
    year = meta.get("year", "")
    if not year.isdigit() or len(year) != YEAR_DIGITS or not codes:
        raise Refused(display, ImportCode.TEMPLATE_ALTERED, "模板标识不完整（年度或地区列表缺失）：请重新生成模板")
    placeholder = tuple((code, "") for code in codes)
    layout = build_layout(method, meta.get("level", ""), meta.get("region", ""), int(year), placeholder)
    if meta.get("method_hash") != layout.method_hash:
        raise Refused(display, ImportCode.TEMPLATE_OUTDATED, "模板生成后分配办法已修改（因素或权重有变化），这是过期的模板：请重新生成模板")
    if meta.get("checksum") != layout.checksum:
        raise Refused(display, ImportCode.TEMPLATE_ALTERED, "模板标识或校验码与模板内容不符（模板被改动）：请重新生成模板填写")
    return layout


def _read_basic(reader: _Reader, ws: _Sheet, layout: InputsLayout, method: FactorMethod) -> dict[str, Any]:
    out: dict[str, Any] = {"amounts": {}}
    places = method.rounding.places
    for row in layout.basic:
        if normalized_text(ws.get(BASIC_ID_COL, row.row)) != row.key:
            reader.problem(ImportCode.STRUCTURE_CHANGED, f"第{row.row}行应为“{row.label}”：表格结构被改动，请用原模板填写",
                           BASIC_SHEET, f"{BASIC_ID_COL}{row.row}")
            return out
    for row in layout.basic:
        raw = ws.get("B", row.row)
        if reader.formula_error(BASIC_SHEET, row.cell, row.label):
            continue
        _basic_value(reader, row, raw, places, out)
    return out


def _basic_value(reader: _Reader, row: BasicRow, raw: Any, places: int, out: dict[str, Any]) -> None:
    text = normalized_text(raw)
    if row.key.startswith("amount:"):
        if is_blank(text):
            return
        value = reader.decimal(BASIC_SHEET, row.cell, raw, row.label, places)
        if value is not None:
            out["amounts"][row.key.removeprefix("amount:")] = value
    elif row.key == "score_basis":
        basis = {v: k for k, v in SCORE_BASIS_TEXT.items()}
        if text and text not in basis:
            reader.problem(EntryCode.ANSWER_INVALID, f"“得分口径”应选择“{'”或“'.join(basis)}”，实为“{text}”", BASIC_SHEET, row.cell)
        elif text:
            out["score_basis"] = basis[text]
    elif row.key == "scores_year":
        if text and not (text.isdigit() and len(text) == YEAR_DIGITS):
            reader.problem(EntryCode.NOT_A_NUMBER, f"“绩效评价年度”应为四位年份，实为“{text}”", BASIC_SHEET, row.cell)
        elif text:
            out["scores_year"] = int(text)
    elif text:
        out[row.key] = shown(raw)  # free text as typed: no full-width folding


def _read_region_sheet(reader: _Reader, ws: _Sheet, layout: InputsLayout, sheet: RegionSheet,
                       regions: dict[str, dict[str, Any]]) -> None:
    for column in sheet.columns:
        header = normalized_text(ws.get(column.letter, HEADER_ROW))
        if header != normalized_text(column.header):
            reader.problem(ImportCode.STRUCTURE_CHANGED, f"第{HEADER_ROW}行应为“{column.header}”，实为“{header}”：表格结构被改动，请用原模板填写",
                           sheet.name, f"{column.letter}{HEADER_ROW}")
            return
    for code, _ in layout.regions:
        row = layout.row_of(code)
        found = normalized_text(ws.get(CODE_COL, row))
        if found != code:
            reader.problem(ImportCode.STRUCTURE_CHANGED, f"第{row}行的行政区划代码应为“{code}”，实为“{found}”：请勿增删或调换行",
                           sheet.name, f"{CODE_COL}{row}")
            return
        name = normalized_text(ws.get(NAME_COL, row))
        if name and not regions[code].get("name"):
            regions[code]["name"] = name
        for column in sheet.columns:
            _cell_value(reader, ws, sheet, column, row=row, name=name or code, region=regions[code])
    extra = normalized_text(ws.get(CODE_COL, FIRST_ROW + len(layout.regions)))
    if extra:
        reader.problem(ImportCode.STRUCTURE_CHANGED, f"表格末尾多出一行（代码“{extra}”）：参与分配的地区由模板确定，请勿增行",
                       sheet.name, f"{CODE_COL}{FIRST_ROW + len(layout.regions)}")


def _cell_value(reader: _Reader, ws: _Sheet, sheet: RegionSheet, column: Column, *, row: int, name: str,
                region: dict[str, Any]) -> None:
    cell = f"{column.letter}{row}"
    label = f"{name}的{column.label}"
    if reader.formula_error(sheet.name, cell, label):
        return
    raw = ws.get(column.letter, row)
    if sheet.program is not None:
        spec = FigureSpec.model_validate({"id": column.key, "label": label, "unit": column.unit, "kind": column.kind})
        try:
            value = read_value(EntryRow(spec, question=False), raw)
        except EntryError as exc:
            reader.problem(exc.code, exc.message, sheet.name, cell)
            return
        if value is None:
            reader.problem(EntryCode.REQUIRED_BLANK, f"“{label}”未填写：没有任务的填 0", sheet.name, cell)
            return
        region.setdefault("quantities", {}).setdefault(sheet.program, {})[column.key] = value
        return
    if is_blank(normalized_text(raw)):
        return
    if column.key == DIFFICULTY_KEY:
        value = reader.decimal(sheet.name, cell, raw, label, COEFFICIENT_PLACES, positive=True)
        if value is not None:
            region["fiscal_difficulty"] = value
        return
    value = reader.decimal(sheet.name, cell, raw, label, SCORE_PLACES, maximum=SCORE_MAX)
    if value is not None:
        region.setdefault("scores", {})[column.key.removeprefix(SCORE_PREFIX)] = value

