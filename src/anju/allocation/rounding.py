"""Largest-remainder rounding (最大余额法): parts that add up exactly to the whole.

Each exact part is cut down to a whole number of steps (the declared unit, e.g. 0.01 万元); the steps
left over go one each to the parts with the largest remainders. Equal remainders are broken by the
key in ascending order (the GB/T 2260 code for regions), so the result never depends on the order
the parts were given in. :data:`TIE_BREAK` states the rule in the words the documents print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

TIE_BREAK = "按最大余额法取舍：各地先按计算结果舍去尾数，差额按舍去部分由大到小逐个补足一个单位；舍去部分相同的，按行政区划代码由小到大的顺序补足"


class ApportionError(ValueError):
    """The whole is not a whole number of steps, or a part is negative."""


@dataclass(frozen=True)
class Rounded:
    """One part before and after rounding."""

    key: str
    exact: Decimal
    amount: Decimal
    remainder: Decimal
    """What was cut off, in steps (0 ≤ remainder < 1)."""
    rounded_up: bool
    """Whether the part received one of the left-over steps."""


def apportion(whole: Decimal, parts: Sequence[tuple[str, Decimal]], step: Decimal) -> list[Rounded]:
    """Round ``parts`` (key, exact amount) to multiples of ``step`` so that they add up to ``whole``.

    The exact parts should add up to ``whole`` (up to the computing precision); the result always does.
    Returned in the order given.
    """
    units_whole = whole / step
    if units_whole != units_whole.to_integral_value():
        raise ApportionError(f"{whole} 不是 {step} 的整数倍")
    total_units = int(units_whole)
    floors: list[int] = []
    remainders: list[Decimal] = []
    for key, exact in parts:
        if exact < 0:
            raise ApportionError(f"“{key}”的计算结果为负数（{exact}）")
        scaled = exact / step
        floor = int(scaled.to_integral_value(rounding=ROUND_FLOOR))
        floors.append(floor)
        remainders.append(scaled - floor)
    left = total_units - sum(floors)
    if left < 0 or left > len(parts):
        raise ApportionError(f"各部分之和与总数 {whole} 相差过大，无法按最大余额法取舍")
    order = sorted(range(len(parts)), key=lambda i: (-remainders[i], parts[i][0]))
    up = set(order[:left])
    result: list[Rounded] = []
    for index, (key, exact) in enumerate(parts):
        units = floors[index] + (1 if index in up else 0)
        result.append(Rounded(key, exact, step * units, remainders[index], index in up))
    return result
