"""Figures, judgements, narrative and stated values for one region and year."""

from anju.dataset.loader import DatasetError, load_dataset
from anju.dataset.models import NOT_APPLICABLE, Dataset, FigureValue, Judgement, ProgramData, StatedProgram

__all__ = [
    "NOT_APPLICABLE",
    "Dataset",
    "DatasetError",
    "FigureValue",
    "Judgement",
    "ProgramData",
    "StatedProgram",
    "load_dataset",
]
