"""Where every figure sits in a unit's workbook — shared by the template writer and the importer.

Both sides build the layout from the framework, the region tree and the unit, so a workbook is
read by position only after its hidden metadata (template format, framework hash, unit code and a
checksum) has proved it was generated for exactly this layout and this unit.

The checksum is a keyed signature (HMAC-SHA256) over the unit code, the template id, the layout's
digest (every row: figure, label, unit, kind) and the label cells a user sees (the cover's unit
name, code, parent, year and framework; each sheet's title). The key belongs to the installation
(:func:`template_key`): without it nobody can make metadata for a unit they were not sent a
template for, and metadata copied from another unit's workbook is caught because the cover and the
sheet titles must name the unit the metadata names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from anju import __version__
from anju.collect.regions import RegionTree, RegionUnit
from anju.collect.rows import NO, NOT_APPLICABLE_TEXT, YES, EntryRow, entry_rows
from anju.files import name_part
from anju.framework.models import FigureSpec, Framework, Program

__all__ = ["NO", "NOT_APPLICABLE_TEXT", "YES", "FigureRow", "Layout", "ProgramSheet", "TemplateKeyError", "build_layout",
           "cover_row", "template_key"]

TEMPLATE_FORMAT = "2"
"""Bump when the layout of templates or their metadata changes; older workbooks are then refused
(format 2: the checksum became a keyed signature)."""

KEY_ENV = "ANJU_TEMPLATE_KEY"
"""The signing key itself (any text); set the same value on every machine that writes or reads the
same templates (the command line of the province and the web server, say)."""
KEY_FILE_ENV = "ANJU_TEMPLATE_KEY_FILE"
"""A file holding the key; by default ``$XDG_CONFIG_HOME/anju/template.key`` (``~/.config/anju/…``),
created with a random key on first use (mode 0600)."""
KEY_BYTES = 32

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
CHECKSUM_LENGTH = 32
PROGRAM_COLUMNS = len(COLUMNS)
COVER_COLUMNS = 2
META_COLUMNS = 2


class TemplateKeyError(Exception):
    """The installation's template key cannot be read or created; ``message`` says where and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def key_path() -> Path:
    return _key_path(os.environ.get(KEY_FILE_ENV), os.environ.get("XDG_CONFIG_HOME"), os.environ.get("HOME"))


@lru_cache(maxsize=16)
def _key_path(configured: str | None, config_home: str | None, _home: str | None) -> Path:
    if configured:
        return Path(configured)
    base = config_home or str(Path.home() / ".config")
    return Path(base) / "anju" / "template.key"


