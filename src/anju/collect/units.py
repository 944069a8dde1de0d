"""What each city and county reported (``units.yaml``): figures, yes/no answers, "no task".

One file holds a whole batch, keyed by GB/T 2260 code::

    framework: "2022"
    region: "220000"
    year: 2022
    deadline: 2023-01-20
    units:
      "220100":
        name: 长春市（市本级及市辖区）
        submitted_at: 2023-01-12
        programs:
          rental: {figures: {total_funds: 1234.56, …}}
          renovation: {no_task: true}
          …

Blank (absent or ``null``), zero and 不适用 stay distinct, as in a dataset. A program marked
``no_task`` carries no figures and leaves the denominators of unit counts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from anju.collect.regions import RegionMatchError, RegionTree, RegionUnit
from anju.dataset.models import NOT_APPLICABLE, FigureValue, parse_figures
from anju.decimals import plain
from anju.fields import Date, DateTime, Note, RegionCode, Title, UnitName, Year
from anju.files import write_text
from anju.framework.mapping import mapping_sources
from anju.framework.models import Framework, Program, ProgramId, Strict, limit_breach
from anju.problems import ProblemsError, at_line
from anju.yamlio import YamlDocument, YamlError, dump_yaml, read_yaml, validate_model

UNITS_FILE = "units.yaml"
SHORT_TEXT_CHARS = 100
"""填报人, 联系电话."""


class UnitProgram(Strict):
    """One unit's report for one program."""

    no_task: bool = False
    """无此项任务: the unit has no task for this program this year."""
    figures: dict[str, FigureValue] = Field(default_factory=dict)
    answers: dict[str, bool] = Field(default_factory=dict)
    """Yes/no answers to the questions of unit-count figures (e.g. issued bonds)."""
    explanations: dict[str, Note] = Field(default_factory=dict)
    """情况说明 per figure: why a value that a warning rule flags is right."""

    @field_validator("figures", mode="before")
    @classmethod
    def _figures(cls, raw: Any) -> Any:
        return parse_figures(raw)

    @model_validator(mode="after")
    def _no_task_is_empty(self) -> UnitProgram:
        if self.no_task and (self.figures or self.answers):
            raise ValueError("标记为“无此项任务”的项目不能再填报数据")
        return self


class UnitReport(Strict):
    """One reporting unit's submission."""

    name: UnitName | None = None
    submitted_at: Date | None = None
    """填报日期 declared in the workbook."""
    received_at: DateTime | None = None
    """When the file was last modified (its timestamp at import)."""
    reporter: Annotated[str, Field(max_length=SHORT_TEXT_CHARS)] | None = None
    phone: Annotated[str, Field(max_length=SHORT_TEXT_CHARS)] | None = None
    source: Note | None = None
    """The workbook the report was imported from."""
    sha256: str | None = None
    programs: dict[ProgramId, UnitProgram] = Field(default_factory=dict)

    def program(self, program_id: str) -> UnitProgram | None:
        """The report for ``program_id`` (None when the unit did not report the program)."""
        return self.programs.get(program_id)

    @property
    def submitted_on(self) -> dt.date | None:
        """The declared date, else the file's date."""
        if self.submitted_at is not None:
            return self.submitted_at
        return self.received_at.date() if self.received_at is not None else None


class UnitsFile(Strict):
    framework: str
    region: RegionCode
    year: Year
    title: Title | None = None
    note: Note | None = None
    example: bool = False
    """The rows are illustrative (示例数据), not real per-unit reports: every file they reach says so."""
    deadline: Date | None = None
    units: dict[str, UnitReport] = Field(default_factory=dict)

    @field_validator("units", mode="before")
    @classmethod
    def _codes_as_text(cls, raw: Any) -> Any:
        """An unquoted code (220100) is read as a number; take it as the code it spells."""
        if not isinstance(raw, dict):
            return raw
        return {str(key): value for key, value in raw.items()}


class UnitsError(ProblemsError):
    """The units file could not be loaded."""


def units_path(path: Path | str) -> Path:
    p = Path(path)
    return p / UNITS_FILE if p.is_dir() else p


def load_units(path: Path | str, framework: Framework, tree: RegionTree) -> UnitsFile:
    """Read a ``units.yaml`` (or a dataset directory holding one) and check it against the
    framework and the region tree; all problems at once, each with file and line."""
    p = units_path(path)
    try:
        doc = read_yaml(p)
    except YamlError as exc:
        raise UnitsError(exc.problems) from None
    return parse_units(doc, framework, tree)


def parse_units(doc: YamlDocument, framework: Framework, tree: RegionTree) -> UnitsFile:
    units = validate_model(doc, UnitsFile, UnitsError, "分地区数据文件")
    problems = [at_line(doc.path, doc.line_of(loc), msg) for loc, msg in units_problems(units, framework, tree)]
    if problems:
        raise UnitsError(problems)
    return units


Located = list[tuple[tuple[int | str, ...], str]]


