"""Performance targets (绩效目标): the MoF 区域绩效目标表 of a region and year, and its breakdown (分解下达)."""

from anju.targets.loader import TargetsError, check_targets, load_targets, targets_path
from anju.targets.models import Category, Comparison, Dimension, Indicator, ProgramTargets, Targets

__all__ = [
    "Category", "Comparison", "Dimension", "Indicator", "ProgramTargets", "Targets", "TargetsError",
    "check_targets", "load_targets", "targets_path",
]
