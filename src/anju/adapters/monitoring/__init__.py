"""Faces of the year's monitoring: the execution chart and the self-evaluation report (自评报告)."""
