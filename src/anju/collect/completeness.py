"""Completeness and timeliness: who reported, who has not, who was late (pure).

A unit is expected when it reports in the year (region tree). Its submission date is the 填报日期
declared in its workbook; when none was declared, the file's timestamp at import. It is late when
that date is after the deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from anju.collect.regions import RegionTree, RegionUnit
from anju.collect.units import UnitsFile

DateSource = Literal["declared", "file", "unknown", "none"]


@dataclass(frozen=True)
class UnitStatus:
    unit: RegionUnit
    submitted_on: dt.date | None
    """None: not submitted."""
    date_source: DateSource
    """``declared`` (填报日期), ``file`` (file timestamp), ``unknown`` (reported without a date) or
    ``none`` (not reported)."""
    days_late: int
    """Days after the deadline (0 when on time, not submitted, or no deadline)."""
    no_task: tuple[str, ...] = ()

    @property
    def submitted(self) -> bool:
        return self.submitted_on is not None or self.date_source != "none"

    @property
    def late(self) -> bool:
        return self.days_late > 0


@dataclass(frozen=True)
class Completeness:
    region: str
    year: int
    deadline: dt.date | None
    statuses: list[UnitStatus]

    @property
    def expected(self) -> int:
        return len(self.statuses)

    @property
    def submitted(self) -> list[UnitStatus]:
        return [s for s in self.statuses if s.submitted]

    @property
    def missing(self) -> list[UnitStatus]:
        return [s for s in self.statuses if not s.submitted]

    @property
    def late(self) -> list[UnitStatus]:
        return [s for s in self.statuses if s.late]

    @property
    def on_time(self) -> list[UnitStatus]:
        return [s for s in self.statuses if s.submitted and not s.late]

    @property
    def rate(self) -> tuple[int, int]:
        """(submitted, expected) — the reporting rate."""
        return len(self.submitted), self.expected


def completeness(tree: RegionTree, units: UnitsFile, deadline: dt.date | None = None) -> Completeness:
    """Status of every unit expected to report in ``units.year``; ``deadline`` defaults to the
    one declared in the units file."""
    due = deadline or units.deadline
    statuses: list[UnitStatus] = []
    for unit in tree.reporting_units(units.year):
        report = units.units.get(unit.code)
        if report is None:
            statuses.append(UnitStatus(unit, None, "none", 0))
            continue
        source: DateSource
        on: dt.date | None
        if report.submitted_at is not None:
            on, source = report.submitted_at, "declared"
        elif report.received_at is not None:
            on, source = report.received_at.date(), "file"
        else:
            on, source = None, "unknown"
        late = max((on - due).days, 0) if on is not None and due is not None else 0
        no_task = tuple(pid for pid, data in report.programs.items() if data.no_task)
        statuses.append(UnitStatus(unit, on, source, late, no_task))
    return Completeness(tree.code, units.year, due, statuses)
