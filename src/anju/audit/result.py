"""What an audit returns: findings anchored in the document, coverage, and (when the document
follows a known framework) the dataset it yields and its evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from anju.audit.document import Block, SourceDocument
from anju.audit.structure import Token
from anju.dataset.models import Dataset
from anju.decimals import plain
from anju.problems import Problem, Severity
from anju.scoring.result import Evaluation

if TYPE_CHECKING:
    from anju.audit.mapping import ProgramExtract


@dataclass(frozen=True)
class Anchor:
    """Where a finding is: a block and a span of its original text (what a Word comment covers)."""

    block: int
    start: int
    end: int
    paragraph: int | None = None
    page: int | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None

    @classmethod
    def of(cls, token: Token) -> Anchor:
        return cls.span(token.block, token.number.start, token.number.end)

    @classmethod
    def span(cls, block: Block, start: int, end: int) -> Anchor:
        first, last = block.norm.span(start, end)
        cell = block.cell
        return cls(block.index, first, last, block.paragraph, block.page,
                   cell.table if cell else None, cell.row if cell else None, cell.column if cell else None)

    def text(self) -> str:
        """第12段 / 第3页第12段 / 表2第3行第4列."""
        if self.table is not None:
            return f"表{self.table}第{self.row}行第{self.column}列"
        para = f"第{self.paragraph}段" if self.paragraph is not None else f"第{self.block}段"
        return f"第{self.page}页{para}" if self.page is not None else para

    def as_dict(self) -> dict[str, int | str]:
        out: dict[str, int | str] = {"block": self.block, "start": self.start, "end": self.end, "text": self.text()}
        for key in ("paragraph", "page", "table", "row", "column"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True)
class Finding:
    """A problem in the document: the shared :class:`~anju.problems.Problem` plus the quoted
    sentence and where it is."""

    problem: Problem
    quote: str
    anchor: Anchor | None
    place: str = ""
    """Program and indicator in the framework's words (住房租赁保障 › 资金管理 › 预算执行)."""

    @property
    def severity(self) -> Severity:
        return self.problem.severity

    @property
    def code(self) -> str:
        return str(self.problem.code)

    @property
    def key(self) -> tuple[int, int, str]:
        """Findings of one code at one number are the same finding."""
        if self.anchor is None:
            return (-1, -1, f"{self.code}:{self.problem.message}")
        return (self.anchor.block, self.anchor.start, self.code)

    def with_place(self, program: str | None, item: str | None, place: str) -> Finding:
        problem = self.problem.with_where(program=program, item=item) if program else self.problem
        return replace(self, problem=problem, place=place or self.place)

    def as_dict(self) -> dict[str, Any]:
        where = self.problem.where
        return {
            "code": self.code,
            "severity": self.severity.value,
            "severity_label": self.severity.label,
            "program": where.program,
            "item": where.item,
            "figure": where.figure,
            "place": self.place,
            "location": self.anchor.as_dict() if self.anchor else None,
            "message": self.problem.message,
            "stated": self.problem.stated,
            "computed": self.problem.computed,
            "quote": self.quote,
        }


@dataclass(frozen=True)
class Unchecked:
    """A number the audit did not recompute, with the reason."""

    text: str
    quote: str
    anchor: Anchor
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.text, "quote": self.quote, "location": self.anchor.as_dict(), "reason": self.reason}


@dataclass(frozen=True)
class Coverage:
    total: int
    checked: int
    unchecked: list[Unchecked]

    def text(self) -> str:
        return f"文中{self.total}个数字中核对了{self.checked}个"

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "checked": self.checked, "unchecked": [u.as_dict() for u in self.unchecked]}


@dataclass(frozen=True)
class ProgramSummary:
    id: str
    label: str
    stated_total: Decimal | None
    computed_total: Decimal | None
    complete: bool
    """Whether every item could be scored from the document (the computed total is then meaningful)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "label": self.label,
            "stated_total": plain(self.stated_total) if self.stated_total is not None else None,
            "computed_total": plain(self.computed_total) if self.computed_total is not None else None,
            "complete": self.complete,
        }


@dataclass(frozen=True)
class AuditResult:
    document: SourceDocument
    findings: list[Finding]
    coverage: Coverage
    framework_id: str | None = None
    framework_label: str | None = None
    region: str | None = None
    year: int | None = None
    programs: list[ProgramSummary] = field(default_factory=list)
    dataset: Dataset | None = None
    """The dataset extracted from the document (figures, judgements, narrative, stated scores)."""
    evaluation: Evaluation | None = None
    extracts: list[ProgramExtract] = field(default_factory=list)
    """What was read per program (figures and where they stand, derived figures)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.warning]

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document.name,
            "format": self.document.format,
            "framework": self.framework_id,
            "region": self.region,
            "year": self.year,
            "programs": [p.as_dict() for p in self.programs],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "coverage": self.coverage.as_dict(),
            "findings": [f.as_dict() for f in self.findings],
        }
