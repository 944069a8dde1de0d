"""The appendix tables a framework declares (附件统计表): their checks at load, and what a renderer
reads off a declaration (a column's header and number kind, the 口径 notes).

A declaration names programs and figures; these functions resolve them against the framework,
so a renderer needs no knowledge of any year's figure ids or program labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from anju.framework.models import (
    APPENDIX_PLACEHOLDERS,
    PLACEHOLDER_RE,
    Appendix,
    AppendixTable,
    ColumnGroup,
    FigureColumn,
    Framework,
    RatioColumn,
    SumColumn,
)
from anju.problems import LoadCode

NumberKind = Literal["amount", "count", "quantity", "rate"]
"""How a cell's number is shown: 万元 with two decimals, whole units, measured quantities, or a rate."""
SHEET_NAME_LIMIT = 31
"""Excel's longest worksheet name."""
SHEET_NAME_FORBIDDEN = "[]:*?/\\"

Loc = tuple[int | str, ...]
Located = list[tuple[Loc, str, LoadCode]]
"""Problems as (location inside the appendix declaration, Chinese message, code)."""


# --- what a renderer reads ------------------------------------------------------------------


def column_header(framework: Framework, column: FigureColumn | SumColumn | RatioColumn) -> str:
    """A column's label, or for a figure column without one its program's label."""
    if column.label is None and isinstance(column, FigureColumn):
        return framework.program(column.program).label
    return column.label or ""


def group_header(framework: Framework, group: ColumnGroup) -> str | None:
    """The group's header on the first row; None: its columns' labels span both header rows."""
    if group.label is not None:
        return group.label
    return framework.program(group.program).label if group.program is not None else None


def column_kind(framework: Framework, table: AppendixTable, column: FigureColumn | SumColumn | RatioColumn
                ) -> NumberKind:
    if isinstance(column, RatioColumn):
        return "rate"
    if isinstance(column, SumColumn):
        return column_kind(framework, table, table.column(column.sum[0]))
    kind = framework.program(column.program).figure(column.figure).kind
    assert kind != "percent"  # refused at load: a percent cannot be summed down the rows
    return kind


def scope_notes(framework: Framework, table: AppendixTable) -> list[str]:
    """“<项目名称>：<数据项名称>”: what each column headed by its program's label counts (its 口径)."""
    return [
        f"{column_header(framework, column)}：{framework.program(column.program).figure(column.figure).label}"
        for column in table.columns()
        if isinstance(column, FigureColumn) and column.label is None
    ]


# --- checks at load --------------------------------------------------------------------------


def appendix_problems(appendix: Appendix, framework: Framework, *, required: bool = True) -> Located:
    """Semantic checks pydantic cannot express: numbering, sheet names, titles, and every reference
    to a program, a figure or another column."""
    problems: Located = []
    if required and not appendix.tables:
        problems.append(((), "没有声明附件统计表（tables）：说明所列的附件表须在此声明", LoadCode.FIELD_INVALID))
    sheets: set[str] = set()
    for index, table in enumerate(appendix.tables):
        loc: Loc = ("tables", index)
        if table.number != index + 1:
            problems.append(((*loc, "number"), f"附件表应从1起依次编号：第{index + 1}张表的编号为{table.number}",
                             LoadCode.INCONSISTENT))
        problems += _sheet_problems(table, loc, sheets)
        problems += _title_problems(table, loc)
        problems += _column_problems(table, loc, framework)
    return problems


def _sheet_problems(table: AppendixTable, loc: Loc, seen: set[str]) -> Located:
    problems: Located = []
    name = table.sheet
    if len(name) > SHEET_NAME_LIMIT:
        problems.append(((*loc, "sheet"), f"工作表名“{name}”超过{SHEET_NAME_LIMIT}个字符", LoadCode.FIELD_INVALID))
    bad = sorted({c for c in name if c in SHEET_NAME_FORBIDDEN})
    if bad:
        problems.append(((*loc, "sheet"), f"工作表名“{name}”不能含有“{'”“'.join(bad)}”", LoadCode.FIELD_INVALID))
    if name in seen:
        problems.append(((*loc, "sheet"), f"工作表名“{name}”重复", LoadCode.INCONSISTENT))
    seen.add(name)
    return problems


def _title_problems(table: AppendixTable, loc: Loc) -> Located:
    problems: Located = [
        ((*loc, "title"), f"附件{table.number}的标题使用了未知占位符“{{{match.group(1)}}}”（可用：{{year}}、{{region}}）",
         LoadCode.REFERENCE_UNKNOWN)
        for match in PLACEHOLDER_RE.finditer(table.title)
        if match.group(1) not in APPENDIX_PLACEHOLDERS or match.group(2)
    ]
    stray = PLACEHOLDER_RE.sub("", table.title)
    if "{" in stray or "}" in stray:
        problems.append(((*loc, "title"), f"附件{table.number}的标题含有不成对或格式错误的花括号", LoadCode.FIELD_INVALID))
    return problems


