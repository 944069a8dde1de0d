"""Allocation documents: the inputs workbook (template and strict import), the allocation table
(资金分配表, .xlsx) and the draft notice (关于下达……的通知, .docx)."""

from anju.adapters.allocation.importer import import_inputs
from anju.adapters.allocation.notice import write_notice
from anju.adapters.allocation.table import write_allocation_table
from anju.adapters.allocation.template import write_inputs_template

__all__ = ["import_inputs", "write_allocation_table", "write_inputs_template", "write_notice"]
