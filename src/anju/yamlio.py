"""A strict YAML reader shared by frameworks and datasets.

* duplicate keys are refused, naming file and line;
* numbers become :class:`~decimal.Decimal` built from their text (no float on any path);
* every error carries the file and the line a user can open.

``locate`` maps a pydantic error location (a tuple of keys and indexes) back to the
line of the YAML node, so model validation errors also point at a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from anju.problems import LoadCode, Problem, ProblemsError, at_line

_INT_RE = re.compile(r"^[-+]?[0-9][0-9_]*$")


class YamlError(ProblemsError):
    """A YAML file that cannot be read or parsed; ``problems`` holds the one reason, with file and line."""

    def __init__(self, file: str, line: int, message: str, code: LoadCode) -> None:
        super().__init__([at_line(file, line, message, code)])

    @property
    def problem(self) -> Problem:
        return self.problems[0]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and reads numbers as Decimal."""


def _construct_mapping(loader: _StrictLoader, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | Decimal | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "键必须是简单值", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"重复的键“{key}”（第 {seen[key]} 行已出现）",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


def _construct_decimal(loader: _StrictLoader, node: ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    return Decimal(text)


def _construct_int(loader: _StrictLoader, node: ScalarNode) -> Decimal | int:
    text = str(loader.construct_scalar(node))
    if _INT_RE.match(text):
        return Decimal(text.replace("_", ""))
    # octal / hex / sexagesimal forms: let PyYAML decide, then make it exact
    return Decimal(int(yaml.SafeLoader.construct_yaml_int(loader, node)))


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data with the node tree kept for locating errors."""

    path: str
    data: Any
    root: Node | None

    def line_of(self, loc: tuple[int | str, ...]) -> int:
        return locate(self.root, loc)


def read_yaml(path: Path | str) -> YamlDocument:
    """Read one YAML file strictly. Raises :class:`YamlError` on any problem."""
    p = Path(path)
    display = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(display, 0, "文件不存在", LoadCode.FILE_MISSING) from None
    except UnicodeDecodeError as exc:
        raise YamlError(display, 0, f"不是 UTF-8 编码的文本文件（第 {exc.start} 字节）", LoadCode.FILE_UNREADABLE) from None
    except OSError as exc:
        raise YamlError(display, 0, f"无法读取：{exc.strerror}", LoadCode.FILE_UNREADABLE) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> YamlDocument:
    try:
        root = yaml.compose(text, Loader=_StrictLoader)
        data = yaml.load(text, Loader=_StrictLoader)  # _StrictLoader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "YAML 格式错误"
        code = LoadCode.DUPLICATE_KEY if problem.startswith("重复的键") else LoadCode.YAML_SYNTAX
        raise YamlError(display, line, f"YAML 格式错误：{_translate(problem)}", code) from None
    except yaml.YAMLError as exc:
        raise YamlError(display, 0, f"YAML 格式错误：{exc}", LoadCode.YAML_SYNTAX) from None
    return YamlDocument(display, data, root)


def _translate(problem: str) -> str:
    known = {
        "mapping values are not allowed here": "此处不允许出现“键: 值”（常见原因：缩进错误或冒号后缺空格）",
        "could not find expected ':'": "缺少冒号“:”",
        "found character '\\t' that cannot start any token": "不能用制表符缩进，请改用空格",
        "expected <block end>, but found '-'": "列表项缩进不一致",
        "expected <block end>": "缩进不一致（某行缩进多了或少了）",
        "while parsing a flow": "方括号或花括号没有闭合",
        "found unexpected end of stream": "文件意外结束（引号或括号没有闭合）",
        "found undefined alias": "引用了未定义的锚点",
    }
    for english, chinese in known.items():
        if problem.startswith(english):
            return chinese
    return problem


def locate(root: Node | None, loc: tuple[int | str, ...]) -> int:
    """Line (1-based) of the deepest node reachable along ``loc``; 0 if none."""
    node = root
    line = node.start_mark.line + 1 if node is not None else 0
    for key in loc:
        if node is None:
            break
        nxt: Node | None = None
        if isinstance(node, MappingNode):
            for k_node, v_node in node.value:
                if isinstance(k_node, ScalarNode) and k_node.value == str(key):
                    nxt = v_node
                    line = k_node.start_mark.line + 1
                    break
        elif isinstance(node, SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            nxt = node.value[key]
            line = nxt.start_mark.line + 1
        if nxt is None:
            continue  # a key that is not in the source (e.g. a union tag): stay on this node
        node = nxt
    return line


CUSTOM_ERROR_PREFIX = "anju_"
"""Error types a model raises with its own Chinese message (pydantic's ``custom_error_type``)."""


def pydantic_problems(
    exc: ValidationError, doc: YamlDocument, line_of: Callable[[tuple[int | str, ...]], int] | None = None
) -> list[Problem]:
    """Translate a model's validation errors into Chinese problems at the YAML line of each field."""
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = line_of(loc) if line_of else doc.line_of(loc)
        trail = _trail(doc.data, loc)
        field = str(loc[-1]) if loc else ""
        kind = err["type"]
        if kind == "union_tag_invalid":
            tag = err.get("ctx", {}).get("tag", "?")
            expected = str(err.get("ctx", {}).get("expected_tags", "")).replace("'", "")
            msg = f"未知的评分规则类型“{tag}”（可用：{expected}）"
        elif kind == "union_tag_not_found":
            msg = "评分规则缺少 kind（规则类型）"
        elif kind == "extra_forbidden":
            msg = f"未知字段“{field}”"
        elif kind == "missing":
            msg = f"缺少必填字段“{field}”"
        elif kind.startswith(CUSTOM_ERROR_PREFIX):
            msg = err["msg"]
        elif kind == "string_too_short":
            msg = f"字段“{field}”不能为空"
        elif kind == "too_short":
            msg = f"字段“{field}”至少应有{err.get('ctx', {}).get('min_length', 1)}项"
        elif kind == "string_pattern_mismatch":
            msg = f"字段“{field}”的编号“{err.get('input')}”不合规：只能用小写英文字母、数字和下划线，且以字母开头"
        elif kind.startswith("decimal") or kind in {"int_parsing", "int_type"}:
            msg = f"字段“{field}”应为数值，实为“{err.get('input')}”"
        elif kind == "value_error":
            msg = str(err.get("ctx", {}).get("error", err["msg"]))
        elif kind in {"literal_error", "enum"}:
            msg = f"字段“{field}”的取值“{err.get('input')}”不在允许范围内（{err.get('ctx', {}).get('expected', '')}）"
        elif kind in {"greater_than_equal", "greater_than"}:
            msg = f"字段“{field}”取值过小：{err.get('input')}"
        else:
            msg = f"字段“{field}”：{err['msg']}"
        if trail:
            msg = f"指标 {trail}：{msg}"
        problems.append(at_line(doc.path, line, msg, LoadCode.FIELD_INVALID))
    return problems


def _trail(data: Any, loc: tuple[int | str, ...]) -> str:
    """The item ids traversed by ``loc`` (e.g. ``fund_management.budget_execution``)."""
    ids: list[str] = []
    node = data
    for key in loc:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            if isinstance(node, dict) and isinstance(node.get("id"), str) and "points" in node:
                ids.append(node["id"])
        else:
            continue
    return ".".join(ids)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes Decimal as a plain YAML number (read back exactly by the loader)
    and never writes anchors and aliases (equal values are written out each time)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_decimal(dumper: _Dumper, value: Decimal) -> ScalarNode:
    if value == value.to_integral_value():
        return dumper.represent_scalar("tag:yaml.org,2002:int", str(value.quantize(Decimal(1))))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


_Dumper.add_representer(Decimal, _represent_decimal)


def dump_yaml(data: Any, header: str | None = None) -> str:
    """YAML text for ``data`` (key order kept, Chinese unescaped); ``header`` lines become comments."""
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    if not header:
        return body
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body