def _columns_with_loc(table: AppendixTable, loc: Loc) -> Iterator[tuple[FigureColumn | SumColumn | RatioColumn, Loc]]:
    for g, group in enumerate(table.groups):
        for c, column in enumerate(group.columns):
            yield column, (*loc, "groups", g, "columns", c)


def _column_problems(table: AppendixTable, loc: Loc, framework: Framework) -> Located:
    problems: Located = []
    name = f"附件{table.number}"
    programs = {p.id for p in framework.programs}
    unknown_groups: set[str] = set()  # reported once at the group, not again at each column inheriting it
    for g, group in enumerate(table.groups):
        if group.program is not None and group.program not in programs:
            problems.append(((*loc, "groups", g, "program"), f"{name}引用了未定义的项目“{group.program}”",
                             LoadCode.REFERENCE_UNKNOWN))
            unknown_groups.add(group.program)
    seen: set[str] = set()
    by_id = {column.id: column for column in table.columns()}
    for column, at in _columns_with_loc(table, loc):
        where = f"{name}的列“{column.id}”"
        if column.id in seen:
            problems.append(((*at, "id"), f"{where}重复", LoadCode.INCONSISTENT))
        seen.add(column.id)
        if isinstance(column, FigureColumn):
            if column.program not in unknown_groups:
                problems += _figure_problems(column, at, where, framework)
        elif isinstance(column, SumColumn):
            problems += _sum_problems(column, at, where, by_id, framework)
        else:
            problems += _ratio_problems(column, at, where, by_id)
    return problems


def _figure_problems(column: FigureColumn, at: Loc, where: str, framework: Framework) -> Located:
    program = next((p for p in framework.programs if p.id == column.program), None)
    if program is None:
        return [((*at, "program"), f"{where}引用了未定义的项目“{column.program}”", LoadCode.REFERENCE_UNKNOWN)]
    spec = next((f for f in program.figures if f.id == column.figure), None)
    if spec is None:
        return [((*at, "figure"), f"{where}引用了{program.label}未定义的数据项“{column.figure}”", LoadCode.REFERENCE_UNKNOWN)]
    if spec.kind == "percent":
        return [((*at, "figure"), f"{where}的数据项“{spec.label}”是百分比，不能在附表中逐行相加；请改为比率列（分子、分母）",
                 LoadCode.INCONSISTENT)]
    return []


def _sum_problems(column: SumColumn, at: Loc, where: str, by_id: dict[str, FigureColumn | SumColumn | RatioColumn],
                  framework: Framework) -> Located:
    problems: Located = []
    kinds: set[tuple[str, str]] = set()
    for part in column.sum:
        target = by_id.get(part)
        if target is None:
            problems.append(((*at, "sum"), f"{where}相加的列“{part}”不在本表中", LoadCode.REFERENCE_UNKNOWN))
        elif not isinstance(target, FigureColumn):
            problems.append(((*at, "sum"), f"{where}只能相加数据项列，“{part}”不是", LoadCode.INCONSISTENT))
        else:
            measure = _measure(target, framework)
            if measure is not None:
                kinds.add(measure)
    if len(kinds) > 1:
        units = "、".join(sorted({unit for _, unit in kinds}))
        problems.append(((*at, "sum"), f"{where}相加的列类型或单位不同（{units}），不能相加", LoadCode.INCONSISTENT))
    return problems


def _measure(column: FigureColumn, framework: Framework) -> tuple[str, str] | None:
    """(kind, unit) of the column's figure; None when the reference is broken (reported elsewhere)."""
    program = next((p for p in framework.programs if p.id == column.program), None)
    spec = next((f for f in program.figures if f.id == column.figure), None) if program is not None else None
    return (spec.kind, spec.unit) if spec is not None else None


def _ratio_problems(column: RatioColumn, at: Loc, where: str,
                    by_id: dict[str, FigureColumn | SumColumn | RatioColumn]) -> Located:
    problems: Located = []
    for side, part in (("numerator", column.numerator), ("denominator", column.denominator)):
        target = by_id.get(part)
        if target is None:
            problems.append(((*at, side), f"{where}的{_SIDE[side]}“{part}”不在本表中", LoadCode.REFERENCE_UNKNOWN))
        elif isinstance(target, RatioColumn):
            problems.append(((*at, side), f"{where}的{_SIDE[side]}“{part}”是比率列；比率须由数据项或合计列重新计算",
                             LoadCode.INCONSISTENT))
    if column.numerator == column.denominator:
        problems.append((at, f"{where}的分子与分母是同一列", LoadCode.INCONSISTENT))
    return problems


_SIDE = {"numerator": "分子", "denominator": "分母"}
