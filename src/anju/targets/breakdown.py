"""分解下达: the checks that a province's targets, broken down to prefectures and units, add up.

For an indicator marked ``adds_up``:

* every reporting unit listed under ``units`` of a prefecture that is itself listed under
  ``prefectures`` must add up to that prefecture's part — the message names the prefecture and
  each of its units with its part;
* the prefectures (when given) must add up to the province target, and so must the units (when
  given) — the message names the parts that are missing, or lists each part;
* when units are given, every reporting unit of the year must have its part (0 for a unit without
  a task: a blank is never a zero).

Everything is exact Decimal arithmetic; nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from anju.collect.regions import RegionTree
from anju.decimals import plain
from anju.problems import Problem, Severity, TargetsCode, Where
from anju.targets.models import Indicator, ProgramTargets

Locate = Callable[[tuple[int | str, ...]], int]
MAX_NAMED = 12
"""Parts listed in one message (a province has up to about 100 reporting units)."""


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    value: Decimal | None


def _listed(parts: Iterable[Part], unit: str) -> str:
    shown = [f"{p.name}{plain(p.value)}{unit}" for p in parts if p.value is not None]
    more = len(shown) - MAX_NAMED
    return "、".join(shown[:MAX_NAMED]) + (f" 等{len(shown)}个" if more > 0 else "")


def _total(parts: Iterable[Part]) -> Decimal:
    return sum((p.value for p in parts if p.value is not None), Decimal(0))


def breakdown_problems(
    program_label: str, program_id: str, targets: ProgramTargets, tree: RegionTree, *, year: int,
    file: str = "", locate: Locate | None = None,
) -> list[Problem]:
    """Every way the breakdown of ``targets`` does not add up (empty when it does)."""
    problems: list[Problem] = []

    def problem(loc: tuple[int | str, ...], message: str, code: TargetsCode) -> None:
        line = locate(("programs", program_id, *loc)) if locate is not None else 0
        problems.append(Problem(code, Severity.error, message, Where(program=program_id, file=file or None, line=line)))

    reporting = [u for u in tree.reporting_units(year) if u.level != "province"]
    for indicator in targets.indicators:
        if not indicator.adds_up or indicator.value is None:
            continue
        what = f"{program_label}“{indicator.label}”"
        unit = indicator.unit
        if targets.prefectures:
            _prefecture_checks(what, indicator, targets, tree, problem)
        if targets.units:
            parts = [Part(u.code, u.display_name, targets.units.get(u.code, {}).get(indicator.id)) for u in reporting]
            missing = [p.name for p in parts if p.value is None]
            if missing:
                shown = "、".join(missing[:MAX_NAMED]) + (f" 等{len(missing)}个单位" if len(missing) > MAX_NAMED else "")
                problem(("units",), f"{what}未分解到以下单位（没有任务的单位请填 0）：{shown}", TargetsCode.BREAKDOWN_MISSING)
            total = _total(parts)
            if not missing and total != indicator.value:
                problem(("units",), (
                    f"{what}分解到各单位合计{plain(total)}{unit}，与全省目标{plain(indicator.value)}{unit}不符"
                    f"（差{plain(total - indicator.value)}{unit}）；各单位：{_listed(parts, unit)}"
                ), TargetsCode.BREAKDOWN_MISMATCH)
    return problems


def _prefecture_checks(
    what: str, indicator: Indicator, targets: ProgramTargets, tree: RegionTree,
    problem: Callable[[tuple[int | str, ...], str, TargetsCode], None],
) -> None:
    unit = indicator.unit
    assert indicator.value is not None
    prefectures = [Part(code, tree.unit(code).name, parts.get(indicator.id))
                   for code, parts in targets.prefectures.items() if code in tree]
    missing = [p.name for p in prefectures if p.value is None]
    if missing:
        problem(("prefectures",), f"{what}未分解到以下市（州）：{'、'.join(missing)}", TargetsCode.BREAKDOWN_MISSING)
    total = _total(prefectures)
    if not missing and total != indicator.value:
        problem(("prefectures",), (
            f"{what}分解到各市（州）合计{plain(total)}{unit}，与全省目标{plain(indicator.value)}{unit}不符"
            f"（差{plain(total - indicator.value)}{unit}）；各市（州）：{_listed(prefectures, unit)}"
        ), TargetsCode.BREAKDOWN_MISMATCH)
    if not targets.units:
        return
    for prefecture in prefectures:
        if prefecture.value is None:
            continue
        members = [Part(code, tree.unit(code).report_name or tree.unit(code).name, parts.get(indicator.id))
                   for code, parts in targets.units.items()
                   if code in tree and (p := tree.prefecture_of(code)) is not None and p.code == prefecture.code]
        if not members or any(m.value is None for m in members):
            continue  # a unit without its part is named by the units check
        subtotal = _total(members)
        if subtotal != prefecture.value:
            problem(("prefectures", prefecture.code), (
                f"{what}：{prefecture.name}所属单位合计{plain(subtotal)}{unit}，与该市（州）目标"
                f"{plain(prefecture.value)}{unit}不符（差{plain(subtotal - prefecture.value)}{unit}）；"
                f"所属单位：{_listed(members, unit)}"
            ), TargetsCode.BREAKDOWN_MISMATCH)
