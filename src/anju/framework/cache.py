"""The built-in frameworks, cached compiled: a pickle of the validated :class:`Framework` per year.

Reading and validating a built-in framework (three program files, the appendix, a mapping and the
older framework it maps from) takes several times longer than the evaluation itself, and it is the
same work on every run. The cache is keyed by a digest of every file under the built-in frameworks
directory together with the versions of anju, pydantic and Python and the names, sizes and times of
the engine's modules, so an edited framework file, an edited model or loader, or an upgrade gives a
new key and the framework is read again. Only frameworks shipped with anju are
cached, never a user's framework directory.

Where: ``$ANJU_CACHE_DIR``, else ``$XDG_CACHE_HOME/anju``, else ``~/.cache/anju``;
``ANJU_CACHE_DIR=off`` turns the cache off. A cache that cannot be read (corrupt, truncated,
another version) is ignored and rewritten; one that cannot be written (read-only home) is simply
not used. Of one framework's files the newest :data:`KEPT_PER_FRAMEWORK` are kept (checkouts
sharing the directory each have their key). Writes are atomic (a temporary file in the same directory, then ``os.replace``), so two
processes starting together never read half a file.

The pickle holds the framework's :attr:`~anju.framework.models.Framework.digest` as well (a cached
property of the frozen model, computed before writing): computing it serializes the whole framework,
which would otherwise be most of the work a cached run still does.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import pydantic

from anju import __version__
from anju.framework.models import Framework

CACHE_ENV = "ANJU_CACHE_DIR"
OFF = "off"


def cache_dir() -> Path | None:
    """The directory of the cache, or None when it is turned off."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None and configured.strip().lower() == OFF:
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "anju"


CACHE_FORMAT = 2
"""Bumped when what a cache file holds changes (2: the framework's digest is pickled with it)."""
ENGINE_DIR = Path(__file__).resolve().parent.parent
"""The ``anju`` package; its engine modules (all but ``adapters`` and ``cli``, which the engine never
imports: the import-linter contract) define the pickled classes and the loader that built them."""


def engine_stamp(package: Path = ENGINE_DIR) -> str:
    """Name, size and modification time of every engine module, as Python's own bytecode cache
    checks a source file: a checkout whose code changed without a new version number gets a new key."""
    entries: list[str] = []
    folders = [(str(package), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.is_dir():
                    if entry.name != "__pycache__" and not (prefix == "" and entry.name in ("adapters", "cli")):
                        folders.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.name.endswith(".py"):
                    stat = entry.stat()
                    entries.append(f"{prefix}{entry.name}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return "\n".join(sorted(entries))


@lru_cache(maxsize=4)
def source_digest(directory: Path) -> str:
    """A digest of every file under ``directory`` (names and contents), of the engine's modules
    (:func:`engine_stamp`) and of the versions that shape the pickled objects."""
    digest = hashlib.sha256()
    digest.update(f"anju {__version__}\0format {CACHE_FORMAT}\0pydantic {pydantic.VERSION}\0python {sys.version}\0".encode())
    digest.update(engine_stamp().encode() + b"\0")
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_path(framework_id: str, directory: Path) -> Path | None:
    base = cache_dir()
    if base is None:
        return None
    return base / f"framework-{framework_id}-{source_digest(directory)[:24]}.pickle"


def cached_framework(framework_id: str, directory: Path, build: Callable[[], Framework]) -> Framework:
    """The framework ``framework_id`` from the cache, or ``build()`` it and store it."""
    path = cache_path(framework_id, directory)
    if path is None:
        return build()
    framework = _read(path)
    if framework is not None:
        return framework
    framework = build()
    _ = framework.digest  # computed once here and pickled with it: a cached run never serializes the framework
    _write(path, framework)
    return framework


def _read(path: Path) -> Framework | None:
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # a corrupt or foreign cache file is only a miss: it is rewritten
        return None
    return value if isinstance(value, Framework) else None


KEPT_PER_FRAMEWORK = 4
"""Cache files kept for one framework: the newest few, so that several checkouts or installs of
anju sharing a cache directory (each with its own key) do not throw out each other's file on
every run; older keys are removed."""


def _prune(path: Path) -> None:
    """Remove the cache files of the same framework but the newest :data:`KEPT_PER_FRAMEWORK`."""
    others: list[tuple[int, Path]] = []
    for candidate in path.parent.glob(f"framework-{path.name.split('-')[1]}-*.pickle"):
        if candidate != path:
            try:
                others.append((candidate.stat().st_mtime_ns, candidate))
            except OSError:  # removed by another process meanwhile
                continue
    for _mtime, stale in sorted(others, reverse=True)[KEPT_PER_FRAMEWORK - 1:]:
        stale.unlink(missing_ok=True)


def _write(path: Path, framework: Framework) -> None:
    import tempfile  # noqa: PLC0415 - only a cache miss writes; a cached run never imports it

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(framework, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _prune(path)
    except OSError:  # no writable cache directory: run without the cache
        return
