"""The indicator framework: models, loader and the built-in tables."""

from anju.framework.loader import FrameworkError, builtin_framework, builtin_years, load_framework
from anju.framework.models import (
    Checklist,
    Deduction,
    FigureSpec,
    Framework,
    Item,
    Judged,
    Metric,
    Program,
    Proportional,
    RatioTiers,
    Rule,
    Threshold,
)

__all__ = [
    "Checklist",
    "Deduction",
    "FigureSpec",
    "Framework",
    "FrameworkError",
    "Item",
    "Judged",
    "Metric",
    "Program",
    "Proportional",
    "RatioTiers",
    "Rule",
    "Threshold",
    "builtin_framework",
    "builtin_years",
    "load_framework",
]
