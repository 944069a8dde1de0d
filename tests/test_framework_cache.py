"""The compiled cache of the built-in frameworks: same framework, rebuilt when a file changes, off on request."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from anju.framework import cache
from anju.framework.loader import BUILTIN_DIR, load_framework
from anju.framework.models import Framework


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
    assert after is not None and before is not None
    names = sorted(p.name for p in (tmp_path / "cache").glob("framework-2022-*.pickle"))
    assert names == sorted([before.name, after.name])  # the older key is kept (another checkout may use it)


def test_only_the_newest_cache_files_of_a_framework_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checkouts sharing a cache directory keep their files; beyond the newest few, older keys go."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    folder = tmp_path / "cache"
    folder.mkdir()
    old = [folder / f"framework-2022-{n:024d}.pickle" for n in range(6)]
    for age, stale in enumerate(old):
        stale.write_bytes(b"x")
        os.utime(stale, ns=(age * 10**9, age * 10**9))
    (folder / "framework-2024-000000000000000000000000.pickle").write_bytes(b"x")
    path = cache.cache_path("2022", BUILTIN_DIR)
    assert path is not None
    cache.cached_framework("2022", BUILTIN_DIR, lambda: load_framework(BUILTIN_DIR / "2022"))
    kept = sorted(p.name for p in folder.glob("framework-2022-*.pickle"))
    assert kept == sorted([path.name, *(p.name for p in old[-(cache.KEPT_PER_FRAMEWORK - 1):])])
    assert (folder / "framework-2024-000000000000000000000000.pickle").exists()  # another framework's file


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


def test_the_cached_framework_carries_its_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest (a serialization of the whole framework) is pickled with it, and is the digest
    of the framework as read from its files."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    cache.cached_framework("2022", BUILTIN_DIR, lambda: load_framework(BUILTIN_DIR / "2022"))
    second = cache.cached_framework("2022", BUILTIN_DIR, lambda: load_framework(BUILTIN_DIR / "2022"))
    assert "digest" in second.__dict__
    assert second.digest == load_framework(BUILTIN_DIR / "2022").digest


def test_an_edited_engine_module_gives_a_new_key(tmp_path: Path) -> None:
    """A checkout whose models or loader changed without a new version never reads the old pickle;
    the adapters and the CLI (which the engine never imports) do not count."""
    package = tmp_path / "anju"
    (package / "framework").mkdir(parents=True)
    (package / "cli").mkdir()
    (package / "framework" / "models.py").write_text("A = 1\n", encoding="utf-8")
    (package / "cli" / "evaluate.py").write_text("B = 1\n", encoding="utf-8")
    before = cache.engine_stamp(package)
    assert "framework/models.py" in before and "cli" not in before
    (package / "cli" / "evaluate.py").write_text("B = 22\n", encoding="utf-8")
    assert cache.engine_stamp(package) == before
    (package / "framework" / "models.py").write_text("A = 22\n", encoding="utf-8")
    assert cache.engine_stamp(package) != before


@pytest.mark.parametrize("damage", ["truncated", "foreign"])
def test_a_damaged_cache_file_falls_back_to_reading_the_files(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half a pickle, or a pickle of something else, is a miss: the framework is read from its
    files (equal to a fresh read) and the file rewritten."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    path = cache.cache_path("2022", BUILTIN_DIR)
    assert path is not None
    fresh = load_framework(BUILTIN_DIR / "2022")
    path.parent.mkdir(parents=True)
    whole = pickle.dumps(fresh, protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(whole[: len(whole) // 2] if damage == "truncated" else pickle.dumps({"id": "2022"}))
    calls: list[str] = []

    def build() -> Framework:
        calls.append("built")
        return load_framework(BUILTIN_DIR / "2022")

    framework = cache.cached_framework("2022", BUILTIN_DIR, build)
    assert calls == ["built"] and framework == fresh
    assert cache.cached_framework("2022", BUILTIN_DIR, build) == fresh and calls == ["built"]
