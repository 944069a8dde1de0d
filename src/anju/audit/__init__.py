"""Audit a province's explanation or self-evaluation document: every numeric claim recomputed
from the document's own numbers, and (when the document follows a known framework) a dataset
extracted from it, scored by the engine and checked like any dataset.

Pure: the adapters (:mod:`anju.adapters.document`) read .docx/.pdf/.txt/.md into a
:class:`SourceDocument` and write the annotated copy; this package never touches a file format.
"""

from anju.audit.document import Block, CellPosition, SourceDocument, from_text
from anju.audit.engine import audit
from anju.audit.result import Anchor, AuditResult, Coverage, Finding, ProgramSummary, Unchecked

__all__ = [
    "Anchor",
    "AuditResult",
    "Block",
    "CellPosition",
    "Coverage",
    "Finding",
    "ProgramSummary",
    "SourceDocument",
    "Unchecked",
    "audit",
    "from_text",
]
