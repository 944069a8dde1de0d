"""Audited documents on disk, named by their sha256, outside every static or media URL (beside the
evidence files); served only as attachments by :mod:`anju_web.audits.views`."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

SUFFIXES = frozenset({".docx", ".pdf", ".txt", ".md"})
DIGEST_LENGTH = 64


class DocumentRejected(ValueError):
    pass


def root() -> Path:
    return Path(settings.EVIDENCE_ROOT) / "audited-documents"


def path_for(sha256: str, suffix: str) -> Path:
    if len(sha256) != DIGEST_LENGTH or any(c not in "0123456789abcdef" for c in sha256) or suffix not in SUFFIXES:
        raise ValueError("invalid stored document")
    return root() / sha256[:2] / f"{sha256}{suffix}"


def store(data: bytes, suffix: str) -> tuple[str, Path]:
    """Keep ``data``; return its sha256 and where it is (written atomically, once per content)."""
    limit = int(settings.EVIDENCE_MAX_BYTES)
    if suffix not in SUFFIXES:
        raise DocumentRejected(f"不接受“{suffix or '（无扩展名）'}”文件；可核查：.docx、.pdf、.txt、.md")
    if not data:
        raise DocumentRejected("文件是空的")
    if len(data) > limit:
        raise DocumentRejected(f"文件过大：{len(data)} 字节，上限 {limit} 字节")
    digest = hashlib.sha256(data).hexdigest()
    target = path_for(digest, suffix)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(target)
    return digest, target
