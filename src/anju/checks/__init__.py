"""Consistency checks over a dataset and its evaluation → a list of :class:`Issue`."""

from anju.checks.consistency import Issue, Severity, run_checks

__all__ = ["Issue", "Severity", "run_checks"]
