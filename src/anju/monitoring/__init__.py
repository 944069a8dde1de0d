"""双监控: budget execution and target progress at declared dates, deviation warnings by declared
rules, and the year-end score a unit is heading for."""

from anju.monitoring.engine import RoundAssessment, Warning, assess_round, assess_year, time_progress
from anju.monitoring.loader import MonitoringError, load_monitoring, monitoring_path
from anju.monitoring.models import Level, Monitoring

__all__ = [
    "Level", "Monitoring", "MonitoringError", "RoundAssessment", "Warning", "assess_round", "assess_year",
    "load_monitoring", "monitoring_path", "time_progress",
]
