"""The exit-code contract of every command (anju.cli): one top-level handler turns anything a
command raises into a documented code and a Chinese message; a traceback only ever goes to a log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import anju.cli.evaluate as evaluate_module
from anju.cli import app
from anju.cli.common import EXIT_CODES, EXIT_INTERNAL

from .helpers import EXAMPLE, run_cli


def _commands() -> list[list[str]]:
    """Every registered command and sub-command, as argv prefixes."""
    import typer.main

    group = typer.main.get_command(app)
    names: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(command, "commands", None)
        names += [[name, sub] for sub in subs] if subs else [[name]]
    return names


def test_a_deliberately_failing_command_exits_70_with_a_log(tmp_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANJU_LOG_DIR", str(tmp_path / "logs"))

    def broken(*_args: object) -> None:
        raise ZeroDivisionError("a defect planted by the test")

    monkeypatch.setattr(evaluate_module, "run_checks", broken)
    code, out = run_cli(capsys, "evaluate", EXAMPLE, "-o", tmp_path / "e.json")
    assert code == EXIT_INTERNAL == 70
    assert "程序内部错误（这是 anju 的缺陷，不是输入的问题），命令未完成。" in out
    [log] = list((tmp_path / "logs").glob("anju-error-*.log"))
    assert f"详细信息已记录在 {log}" in out
    assert "Traceback" not in out and "ZeroDivisionError" not in out
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError: a defect planted by the test" in text
    assert f"命令：anju evaluate {EXAMPLE}" in text
    assert not (tmp_path / "e.json").exists()


def test_an_unwritable_log_directory_still_gives_the_message(tmp_path: Path, capsys: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ANJU_LOG_DIR", str(blocker / "logs"))  # a directory under a file cannot exist
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(evaluate_module, "run_checks", lambda *_a: 1 / 0)
    code, out = run_cli(capsys, "evaluate", EXAMPLE, "-o", tmp_path / "e.json")
    assert code == 70 and "命令未完成" in out and "Traceback" not in out
    assert list((tmp_path / "tmp" / "anju").glob("anju-error-*.log"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate"], "错误：缺少参数 'path'"),
        (["import", "x.xlsx", "--bogus"], "错误：没有选项 --bogus"),
        (["evaluate", "x", "--output"], "错误：选项 --output 需要一个取值"),
        (["framework", "show", "2022", "extra"], "错误：多余的参数：extra"),
        (["nosuch"], "错误：没有命令“nosuch”"),
        (["region", "show", "--year", "abc"], "不是有效的整数"),
    ],
)
def test_usage_errors_are_chinese_and_exit_2(args: list[str], message: str, capsys: Any) -> None:
    code, out = run_cli(capsys, *args)
    assert code == 2
    assert message in out, out
    for english in ("Error", "Usage", "Missing", "No such", "Try '", "Invalid value", "[OPTIONS]"):
        assert english not in out, out


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_a_chinese_help_page(command: list[str], capsys: Any) -> None:
    code, out = run_cli(capsys, *command, "--help")
    assert code == 0
    assert out.startswith("用法：anju ") and "显示本帮助并退出。" in out
    for english in ("Usage:", "Options:", "Arguments:", "Show this message", "[required]", "[default:"):
        assert english not in out, out


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_answers_a_missing_input_within_the_contract(command: list[str], tmp_path: Path, capsys: Any) -> None:
    """Whatever the command, a path that does not exist gives a documented code and no traceback."""
    missing = tmp_path / "不存在[draft]"
    code, out = run_cli(capsys, *command, str(missing))
    assert code in EXIT_CODES and code != EXIT_INTERNAL, out
    assert "Traceback" not in out


def test_a_file_name_with_markup_is_printed_whole(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "农安[draft][x].xlsx"
    bad.write_bytes(b"not a workbook")
    code, out = run_cli(capsys, "import", bad, "--dry-run")
    assert code == 2
    assert "拒收 农安[draft][x].xlsx（1 处问题）" in out


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("framework", "1:30", "units.yaml:5：分地区数据声明的指标体系“1:30”无法使用"),
    ("region", "'990000'", "units.yaml:6：分地区数据声明的地区“990000”没有内置行政区划表"),
])
def test_a_wrong_declaration_in_a_units_file_is_named_at_its_line(
        tmp_path: Path, capsys: Any, key: str, value: str, expected: str) -> None:
    import re

    source = (EXAMPLE / "units.yaml").read_text(encoding="utf-8")
    units = tmp_path / "units.yaml"
    units.write_text(re.sub(rf"(?m)^{key}: .*$", f"{key}: {value}", source, count=1), encoding="utf-8")
    code, out = run_cli(capsys, "completeness", units)
    assert code == 2
    assert expected in out
    assert "Traceback" not in out
