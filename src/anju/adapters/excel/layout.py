"""Where every figure sits in a unit's workbook — shared by the template writer and the importer.

Both sides build the layout from the framework, the region tree and the unit, so a workbook is
read by position only after its hidden metadata (template format, framework hash, unit code and a
checksum over the whole layout) has proved it was generated for exactly this layout. The
checksum is a fingerprint, not a signature: it recognises outdated, foreign and edited templates.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from anju import __version__
from anju.collect.regions import RegionTree, RegionUnit
from anju.collect.rows import NO, NOT_APPLICABLE_TEXT, YES, EntryRow, entry_rows
from anju.framework.models import FigureSpec, Framework, Program

__all__ = ["NO", "NOT_APPLICABLE_TEXT", "YES", "FigureRow", "Layout", "ProgramSheet", "build_layout", "cover_row"]

TEMPLATE_FORMAT = "1"
"""Bump when the layout of templates changes; older workbooks are then refused."""

META_SHEET = "_anju"
GUIDE_SHEET = "说明"
COVER_SHEET = "封面"

TITLE_ROW = 1
NOTE_ROW = 2
NO_TASK_ROW = 3
HEADER_ROW = 5
FIRST_ROW = 6
NO_TASK_CELL = f"C{NO_TASK_ROW}"
COLUMNS = ("序号", "数据项", "填报值", "计量单位", "填写要求", "情况说明", "编号")
VALUE_COL, LABEL_COL, NOTE_COL, ID_COL = "C", "B", "F", "G"

COVER_FIELDS: tuple[tuple[str, str, bool], ...] = (
    # (key, label, input?)
    ("unit_name", "填报单位", False),
    ("unit_code", "单位代码", False),
    ("parent", "所属地区", False),
    ("year", "年度", False),
    ("framework", "指标体系", False),
    ("reporter", "填报人", True),
    ("phone", "联系电话", True),
    ("submitted_at", "填报日期", True),
)
COVER_FIRST_ROW = 4


def cover_row(key: str) -> int:
    for offset, (name, _label, _input) in enumerate(COVER_FIELDS):
        if name == key:
            return COVER_FIRST_ROW + offset
    raise KeyError(key)


FRAMEWORK_HASH_LENGTH = 16
"""Hex digits of the framework digest written into a template (enough to tell versions apart)."""
CHECKSUM_LENGTH = 24


@dataclass(frozen=True)
class FigureRow:
    """A unit's row (:class:`anju.collect.rows.EntryRow`) placed on a worksheet row."""

    row: int
    entry: EntryRow

    @property
    def spec(self) -> FigureSpec:
        return self.entry.spec

    @property
    def question(self) -> bool:
        return self.entry.question

    @property
    def cell(self) -> str:
        return f"{VALUE_COL}{self.row}"

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def unit(self) -> str:
        return self.entry.unit

    @property
    def requirement(self) -> str:
        if self.question:
            return f"从下拉列表选择“{YES}”或“{NO}”"
        return self.entry.requirement


@dataclass(frozen=True)
class ProgramSheet:
    program: Program
    rows: tuple[FigureRow, ...]

    @property
    def name(self) -> str:
        return self.program.label

    def row_of(self, figure_id: str) -> FigureRow:
        for row in self.rows:
            if row.spec.id == figure_id:
                return row
        raise KeyError(figure_id)


@dataclass(frozen=True)
class Layout:
    framework: Framework
    framework_hash: str
    tree: RegionTree
    unit: RegionUnit
    year: int
    sheets: tuple[ProgramSheet, ...]
    checksum: str

    @property
    def template_id(self) -> str:
        return f"anju/{self.framework.id}/{self.tree.code}/{self.unit.code}"

    @property
    def file_name(self) -> str:
        return f"{self.unit.code}_{self.unit.name}.xlsx"

    def meta(self) -> dict[str, str]:
        """What the hidden sheet holds, in order."""
        return {
            "format": TEMPLATE_FORMAT,
            "template_id": self.template_id,
            "framework": self.framework.id,
            "framework_hash": self.framework_hash,
            "region": self.tree.code,
            "unit": self.unit.code,
            "unit_name": self.unit.display_name,
            "year": str(self.year),
            "generator": f"anju {__version__}",
            "checksum": self.checksum,
        }

    def sheet(self, program_id: str) -> ProgramSheet:
        for sheet in self.sheets:
            if sheet.program.id == program_id:
                return sheet
        raise KeyError(program_id)


def program_rows(program: Program, unit: RegionUnit) -> tuple[FigureRow, ...]:
    """The unit's rows of a program, from the first data row of its sheet down."""
    return tuple(FigureRow(FIRST_ROW + index, entry) for index, entry in enumerate(entry_rows(program, unit)))


def build_layout(framework: Framework, tree: RegionTree, unit: RegionUnit, year: int | None = None) -> Layout:
    fhash = framework.digest[:FRAMEWORK_HASH_LENGTH]
    the_year = year if year is not None else framework.year
    sheets = tuple(ProgramSheet(p, program_rows(p, unit)) for p in framework.programs)
    fingerprint = {
        "format": TEMPLATE_FORMAT,
        "framework": framework.id,
        "framework_hash": fhash,
        "region": tree.code,
        "unit": unit.code,
        "year": the_year,
        "sheets": [
            [s.name, [[r.row, r.spec.id, r.question, r.label, r.unit, r.spec.kind] for r in s.rows]] for s in sheets
        ],
    }
    text = json.dumps(fingerprint, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()[:CHECKSUM_LENGTH]
    return Layout(framework, fhash, tree, unit, the_year, sheets, checksum)