def units_problems(units: UnitsFile, framework: Framework, tree: RegionTree) -> Located:
    problems: Located = []
    if units.framework != framework.id:
        problems.append((("framework",), f"指标体系为“{units.framework}”，与所用指标体系“{framework.id}”不一致"))
    if units.region != tree.code:
        problems.append((("region",), f"地区代码为“{units.region}”，与行政区划表“{tree.code}”（{tree.name}）不一致"))
    for code, report in units.units.items():
        loc: tuple[int | str, ...] = ("units", code)
        unit = tree.units.get(code)
        if unit is None:
            problems.append((loc, f"单位代码“{code}”不在{tree.name}行政区划表中{_code_hint(tree, code, units.year)}"))
            continue
        if not unit.valid_in(units.year):
            problems.append((loc, f"单位代码“{code}”（{unit.name}）在{units.year}年不使用"))
        elif not unit.reports:
            problems.append((loc, f"{unit}不单独报表（其数据由下级汇总）"))
        for program_id, data in report.programs.items():
            try:
                program = framework.program(program_id)
            except KeyError:
                problems.append(((*loc, "programs", program_id), f"指标体系中没有项目“{program_id}”"))
                continue
            problems += _program_report_problems((*loc, "programs", program_id), unit, program, data)
    return problems


def _program_report_problems(loc: tuple[int | str, ...], unit: RegionUnit, program: Program, data: UnitProgram) -> Located:
    """Figures the program declares and a unit may report; answers only to questions asked of its kind."""
    problems: Located = []
    specs = {f.id: f for f in program.figures}
    for fid, value in data.figures.items():
        spec = specs.get(fid)
        where = (*loc, "figures", fid)
        if spec is None:
            problems.append((where, f"{unit}{program.label}：未知的数据项“{fid}”"))
        elif spec.aggregation.asks_units:
            problems.append((where, f"{unit}{program.label}：“{spec.label}”由各单位的回答汇总，不能直接填报数值"))
        elif value == NOT_APPLICABLE and not spec.allow_not_applicable:
            problems.append((where, f"{unit}{program.label}：“{spec.label}”不能为“不适用”"))
        elif isinstance(value, Decimal) and (breach := limit_breach(spec.kind, spec.unit, value)) is not None:
            problems.append((where, f"{unit}{program.label}：“{spec.label}”{breach.reason}，实为“{plain(value)}”"))
    for fid in data.answers:
        spec = specs.get(fid)
        where = (*loc, "answers", fid)
        if spec is None or spec.aggregation.question is None:
            problems.append((where, f"{unit}{program.label}：“{fid}”不是需要单位回答的问题"))
        elif unit.kind not in (spec.aggregation.kinds or []):
            problems.append((where, f"{unit}{program.label}：“{spec.aggregation.question}”只由"
                                    f"{'、'.join(spec.aggregation.kinds or [])}回答"))
    return problems


def _code_hint(tree: RegionTree, key: str, year: int) -> str:
    """When a name was written where a code belongs, say which code it would be (never use it)."""
    if key.isdigit():
        return ""
    try:
        unit = tree.match(key, year)
    except RegionMatchError as exc:
        return f"（单位须以6位代码为键；{exc}）"
    return f"（单位须以6位代码为键，“{key}”应写作“{unit.code}”，即{unit.display_name}）"


def units_to_data(units: UnitsFile) -> dict[str, Any]:
    """Plain data for YAML (dates and Decimals kept; empty sections left out)."""
    data = units.model_dump(mode="python", exclude_none=True)
    for report in data.get("units", {}).values():
        for program in report.get("programs", {}).values():
            for key in ("figures", "answers", "explanations"):
                if not program.get(key):
                    program.pop(key, None)
            if not program.get("no_task"):
                program.pop("no_task", None)
            for fid, value in list(program.get("figures", {}).items()):
                if value == "not_applicable":
                    program["figures"][fid] = "不适用"
    return data


def dump_units(units: UnitsFile, header: str | None = None) -> str:
    return dump_yaml(units_to_data(units), header)


def write_units(path: Path, units: UnitsFile, header: str | None = None) -> None:
    """Write atomically (:func:`anju.files.write_text`); raises :class:`anju.files.FileWriteError`."""
    write_text(path, dump_units(units, header))


def mapped_units(previous: UnitsFile, previous_framework: Framework, framework: Framework) -> UnitsFile | None:
    """Last year's units file, reported under another framework, in this framework's programs and
    figures (each figure the sum of the older figures the declared mapping names; blank when one of
    them is blank, 不适用 when all are); None when this framework declares no mapping from it."""
    if previous.framework == framework.id:
        return previous
    mapping = framework.mapping_from(previous.framework)
    if mapping is None:
        return None
    sources = mapping_sources(mapping, framework, previous_framework)
    units: dict[str, UnitReport] = {}
    for code, report in previous.units.items():
        programs: dict[str, UnitProgram] = {}
        for program in framework.programs:
            figures: dict[str, FigureValue] = {}
            source_program: str | None = None
            for spec in program.figures:
                found = sources.get((program.id, spec.id))
                if found is None:
                    continue
                source_program, parts = found
                old = report.program(source_program)
                if old is None or old.no_task:
                    continue
                figures[spec.id] = _summed([old.figures.get(part) for part in parts])
            if source_program is None:
                continue
            old_report = report.program(source_program)
            if old_report is not None and old_report.no_task:
                programs[program.id] = UnitProgram(no_task=True)
            elif figures:
                programs[program.id] = UnitProgram(figures=figures)
        units[code] = report.model_copy(update={"programs": programs})
    return previous.model_copy(update={"framework": framework.id, "units": units})


def _summed(values: list[FigureValue]) -> FigureValue:
    if all(v == NOT_APPLICABLE for v in values):
        return NOT_APPLICABLE
    numbers = [v for v in values if isinstance(v, Decimal)]
    if len(numbers) != len([v for v in values if v != NOT_APPLICABLE]):
        return None
    return sum(numbers, Decimal(0))
