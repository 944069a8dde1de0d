"""Evidence files, named by their sha256, in the ``evidence`` storage of Django's ``STORAGES``:
by default :class:`EvidenceDirectory`, a local directory (``ANJU_WEB_EVIDENCE_DIR``) outside every
static or media URL; on several web hosts a shared one or an object store
(``ANJU_WEB_EVIDENCE_STORAGE``, e.g. django-storages' S3 class, with its options as JSON in
``ANJU_WEB_EVIDENCE_STORAGE_OPTIONS``). Every read and write goes through :func:`evidence_storage`.

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
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages

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


class EvidenceDirectory(FileSystemStorage):
    """The local evidence directory: ``settings.EVIDENCE_ROOT`` as it is when used (tests change it)."""

    @property
    def base_location(self) -> str:
        return str(getattr(self, "_location", None) or settings.EVIDENCE_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def evidence_storage() -> Storage:
    return storages["evidence"]


def is_local() -> bool:
    """Whether the evidence storage is a directory of this host (the backup reads it as files)."""
    return isinstance(evidence_storage(), FileSystemStorage)


def root() -> Path:
    storage = evidence_storage()
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else Path(settings.EVIDENCE_ROOT)


def name_for(sha256: str) -> str:
    """The stored name of an evidence file (``ab/abcdef…``)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("invalid digest")
    return f"{sha256[:2]}/{sha256}"


def path_for(sha256: str) -> Path:
    """Where a file is in the local evidence directory (local storage only)."""
    return root() / name_for(sha256)


class _Moved(File):  # type: ignore[type-arg]
    """A finished temporary file the file-system storage moves into place (a rename, atomic)."""

    def temporary_file_path(self) -> str:
        return str(self.name)


def keep(name: str, tmp_name: str) -> None:
    """Put the finished temporary file ``tmp_name`` in the storage as ``name`` unless the same
    content (same name) is there already; the temporary file is gone afterwards."""
    storage = evidence_storage()
    try:
        if storage.exists(name):
            return
        os.chmod(tmp_name, 0o640)
        with open(tmp_name, "rb") as handle:
            saved = storage.save(name, _Moved(handle, name=tmp_name) if is_local() else File(handle))
        if saved != name:  # another request stored the same content meanwhile
            storage.delete(saved)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def staging_dir() -> str | None:
    """Temporary files beside a local store (so keeping them is a rename), else the system's."""
    if not is_local():
        return None
    target = root()
    target.mkdir(parents=True, exist_ok=True)
    return str(target)


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
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp_name = tempfile.mkstemp(dir=staging_dir(), prefix=".upload-")
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
        keep(name_for(sha), tmp_name)
        return StoredFile(sha, size, served_type)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
