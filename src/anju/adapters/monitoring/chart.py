"""The chart of budget execution over the year against time progress (时序进度), one line per program.

PNG through matplotlib (Agg) with the CJK font registered explicitly, exactly as the explanation's
charts (:mod:`anju.adapters.report.charts`): a missing font or glyph is a :class:`FontMissingError`,
never boxes. Rates are Decimal elsewhere; they become floats only here, as positions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from anju.adapters.report.charts import WIDTH_IN, _save, _style
from anju.decimals import plain
from anju.monitoring.engine import RoundAssessment

TIME_COLOR = "#7f7f7f"
PROGRAM_COLORS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000")
MONTH_TICKS = (1, 3, 5, 7, 9, 11)


def _day(day: dt.date) -> int:
    return day.timetuple().tm_yday


LABEL_GAP = 5.0
"""Vertical distance (percentage points of the axis) between two year-end labels, so close rates do not overlap."""


def _year_end_labels(ax: Axes, ends: list[tuple[float, float, str, str]]) -> None:
    """Each year-end rate written left of its point, the labels stacked from the highest down."""
    below = float("inf")
    for y, x, text, color in sorted(ends, reverse=True):
        place = min(y + 1, below - LABEL_GAP)
        below = place
        ax.annotate(text, (x, y), xytext=(-34, place), textcoords=("offset points", "data"), fontsize=8, color=color)


def execution_chart(
    rounds: Sequence[RoundAssessment], path: Path, year: int,
    year_end: Mapping[str, tuple[dt.date, Decimal]] | None = None, title: str = "",
) -> Path:
    """Execution rate of each program at each round (and, when given, at year end) against the line
    of time progress; the gap at each round is written beside its point."""
    year_end = year_end or {}
    days_in_year = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    programs: dict[str, str] = {}
    for assessment in rounds:
        for program in assessment.total.programs.values():
            programs.setdefault(program.program, program.label)
    with rc_context(_style()):
        fig = Figure(figsize=(WIDTH_IN, 3.9))
        ax = fig.add_subplot()
        ax.plot([0, days_in_year], [0, 100], color=TIME_COLOR, linestyle="--", linewidth=1.2, label="时序进度")
        ends: list[tuple[float, float, str, str]] = []
        for index, (program_id, label) in enumerate(programs.items()):
            color = PROGRAM_COLORS[index % len(PROGRAM_COLORS)]
            xs, ys = [0.0], [0.0]
            for assessment in rounds:
                status = assessment.total.programs.get(program_id)
                if status is None or status.execution is None or status.execution.rate is None:
                    continue
                xs.append(_day(assessment.date))
                ys.append(float(status.execution.rate))
                ax.annotate(f"{plain(status.execution.rate)}%", (xs[-1], ys[-1]), textcoords="offset points",
                            xytext=(4, -10 - 8 * index), fontsize=8, color=color)
            if program_id in year_end:
                day, rate = year_end[program_id]
                xs.append(min(_day(day) if day.year == year else days_in_year, days_in_year))
                ys.append(float(rate))
                ends.append((ys[-1], xs[-1], f"{plain(rate)}%", color))
            ax.plot(xs, ys, marker="o", markersize=4, color=color, linewidth=1.6, label=f"{label}预算执行率")
        _year_end_labels(ax, ends)
        ticks = [_day(dt.date(year, month, 1)) for month in MONTH_TICKS] + [days_in_year]
        ax.set_xticks(ticks, [f"{m}月1日" for m in MONTH_TICKS] + ["12月31日"], fontsize=8)
        ax.set_xlim(0, days_in_year + 5)
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_locator(MultipleLocator(20))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}%"))
        ax.grid(axis="y", linewidth=0.4, alpha=0.5)
        ax.set_title(title or f"{year}年预算执行进度与时序进度", fontsize=11)
        ax.legend(loc="upper left", frameon=False, fontsize=8)
        return _save(fig, path)
