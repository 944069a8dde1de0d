"""The indicator framework of a cycle (cached: frameworks are immutable data)."""

from __future__ import annotations

from functools import cache

from anju.framework import Framework, builtin_framework
from anju.framework.models import FigureSpec, Program


@cache
def framework_by_id(framework_id: str) -> Framework:
    return builtin_framework(framework_id)


def figure_spec(framework: Framework, program_id: str, figure_id: str) -> FigureSpec:
    return framework.program(program_id).figure(figure_id)


def program_label(framework: Framework, program_id: str) -> str:
    try:
        return framework.program(program_id).label
    except KeyError:
        return program_id


def figure_label(framework: Framework, program_id: str, figure_id: str) -> str:
    try:
        return figure_spec(framework, program_id, figure_id).label
    except KeyError:
        return figure_id


def programs(framework: Framework) -> list[Program]:
    return list(framework.programs)
