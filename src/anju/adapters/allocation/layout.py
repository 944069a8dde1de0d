"""Where everything sits in an allocation inputs workbook — shared by the template writer and the
importer, like the unit workbooks' layout (:mod:`anju.adapters.excel.layout`).

Sheets: 说明 (instructions), 基本信息 (the amount of every program, title, issuer, copy-to, the
scores' year and basis), 系数与得分 (per region: 财政困难程度系数 and last year's score of every
program the rewards use), one sheet per program (per region: its factor quantities), and a very
hidden sheet with the template format, the method and its hash, level, province, year, the region
codes and a checksum over the whole layout. The importer rebuilds the layout from that metadata and
refuses a workbook whose checksum, method or structure differ.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from anju.allocation.models import FactorMethod

TEMPLATE_FORMAT = "1"
TEMPLATE_KIND = "allocation-inputs"
META_SHEET = "_anju"
GUIDE_SHEET = "说明"
BASIC_SHEET = "基本信息"
COEFFICIENT_SHEET = "系数与得分"
TITLE_ROW = 1
NOTE_ROW = 2
HEADER_ROW = 4
FIRST_ROW = 5
CODE_COL, NAME_COL = "B", "C"
FIRST_VALUE_COL = 3
"""0-based index of the first value column (D)."""
BASIC_LABEL_COL, BASIC_VALUE_COL, BASIC_UNIT_COL, BASIC_ID_COL = "A", "B", "C", "D"
HASH_LENGTH = 16
CHECKSUM_LENGTH = 24
SCORE_PREFIX = "score:"
DIFFICULTY_KEY = "fiscal_difficulty"
SCORE_BASIS_TEXT = {"self_assessed": "自评得分", "audited": "审核后得分"}


@dataclass(frozen=True)
class BasicRow:
    row: int
    key: str
    """``title``, ``issuer``, ``copy_to``, ``scores_year``, ``score_basis`` or ``amount:<program>``."""
    label: str
    unit: str

    @property
    def cell(self) -> str:
        return f"{BASIC_VALUE_COL}{self.row}"


@dataclass(frozen=True)
class Column:
    """One value column of a region sheet."""

    index: int
    key: str
    """A factor figure id, ``fiscal_difficulty`` or ``score:<program>``."""
    label: str
    unit: str
    kind: str
    """``count``, ``quantity``, ``coefficient`` or ``score``."""

    @property
    def letter(self) -> str:
        return column_letter(self.index)

    @property
    def header(self) -> str:
        return f"{self.label}（{self.unit}）" if self.unit else self.label


@dataclass(frozen=True)
class RegionSheet:
    name: str
    program: str | None
    """The program of a quantities sheet; None for 系数与得分."""
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class InputsLayout:
    method_id: str
    method_hash: str
    level: str
    region: str
    """The allocating province's code ('' for a central allocation)."""
    year: int
    regions: tuple[tuple[str, str], ...]
    basic: tuple[BasicRow, ...]
    sheets: tuple[RegionSheet, ...]

    def extent(self, sheet: str) -> tuple[int, int] | None:
        """The last row and column the template writes on a sheet (None for the hidden metadata)."""
        if sheet == BASIC_SHEET:
            return max(b.row for b in self.basic), column_index(BASIC_ID_COL)
        for region_sheet in self.sheets:
            if region_sheet.name == sheet:
                last_column = max((column_index(c.letter) for c in region_sheet.columns), default=column_index(NAME_COL))
                return FIRST_ROW + len(self.regions) - 1, last_column
        return None

    def row_of(self, code: str) -> int:
        for offset, (candidate, _) in enumerate(self.regions):
            if candidate == code:
                return FIRST_ROW + offset
        raise KeyError(code)

    @property
    def checksum(self) -> str:
        payload = {
            "format": TEMPLATE_FORMAT, "method": self.method_id, "hash": self.method_hash, "level": self.level,
            "region": self.region, "year": self.year, "regions": [code for code, _ in self.regions],
            "basic": [(b.row, b.key, b.label) for b in self.basic],
            "sheets": [(s.name, s.program, [(c.index, c.key, c.header) for c in s.columns]) for s in self.sheets],
        }
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CHECKSUM_LENGTH]

    @property
    def file_name(self) -> str:
        return f"{self.year}年补助资金分配测算输入表.xlsx"

    def meta(self) -> dict[str, str]:
        return {
            "kind": TEMPLATE_KIND, "format": TEMPLATE_FORMAT, "method": self.method_id, "method_hash": self.method_hash,
            "level": self.level, "region": self.region, "year": str(self.year),
            "regions": ",".join(code for code, _ in self.regions), "checksum": self.checksum,
        }


def column_index(letters: str) -> int:
    """1 for A, 27 for AA."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def build_layout(method: FactorMethod, level: str, region: str, year: int,
                 regions: tuple[tuple[str, str], ...]) -> InputsLayout:
    basic: list[BasicRow] = []
    row = FIRST_ROW
    for key, label, unit in (("title", "标题", ""), ("issuer", "发文机关", ""), ("copy_to", "抄送", ""),
                             ("scores_year", "绩效评价年度", "年"), ("score_basis", "得分口径", "自评得分/审核后得分")):
        basic.append(BasicRow(row, key, label, unit))
        row += 1
    for program in method.programs:
        basic.append(BasicRow(row, f"amount:{program.id}", f"{program.label}下达金额", "万元"))
        row += 1
    coefficient_columns = [Column(FIRST_VALUE_COL, DIFFICULTY_KEY, "财政困难程度系数", "", "coefficient")]
    for offset, score_program in enumerate(method.score_programs, start=1):
        coefficient_columns.append(Column(FIRST_VALUE_COL + offset, f"{SCORE_PREFIX}{score_program}",
                                          f"上年{method.score_label(score_program)}得分", "分", "score"))
    sheets = [RegionSheet(COEFFICIENT_SHEET, None, tuple(coefficient_columns))]
    for program in method.programs:
        columns = tuple(
            Column(FIRST_VALUE_COL + k, factor.figure, program.figure(factor.figure).label,
                   program.figure(factor.figure).unit, program.figure(factor.figure).kind)
            for k, factor in enumerate(program.factors)
        )
        sheets.append(RegionSheet(program.label[:31], program.id, columns))
    return InputsLayout(method.id, method.digest[:HASH_LENGTH], level, region, year, regions, tuple(basic), tuple(sheets))
