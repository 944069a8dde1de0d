"""The CLI imports only the module of the command it runs; every command still has its help."""

from __future__ import annotations

import subprocess
import sys

import pytest

from anju.cli import COMMANDS, run


def test_every_command_is_listed_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    run(["--help"])
    out = capsys.readouterr().out
    for names in COMMANDS.values():
        for name in names:
            assert name in out


@pytest.mark.parametrize("name", [n for names in COMMANDS.values() for n in names])
def test_each_command_has_its_help_alone(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([name, "--help"]) == 0
    assert f"用法：anju {name}" in capsys.readouterr().out


def test_an_unknown_command_is_refused_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evalute"]) == 2
    assert "evalute" in capsys.readouterr().err


def test_evaluate_imports_no_document_or_excel_adapter() -> None:
    code = ("import sys; from anju.cli import run; run(['version']); "
            "print(sorted(m for m in sys.modules if m.startswith(('anju.adapters', 'matplotlib', 'openpyxl', 'docx'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