def template_key() -> bytes:
    """The installation's signing key: :data:`KEY_ENV`, else the key file (created on first use)."""
    given = os.environ.get(KEY_ENV)
    if given:
        return given.encode("utf-8")
    path = key_path()
    try:
        stat = path.stat()
        cached = _KEY_FILES.get(str(path))
        if cached is not None and cached[0] == (stat.st_mtime_ns, stat.st_size, stat.st_ino):
            return cached[1]
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = _create_key(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateKeyError(f"无法读取模板密钥文件 {path}（{type(exc).__name__}）：请检查权限，或设置环境变量 {KEY_ENV}") from None
    if not text:
        raise TemplateKeyError(f"模板密钥文件 {path} 是空的：请删除它（将自动重新生成），或设置环境变量 {KEY_ENV}")
    key = text.encode("ascii")
    try:
        stat = path.stat()
        _KEY_FILES[str(path)] = ((stat.st_mtime_ns, stat.st_size, stat.st_ino), key)
    except OSError:
        pass
    return key


_KEY_FILES: dict[str, tuple[tuple[int, int, int], bytes]] = {}
"""Key file → (its modification time, size and inode; the key): a batch signs thousands of layouts."""


def _create_key(path: Path) -> str:
    key = secrets.token_hex(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="ascii").strip()
    except OSError:
        raise TemplateKeyError(f"无法创建模板密钥文件 {path}：请检查该目录的权限，或设置环境变量 {KEY_ENV}") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


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

    @cached_property
    def cell(self) -> str:
        return f"{VALUE_COL}{self.row}"

    @cached_property
    def label_cell(self) -> str:
        return f"{LABEL_COL}{self.row}"

    @cached_property
    def id_cell(self) -> str:
        return f"{ID_COL}{self.row}"

    @cached_property
    def note_cell(self) -> str:
        return f"{NOTE_COL}{self.row}"

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
        return template_id(self.framework, self.tree, self.unit)

    @property
    def file_name(self) -> str:
        return f"{self.unit.code}_{name_part(self.unit.name)}.xlsx"

    def cover_values(self) -> dict[str, str]:
        """The cover's label cells (B column) that are not filled by the unit."""
        return cover_values(self.tree, self.unit, self.year, self.framework)

    def sheet_title(self, sheet: ProgramSheet) -> str:
        """What cell A1 of a program sheet says."""
        return sheet_title(sheet.program, self.unit, self.year)

    def extent(self, sheet_name: str) -> tuple[int, int] | None:
        """(rows, columns) a sheet of this template uses; None for the instructions sheet."""
        if sheet_name == COVER_SHEET:
            return COVER_FIRST_ROW + len(COVER_FIELDS) - 1, COVER_COLUMNS
        if sheet_name == META_SHEET:
            return len(self.meta()), META_COLUMNS
        for sheet in self.sheets:
            if sheet.name == sheet_name:
                return FIRST_ROW + len(sheet.rows) - 1, PROGRAM_COLUMNS
        return None

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


def template_id(framework: Framework, tree: RegionTree, unit: RegionUnit) -> str:
    return f"anju/{framework.id}/{tree.code}/{unit.code}"


def cover_values(tree: RegionTree, unit: RegionUnit, year: int, framework: Framework) -> dict[str, str]:
    parent = tree.units.get(unit.parent) if unit.parent else None
    return {
        "unit_name": unit.display_name,
        "unit_code": unit.code,
        "parent": parent.name if parent else "",
        "year": str(year),
        "framework": framework.label,
    }


def sheet_title(program: Program, unit: RegionUnit, year: int) -> str:
    return f"{program.label} — {unit.display_name}（{year}年度）"


def build_layout(framework: Framework, tree: RegionTree, unit: RegionUnit, year: int | None = None) -> Layout:
    fhash = framework.digest[:FRAMEWORK_HASH_LENGTH]
    the_year = year if year is not None else framework.year
    sheets, digest = _sheets(framework, tree.code, the_year, unit)
    the_id = template_id(framework, tree, unit)
    signed = {
        "unit": unit.code,
        "template_id": the_id,
        "layout": digest,
        "labels": {
            "cover": cover_values(tree, unit, the_year, framework),
            "titles": [sheet_title(s.program, unit, the_year) for s in sheets],
        },
    }
    return Layout(framework, fhash, tree, unit, the_year, sheets, sign(signed))


def _sheets(framework: Framework, region: str, year: int, unit: RegionUnit) -> tuple[tuple[ProgramSheet, ...], str]:
    """The program sheets of a unit and the layout's digest; both depend on the unit only through
    its kind (:func:`anju.collect.rows.entry_rows`), so units of one kind share them."""
    key = (framework.id, framework.digest, region, year, unit.kind)
    found = _SHEETS.get(key)
    if found is None:
        sheets = tuple(ProgramSheet(p, program_rows(p, unit)) for p in framework.programs)
        digest = _digest({
            "format": TEMPLATE_FORMAT,
            "framework": framework.id,
            "framework_hash": framework.digest[:FRAMEWORK_HASH_LENGTH],
            "region": region,
            "year": year,
            "sheets": [
                [s.name, [[r.row, r.spec.id, r.question, r.label, r.unit, r.spec.kind] for r in s.rows]] for s in sheets
            ],
        })
        if len(_SHEETS) >= _SHEETS_MAX:
            _SHEETS.clear()
        found = _SHEETS[key] = (sheets, digest)
    return found


_SHEETS: dict[tuple[str, str, str, int, str], tuple[tuple[ProgramSheet, ...], str]] = {}
_SHEETS_MAX = 1024


def sign(payload: object) -> str:
    """The keyed checksum (:func:`template_key`) over a workbook's layout, as its hidden sheet holds it."""
    return hmac.new(template_key(), _canonical(payload), hashlib.sha256).hexdigest()[:CHECKSUM_LENGTH]


def _canonical(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _digest(payload: object) -> str:
    return hashlib.sha256(_canonical(payload)).hexdigest()
