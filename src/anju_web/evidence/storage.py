"""Evidence files on disk: outside every static or media URL, named by their sha256.

Only :func:`anju_web.evidence.views.download` serves them, always as an attachment.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings

# extension → (content type served, content types the sniffer may report for it)
ALLOWED: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("application/pdf", frozenset({"application/pdf"})),
    "png": ("image/png", frozenset({"image/png"})),
    "jpg": ("image/jpeg", frozenset({"image/jpeg"})),
    "jpeg": ("image/jpeg", frozenset({"image/jpeg"})),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"})),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"})),
    "doc": ("application/msword", frozenset({"application/msword", "application/x-ole-storage"})),
    "xls": ("application/vnd.ms-excel", frozenset({"application/vnd.ms-excel", "application/x-ole-storage"})),
    "ofd": ("application/ofd", frozenset({"application/zip"})),
}
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


class EvidenceRejected(ValueError):
    pass


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


def allowed_extensions() -> list[str]:
    return sorted(ALLOWED)


def root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def path_for(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("invalid digest")
    return root() / sha256[:2] / sha256


def _sniff(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if head.startswith(OLE_MAGIC):
        return "application/x-ole-storage"
    return None


def store(name: str, chunks: Iterable[bytes], declared_size: int | None = None) -> StoredFile:
    """Check the name, size and content of an upload and store it; raise :class:`EvidenceRejected`."""
    limit = int(settings.EVIDENCE_MAX_BYTES)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise EvidenceRejected(f"不接受“.{ext or '（无扩展名）'}”文件；可上传：{'、'.join(allowed_extensions())}")
    if declared_size is not None and declared_size > limit:
        raise EvidenceRejected(f"文件过大：{declared_size} 字节，上限 {limit} 字节")
    served_type, sniffable = ALLOWED[ext]
    target_dir = root()
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp_name = tempfile.mkstemp(dir=target_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise EvidenceRejected(f"文件过大：超过上限 {limit} 字节")
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise EvidenceRejected("文件是空的")
        sniffed = _sniff(head)
        if sniffed not in sniffable:
            raise EvidenceRejected(f"文件内容与扩展名“.{ext}”不符（识别为：{sniffed or '未知类型'}）")
        sha = digest.hexdigest()
        final = path_for(sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            os.unlink(tmp_name)
        else:
            os.chmod(tmp_name, 0o640)
            os.replace(tmp_name, final)
        return StoredFile(sha, size, served_type)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
