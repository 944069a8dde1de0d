"""Dates as a Chinese document writes them: 2023年1月5日."""

from __future__ import annotations

import datetime as dt


def chinese_date(day: dt.date) -> str:
    """2023年1月5日 (no leading zeros, as official documents write it)."""
    return f"{day.year}年{day.month}月{day.day}日"


def as_of_text(year: int, as_of: dt.date | None) -> str:
    """The date figures are counted to: the declared day, or the end of the year (2022年末)."""
    return chinese_date(as_of) if as_of is not None else f"{year}年末"
