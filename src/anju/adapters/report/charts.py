"""Charts for the explanation (PNG, matplotlib Agg), one figure per program: where points were lost,
each scored item that lost points as its score against its maximum, most points lost first; a
program that lost nothing gets its dimensions' scores against their maximum instead. The caption
(图N　…) is the only title: the images carry none of their own, so nothing is said twice.

The CJK font is registered explicitly (:mod:`anju.adapters.report.fonts`); if it is missing, or a
character would be drawn as a box, :class:`FontMissingError` is raised instead of a bad chart.
Scores are Decimal everywhere else; they become floats only here, as bar lengths.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from anju.adapters.report.fonts import FontMissingError, cjk_font_path
from anju.decimals import plain
from anju.scoring.result import Evaluation, ItemResult, ProgramResult

SCORE_COLOR = "#1f4e79"
INDICATOR_LEVEL = 2
"""Level of a 二级指标 in the result tree; lost points are listed under it."""
LOST_COLOR = "#d9822b"
EDGE_COLOR = "#595959"
DPI = 200
WIDTH_IN = 6.3  # 160 mm: the text block of an A4 page with GB/T 9704 margins


@dataclass(frozen=True)
class Chart:
    program_id: str
    program_label: str
    kind: str
    """``dimensions`` (score against maximum) or ``deductions`` (where points were lost)."""
    number: int
    caption: str
    path: Path


@cache
def cjk_family() -> str:
    """Register the CJK font with matplotlib and return the family name to use (Simplified Chinese
    face of a collection when there is one)."""
    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    names = [entry.name for entry in font_manager.fontManager.ttflist if Path(entry.fname) == path]
    if not names:
        raise FontMissingError(f"字体文件无法被 matplotlib 读取：{path}")
    for preferred in (" SC", " CN", "SC", "GB"):
        for name in names:
            if name.endswith(preferred) and "Mono" not in name:
                return name
    return names[0]


def font_file_for(family: str) -> Path:
    """The font file matplotlib resolves ``family`` to (no fallback to a default font)."""
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    return Path(str(found))


def _style() -> Any:  # matplotlib types rc keys as a Literal; this dict is checked at runtime
    return {
        "font.family": [cjk_family()],
        "font.size": 10,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "savefig.dpi": DPI,
    }


def _save(fig: Figure, path: Path) -> Path:
    """Write the PNG, refusing any glyph the font lacks (it would be drawn as a box)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.08, facecolor="white")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    if missing:
        path.unlink(missing_ok=True)
        raise FontMissingError(f"字体 {cjk_family()} 缺少图表所需的字符：{missing[0]}")
    return path


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def dimension_chart(program: ProgramResult, path: Path) -> Path:
    """Horizontal bars per dimension: score (dark) and points lost (light) adding up to the maximum."""
    dimensions = list(reversed(program.dimensions))
    with rc_context(_style()):
        fig = Figure(figsize=(WIDTH_IN, 1.3 + 0.55 * len(dimensions)))
        ax = fig.add_subplot()
        ys = list(range(len(dimensions)))
        scores = [float(d.score) for d in dimensions]
        lost = [float(d.deduction) for d in dimensions]
        ax.barh(ys, scores, height=0.55, color=SCORE_COLOR, edgecolor=EDGE_COLOR, linewidth=0.6, label="得分")
        ax.barh(ys, lost, left=scores, height=0.55, color=LOST_COLOR, edgecolor=EDGE_COLOR, linewidth=0.6,
                label="失分")
        top = max(float(d.points) for d in dimensions)
        for y, d in zip(ys, dimensions, strict=True):
            note = f"{plain(d.score)}/{plain(d.points)}分"
            if d.deduction:
                note += f"（失{plain(d.deduction)}分）"
            ax.text(float(d.points) + top * 0.02, y, note, va="center", fontsize=9)
        ax.set_yticks(ys, [_wrap(d.label, 8) for d in dimensions])
        ax.set_xlim(0, top * 1.45)
        ax.set_xlabel("分")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False, fontsize=9)
        return _save(fig, path)


def lost_items(program: ProgramResult) -> list[tuple[str, ItemResult]]:
    """Scored leaves that lost points, with a label naming their indicator, most points lost first."""
    found: list[tuple[str, ItemResult]] = []

    def walk(item: ItemResult, trail: list[str]) -> Iterator[tuple[str, ItemResult]]:
        if item.children:
            for child in item.children:
                yield from walk(child, [item.label] if item.level == INDICATOR_LEVEL else trail)
        elif item.deduction > 0:
            yield "·".join([*trail, item.label]), item

    for dimension in program.dimensions:
        found.extend(walk(dimension, []))
    return sorted(found, key=lambda pair: pair[1].deduction, reverse=True)


def deduction_chart(program: ProgramResult, path: Path) -> Path | None:
    """Where points were lost: one bar per scored item that lost points, its score (dark) and the
    points lost (light) adding up to its maximum; ``None`` when nothing was lost."""
    items = lost_items(program)
    if not items:
        return None
    items.reverse()
    with rc_context(_style()):
        labels = [_wrap(label, 16) for label, _ in items]
        height = 0.9 + sum(0.34 + 0.16 * label.count("\n") for label in labels)
        fig = Figure(figsize=(WIDTH_IN, max(height, 2.0)))
        ax = fig.add_subplot()
        ys = list(range(len(items)))
        scores = [float(item.score) for _, item in items]
        lost = [float(item.deduction) for _, item in items]
        ax.barh(ys, scores, height=0.55, color=SCORE_COLOR, edgecolor=EDGE_COLOR, linewidth=0.6, label="得分")
        ax.barh(ys, lost, left=scores, height=0.55, color=LOST_COLOR, edgecolor=EDGE_COLOR, linewidth=0.6,
                label="失分")
        top = max(float(item.points) for _, item in items)
        for y, (_, item) in zip(ys, items, strict=True):
            ax.text(float(item.points) + top * 0.02, y,
                    f"失{plain(item.deduction)}分（得{plain(item.score)}/{plain(item.points)}分）", va="center", fontsize=9)
        ax.set_yticks(ys, labels, fontsize=9)
        ax.set_xlim(0, top * 1.7)
        ax.set_xlabel("分")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
        ax.legend(loc="lower right", ncol=2, frameon=False, fontsize=9)
        return _save(fig, path)


def render_charts(evaluation: Evaluation, directory: Path) -> list[Chart]:
    """One figure per program, numbered 图1, 图2, … in document order: where its points were lost,
    or, when it lost none, its dimensions' scores."""
    charts: list[Chart] = []
    for number, program in enumerate(evaluation.programs, start=1):
        lost = program.points - program.score
        path = deduction_chart(program, directory / f"图{number}-{program.label}-失分情况.png")
        if path is not None:
            caption = f"图{number}　{program.label}失分情况（共失{plain(lost)}分）"
            charts.append(Chart(program.id, program.label, "deductions", number, caption, path))
            continue
        path = dimension_chart(program, directory / f"图{number}-{program.label}-各一级指标得分.png")
        caption = f"图{number}　{program.label}各一级指标得分（均得满分）"
        charts.append(Chart(program.id, program.label, "dimensions", number, caption, path))
    return charts
