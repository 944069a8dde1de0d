"""The compiled cache of the built-in frameworks: same framework, rebuilt when a file changes, off on request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from anju.framework import cache
from anju.framework.loader import BUILTIN_DIR, load_framework


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "frameworks"
    shutil.copytree(BUILTIN_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_cached_framework_equals_the_loaded_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    calls: list[str] = []

    def build() -> object:
        calls.append("built")
        return load_framework(BUILTIN_DIR / "2024")

    first = cache.cached_framework("2024", BUILTIN_DIR, build)  # type: ignore[arg-type]
    second = cache.cached_framework("2024", BUILTIN_DIR, build)  # type: ignore[arg-type]
    assert calls == ["built"]
    assert second == first and second is not first
    assert second.parent == first.parent  # a variant keeps the framework it extends
    assert len(list((tmp_path / "cache").glob("framework-2024-*.pickle"))) == 1


def test_a_changed_framework_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    directory = _copy(tmp_path)
    before = cache.cache_path("2022", directory)
    cache.cached_framework("2022", directory, lambda: load_framework(directory / "2022"))
    program = next((directory / "2022").glob("*.yaml"))
    program.write_text(program.read_text(encoding="utf-8") + "\n# 修改\n", encoding="utf-8")
    cache.source_digest.cache_clear()
    after = cache.cache_path("2022", directory)
    assert before != after
    calls: list[str] = []

    def build() -> object:
        calls.append("built")
        return load_framework(directory / "2022")

    cache.cached_framework("2022", directory, build)  # type: ignore[arg-type]
    assert calls == ["built"]
    assert [p.name for p in (tmp_path / "cache").glob("framework-2022-*.pickle")] == [after.name]  # type: ignore[union-attr]


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    path = cache.cache_path("2022", BUILTIN_DIR)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    framework = cache.cached_framework("2022", BUILTIN_DIR, lambda: load_framework(BUILTIN_DIR / "2022"))
    assert framework.id == "2022"
    assert path.read_bytes() != b"not a pickle"


def test_off_disables_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() is None
    cache.cached_framework("2022", BUILTIN_DIR, lambda: load_framework(BUILTIN_DIR / "2022"))
    assert list(tmp_path.rglob("*.pickle")) == []
