"""Consistency checks over a dataset and its evaluation → a list of :class:`~anju.problems.Problem`."""

from anju.checks.consistency import Tolerance, fixed_tolerance, precision_tolerance, run_checks

__all__ = ["Tolerance", "fixed_tolerance", "precision_tolerance", "run_checks"]
