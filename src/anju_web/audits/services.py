"""Audit an uploaded document and keep it with the cycle (one transaction, one audit event)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from anju.adapters.document import DocumentError, read_document
from anju.audit import AuditResult, audit
from anju.framework import builtin_framework, builtin_years
from anju_web.accounts.policy import authorize
from anju_web.audit.models import AuditAction
from anju_web.audit.services import record
from anju_web.audits.models import DocumentAudit
from anju_web.audits.storage import DocumentRejected, local_copy, store
from anju_web.submissions.models import Cycle

ADD = "audits.add_documentaudit"
VIEW = "audits.view_documentaudit"


def run_audit(path: Path) -> AuditResult:
    """``anju audit`` on a stored file, with every built-in framework to choose from."""
    try:
        document = read_document(path)
    except DocumentError as exc:
        raise DocumentRejected("；".join(p.message for p in exc.problems)) from None
    return audit(document, [builtin_framework(year) for year in builtin_years()])


def _blocks(result: AuditResult) -> list[dict[str, Any]]:
    return [{"index": b.index, "text": b.text, "page": b.page, "paragraph": b.paragraph,
             "cell": [b.cell.table, b.cell.row, b.cell.column] if b.cell else None}
            for b in result.document.blocks]


def audit_upload(user: Any, cycle: Cycle, upload: UploadedFile, *, title: str = "") -> DocumentAudit:
    authorize(user, ADD, cycle.region)
    name, digest, size, suffix = keep_upload(upload)
    return audit_stored(user, cycle, name=name, digest=digest, size=size, suffix=suffix, title=title)


def keep_upload(upload: UploadedFile) -> tuple[str, str, int, str]:
    """Store an uploaded document (checked for kind and size); its name, sha256, size and suffix."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    suffix = Path(name).suffix.lower()
    data = b"".join(upload.chunks())
    digest = store(data, suffix)
    return name, digest, len(data), suffix


def audit_stored(user: Any, cycle: Cycle, *, name: str, digest: str, size: int, suffix: str,
                 title: str = "") -> DocumentAudit:
    """Audit a document kept by :func:`keep_upload` and record the result with the cycle."""
    authorize(user, ADD, cycle.region)
    with local_copy(digest, suffix) as path:
        result = run_audit(path)  # the reader names it by its stored file; the JSON keeps the reviewer's name
    with transaction.atomic():
        kept = DocumentAudit.objects.create(
            cycle=cycle, title=(title.strip() or Path(name).stem)[:200], original_name=name,
            document_format=result.document.format, size=size, sha256=digest,
            framework_id=result.framework_id or "", region_name=result.region or "",
            errors=len(result.errors), warnings=len(result.warnings), checked=result.coverage.checked,
            numbers=result.coverage.total, result=result.as_dict() | {"document": name}, blocks=_blocks(result),
            uploaded_by=user,
        )
        record(user, AuditAction.document_audited, kept.target, field="核查结果",
               new=f"{name}（sha256 {digest}）：错误 {kept.errors} 项，警告 {kept.warnings} 项，"
                   f"核对 {kept.checked}/{kept.numbers} 个数字")
        return kept


def stored_suffix(kept: DocumentAudit) -> str:
    return Path(kept.original_name).suffix.lower()
