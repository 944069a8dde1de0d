"""Audited documents, named by their sha256, in the evidence storage (``STORAGES["evidence"]``,
under ``audited-documents/``, beside the evidence files; local or an object store); served only as
attachments by :mod:`anju_web.audits.views`."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from anju_web.evidence.storage import evidence_storage, keep, staging_dir

SUFFIXES = frozenset({".docx", ".pdf", ".txt", ".md"})
DIGEST_LENGTH = 64
FOLDER = "audited-documents"


class DocumentRejected(ValueError):
    pass


def name_for(sha256: str, suffix: str) -> str:
    if len(sha256) != DIGEST_LENGTH or any(c not in "0123456789abcdef" for c in sha256) or suffix not in SUFFIXES:
        raise ValueError("invalid stored document")
    return f"{FOLDER}/{sha256[:2]}/{sha256}{suffix}"


def store(data: bytes, suffix: str) -> str:
    """Keep ``data``; return its sha256 (stored once per content)."""
    limit = int(settings.EVIDENCE_MAX_BYTES)
    if suffix not in SUFFIXES:
        raise DocumentRejected(f"不接受“{suffix or '（无扩展名）'}”文件；可核查：.docx、.pdf、.txt、.md")
    if not data:
        raise DocumentRejected("文件是空的")
    if len(data) > limit:
        raise DocumentRejected(f"文件过大：{len(data)} 字节，上限 {limit} 字节")
    digest = hashlib.sha256(data).hexdigest()
    name = name_for(digest, suffix)
    if not evidence_storage().exists(name):
        fd, tmp = tempfile.mkstemp(dir=staging_dir(), prefix=".upload-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        keep(name, tmp)
    return digest


def exists(sha256: str, suffix: str) -> bool:
    return bool(evidence_storage().exists(name_for(sha256, suffix)))


def open_stored(sha256: str, suffix: str) -> IO[Any]:
    return evidence_storage().open(name_for(sha256, suffix), "rb")


@contextmanager
def local_copy(sha256: str, suffix: str) -> Iterator[Path]:
    """The stored document as a file of this host (the readers need a path): the file itself in a
    local store, else a temporary copy removed afterwards."""
    storage, name = evidence_storage(), name_for(sha256, suffix)
    if isinstance(storage, FileSystemStorage):
        yield Path(storage.path(name))
        return
    with tempfile.TemporaryDirectory(prefix="anju-document-") as tmp:
        path = Path(tmp) / f"document{suffix}"
        with storage.open(name, "rb") as source, path.open("wb") as out:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                out.write(chunk)
        yield path
