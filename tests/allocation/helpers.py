"""What the allocation tests share: paths and a region builder. Test modules import from here,
never from each other."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from anju.allocation import RegionData

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "allocation-2023"
FIXTURES = ROOT / "tests" / "fixtures" / "allocation"
D = Decimal


def region(code: str, d: str | None = "1", scores: dict[str, str] | None = None, **programs: dict[str, int | str]) -> RegionData:
    """A region with quantities per program given as keyword arguments (figure → value)."""
    return RegionData(
        code=code,
        name=f"地区{code}",
        fiscal_difficulty=D(d) if d is not None else None,
        quantities={p: {k: D(str(v)) for k, v in figures.items()} for p, figures in programs.items()},
        scores={p: D(s) for p, s in (scores or {}).items()},
    )
