"""A strict YAML reader shared by frameworks and datasets.

* duplicate keys are refused, naming file and line;
* numbers become :class:`~decimal.Decimal` built from their text (no float on any path);
* every error carries the file and the line a user can open.

``locate`` maps a pydantic error location (a tuple of keys and indexes) back to the
line of the YAML node, so model validation errors also point at a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_INT_RE = re.compile(r"^[-+]?[0-9][0-9_]*$")


P = TypeVar("P")


class ProblemsError(Exception, Generic[P]):
    """Every reason something could not be loaded or scored, reported at once in ``problems``."""

    def __init__(self, problems: list[P]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class SourceError(Exception):
    """A problem in a source file, with its location (1-based line; 0 when unknown)."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}：{self.message}"


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
    """Read one YAML file strictly. Raises :class:`SourceError` on any problem."""
    p = Path(path)
    display = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(display, 0, "文件不存在") from None
    except UnicodeDecodeError as exc:
        raise SourceError(display, 0, f"不是 UTF-8 编码的文本文件（第 {exc.start} 字节）") from None
    except OSError as exc:
        raise SourceError(display, 0, f"无法读取：{exc.strerror}") from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> YamlDocument:
    try:
        root = yaml.compose(text, Loader=_StrictLoader)
        data = yaml.load(text, Loader=_StrictLoader)  # _StrictLoader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = exc.problem or exc.context or "YAML 格式错误"
        raise SourceError(display, line, f"YAML 格式错误：{_translate(problem)}") from None
    except yaml.YAMLError as exc:
        raise SourceError(display, 0, f"YAML 格式错误：{exc}") from None
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
