"""An allocation as plain JSON-ready data: what ``anju allocate --format json`` prints, what
``allocation.json`` holds and what the web stores. Money is text with the method's places (exact;
a JSON number would be a float)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from anju.allocation.describe import share_lines
from anju.allocation.engine import Allocation
from anju.allocation.inputs import Resolved
from anju.allocation.worth import ItemGain, PointValue
from anju.decimals import fixed
from anju.problems import Problem

SCORE_PLACES = 2


def money(allocation: Allocation, value: Decimal) -> str:
    return fixed(value, allocation.method.rounding.places)


def allocation_payload(
    allocation: Allocation,
    resolved: Resolved | None = None,
    points: Sequence[PointValue] = (),
    gains: Sequence[ItemGain] = (),
    *,
    trace: bool = False,
    notes: Sequence[Problem] = (),
) -> dict[str, Any]:
    method = allocation.method
    rows = []
    for share in allocation.rows():
        row: dict[str, Any] = {
            "code": share.code,
            "name": share.name,
            "program": share.program,
            "task_amount": money(allocation, share.task_amount),
            "reward_amount": money(allocation, share.reward_amount),
            "amount": money(allocation, share.amount),
        }
        if trace:
            row["trace"] = share_lines(method, allocation.program(share.program), share)
        rows.append(row)
    payload: dict[str, Any] = {
        "method": {
            "id": method.id,
            "label": method.label,
            "year": method.year,
            "digest": method.digest,
            "assumed": method.assumed(),
            "rounding": method.rounding.describe(),
        },
        "rows": rows,
        "totals": {
            "programs": {
                p.id: {"label": p.label, "task_amount": money(allocation, p.task_pool),
                       "reward_amount": money(allocation, p.reward_pool), "amount": money(allocation, p.amount)}
                for p in allocation.programs
            },
            "regions": {code: money(allocation, allocation.region_total(code)) for code, _ in allocation.regions},
            "amount": money(allocation, allocation.total),
        },
        "points": [
            {"code": p.code, "name": p.name, "program": p.program, "program_label": p.program_label,
             "score": fixed(p.score, SCORE_PLACES), "per_point": money(allocation, p.per_point)}
            for p in points
        ],
        "gains": [
            {"code": g.code, "name": g.name, "program": g.program, "program_label": g.program_label, "item": g.path,
             "item_label": g.item_label,
             "target": g.target, "action": g.action, "score_gain": fixed(g.score_gain, SCORE_PLACES),
             "money": money(allocation, g.money), "sentence": g.sentence}
            for g in gains
        ],
        "notes": [n.as_dict() for n in [*(resolved.notes if resolved else ()), *notes, *allocation.all_notes()]],
    }
    if resolved is not None:
        inputs = resolved.inputs
        payload["inputs"] = {"title": inputs.title, "note": inputs.note, "year": inputs.year, "level": inputs.level,
                             "region": inputs.region, "path": resolved.path}
    return payload
