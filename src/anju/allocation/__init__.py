"""Allocation by the factor method (因素法): methods as versioned data, an exact engine with a full
trace, province → city over the region tree, what a point of score is worth, and scenarios.

Pure: no Excel, Word, web or command-line library is imported here (an import-linter contract keeps
it so); the workbooks and the notice are written by :mod:`anju.adapters.allocation`.
"""

from anju.allocation.engine import (
    Allocation,
    AllocationError,
    ProgramAllocation,
    RegionData,
    Share,
    allocate,
)
from anju.allocation.inputs import AllocationInputs, InputsError, Resolved, load_inputs, resolve
from anju.allocation.loader import MethodError, builtin_method, builtin_method_ids, load_method, method_arg
from anju.allocation.models import FactorMethod
from anju.allocation.worth import ItemGain, PointValue, item_gains, point_values

__all__ = [
    "Allocation",
    "AllocationError",
    "AllocationInputs",
    "FactorMethod",
    "InputsError",
    "ItemGain",
    "MethodError",
    "PointValue",
    "ProgramAllocation",
    "RegionData",
    "Resolved",
    "Share",
    "allocate",
    "builtin_method",
    "builtin_method_ids",
    "item_gains",
    "load_inputs",
    "load_method",
    "method_arg",
    "point_values",
    "resolve",
]
