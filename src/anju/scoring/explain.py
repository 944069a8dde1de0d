"""Fill explanation templates: ``{figure_id}``, ``{rate:1}`` (percent with one decimal) and
``{figure_id:万}`` (the figure in 万, as official documents write large counts: 30000 → 3万)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

from anju.dataset.models import NOT_APPLICABLE, FigureValue
from anju.decimals import fixed, plain
from anju.framework.models import PLACEHOLDER_RE

_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”（）])\s+|\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”（）])")


def format_value(value: FigureValue | str, decimals: int | None = None) -> str:
    if value is None:
        return "（未填报）"
    if value == NOT_APPLICABLE:
        return "不适用"
    if isinstance(value, Decimal):
        return fixed(value, decimals) if decimals is not None else plain(value)
    return str(value)


TEN_THOUSAND = "万"
Formatter = Callable[[int | None], str]
"""Formats one placeholder's value for a given number of places (None: as it is)."""


def render(template: str, values: Mapping[str, FigureValue | str], formatters: Mapping[str, Formatter] | None = None) -> str:
    """Replace placeholders; the framework loader has already refused unknown ones. A placeholder
    with a formatter (``{rate}``: shown so that it never contradicts the band applied) uses it."""

    def sub(match: re.Match[str]) -> str:
        name, decimals = match.group(1), match.group(2)
        if decimals == TEN_THOUSAND:
            value = values.get(name)
            if isinstance(value, Decimal):
                return f"{plain(value / 10000)}{TEN_THOUSAND}"
            return format_value(value)
        places = int(decimals) if decimals is not None else None
        if formatters and name in formatters:
            return formatters[name](places)
        return format_value(values.get(name), places)

    text = PLACEHOLDER_RE.sub(sub, template)
    return _CJK_SPACE.sub("", text).strip()
