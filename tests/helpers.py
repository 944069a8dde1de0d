"""What several test modules share: paths to the example and fixtures, small rule objects, and
dataset edits. Test modules import from here, never from each other."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from openpyxl import load_workbook

from anju.dataset import Dataset
from anju.dataset.models import FigureValue
from anju.framework.models import Metric, Proportional, RatioTiers, Tier

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jilin-2022"
FIXTURES = ROOT / "tests" / "fixtures"

METRIC = Metric(label="预算执行率", numerator=["spent"], denominator=["budget"], kind="completion")
EXECUTION = RatioTiers(
    kind="ratio_tiers",
    metric=METRIC,
    provenance="inferred",
    tiers=[
        Tier(below=D(60), points=D(0)),
        Tier(at_least=D(60), below=D(80), points=D(1)),
        Tier(at_least=D(80), below=D(90), points=D(2)),
        Tier(at_least=D(90), points=D(3)),
    ],
)
PROP = Proportional(kind="proportional", metric=METRIC, provenance="assumed")


def with_figures(dataset: Dataset, program: str, **figures: FigureValue) -> Dataset:
    """The dataset with some figures of one program replaced."""
    data = dataset.programs[program]
    programs = dict(dataset.programs)
    programs[program] = data.model_copy(update={"figures": {**data.figures, **figures}})
    return dataset.model_copy(update={"programs": programs})


def workbook_cells(path: Path) -> dict[str, object]:
    """Every sheet of a workbook as plain data: each written cell's formula or value, its stored
    (cached) value and number format, the merged ranges, frozen panes, print titles and comments.
    Two workbooks with the same dump show the same thing cell for cell."""
    formulas, values = load_workbook(path), load_workbook(path, data_only=True)
    dump: dict[str, object] = {"sheets": formulas.sheetnames}
    for name in formulas.sheetnames:
        wf, wv = formulas[name], values[name]
        cells = {
            cell.coordinate: [cell.value, wv[cell.coordinate].value, cell.number_format]
            for row in wf.iter_rows()
            for cell in row
            if cell.value is not None or wv[cell.coordinate].value is not None
        }
        dump[name] = {
            "cells": cells,
            "merged": sorted(str(r) for r in wf.merged_cells.ranges),
            "freeze": wf.freeze_panes,
            "print_titles": wf.print_title_rows,
            "comments": {c.coordinate: c.comment.text for row in wf.iter_rows() for c in row if c.comment},
        }
    return dump
