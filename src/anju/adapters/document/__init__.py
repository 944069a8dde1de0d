"""Documents a reviewer hands in (.docx, .pdf, .txt, .md) and what the audit hands back: the
annotated .docx and the batch summary workbook."""

from anju.adapters.document.annotate import AUTHOR, annotate, comment_text
from anju.adapters.document.reader import DocumentError, read_document
from anju.adapters.document.workbook import write_summary

__all__ = ["AUTHOR", "DocumentError", "annotate", "comment_text", "read_document", "write_summary"]
