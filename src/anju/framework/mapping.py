"""A declared figure mapping between framework versions, so last year's data can be compared with
this year's across a change of framework (2022 ``rental.public_housing_started`` + …
→ 2024 ``housing_security.rent_housing_raised``).

A framework lists its mappings in ``framework.yaml`` (``mappings: [mapping-2022.yaml]``); each says
which framework it maps from and, per program of this framework, the program it continues and, for
each figure, the old figures whose sum it corresponds to. A figure not listed maps to the old figure
with the same id when there is one; ``[]`` says it has no counterpart.
"""

from __future__ import annotations

from anju.framework.models import FigureMapping, Framework


def mapping_sources(
    mapping: FigureMapping, current: Framework, previous: Framework
) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """(program, figure) of ``current`` → (older program, the older figures it sums), for every
    figure that has a counterpart."""
    out: dict[tuple[str, str], tuple[str, list[str]]] = {}
    old_ids = {p.id for p in previous.programs}
    for program in current.programs:
        declared = mapping.programs.get(program.id)
        if declared is None and program.id not in old_ids:
            continue
        source = (declared.from_program if declared and declared.from_program else program.id)
        if source not in old_ids:
            continue
        old_figures = {f.id for f in previous.program(source).figures}
        for spec in program.figures:
            if declared is not None and spec.id in declared.figures:
                parts = declared.figures[spec.id]
            elif spec.id in old_figures:
                parts = [spec.id]
            else:
                continue
            if parts:
                out[(program.id, spec.id)] = (source, parts)
    return out


def mapping_problems(mapping: FigureMapping, current: Framework, previous: Framework) -> list[tuple[tuple[int | str, ...], str]]:
    """Programs and figures a mapping names that do not exist, and sums across kinds."""
    problems: list[tuple[tuple[int | str, ...], str]] = []
    current_ids = {p.id for p in current.programs}
    old_ids = {p.id for p in previous.programs}
    for program_id, declared in mapping.programs.items():
        loc: tuple[int | str, ...] = ("programs", program_id)
        if program_id not in current_ids:
            problems.append((loc, f"对应关系中的项目“{program_id}”不在本指标体系中"))
            continue
        source = declared.from_program or program_id
        if source not in old_ids:
            problems.append(((*loc, "from_program"), f"“{previous.label}”没有项目“{source}”"))
            continue
        program, old = current.program(program_id), previous.program(source)
        new_figures = {f.id: f for f in program.figures}
        old_figures = {f.id: f for f in old.figures}
        for figure_id, parts in declared.figures.items():
            if figure_id not in new_figures:
                problems.append(((*loc, "figures", figure_id), f"项目“{program.label}”没有数据项“{figure_id}”"))
                continue
            for part in parts:
                if part not in old_figures:
                    problems.append(((*loc, "figures", figure_id), f"“{previous.label}”的项目“{old.label}”没有数据项“{part}”"))
                elif old_figures[part].kind != new_figures[figure_id].kind:
                    problems.append(((*loc, "figures", figure_id),
                                     f"数据项“{new_figures[figure_id].label}”与“{old_figures[part].label}”类型不同，不能对应"))
            if len(parts) > 1 and new_figures[figure_id].kind == "percent":
                problems.append(((*loc, "figures", figure_id), f"百分比数据项“{new_figures[figure_id].label}”不能由多个数据项相加对应"))
    return problems
