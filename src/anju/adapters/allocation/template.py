"""Write the allocation inputs workbook (openpyxl): a sheet of basic information, one of
coefficients and scores, one per program of factor quantities, instructions and hidden metadata.

Input cells are yellow and unlocked, everything else locked (sheet and workbook structure
protection, against slips, not as security); every input cell has data validation. A template can be
pre-filled from resolved inputs (quantities taken from units' reports, scores from evaluations), for
the allocator to check and adjust.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from anju.adapters.allocation.layout import (
    BASIC_SHEET,
    CODE_COL,
    DIFFICULTY_KEY,
    FIRST_ROW,
    GUIDE_SHEET,
    HEADER_ROW,
    META_SHEET,
    NAME_COL,
    NOTE_ROW,
    SCORE_BASIS_TEXT,
    SCORE_PREFIX,
    TITLE_ROW,
    BasicRow,
    Column,
    InputsLayout,
    RegionSheet,
    build_layout,
)
from anju.adapters.excel.styles import (
    BOLD,
    BORDER,
    GREY,
    HEADER_FILL,
    INPUT_FILL,
    TITLE_FONT,
    UNLOCKED,
    WRAP,
)
from anju.allocation.engine import RegionData
from anju.allocation.inputs import LEVEL_LABELS, AllocationInputs
from anju.allocation.models import FactorMethod
from anju.allocation.rounding import TIE_BREAK

NUMBER_FORMATS = {"count": "#,##0", "quantity": "#,##0.00", "coefficient": "0.0000", "score": "0.00", "amount": "#,##0.00"}
SCORE_MAX = 100
COEFFICIENT_MAX = 10


def write_inputs_template(
    method: FactorMethod,
    target: Path,
    *,
    level: str,
    region: str,
    year: int,
    regions: Sequence[tuple[str, str]],
    values: AllocationInputs | None = None,
    prefill: Sequence[RegionData] = (),
) -> InputsLayout:
    """Write the workbook for ``regions`` (code, name); ``values`` and ``prefill`` fill it in."""
    layout = build_layout(method, level, region, year, tuple(regions))
    book = Workbook()
    guide = book.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    _guide(guide, method, layout)
    _basic(book.create_sheet(BASIC_SHEET), method, layout, values)
    filled = {r.code: r for r in prefill}
    for sheet in layout.sheets:
        _region_sheet(book.create_sheet(sheet.name), method, layout, sheet, filled)
    _meta(book.create_sheet(META_SHEET), layout)
    book.active = 1
    book.security = WorkbookProtection(lockStructure=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    book.save(partial)
    partial.replace(target)
    return layout


def _protect(ws: Worksheet) -> None:
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _guide(ws: Worksheet, method: FactorMethod, layout: InputsLayout) -> None:
    level = LEVEL_LABELS[layout.level]
    lines: list[tuple[str, Font | None]] = [
        (f"{layout.year}年中央财政城镇保障性安居工程补助资金分配测算输入表（{level}）", TITLE_FONT),
        ("", None),
        ("一、填写说明", BOLD),
        ("1. 只填黄色底色的单元格；其他单元格已锁定，请勿插入或删除行列，也不要增删、重命名工作表。", None),
        ("2. “基本信息”表填写各项目下达金额（万元）；“系数与得分”表逐地区填写财政困难程度系数（大于0，最多四位小数）"
         "和上年绩效评价得分（0—100分，最多两位小数；没有得分的留空）。", None),
        ("3. 各项目工作表逐地区填写分配因素（任务量）：套、户、栋、个等填非负整数，面积最多两位小数；"
         "没有任务的填 0，不得留空。", None),
        ("4. 单元格中直接填数值，不要填文字或公式；出现公式错误的表格将被拒收。", None),
        ("", None),
        ("二、分配办法", BOLD),
        (method.label, None),
        (f"取舍：{method.rounding.describe()}；{TIE_BREAK}。", None),
        ("", None),
        ("三、模板信息", BOLD),
        (f"分配办法：{method.id}　格式版本：{layout.meta()['format']}　校验码：{layout.checksum}", GREY),
    ]
    for index, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=index, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
    ws.column_dimensions["A"].width = 100
    _protect(ws)


def _basic_value(row: BasicRow, values: AllocationInputs | None) -> str | int | float | None:
    if values is None:
        return None
    if row.key.startswith("amount:"):
        amount = values.amounts.get(row.key.removeprefix("amount:"))
        return _number(amount)
    if row.key == "score_basis":
        return SCORE_BASIS_TEXT[values.score_basis]
    value: str | int | None = getattr(values, row.key)
    return value


def _basic(ws: Worksheet, method: FactorMethod, layout: InputsLayout, values: AllocationInputs | None) -> None:
    ws.cell(row=TITLE_ROW, column=1, value=f"基本信息（{layout.year}年，{LEVEL_LABELS[layout.level]}分配）").font = TITLE_FONT
    ws.cell(row=NOTE_ROW, column=1, value="黄色单元格为填写项；下达金额单位为万元。").font = GREY
    for col, title in enumerate(("项目", "填写值", "单位", "编号"), start=1):
        header = ws.cell(row=HEADER_ROW, column=col, value=title)
        header.font = BOLD
        header.fill = HEADER_FILL
        header.border = BORDER
    for row in layout.basic:
        ws.cell(row=row.row, column=1, value=row.label).border = BORDER
        cell = ws.cell(row=row.row, column=2, value=_basic_value(row, values))
        cell.fill = INPUT_FILL
        cell.protection = UNLOCKED
        cell.border = BORDER
        ws.cell(row=row.row, column=3, value=row.unit).border = BORDER
        ws.cell(row=row.row, column=4, value=row.key).font = GREY
        if row.key.startswith("amount:"):
            cell.number_format = NUMBER_FORMATS["amount"]
            _validate(ws, cell.coordinate, DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                                          showErrorMessage=True, error="下达金额应为非负数（万元）"))
        elif row.key == "score_basis":
            options = ",".join(SCORE_BASIS_TEXT.values())
            _validate(ws, cell.coordinate, DataValidation(type="list", formula1=f'"{options}"', showErrorMessage=True,
                                                          error=f"请选择：{options}"))
        elif row.key == "scores_year":
            _validate(ws, cell.coordinate, DataValidation(type="whole", operator="between", formula1="2000", formula2="2100",
                                                          showErrorMessage=True, error="请填写四位年份，如 2022"))
    for letter, width in {"A": 30, "B": 40, "C": 20, "D": 22}.items():
        ws.column_dimensions[letter].width = width
    _protect(ws)


def _validate(ws: Worksheet, ref: str, dv: DataValidation) -> None:
    dv.allow_blank = True
    ws.add_data_validation(dv)
    dv.add(ref)


def _column_validation(column: Column) -> DataValidation:
    if column.kind == "count":
        return DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True,
                              error=f"{column.label}应为非负整数（{column.unit}）")
    if column.kind == "score":
        return DataValidation(type="decimal", operator="between", formula1="0", formula2=str(SCORE_MAX),
                              showErrorMessage=True, error="得分应在0—100分之间")
    if column.kind == "coefficient":
        return DataValidation(type="decimal", operator="between", formula1="0.0001", formula2=str(COEFFICIENT_MAX),
                              showErrorMessage=True, error="财政困难程度系数应大于0")
    return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", showErrorMessage=True,
                          error=f"{column.label}应为非负数（{column.unit}）")


def _region_sheet(ws: Worksheet, method: FactorMethod, layout: InputsLayout, sheet: RegionSheet,
                  filled: dict[str, RegionData]) -> None:
    title = method.program(sheet.program).label if sheet.program else "财政困难程度系数与上年绩效评价得分"
    ws.cell(row=TITLE_ROW, column=1, value=f"{title}（{layout.year}年分配）").font = TITLE_FONT
    ws.cell(row=NOTE_ROW, column=1, value="黄色单元格为填写项；代码和地区名称请勿修改。").font = GREY
    headers = ["序号", "行政区划代码", "地区", *(c.header for c in sheet.columns)]
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=text)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = WRAP
    last = FIRST_ROW + len(layout.regions) - 1
    for column in sheet.columns:
        dv = _column_validation(column)
        _validate(ws, f"{column.letter}{FIRST_ROW}:{column.letter}{last}", dv)
    for offset, (code, name) in enumerate(layout.regions):
        row = FIRST_ROW + offset
        ws.cell(row=row, column=1, value=offset + 1).border = BORDER
        ws[f"{CODE_COL}{row}"] = code
        ws[f"{NAME_COL}{row}"] = name
        ws[f"{CODE_COL}{row}"].border = BORDER
        ws[f"{NAME_COL}{row}"].border = BORDER
        data = filled.get(code)
        for column in sheet.columns:
            cell = ws[f"{column.letter}{row}"]
            cell.fill = INPUT_FILL
            cell.protection = UNLOCKED
            cell.border = BORDER
            cell.number_format = NUMBER_FORMATS[column.kind]
            if data is not None:
                cell.value = _number(_prefill(data, sheet, column))
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions[CODE_COL].width = 14
    ws.column_dimensions[NAME_COL].width = 22
    for column in sheet.columns:
        ws.column_dimensions[column.letter].width = 18
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = f"D{FIRST_ROW}"
    _protect(ws)


def _prefill(data: RegionData, sheet: RegionSheet, column: Column) -> Decimal | None:
    if sheet.program is not None:
        return data.quantities.get(sheet.program, {}).get(column.key)
    if column.key == DIFFICULTY_KEY:
        return data.fiscal_difficulty
    return data.scores.get(column.key.removeprefix(SCORE_PREFIX))


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)  # the file boundary


def _meta(ws: Worksheet, layout: InputsLayout) -> None:
    for index, (key, value) in enumerate(layout.meta().items(), start=1):
        ws.cell(row=index, column=1, value=key)
        ws.cell(row=index, column=2, value=value)
    ws.sheet_state = "veryHidden"
    _protect(ws)
