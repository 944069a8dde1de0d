"""The indicator framework of a cycle, and its labels with a fallback for ids it does not know
(an audit entry or a stored return may name a figure of an older framework)."""

from __future__ import annotations

from anju.framework import Framework, builtin_framework


def framework_by_id(framework_id: str) -> Framework:
    """A built-in framework (cached by :func:`anju.framework.builtin_framework`)."""
    return builtin_framework(framework_id)


def program_label(framework: Framework, program_id: str) -> str:
    try:
        return framework.program(program_id).label
    except KeyError:
        return program_id


def figure_label(framework: Framework, program_id: str, figure_id: str) -> str:
    try:
        return framework.program(program_id).figure(figure_id).label
    except KeyError:
        return figure_id
