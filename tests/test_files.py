"""Atomic writes and Chinese reasons (anju.files)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from anju import files
from anju.files import FileWriteError, name_part, os_reason, write_text


def test_write_replaces_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "units.yaml"
    write_text(target, "first")
    write_text(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["units.yaml"]


@pytest.mark.parametrize("unnamed", [True, False])
def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           unnamed: bool) -> None:
    target = tmp_path / "evaluation.json"
    write_text(target, "old")
    if not unnamed:
        monkeypatch.setattr(files, "_write_unnamed", lambda path, data: False)
    calls = {"n": 0}
    real = os.write

    def failing(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, bytes(data)[:3])

    monkeypatch.setattr(os, "write", failing)
    with pytest.raises(FileWriteError) as info:
        write_text(target, "new content that does not fit")
    assert str(info.value.problems[0]).endswith("：无法写入：磁盘空间不足")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evaluation.json"]


def test_reasons_are_chinese() -> None:
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")) == "权限不足"
    assert os_reason(OSError(errno.ENAMETOOLONG, "File name too long")) == "文件名过长"
    assert os_reason(OSError(9999, "odd")) == "系统错误（编号 9999）"


def test_name_part_shortens_at_a_character_and_removes_separators() -> None:
    long_name = "长" * 200
    part = name_part(long_name)
    assert len(part.encode("utf-8")) <= files.NAME_PART_BYTES and part.endswith("…")
    assert name_part("a/b\\c:d\x00e") == "a_b_c_d_e"
    assert name_part(" .. ") == "_"
    assert name_part("吉林省") == "吉林省"
