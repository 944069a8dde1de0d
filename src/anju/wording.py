"""How a document refers to its own region: 我省/我区/我市 and 全省/全区/全市, from the region's kind.

A province (省) writes 我省; an autonomous region (自治区, e.g. 广西壮族自治区) 我区; a municipality
directly under the central government (直辖市, e.g. 重庆市) and a city with separate planning status
(计划单列市, e.g. 大连市) 我市. The kind is read from the official name's ending, which GB/T 2260
names always carry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionWords:
    kind: str
    """省, 区 or 市."""

    @property
    def our(self) -> str:
        return f"我{self.kind}"

    @property
    def whole(self) -> str:
        return f"全{self.kind}"


def region_words(name: str) -> RegionWords:
    """我省 for 吉林省, 我区 for 广西壮族自治区 (and 特别行政区), 我市 for 重庆市 or 大连市."""
    name = name.strip()
    if name.endswith("自治区") or name.endswith("特别行政区"):
        return RegionWords("区")
    if name.endswith("市"):
        return RegionWords("市")
    return RegionWords("省")
