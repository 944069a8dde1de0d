"""Where the region tree comes from: the collection module's GB/T 2260 trees
(:mod:`anju.collect.regions`, data under ``anju/data/regions/``). This is the only place the web
system reads them, so another source needs a change here only."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from anju.collect.regions import RegionTree, builtin_region_codes, builtin_region_tree

Level = Literal["province", "prefecture", "county"]


@dataclass(frozen=True)
class RegionRecord:
    code: str
    name: str
    level: Level
    parent: str | None
    kind: str
    report_name: str
    reports: bool
    valid_from: int | None
    valid_to: int | None


@cache
def region_tree(province_code: str) -> RegionTree:
    """The whole tree of one province (every unit, every year)."""
    return builtin_region_tree(province_code)


def load_region_tree() -> list[RegionRecord]:
    """Every region of every built-in province, parents before children, in file order."""
    records: list[RegionRecord] = []
    for province_code in builtin_region_codes():
        tree = region_tree(province_code)
        for unit in tree.spec.units:
            records.append(RegionRecord(
                code=unit.code,
                name=unit.name,
                level=unit.level,
                parent=unit.parent,
                kind=unit.kind,
                report_name=unit.display_name,
                reports=unit.reports,
                valid_from=unit.valid_from,
                valid_to=unit.valid_to,
            ))
    return records
