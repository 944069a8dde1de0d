"""Consistency checks over a dataset and its evaluation → a list of :class:`~anju.problems.Problem`."""

from anju.checks.consistency import run_checks

__all__ = ["run_checks"]
