"""Scoring: rule kinds (pure functions) and the engine that produces an Evaluation."""

from anju.scoring.engine import EvaluationError, evaluate
from anju.scoring.result import Evaluation, ItemResult, MetricResult, ProgramResult

__all__ = ["Evaluation", "EvaluationError", "ItemResult", "MetricResult", "ProgramResult", "evaluate"]
