"""Where the region tree comes from: one function, so the source can change in one place.

Until the collection module's region tree (``anju.dataset.regions``) is available, the tree is
read from ``data/jilin.yaml`` beside this file: Jilin's 48 reporting units (9 prefecture-level
units reporting for their own city, 39 counties and county-level cities), GB/T 2260 codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from anju.yamlio import read_yaml

Level = Literal["province", "prefecture", "county"]
DATA_FILE = Path(__file__).resolve().parent / "data" / "jilin.yaml"


@dataclass(frozen=True)
class RegionRecord:
    code: str
    name: str
    level: Level
    parent: str | None


def load_region_tree() -> list[RegionRecord]:
    """Every region, parents before children, in reporting order."""
    doc = read_yaml(DATA_FILE)
    data = doc.data
    province = data["province"]
    records = [RegionRecord(str(province["code"]), str(province["name"]), "province", None)]
    for prefecture in data["prefectures"]:
        code = str(prefecture["code"])
        records.append(RegionRecord(code, str(prefecture["name"]), "prefecture", str(province["code"])))
        for county_code, county_name in prefecture["counties"].items():
            records.append(RegionRecord(str(county_code), str(county_name), "county", code))
    return records
