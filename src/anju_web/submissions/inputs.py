"""What a user typed in one row of the web form or the API, read by the collection module's one
value reader (:func:`anju.collect.entry.read_value`): the web, the API and the Excel import accept
exactly the same values, with the same limits and the same Chinese messages."""

from __future__ import annotations

from dataclasses import dataclass

from anju.collect.entry import Entered, EntryError, read_value
from anju.collect.rows import EntryRow

__all__ = ["Entered", "EntryError", "RowInput", "parse_row"]


@dataclass(frozen=True)
class RowInput:
    """One row of the form: the typed text, the 不适用 tick, the 情况说明."""

    text: str | None = None
    not_applicable: bool = False
    explanation: str | None = None


def parse_row(row: EntryRow, given: RowInput) -> Entered:
    """The row's value; :class:`EntryError` when it cannot be accepted."""
    return read_value(row, given.text, not_applicable=given.not_applicable)
