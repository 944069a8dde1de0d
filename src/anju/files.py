"""Writing files whole or not at all, naming files safely, and saying in Chinese why the system
refused a read or a write.

* :func:`write_bytes` / :func:`write_text` put a file in place atomically: the content goes into an
  unnamed file in the destination's directory (Linux ``O_TMPFILE``; elsewhere a hidden
  ``.<name>.tmp``), is flushed to disk and only then gets the final name, by rename. A failed
  write leaves the old file and no temporary file; a kill leaves at most the hidden ``.tmp``,
  which the next write to the same name replaces.
* :func:`writing` turns any :class:`OSError` of a block into :class:`FileWriteError`, whose one
  :class:`~anju.problems.Problem` names the path and the reason (“权限不足”, “磁盘空间不足” …).
* :func:`name_part` shortens user text (a region's name, a title) for use in a file name: no path
  separators or control characters, and never more bytes than a file system allows.
"""

from __future__ import annotations

import contextlib
import errno
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from anju.problems import FileCode, Problem, ProblemsError, Severity, Where

OS_REASONS: dict[int, str] = {
    errno.EACCES: "权限不足",
    errno.EPERM: "权限不足（操作不被允许）",
    errno.EROFS: "所在文件系统为只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ENOENT: "文件或目录不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.EEXIST: "同名文件或目录已存在",
    errno.ENOTEMPTY: "目录不为空",
    errno.EIO: "读写出错（磁盘或网络存储故障）",
    errno.EMFILE: "同时打开的文件过多",
    errno.ENFILE: "系统打开的文件过多",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ETXTBSY: "文件正被其他程序占用",
    errno.EXDEV: "不能跨文件系统移动",
    errno.ELOOP: "符号链接层数过多（可能是循环链接）",
    errno.EFBIG: "文件过大",
}
"""errno → what a user is told; anything else is “系统错误（编号 N）”."""

NAME_MAX_BYTES = 255
"""What Linux, macOS and Windows file systems allow for one path component, in bytes (UTF-8)."""
NAME_PART_BYTES = 120
"""What a name taken from user text may use of it, leaving room for the fixed parts of a file name."""
TMP_SUFFIX = ".tmp"
_FORBIDDEN_IN_NAMES = frozenset('/\\:*?"<>|')


def os_reason(exc: OSError) -> str:
    """The reason of an :class:`OSError` in Chinese (never the English ``strerror``)."""
    if exc.errno is None:
        return "系统错误"
    return OS_REASONS.get(exc.errno, f"系统错误（编号 {exc.errno}）")


class FileWriteError(ProblemsError):
    """A file that could not be written; ``problems`` holds the one reason, with the path."""

    def __init__(self, path: Path | str, reason: str, code: FileCode = FileCode.WRITE_FAILED) -> None:
        verb = "无法读取" if code is FileCode.READ_FAILED else "无法写入"
        super().__init__([Problem(code, Severity.error, f"{verb}：{reason}", Where(file=str(path)))])
        self.path = Path(path)
        self.reason = reason


def write_error(path: Path | str, exc: OSError) -> FileWriteError:
    """The error for ``exc`` at ``path`` (the path the system names when it names one)."""
    named = exc.filename if isinstance(exc.filename, str) and exc.filename else str(path)
    return FileWriteError(named, os_reason(exc))


@contextlib.contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """Run a block that writes ``path``; an :class:`OSError` in it becomes :class:`FileWriteError`."""
    try:
        yield
    except FileWriteError:
        raise
    except OSError as exc:
        raise write_error(path, exc) from exc


def make_dirs(path: Path) -> None:
    """``mkdir -p`` with a Chinese error."""
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)


def temp_sibling(path: Path, tag: str = "") -> Path:
    """The hidden temporary name beside ``path`` (``.name.tmp``), reused by the next write."""
    return path.with_name(f".{path.name}{tag}{TMP_SUFFIX}")


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); raises :class:`FileWriteError`."""
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _write_unnamed(path, data):
            _write_named(path, data)
    return path


def write_text(path: Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def _write_unnamed(path: Path, data: bytes) -> bool:
    """Write through an ``O_TMPFILE`` file: nothing has a name until the content is complete.
    False when the system or file system has no ``O_TMPFILE``."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return False
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY, 0o644)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return False
        raise
    tmp = temp_sibling(path)
    try:
        _write_all(fd, data)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        directory = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:  # a directory fd makes os.link use linkat(AT_SYMLINK_FOLLOW), which links the open file
            os.link(f"/proc/self/fd/{fd}", tmp.name, dst_dir_fd=directory)
        finally:
            os.close(directory)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP):
            return False  # no /proc, or a file system that cannot link: a named temporary file
        raise
    finally:
        os.close(fd)
    try:
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return True


def _write_named(path: Path, data: bytes) -> None:
    tmp = temp_sibling(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


def name_part(text: str, max_bytes: int = NAME_PART_BYTES) -> str:
    """``text`` made safe for a file name: control characters and path separators replaced by
    “_”, surrounding dots and spaces removed, cut at a character boundary to ``max_bytes`` UTF-8
    bytes (“…” marks the cut)."""
    cleaned = "".join(
        "_" if ch in _FORBIDDEN_IN_NAMES or unicodedata.category(ch).startswith("C") else ch for ch in text
    ).strip(" .")
    if not cleaned:
        return "_"
    if len(cleaned.encode("utf-8")) <= max_bytes:
        return cleaned
    mark = "…"
    budget = max_bytes - len(mark.encode("utf-8"))
    out: list[str] = []
    used = 0
    for ch in cleaned:
        size = len(ch.encode("utf-8"))
        if used + size > budget:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip(" .") + mark
