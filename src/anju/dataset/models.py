"""Dataset models. Blank (``None``), zero and not applicable (``"not_applicable"``) are distinct."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, field_validator

from anju.decimals import plain, to_decimal
from anju.fields import (
    NOTE_MAX_CHARS,
    Date,
    Narrative,
    Note,
    RegionCode,
    RegionName,
    Title,
    Year,
)
from anju.framework.models import ProgramId, Strict

NOT_APPLICABLE: Literal["not_applicable"] = "not_applicable"
NA_SPELLINGS = frozenset({"不适用", "n/a", "N/A", "na", "NA", "not_applicable", "无此任务"})

FRAMEWORK_REF_MAX_CHARS = 64
FigureValue = Decimal | None | Literal["not_applicable"]
BLANK_TEXT = "空白"
NOT_APPLICABLE_TEXT = "不适用"


def figure_text(value: FigureValue, blank: str = BLANK_TEXT) -> str:
    """The one way a figure is shown: its number without trailing zeros, 不适用, or ``blank``."""
    if value is None:
        return blank
    if isinstance(value, Decimal):
        return plain(value)
    return NOT_APPLICABLE_TEXT


def sum_figures(values: Iterable[FigureValue]) -> FigureValue:
    """The one blank-aware sum (roll-up of units, appendix rows and totals): blank if any part is
    blank (the total is unknown); 不适用 if every part is 不适用, or there is no part at all (nothing
    applies); else the sum of the numbers, a 不适用 part adding nothing."""
    total = Decimal(0)
    counted = False
    for value in values:
        if value is None:
            return None
        if isinstance(value, Decimal):
            total += value
            counted = True
    return total if counted else NOT_APPLICABLE


def parse_figure(raw: object) -> FigureValue:
    """Read one reported value: a number, blank (None / empty text) or 不适用."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if text == "":
            return None
        if text in NA_SPELLINGS:
            return NOT_APPLICABLE
    return to_decimal(raw)


def parse_figures(raw: Any) -> Any:
    """A mapping of figure id → reported value, each read by :func:`parse_figure`; the error names
    the figure. Anything but a mapping is passed on for pydantic to refuse."""
    if not isinstance(raw, dict):
        return raw
    parsed: dict[str, FigureValue] = {}
    for key, value in raw.items():
        try:
            parsed[str(key)] = parse_figure(value)
        except ValueError as exc:
            raise ValueError(f"数据项“{key}”{exc}") from None
    return parsed


class Judgement(Strict):
    """An evaluator's judgement of a judged or checklist item."""

    points: Decimal | None = None
    clauses: dict[str, StrictBool | Decimal] = Field(default_factory=dict)
    """Met (true/false) or the points a clause earned; strictly a bool, so that partial points kept as
    JSON (``"1"``) come back as points, not as ``True``."""
    reason: Narrative | None = None
    """Why points were lost, as the official score table prints it."""
    note: Note | None = None
    """An internal note for the signer (e.g. how the sample scored it): listed in the 核对清单,
    never printed in an official document."""
    evidence: list[Annotated[str, Field(max_length=NOTE_MAX_CHARS)]] = Field(default_factory=list)


class StatedProgram(Strict):
    """What a document stated, to be checked against what anju computes."""

    total: Decimal | None = None
    scores: dict[str, Decimal] = Field(default_factory=dict)
    percents: dict[str, Decimal] = Field(default_factory=dict)


class ProgramData(Strict):
    figures: dict[str, FigureValue] = Field(default_factory=dict)
    judgements: dict[str, Judgement] = Field(default_factory=dict)
    narrative: dict[str, Narrative] = Field(default_factory=dict)
    stated: StatedProgram = Field(default_factory=StatedProgram)

    @field_validator("figures", mode="before")
    @classmethod
    def _figures(cls, raw: Any) -> Any:
        return parse_figures(raw)


class Region(Strict):
    code: RegionCode
    name: RegionName


class Signature(Strict):
    """The 落款 and the cover letter's particulars (GB/T 9704 7.3.5): who signs, when, whom to call."""

    issuers: list[Title] = Field(default_factory=list)
    """发文机关署名, e.g. [吉林省财政厅, 吉林省住房和城乡建设厅]; default: the region's 财政厅."""
    date: Date | None = None
    """成文日期; default: the day the documents are written."""
    contact: Note | None = None
    phone: Note | None = None
    document_number: Note | None = None
    """The cover letter's 发文字号 (e.g. 吉财建函〔2023〕12号); default: a placeholder to fill in."""


class CitedDocument(Strict):
    """A document cited as evidence (佐证材料): its 文号 and 印发日期 where known, for the
    佐证材料目录. ``title`` is matched against the judgements' ``evidence`` by its 《…》 name."""

    title: Title
    number: Note | None = None
    """文号, e.g. 吉政办发〔2021〕40号."""
    issued: Date | Year | None = None
    """印发日期: a date, or only the year when the day is not known."""
    issuer: Note | None = None
    """印发机关, e.g. 吉林省住房和城乡建设厅."""

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("文件名称不能为空")
        return value.strip()


class Dataset(Strict):
    region: Region
    year: Year
    framework: Annotated[str, Field(min_length=1, max_length=FRAMEWORK_REF_MAX_CHARS)]
    as_of: Date | None = None
    title: Title | None = None
    source: Note | None = None
    note: Note | None = None
    signature: Signature = Field(default_factory=Signature)
    documents: list[CitedDocument] = Field(default_factory=list)
    """文号 and 印发日期 of the documents the judgements cite (佐证材料目录)."""
    programs: dict[ProgramId, ProgramData]

    def figure(self, program: str, figure_id: str) -> FigureValue:
        data = self.programs.get(program)
        if data is None:
            return None
        value: FigureValue = data.figures.get(figure_id)
        return value
