"""One vocabulary for "a problem found", whoever finds it.

A :class:`Problem` has a machine-readable ``code`` (a member of one of the code enums below, or a
validation rule's id, which is data), a :class:`Severity`, a :class:`Where` that can name every
coordinate a user acts on (program, indicator, figure, unit, file, sheet, cell, line, paragraph,
page) and a Chinese message. Loaders, the scoring engine, the consistency checks, the validation
rules, the workbook import, the roll-up, the CLI, the web and the API all speak it; the web stores
:meth:`Problem.as_dict` and reads it back with :meth:`Problem.from_dict`.

The list of codes is the code: each area has its own ``StrEnum``, and nothing emits a code that is
not a member of one (validation rules excepted: their ids are declared in YAML).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypedDict


class Severity(StrEnum):
    """错误 blocks (a file, a submission, ``--strict``); 警告 needs a look or a 情况说明; 提示 informs."""

    error = "error"
    warning = "warning"
    advisory = "advisory"

    @property
    def label(self) -> str:
        return _SEVERITY_LABELS[self]

    @property
    def rank(self) -> int:
        """0 for the most severe, for sorting."""
        return _SEVERITY_RANK[self]


_SEVERITY_LABELS = {Severity.error: "错误", Severity.warning: "警告", Severity.advisory: "提示"}
_SEVERITY_RANK = {Severity.error: 0, Severity.warning: 1, Severity.advisory: 2}


class LoadCode(StrEnum):
    """A source file (framework, dataset, units, region tree, rule set) that cannot be loaded."""

    FILE_MISSING = "FILE_MISSING"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    YAML_SYNTAX = "YAML_SYNTAX"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    FIELD_INVALID = "FIELD_INVALID"
    """A field missing, of the wrong type or out of range (the model's validation)."""
    REFERENCE_UNKNOWN = "REFERENCE_UNKNOWN"
    """A reference to a program, item, figure, unit or framework that does not exist."""
    INCONSISTENT = "INCONSISTENT"
    """A rule of the file's own structure broken (points that do not add up, duplicates, …)."""
    YAML_ALIAS = "YAML_ALIAS"
    """An anchor or alias (``&a`` / ``*a``): refused, they can expand to billions of nodes."""
    YAML_MERGE_KEY = "YAML_MERGE_KEY"
    """A merge key (``<<:``), which YAML 1.2 does not have."""
    YAML_TOO_DEEP = "YAML_TOO_DEEP"
    YAML_TOO_LARGE = "YAML_TOO_LARGE"
    NUMBER_INVALID = "NUMBER_INVALID"
    """``.inf``, ``.nan`` or a number beyond what any figure, score or rate can hold."""
    FIGURE_LIMIT = "FIGURE_LIMIT"
    """A figure beyond its kind's limits (magnitude, decimals, whole numbers; :data:`FIGURE_LIMITS`)."""
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    TIER_GAP = "TIER_GAP"
    """Values of the metric that no tier covers."""
    TIER_OVERLAP = "TIER_OVERLAP"
    """Values of the metric that two tiers cover."""
    RANGE_INVERTED = "RANGE_INVERTED"
    """A minimum above its maximum."""
    DUPLICATE_LABEL = "DUPLICATE_LABEL"


class ScoringCode(StrEnum):
    """An item the engine cannot score."""

    FIGURE_BLANK = "FIGURE_BLANK"
    JUDGEMENT_MISSING = "JUDGEMENT_MISSING"
    INPUT_INVALID = "INPUT_INVALID"


class ConsistencyCode(StrEnum):
    """Stated versus computed, parts versus totals, plausibility (:mod:`anju.checks`)."""

    STATED_PERCENT_MISMATCH = "STATED_PERCENT_MISMATCH"
    """A stated percentage differs from the recomputed one by more than 0.5 percentage points."""
    DENOMINATOR_SWITCH = "DENOMINATOR_SWITCH"
    """A stated share matches an alternate base (e.g. started, not planned)."""
    STATED_SCORE_MISMATCH = "STATED_SCORE_MISMATCH"
    STATED_SUBTOTAL_MISMATCH = "STATED_SUBTOTAL_MISMATCH"
    STATED_TOTAL_MISMATCH = "STATED_TOTAL_MISMATCH"
    PARTS_TOTAL_MISMATCH = "PARTS_TOTAL_MISMATCH"
    SHARE_ABOVE_100 = "SHARE_ABOVE_100"
    IMPLAUSIBLE_MAGNITUDE = "IMPLAUSIBLE_MAGNITUDE"
    FIGURE_BLANK = "FIGURE_BLANK"
    FIGURE_NEGATIVE = "FIGURE_NEGATIVE"
    NARRATIVE_CONTRADICTION = "NARRATIVE_CONTRADICTION"
    """A narrative paragraph says what the figures or scores contradict (没有发现 beside 2 findings)."""


class EntryCode(StrEnum):
    """One value typed into a form or a workbook cell (:mod:`anju.collect.entry`)."""

    REQUIRED_BLANK = "REQUIRED_BLANK"
    NOT_A_NUMBER = "NOT_A_NUMBER"
    NEGATIVE = "NEGATIVE"
    NOT_WHOLE = "NOT_WHOLE"
    TOO_MANY_DECIMALS = "TOO_MANY_DECIMALS"
    TOO_LARGE = "TOO_LARGE"
    PERCENT_RANGE = "PERCENT_RANGE"
    NOT_APPLICABLE_REFUSED = "NOT_APPLICABLE_REFUSED"
    NOT_APPLICABLE_WITH_VALUE = "NOT_APPLICABLE_WITH_VALUE"
    ANSWER_INVALID = "ANSWER_INVALID"
    FORMULA_ERROR = "FORMULA_ERROR"
    FORMULA_NOT_COMPUTED = "FORMULA_NOT_COMPUTED"
    DATE_INVALID = "DATE_INVALID"
    TEXT_TOO_LONG = "TEXT_TOO_LONG"
    NO_TASK_INVALID = "NO_TASK_INVALID"
    NO_TASK_WITH_DATA = "NO_TASK_WITH_DATA"


class FileCode(StrEnum):
    """The system refused to read or write a file (:mod:`anju.files`)."""

    WRITE_FAILED = "WRITE_FAILED"
    READ_FAILED = "READ_FAILED"


class ImportCode(StrEnum):
    """A workbook refused as a whole (:mod:`anju.adapters.excel`)."""

    FILE_MISSING = "FILE_MISSING"
    FILE_UNREADABLE = "FILE_UNREADABLE"
    FILE_EMPTY = "FILE_EMPTY"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    NOT_A_WORKBOOK = "NOT_A_WORKBOOK"
    ENCRYPTED = "ENCRYPTED"
    MACROS = "MACROS"
    CORRUPT = "CORRUPT"
    ZIP_BOMB = "ZIP_BOMB"
    SHEET_TOO_LARGE = "SHEET_TOO_LARGE"
    """A sheet whose cells reach beyond the template's used range (checked in the XML)."""
    UNSUPPORTED_COMPRESSION = "UNSUPPORTED_COMPRESSION"
    NOT_A_TEMPLATE = "NOT_A_TEMPLATE"
    TEMPLATE_OUTDATED = "TEMPLATE_OUTDATED"
    TEMPLATE_FOREIGN = "TEMPLATE_FOREIGN"
    TEMPLATE_ALTERED = "TEMPLATE_ALTERED"
    IDENTITY_MISMATCH = "IDENTITY_MISMATCH"
    """The cover or the sheet titles name another unit than the hidden metadata."""
    UNIT_UNKNOWN = "UNIT_UNKNOWN"
    SHEET_MISSING = "SHEET_MISSING"
    STRUCTURE_CHANGED = "STRUCTURE_CHANGED"
    DUPLICATE_UNIT = "DUPLICATE_UNIT"


class BatchCode(StrEnum):
    """A batch of workbooks as a whole (``anju import``)."""

    BATCH_REFUSED = "BATCH_REFUSED"
    """One file refused: nothing of the batch is written (unless ``--partial``)."""


class AggregationCode(StrEnum):
    """A total that cannot be formed up the region tree (:mod:`anju.collect.aggregate`)."""

    UNIT_MISSING = "UNIT_MISSING"
    PROGRAM_NOT_REPORTED = "PROGRAM_NOT_REPORTED"
    ANSWER_BLANK = "ANSWER_BLANK"
    FIGURE_BLANK = "FIGURE_BLANK"
    WEIGHT_ZERO = "WEIGHT_ZERO"


class CollectCode(StrEnum):
    """Putting units' reports and the province dataset together (:mod:`anju.collect.pipeline`)."""

    UNITS_MISSING = "UNITS_MISSING"
    YEAR_MISMATCH = "YEAR_MISMATCH"
    FIGURE_DIFFERS = "FIGURE_DIFFERS"
    TOTAL_BLANK = "TOTAL_BLANK"


class AllocationCode(StrEnum):
    """An allocation method that breaks its own rules, or allocation inputs that cannot be allocated
    (:mod:`anju.allocation`)."""

    WEIGHTS_NOT_100 = "WEIGHTS_NOT_100"
    """A program's factor weights and reward share do not add up to 100%."""
    FIGURE_UNDECLARED = "FIGURE_UNDECLARED"
    SCORE_WEIGHTS_NOT_100 = "SCORE_WEIGHTS_NOT_100"
    BANDS_INVALID = "BANDS_INVALID"
    COEFFICIENT_MISSING = "COEFFICIENT_MISSING"
    PROGRAM_UNKNOWN = "PROGRAM_UNKNOWN"
    AMOUNT_MISSING = "AMOUNT_MISSING"
    SAVE_CONFLICT = "SAVE_CONFLICT"
    """Another writer kept taking the version number a saved allocation was to get."""
    AMOUNT_NOT_IN_UNIT = "AMOUNT_NOT_IN_UNIT"
    QUANTITY_BLANK = "QUANTITY_BLANK"
    QUANTITY_INVALID = "QUANTITY_INVALID"
    DIFFICULTY_MISSING = "DIFFICULTY_MISSING"
    DIFFICULTY_INVALID = "DIFFICULTY_INVALID"
    SCORE_MISSING = "SCORE_MISSING"
    SCORE_RANGE = "SCORE_RANGE"
    SCORE_FILLED_ZERO = "SCORE_FILLED_ZERO"
    SCORE_BASIS_DIFFERS = "SCORE_BASIS_DIFFERS"
    SCORES_RENORMALISED = "SCORES_RENORMALISED"
    FACTOR_WITHOUT_TASK = "FACTOR_WITHOUT_TASK"
    """No region has any quantity of a factor: its weight goes to the program's other factors."""
    NOTHING_TO_ALLOCATE = "NOTHING_TO_ALLOCATE"
    REWARD_BASE_ZERO = "REWARD_BASE_ZERO"
    NO_REGIONS = "NO_REGIONS"
    REGION_UNKNOWN = "REGION_UNKNOWN"
    REGION_LEVEL = "REGION_LEVEL"
    REGION_DUPLICATE = "REGION_DUPLICATE"
    SOURCE_CONFLICT = "SOURCE_CONFLICT"
    """The same value given twice (typed in the inputs and taken from units or an evaluation)."""
    EVALUATION_UNAVAILABLE = "EVALUATION_UNAVAILABLE"


class AuditCode(StrEnum):
    """Reading and auditing a province's explanation document (:mod:`anju.audit`). The checks of
    the numbers themselves reuse :class:`ConsistencyCode`, so a finding reads the same whether the
    figures came from a dataset or from a Word file."""

    DOCUMENT_MISSING = "DOCUMENT_MISSING"
    DOCUMENT_UNREADABLE = "DOCUMENT_UNREADABLE"
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT"
    NO_TEXT_LAYER = "NO_TEXT_LAYER"
    """A scanned PDF: pages without a text layer."""
    DOCUMENT_EMPTY = "DOCUMENT_EMPTY"
    SCORE_ABOVE_MAXIMUM = "SCORE_ABOVE_MAXIMUM"
    """A stated score above the stated or declared maximum points."""
    FIGURE_INCONSISTENT = "FIGURE_INCONSISTENT"
    """The same figure stated with two different values."""
    FIGURE_NOT_FOUND = "FIGURE_NOT_FOUND"
    """A figure the framework needs that the document does not state."""
    ITEM_NOT_FOUND = "ITEM_NOT_FOUND"
    """An indicator of the framework the document does not explain."""
    FRAMEWORK_NOT_DETECTED = "FRAMEWORK_NOT_DETECTED"


class TargetsCode(StrEnum):
    """Performance targets (绩效目标) and their breakdown (分解下达) (:mod:`anju.targets`)."""

    BREAKDOWN_MISMATCH = "BREAKDOWN_MISMATCH"
    """The parts of a target that must add up do not add up to the whole."""
    BREAKDOWN_MISSING = "BREAKDOWN_MISSING"
    """A unit without its part of a target that must add up."""
    COMPARISON_INVALID = "COMPARISON_INVALID"


class MonitoringCode(StrEnum):
    """The year's monitoring (双监控) rounds and their deviation warnings (:mod:`anju.monitoring`)."""

    DATE_UNDECLARED = "DATE_UNDECLARED"
    UNIT_MISSING = "UNIT_MISSING"
    EXPLANATION_MISSING = "EXPLANATION_MISSING"
    """A deviation warning without its reason or correction measure: the round cannot be submitted."""
    SPENT_ABOVE_BUDGET = "SPENT_ABOVE_BUDGET"
    REPORT_RETURNED = "REPORT_RETURNED"
    """A reviewer returned the unit's report (退回); it waits for the unit's correction and new 报送."""


class OutlierCode(StrEnum):
    OUTLIER = "OUTLIER"


@dataclass(frozen=True)
class Where:
    """Every coordinate a problem can have; all optional, ``line`` 0 when unknown."""

    program: str | None = None
    item: str | None = None
    """Indicator path inside the program (e.g. ``fund_management.budget_execution``)."""
    figure: str | None = None
    unit: str | None = None
    """GB/T 2260 code of a reporting unit."""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int = 0
    paragraph: int | None = None
    page: int | None = None

    def text(self) -> str:
        """The file part of a location as a user opens it: ``长春市.xlsx 住房租赁保障!C7``, ``rental.yaml:14``."""
        if self.file is None:
            return ""
        if self.sheet and self.cell:
            return f"{self.file} {self.sheet}!{self.cell}"
        if self.sheet:
            return f"{self.file} {self.sheet}"
        if self.line:
            return f"{self.file}:{self.line}"
        if self.paragraph is not None:
            return f"{self.file} 第{self.paragraph}段"
        return self.file

    def as_dict(self) -> dict[str, str | int]:
        return {k: v for k, v in self.__dict__.items() if v is not None and v != 0}


class ProblemDict(TypedDict, total=False):
    code: str
    severity: str
    message: str
    where: dict[str, str | int]
    explanation: str
    stated: str
    computed: str


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    message: str
    where: Where = field(default_factory=Where)
    explanation: str | None = None
    """The 情况说明 that explains a warning."""
    stated: str | None = None
    computed: str | None = None

    @property
    def explained(self) -> bool:
        return bool(self.explanation and self.explanation.strip())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.error

    # historical short-hands, kept because every reader of a problem asks for them
    @property
    def program(self) -> str | None:
        return self.where.program

    @property
    def figure(self) -> str | None:
        return self.where.figure

    @property
    def unit(self) -> str | None:
        return self.where.unit

    def with_where(self, **coordinates: Any) -> Problem:
        return replace(self, where=replace(self.where, **coordinates))

    def with_explanation(self, explanation: str | None) -> Problem:
        return replace(self, explanation=explanation)

    def with_message(self, message: str) -> Problem:
        return replace(self, message=message)

    def __str__(self) -> str:
        place = self.where.text()
        return f"{place}：{self.message}" if place else self.message

    def as_dict(self) -> ProblemDict:
        out: ProblemDict = {"code": str(self.code), "severity": self.severity.value, "message": self.message,
                            "where": self.where.as_dict()}
        if self.explanation:
            out["explanation"] = self.explanation
        if self.stated is not None:
            out["stated"] = self.stated
        if self.computed is not None:
            out["computed"] = self.computed
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Problem:
        where = data.get("where") or {}
        if not isinstance(where, Mapping):  # stored before 0.2: program + a path or figure id as text
            where = {"program": data.get("program"), "item": str(where)}
        return cls(
            code=str(data["code"]),
            severity=Severity(data["severity"]),
            message=str(data["message"]),
            where=Where(**{k: v for k, v in dict(where).items() if k in _WHERE_FIELDS}),
            explanation=data.get("explanation") or None,
            stated=data.get("stated"),
            computed=data.get("computed"),
        )


_WHERE_FIELDS = frozenset(Where.__dataclass_fields__)


def at_line(file: str, line: int, message: str, code: str = LoadCode.INCONSISTENT) -> Problem:
    """A problem in a source file at a line (0 when unknown); severity error."""
    return Problem(code, Severity.error, message, Where(file=file, line=line))


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is Severity.error]


class ProblemsError(Exception):
    """Every reason something could not be loaded, imported or scored, reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
