"""The strict YAML reader: YAML 1.2 core-schema scalars, refused constructs with file and line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from yaml.nodes import MappingNode, ScalarNode

from anju import yamlio
from anju.problems import LoadCode
from anju.yamlio import MAX_DEPTH, YamlError, dump_yaml, parse_yaml


def data(text: str) -> object:
    return parse_yaml(text, "x.yaml").data


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("v: 1:30", "1:30"),  # YAML 1.1 base 60 would be 90
        ("v: 0x1F", "0x1F"),  # YAML 1.1 hex would be 31
        ("v: 0o17", "0o17"),
        ("v: 1_000", "1_000"),
        ("v: yes", "yes"),
        ("v: no", "no"),
        ("v: on", "on"),
        ("v: NO", "NO"),
        ("v: 2023-01-20", "2023-01-20"),  # no timestamps by look: date fields parse ISO text themselves
        ("v: true", True),
        ("v: False", False),
        ("v: ~", None),
        ("v:", None),
        ("v: 007", Decimal(7)),
        ("v: -12.50", Decimal("-12.50")),
        ("v: 1e3", Decimal("1e3")),
        ("v: .5", Decimal(".5")),
        ("v: '12'", "12"),
    ],
)
def test_core_schema_scalars(text: str, value: object) -> None:
    assert data(text) == {"v": value}
    assert type(data(text)["v"]) is type(value)  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "line", "code", "message"),
    [
        ("a: 1\nb: .inf\n", 2, LoadCode.NUMBER_INVALID, "不接受“.inf”（无穷大或非数值）"),
        ("a: 1\nb: -.inf\n", 2, LoadCode.NUMBER_INVALID, "不接受“-.inf”"),
        ("a:\n  - .NaN\n", 2, LoadCode.NUMBER_INVALID, "不接受“.NaN”"),
        ("a: 1e30\n", 1, LoadCode.NUMBER_INVALID, "数值“1e30”过大"),
        ("a: " + "9" * 45 + "\n", 1, LoadCode.NUMBER_INVALID, "位数过多"),
        ("a: &x 1\nb: *x\n", 1, LoadCode.YAML_ALIAS, "不支持锚点“&x”"),
        ("base: {a: 1}\nc:\n  <<: {a: 2}\n", 3, LoadCode.YAML_MERGE_KEY, "不支持合并键“<<”"),
        ("a: !!binary aGVsbG8=\n", 1, LoadCode.YAML_SYNTAX, "不支持 YAML 标签“!!binary”"),
        ("a: !!python/object/apply:os.system [echo]\n", 1, LoadCode.YAML_SYNTAX, "不支持 YAML 标签"),
        ("a: 1\na: 2\n", 2, LoadCode.DUPLICATE_KEY, "重复的键“a”（第 1 行已出现）"),
        ("a: 1\n---\nb: 2\n", 2, LoadCode.YAML_SYNTAX, "文件中只能有一个 YAML 文档"),
        ("a: [1, 2\n", 2, LoadCode.YAML_SYNTAX, "YAML 格式错误"),
        ("a: 'x\0'\n", 1, LoadCode.YAML_SYNTAX, "不允许的控制字符"),
        ("? [a]\n: 1\n", 1, LoadCode.YAML_SYNTAX, "键必须是简单值"),
    ],
)
def test_refused_with_line_and_code(text: str, line: int, code: LoadCode, message: str) -> None:
    with pytest.raises(YamlError) as info:
        parse_yaml(text, "x.yaml")
    problem = info.value.problem
    assert (problem.where.file, problem.where.line, problem.code) == ("x.yaml", line, code), problem
    assert message in problem.message
    assert not any(word in problem.message for word in ("found", "expected", "while", "could not")), problem


def test_nesting_is_capped_before_python_recursion() -> None:
    with pytest.raises(YamlError, match="嵌套层数过多"):
        parse_yaml("a: " + "[" * 600 + "]" * 600, "x.yaml")
    deep_ok = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert data(deep_ok)


def test_a_billion_laughs_is_refused_at_once() -> None:
    bomb = "a0: &a0 [lol, lol]\n" + "".join(f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}]\n" for i in range(1, 10))
    with pytest.raises(YamlError) as info:
        parse_yaml(bomb, "x.yaml")
    assert info.value.problem.code == LoadCode.YAML_ALIAS


def test_dump_reads_back_exactly() -> None:
    payload = {"yes": "no", "n": Decimal("1234567890123.45"), "z": Decimal("0"), "t": "1:30", "d": "0x1F", "big": Decimal("1e17")}
    assert data(dump_yaml(payload)) == payload


def _composed(text: str) -> tuple[object, object]:
    """The node tree and data of ``text`` the composer and constructor give (the reference)."""
    loader = yamlio._FastLoader(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def _same_data(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return [(k, type(k)) for k in a] == [(k, type(k)) for k in b] and all(_same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(_same_data(x, y) for x, y in zip(a, b, strict=True))
    return a == b and str(a) == str(b)


def _mark(mark: Any) -> object:
    return None if mark is None else (mark.line, mark.column, mark.index)


def _same_node(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    if type(a) is not type(b) or a.tag != b.tag or (_mark(a.start_mark), _mark(a.end_mark)) != (_mark(b.start_mark), _mark(b.end_mark)):
        return False
    if isinstance(a, ScalarNode):
        return bool(a.value == b.value and a.style == b.style)
    if a.flow_style != b.flow_style or len(a.value) != len(b.value):
        return False
    if isinstance(a, MappingNode):
        return all(_same_node(k, k2) and _same_node(v, v2) for (k, v), (k2, v2) in zip(a.value, b.value, strict=True))
    return all(_same_node(x, y) for x, y in zip(a.value, b.value, strict=True))


ROOT = Path(__file__).resolve().parents[1]
REPO_YAML = sorted(p for folder in ("examples", "src", "tests") for p in (ROOT / folder).rglob("*.yaml"))


@pytest.mark.skipif(not yamlio.HAVE_LIBYAML, reason="PyYAML without libyaml")
def test_the_one_pass_reader_gives_the_composers_nodes_and_data() -> None:
    """Every YAML file of the repository: what the one-pass reader accepts, it reads exactly as the
    composer and the constructor do (values, types, key order, line marks); what it declines, the
    composer reads or refuses."""
    assert len(REPO_YAML) > 100
    fast_read = 0
    for path in REPO_YAML:
        text = path.read_text(encoding="utf-8", errors="replace")
        fast = yamlio._fast_parse(text)
        try:
            root, value = _composed(text)
        except Exception:  # refused by the composer: the one-pass reader must not accept it
            assert fast is None, path
            continue
        if fast is None:
            continue
        fast_read += 1
        assert _same_node(fast[0], root), path
        assert _same_data(fast[1], value), path
    assert fast_read > 100


@pytest.mark.skipif(not yamlio.HAVE_LIBYAML, reason="PyYAML without libyaml")
@pytest.mark.parametrize(
    "text",
    ["", "# 只有注释\n", "---\n", "a", "[]", "{}", "- a\n- b\n", "a: |\n  x\n  y\n", "a: >\n  x\n", "~: 1\n", "'<<': 1\n",
     "a: {b: [1, 2, {c: d}], e: ''}\n", "\ufeffa: 1\n", "a:\n  - \n  - x\n", "- ? x\n  : y\n", "a: 1\n...\n",
     "%YAML 1.1\n---\na: 1\n", "-1: x\n", "a: 'x\u2028y'\n", "a: \"\\t\"\n", "[" * MAX_DEPTH + "]" * MAX_DEPTH],
)
def test_one_pass_reader_on_edge_documents(text: str) -> None:
    fast = yamlio._fast_parse(text)
    assert fast is not None
    root, value = _composed(text)
    assert _same_node(fast[0], root) and _same_data(fast[1], value)


@pytest.mark.parametrize(
    "text",
    ["a: &x 1\n", "a: *x\n", "a: !!str 1\n", "a: ! 1\n", "<<: 1\n", "a: 1\na: 2\n", "1: a\n1.0: b\n", "? [a]\n: 1\n",
     "a: 1\n---\nb: 2\n", "a: [1, 2\n", "a: .inf\n", "a: 1e30\n", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)],
)
def test_one_pass_reader_declines_what_the_composer_must_word(text: str) -> None:
    assert yamlio._fast_parse(text) is None
