"""Campaigns 2–4: the dataset, units and framework loaders, from the shipped files mutated line by
line (values, keys, indentation, YAML 1.1 spellings, anchors, tags, merge keys, deep nesting,
control characters, truncation) and run through the command line. Whatever the file: an exit code
of the contract, no traceback, a Chinese message that names the file, nothing written when it is
refused; and a framework that ``framework check`` passes never fails ``evaluate`` with a gap."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anju.framework.loader import BUILTIN_DIR

from ..helpers import EXAMPLE, run_cli
from .fuzzing import TALLY, campaign_settings, check_cli

pytestmark = pytest.mark.fuzz

TOKENS = [".inf", "-.inf", ".nan", "1e30", "9" * 29, "1:30", "0x1F", "0o17", "yes", "no", "on", "off", "true", "false",
          "null", "~", "2023-01-20", "2023-13-45", "2023-01-20 10:00:00", "0", "-5", "-0", "1_000", "'12'", '"\\x00"', "[1, 2]",
          "{a: 1}", "&a 1", "*a", "!!binary aGk=", "!!python/object/apply:os.system [true]", "!!float 1", "｛", "２２００００",
          "不适用", "n/a", "''", "|", ">", "@x", "`x`", "%x", "1e-400", "1.", ".5", "+1", "12.345678", "1e17", "1e18",
          "100000000000000000", "9999999999.99", "1000000000", "12.5", "100", "101", "60", "59.99995", "[/x]", "a" * 300,
          "长" * 250, "[" * 40 + "]" * 40, "- x", "x: y: z", "'unclosed", '"unclosed', "\t1", "\u0007", "\ufeffx", "\u202e12"]
LINE_VALUE = re.compile(r"^(\s*(?:- )?[^\s:#][^:#]*?):(\s+)(\S.*)$")
KEY_ONLY = re.compile(r"^(\s*(?:- )?[^\s:#][^:#]*?):\s*$")
CJK = re.compile(r"[\u4e00-\u9fff]")

scalars = st.one_of(st.sampled_from(TOKENS), st.text(max_size=40).filter(lambda t: "\n" not in t),
                    st.decimals(allow_nan=False, allow_infinity=False).map(str), st.integers(-10**25, 10**25).map(str))


def _value_line(draw: st.DrawFn, lines: list[str], index: int) -> None:
    match = LINE_VALUE.match(lines[index])
    if match:
        lines[index] = f"{match.group(1)}:{match.group(2)}{draw(scalars)}"
    else:
        lines[index] = lines[index] + " " + draw(scalars)


def _key(draw: st.DrawFn, lines: list[str], index: int) -> None:
    match = LINE_VALUE.match(lines[index]) or KEY_ONLY.match(lines[index])
    indent = re.match(r"^\s*(?:- )?", lines[index]).group(0)  # type: ignore[union-attr]
    rest = lines[index][len(match.group(1)):] if match else ":"
    lines[index] = indent + draw(st.sampled_from(["<<", "x", "figures", "id", "220100", "2022", "'a b'", "true", "?", "- a"])) + rest


def _indent(draw: st.DrawFn, lines: list[str], index: int) -> None:
    shift = draw(st.sampled_from([-2, -1, 1, 2]))
    lines[index] = (" " * shift + lines[index]) if shift > 0 else lines[index][-shift:]


def _insert(draw: st.DrawFn, lines: list[str], index: int) -> None:
    indent = " " * draw(st.integers(0, 10))
    lines.insert(index, f"{indent}{draw(st.sampled_from(['x', 'note', 'year', 'figures', 'a']))}: {draw(scalars)}")


def _delete(draw: st.DrawFn, lines: list[str], index: int) -> None:
    del lines[index]


def _duplicate(draw: st.DrawFn, lines: list[str], index: int) -> None:
    lines.insert(index, lines[index])


def _truncate(draw: st.DrawFn, lines: list[str], index: int) -> None:
    del lines[index:]
    if lines:
        lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]


def _bomb(draw: st.DrawFn, lines: list[str], index: int) -> None:
    depth = draw(st.integers(1, 9))
    chain = "".join(f"b{i}: &b{i} [*b{i - 1}, *b{i - 1}, *b{i - 1}]\n" for i in range(1, depth))
    lines.insert(index, ("b0: &b0 [lol, lol]\n" + chain).rstrip("\n"))


def _deep(draw: st.DrawFn, lines: list[str], index: int) -> None:
    depth = draw(st.integers(20, 3000))
    match = LINE_VALUE.match(lines[index])
    if match:
        lines[index] = f"{match.group(1)}: " + "[" * depth + "]" * depth


def _document(draw: st.DrawFn, lines: list[str], index: int) -> None:
    lines.insert(index, draw(st.sampled_from(["---", "...", "--- !!map", "%YAML 1.1", "%TAG ! tag:x,2000:"])))


MUTATORS = [_value_line, _value_line, _value_line, _value_line, _key, _indent, _insert, _delete, _duplicate, _truncate, _bomb,
            _deep, _document]


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        draw(st.sampled_from(MUTATORS))(draw, lines, index)
    return "\n".join(lines)


def _dataset_dir(tmp: Path, text: str, *, units: bool) -> Path:
    target = tmp / "ds"
    target.mkdir()
    (target / "dataset.yaml").write_text(text, encoding="utf-8")
    if units:
        shutil.copy(EXAMPLE / "units.yaml", target / "units.yaml")
    return target


def _located(out: str, file_name: str) -> bool:
    return file_name in out and bool(CJK.search(out))


@given(data=st.data())
@campaign_settings("dataset")
def test_any_dataset_is_scored_or_refused_with_its_line(data: Any, tmp_path_factory: pytest.TempPathFactory, capsys: Any) -> None:
    text = data.draw(mutated_text((EXAMPLE / "dataset.yaml").read_text(encoding="utf-8")))
    tmp = tmp_path_factory.mktemp("dataset")
    folder = _dataset_dir(tmp, text, units=False)
    result = tmp / "out" / "evaluation.json"
    code, out = run_cli(capsys, "evaluate", folder, "-o", result)
    TALLY.record("dataset", f"exit {code}")
    check_cli(code, out)
    assert code in (0, 2), out
    assert result.exists() == (code == 0), out
    if code == 2:
        assert _located(out, "dataset.yaml"), out
        assert re.search(r"dataset\.yaml:[0-9]+：", out) or "无法计分" in out or "指标体系" in out, out
    assert not list(tmp.rglob(".*.tmp"))


@given(data=st.data())
@campaign_settings("units")
def test_any_units_file_is_aggregated_or_refused_with_its_line(data: Any, tmp_path_factory: pytest.TempPathFactory,
                                                              capsys: Any) -> None:
    text = data.draw(mutated_text((EXAMPLE / "units.yaml").read_text(encoding="utf-8")))
    tmp = tmp_path_factory.mktemp("units")
    folder = _dataset_dir(tmp, (EXAMPLE / "dataset.yaml").read_text(encoding="utf-8"), units=False)
    (folder / "units.yaml").write_text(text, encoding="utf-8")
    command = data.draw(st.sampled_from([["aggregate", folder], ["evaluate", folder, "--from-units", "-o", tmp / "e.json"],
                                         ["completeness", folder]]))
    code, out = run_cli(capsys, *command)
    TALLY.record("units", f"{command[0]} exit {code}")
    check_cli(code, out)
    assert code in (0, 1, 2), out
    if code == 2:
        assert _located(out, "units.yaml") or "汇总" in out or "行政区划" in out, out
        assert not (tmp / "e.json").exists()


@given(data=st.data())
@campaign_settings("framework")
def test_a_framework_that_passes_check_scores_every_value(data: Any, tmp_path_factory: pytest.TempPathFactory,
                                                         capsys: Any) -> None:
    tmp = tmp_path_factory.mktemp("framework")
    folder = tmp / "fw"
    shutil.copytree(BUILTIN_DIR / "2022", folder)
    name = data.draw(st.sampled_from(["rental.yaml", "renovation.yaml", "shantytown.yaml", "rental.yaml", "framework.yaml",
                                      "appendix.yaml"]))
    text = data.draw(mutated_text((folder / name).read_text(encoding="utf-8")))
    (folder / name).write_text(text, encoding="utf-8")
    code, out = run_cli(capsys, "framework", "check", folder)
    check_cli(code, out)
    assert code in (0, 2), out
    if code == 2:
        TALLY.record("framework", "refused by check")
        assert re.search(r"\.yaml(:[0-9]+)?：", out), out
        return
    evaluated, result = run_cli(capsys, "evaluate", EXAMPLE, "-f", folder, "-o", tmp / "e.json")
    TALLY.record("framework", f"passed check, evaluate exit {evaluated}")
    check_cli(evaluated, result)
    assert "不落在任何一档" not in result, result  # a gap framework check let through
    assert evaluated in (0, 2), result
