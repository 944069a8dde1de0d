"""A strict YAML reader shared by frameworks, datasets, units files, region trees and rule sets.

Scalars follow the YAML 1.2 core schema, not PyYAML's YAML 1.1: ``1:30`` and ``0x1F`` are text,
not 90 and 31; ``yes``/``no``/``on``/``off`` are text, not booleans; nothing becomes a date by its
look (a date field reads ISO text itself). Numbers become :class:`~decimal.Decimal` built from
their text (no float on any path); ``.inf``, ``.nan`` and numbers beyond :data:`NUMBER_MAX_EXPONENT`
are refused. Refused as well, each with its own message: anchors and aliases (``&a``/``*a``, which
can expand a 1 KB file into billions of nodes), merge keys (``<<:``, not part of YAML 1.2),
explicit tags (``!!binary``, ``!!python/…``), nesting deeper than :data:`MAX_DEPTH`, files larger
than :data:`MAX_FILE_BYTES`, duplicate keys and a second document (``---``). Every error carries
the file and the line a user can open, in Chinese.

``locate`` maps a pydantic error location (a tuple of keys and indexes) back to the line of the
YAML node, so model validation errors also point at a line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

try:
    from yaml._yaml import CParser

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    HAVE_LIBYAML = False

from anju.decimals import MAX_EXPONENT, plain
from anju.files import os_reason
from anju.problems import LoadCode, Problem, ProblemsError, at_line
from anju.text import clean_text

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists a file may have (the deepest anju file has about 12)."""
MAX_FILE_BYTES = 20 * 1024 * 1024
"""A units file of a large province is well under 1 MB."""
NUMBER_MAX_EXPONENT = MAX_EXPONENT
"""A YAML number must be below 10^18 in magnitude; each figure kind has its own, lower limit."""
NUMBER_MAX_CHARS = 40
SHOWN_CHARS = 40
"""Characters of a refused value quoted in a message."""

_TAG = "tag:yaml.org,2002:"
STR_TAG, INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG = (f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null"))
SEQ_TAG, MAP_TAG = f"{_TAG}seq", f"{_TAG}map"
_ALLOWED_TAGS = frozenset({STR_TAG, INT_TAG, FLOAT_TAG, BOOL_TAG, NULL_TAG, SEQ_TAG, MAP_TAG})
_INF_NAN_RE = re.compile(r"^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$")
_MERGE_KEY = "<<"


class YamlError(ProblemsError):
    """A YAML file that cannot be read or parsed; ``problems`` holds the one reason, with file and line."""

    def __init__(self, file: str, line: int, message: str, code: LoadCode) -> None:
        super().__init__([at_line(file, line, message, code)])

    @property
    def problem(self) -> Problem:
        return self.problems[0]


class _Refused(yaml.MarkedYAMLError):
    """A construct anju refuses; ``problem`` is the Chinese message."""

    def __init__(self, message: str, mark: Any, code: LoadCode) -> None:
        super().__init__(None, None, message, mark)
        self.code = code


class _CoreResolver(BaseResolver):
    """The YAML 1.2 core schema: null, true/false, decimal integers and floats; everything else is text."""


_CoreResolver.yaml_implicit_resolvers = {}
_CoreResolver.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_CoreResolver.add_implicit_resolver(NULL_TAG, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_CoreResolver.add_implicit_resolver(INT_TAG, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_CoreResolver.add_implicit_resolver(
    FLOAT_TAG,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


class _StrictComposer(Composer):
    """Builds the node tree from parser events, refusing aliases, anchors, merge keys, explicit tags
    and deep nesting. The events come from libyaml (:class:`_FastLoader`) or from PyYAML's pure
    Python parser (:class:`_StrictLoader`); either way the nodes keep their line marks."""

    _depth = 0

    if TYPE_CHECKING:  # provided by the parser and the resolver the composer is mixed with
        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...
        def get_event(self) -> Any: ...
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any: ...

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.get_event()
            raise _Refused(f"不支持引用“*{event.anchor}”（锚点与引用可展开成海量内容）：请把内容直接写出",
                           event.start_mark, LoadCode.YAML_ALIAS)
        event = self.peek_event()
        if event.anchor is not None:
            raise _Refused(f"不支持锚点“&{event.anchor}”（锚点与引用可展开成海量内容）：请把内容直接写出",
                           event.start_mark, LoadCode.YAML_ALIAS)
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
            raise _Refused(f"不支持 YAML 标签“{str(tag).replace(_TAG, '!!')}”：请直接写出数值或文字",
                           event.start_mark, LoadCode.YAML_SYNTAX)
        nested = isinstance(event, MappingStartEvent | SequenceStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(f"嵌套层数过多（超过 {MAX_DEPTH} 层）", event.start_mark, LoadCode.YAML_TOO_DEEP)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1

    def compose_mapping_node(self, anchor: Any) -> Any:
        start = self.get_event()
        tag = start.tag if start.tag not in (None, "!") else self.resolve(MappingNode, None, start.implicit)
        node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        while not self.check_event(MappingEndEvent):
            key_event = self.peek_event()
            if isinstance(key_event, ScalarEvent) and key_event.value == _MERGE_KEY and not key_event.style:
                raise _Refused("不支持合并键“<<”（YAML 1.2 没有此功能）：请把要合并的内容直接写在这里",
                               key_event.start_mark, LoadCode.YAML_MERGE_KEY)
            key = self.compose_node(node, None)
            value = self.compose_node(node, key)
            node.value.append((key, value))
        node.end_mark = self.get_event().end_mark
        return node


class _StrictLoader(Reader, Scanner, Parser, _StrictComposer, SafeConstructor, _CoreResolver):
    """The pure-Python reader: constructs core-schema scalars (numbers as Decimal from their text, no
    timestamps) and refuses duplicate keys. Used to word the error of a file libyaml refuses (its
    messages and positions are PyYAML's, which :func:`_translate` knows), and where libyaml is missing."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _CoreResolver.__init__(self)
        self._depth = 0


if HAVE_LIBYAML:
    class _FastLoader(_StrictComposer, CParser, SafeConstructor, _CoreResolver):
        """The same reader on libyaml's scanner and parser (about ten times faster): composition
        and construction stay in Python, so every refusal and every line mark is the same."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            _CoreResolver.__init__(self)
            self._depth = 0


def _construct_mapping(loader: Any, node: MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise _Refused("键必须是简单值（文字或数字），不能是列表或映射", key_node.start_mark, LoadCode.YAML_SYNTAX)
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _Refused(f"重复的键“{key}”（第 {seen[key]} 行已出现）", key_node.start_mark, LoadCode.DUPLICATE_KEY)
        seen[key] = key_node.start_mark.line + 1
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_number(loader: Any, node: ScalarNode) -> Decimal:
    text = str(node.value)
    if _INF_NAN_RE.match(text):
        raise _Refused(f"不接受“{text}”（无穷大或非数值）：请填写有限的数值", node.start_mark, LoadCode.NUMBER_INVALID)
    if len(text) > NUMBER_MAX_CHARS:
        raise _Refused(f"数值“{text[:SHOWN_CHARS]}…”位数过多", node.start_mark, LoadCode.NUMBER_INVALID)
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the resolver only passes numbers here
        raise _Refused(f"“{text}”不是数值", node.start_mark, LoadCode.NUMBER_INVALID) from None
    if value and value.adjusted() > NUMBER_MAX_EXPONENT:
        raise _Refused(f"数值“{text}”过大（不能达到 10 的 {NUMBER_MAX_EXPONENT + 1} 次方）", node.start_mark,
                       LoadCode.NUMBER_INVALID)
    return value


def _construct_text(loader: Any, node: ScalarNode) -> str:
    return clean_text(str(node.value))


def _construct_sequence(loader: Any, node: SequenceNode) -> list[Any]:
    return [loader.construct_object(child, deep=True) for child in node.value]


def _construct_bool(loader: Any, node: ScalarNode) -> bool:
    return str(node.value).lower() == "true"


def _construct_null(loader: Any, node: ScalarNode) -> None:
    return None


_StrictLoader.yaml_constructors = {
    MAP_TAG: _construct_mapping,
    SEQ_TAG: _construct_sequence,
    STR_TAG: _construct_text,
    INT_TAG: _construct_number,
    FLOAT_TAG: _construct_number,
    BOOL_TAG: _construct_bool,
    NULL_TAG: _construct_null,
}
_StrictLoader.yaml_multi_constructors = {}
if HAVE_LIBYAML:
    _FastLoader.yaml_constructors = _StrictLoader.yaml_constructors
    _FastLoader.yaml_multi_constructors = {}


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
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlError(display, 0, f"文件过大（{size // (1024 * 1024)} MB，上限 {MAX_FILE_BYTES // (1024 * 1024)} MB）",
                            LoadCode.YAML_TOO_LARGE)
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(display, 0, "文件不存在", LoadCode.FILE_MISSING) from None
    except IsADirectoryError:
        raise YamlError(display, 0, "这是一个目录，不是 YAML 文件", LoadCode.FILE_UNREADABLE) from None
    except UnicodeDecodeError as exc:
        raise YamlError(display, 0, f"不是 UTF-8 编码的文本文件（第 {exc.start} 字节）", LoadCode.FILE_UNREADABLE) from None
    except OSError as exc:
        raise YamlError(display, 0, f"无法读取：{os_reason(exc)}", LoadCode.FILE_UNREADABLE) from None
    return parse_yaml(text, display)


def parse_yaml(text: str, display: str) -> YamlDocument:
    """Parse once with libyaml; a text libyaml refuses is read again by the pure-Python parser,
    whose message and line (or, rarely, acceptance) are the ones reported.

    A text is first read by :func:`_fast_parse` (one pass over libyaml's events); a text it does not
    accept as it is goes through the composer and constructor, which word the refusal."""
    if not HAVE_LIBYAML:  # pragma: no cover - PyYAML built without libyaml
        return _parse_pure(text, display)
    fast = _fast_parse(text)
    if fast is not None:
        root, data = fast
        return YamlDocument(display, data, root)
    loader = _FastLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except _Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 0
        raise YamlError(display, line, f"YAML 格式错误：{exc.problem}", exc.code) from None
    except (yaml.YAMLError, RecursionError):
        return _parse_pure(text, display)
    finally:
        loader.dispose()
    return YamlDocument(display, data, root)


class _NotPlain(Exception):
    """Something :func:`_fast_parse` leaves to the composer (which accepts or refuses it)."""


_SCALAR_CONSTRUCTORS: dict[str, Callable[[Any, ScalarNode], Any]] = {
    STR_TAG: _construct_text, INT_TAG: _construct_number, FLOAT_TAG: _construct_number,
    BOOL_TAG: _construct_bool, NULL_TAG: _construct_null,
}


def _fast_parse(text: str) -> tuple[Node | None, Any] | None:
    """The node tree and the data of ``text`` in one pass over libyaml's events, or None.

    The same nodes (with their line marks) and the same data as the composer and the constructor
    give, built together without their per-node layers of calls. Only a plain document is read
    here: at the first anchor, alias, explicit tag, merge key, duplicate or non-scalar key, nesting
    beyond :data:`MAX_DEPTH`, refused number, second document or syntax error it gives up (None),
    and :func:`parse_yaml` reads the text again the slow way, which refuses it with its message —
    so a file is accepted or refused exactly as before, and read twice only when it is refused."""
    try:
        return _fast_events(CParser(text))
    except Exception:  # any doubt: the composer decides
        return None


def _fast_scalar(event: Any, resolvers: Mapping[Any, Any]) -> tuple[ScalarNode, Any]:
    if event.anchor is not None or event.tag is not None:
        raise _NotPlain
    value = event.value
    tag = STR_TAG
    if event.implicit[0]:  # BaseResolver.resolve for a plain scalar
        for candidate, regexp in resolvers.get(value[0] if value else "", ()):
            if regexp.match(value):
                tag = candidate
                break
    node = ScalarNode(tag, value, event.start_mark, event.end_mark, style=event.style)
    return node, _SCALAR_CONSTRUCTORS[tag](None, node)


def _fast_events(parser: Any) -> tuple[Node | None, Any] | None:
    resolvers = _CoreResolver.yaml_implicit_resolvers
    if None in resolvers:  # pragma: no cover - the core schema has no wildcard resolver
        raise _NotPlain
    get_event = parser.get_event
    get_event()  # stream start
    if parser.check_event(StreamEndEvent):
        return None, None
    get_event()  # document start
    # each open collection: [node, data, is a mapping, pending key (node, data) or None]
    stack: list[list[Any]] = []
    item: tuple[Node, Any]
    while True:
        event = get_event()
        kind = type(event)
        if kind is ScalarEvent:
            item = _fast_scalar(event, resolvers)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                raise _NotPlain
            if kind is MappingStartEvent:
                stack.append([MappingNode(MAP_TAG, [], event.start_mark, None, flow_style=event.flow_style), {}, True, None])
            else:
                stack.append([SequenceNode(SEQ_TAG, [], event.start_mark, None, flow_style=event.flow_style), [], False, None])
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            frame = stack.pop()
            frame[0].end_mark = event.end_mark
            item = (frame[0], frame[1])
        else:  # an alias, or anything unexpected
            raise _NotPlain
        if not stack:
            break
        top = stack[-1]
        if not top[2]:  # a sequence's item
            top[0].value.append(item[0])
            top[1].append(item[1])
        elif top[3] is None:  # a mapping's key
            key_node, key = item
            if type(key_node) is not ScalarNode or key in top[1] or (key_node.value == _MERGE_KEY and not key_node.style):
                raise _NotPlain
            top[3] = item
        else:  # a mapping's value
            key_node, key = top[3]
            top[3] = None
            top[0].value.append((key_node, item[0]))
            top[1][key] = item[1]
    if type(get_event()) is not DocumentEndEvent or type(get_event()) is not StreamEndEvent:
        raise _NotPlain
    return item


def _parse_pure(text: str, display: str) -> YamlDocument:
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character anywhere in the text
        line = text[: max(exc.position, 0)].count("\n") + 1
        raise YamlError(display, line, f"YAML 格式错误：文件含有不允许的控制字符（#x{exc.character:04X}）",
                        LoadCode.YAML_SYNTAX) from None
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except _Refused as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else 0
        raise YamlError(display, line, f"YAML 格式错误：{exc.problem}", exc.code) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise YamlError(display, line, f"YAML 格式错误：{_translate(exc)}", LoadCode.YAML_SYNTAX) from None
    except yaml.YAMLError:
        raise YamlError(display, 0, "YAML 格式错误：文件无法解析", LoadCode.YAML_SYNTAX) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before
        raise YamlError(display, 0, f"YAML 格式错误：嵌套层数过多（超过 {MAX_DEPTH} 层）", LoadCode.YAML_TOO_DEEP) from None
    finally:
        loader.dispose()
    return YamlDocument(display, data, root)


_KNOWN_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed here", "此处不允许出现“键: 值”（常见原因：缩进错误或冒号后缺空格）"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("found character '\\t' that cannot start any token", "不能用制表符缩进，请改用空格"),
    ("found character", "出现了不能开始一个值的字符（如 @ 或 `）：请给这个值加引号"),
    ("expected <block end>, but found '-'", "列表项缩进不一致"),
    ("expected <block end>", "缩进不一致（某行缩进多了或少了）"),
    ("expected ',' or ']'", "方括号没有闭合或缺少逗号"),
    ("expected ',' or '}'", "花括号没有闭合或缺少逗号"),
    ("found unexpected end of stream", "文件意外结束（引号或括号没有闭合）"),
    ("found undefined alias", "引用了未定义的锚点"),
    ("but found another document", "文件中只能有一个 YAML 文档（发现了第二个“---”）"),
    ("expected a single document", "文件中只能有一个 YAML 文档（发现了第二个“---”）"),
    ("unacceptable character", "文件含有不允许的控制字符"),
    ("special characters are not allowed", "文件含有不允许的控制字符"),
    ("found unknown escape character", "双引号中的转义符“\\”用法不对（要写反斜杠本身请用单引号）"),
    ("expected escape sequence", "双引号中的转义序列不完整"),
    ("found a tab character", "不能用制表符，请改用空格"),
    ("while scanning a simple key", "某一行缺少冒号“:”"),
    ("could not determine a constructor", "不支持的 YAML 标签"),
    ("while parsing a block mapping", "缩进不一致或缺少冒号"),
    ("while parsing a block collection", "列表缩进不一致"),
    ("while parsing a flow", "方括号或花括号没有闭合"),
    ("while scanning a quoted scalar", "引号没有闭合"),
    ("while scanning a block scalar", "多行文本（| 或 >）的格式不对"),
    ("while scanning an anchor", "锚点（&）格式不对"),
    ("while scanning an alias", "引用（*）格式不对：以 * 开头的文字请加引号"),
    ("while scanning a directive", "以 % 开头的指令格式不对：以 % 开头的文字请加引号"),
    ("while scanning a tag", "标签（!）格式不对：以 ! 开头的文字请加引号"),
    ("while scanning", "文字格式不对（请给含有特殊字符的文字加引号）"),
    ("while parsing", "格式不对（缩进、冒号或括号有误）"),
)


def _translate(exc: yaml.MarkedYAMLError) -> str:
    """A Chinese reason for PyYAML's English one; never the English itself."""
    for part in (exc.problem or "", exc.context or ""):
        for english, chinese in _KNOWN_PROBLEMS:
            if part.startswith(english) or english in part:
                return chinese
    return "格式不对（请检查该行的缩进、冒号、引号和括号）"


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
    """Translate a model's validation errors into Chinese problems at the YAML line of each field,
    naming the item (indicator path) or the figure the field belongs to. No English, no reprs."""
    problems: list[Problem] = []
    for err in exc.errors():
        raw_loc = tuple(err["loc"])
        loc = tuple(_key_text(k) for k in raw_loc if k != KEY_MARK)
        line = line_of(loc) if line_of else doc.line_of(loc)
        field = next((str(k) for k in reversed(loc) if isinstance(k, str) and not _is_model_tag(k)), "")
        kind = "invalid_key" if KEY_MARK in raw_loc else err["type"]
        msg = _pydantic_message(kind, field, err.get("input"), err.get("ctx") or {}, err["msg"])
        owner = _owner(doc.data, loc)
        if owner:
            msg = f"{owner}：{msg}"
        problems.append(at_line(doc.path, line, msg, LoadCode.FIELD_INVALID))
    return problems


KEY_MARK = "[key]"
"""pydantic's mark in a location for an error in a mapping's key rather than its value."""
_REPR_KEY = re.compile(r"^Decimal\('(.*)'\)$")


def _key_text(key: int | str) -> int | str:
    """A key as written in the YAML: pydantic shows a number key as ``Decimal('220100')``."""
    if isinstance(key, str):
        match = _REPR_KEY.match(key)
        if match:
            return match.group(1)
    return key


def _is_model_tag(key: str) -> bool:
    """pydantic adds the union member's tag or type to a location (``ratio_tiers``, ``function-after[…]``)."""
    return "[" in key or key in _RULE_TAGS


_RULE_TAGS = frozenset({"ratio_tiers", "proportional", "threshold", "checklist", "judged", "deduction", "sum"})

PATTERN_MESSAGES: dict[str, tuple[str, str]] = {
    r"^[a-z][a-z0-9_]*$": ("编号", "只能用小写英文字母、数字和下划线，且以字母开头"),
    r"^[0-9]{6}$": ("代码", "应为6位数字（半角）的行政区划代码，如 220000"),
}
"""Why a text does not match a pattern, by pattern; a pattern not listed here is described generically."""


def _pydantic_message(kind: str, field: str, raw: Any, ctx: Mapping[str, Any], message: str = "") -> str:
    name = f"字段“{field}”" if field else "该项"
    seen = shown_input(raw)
    simple = _SIMPLE_MESSAGES.get(kind)
    if simple is not None:
        return simple.format(name=name, seen=seen, field=field, **{k: shown_input(v) for k, v in ctx.items()})
    if kind == "union_tag_invalid":
        expected = str(ctx.get("expected_tags", "")).replace("'", "")
        return f"未知的评分规则类型“{shown_input(ctx.get('tag', '?'))}”（可用：{expected}）"
    if kind.startswith(CUSTOM_ERROR_PREFIX):  # anju's own PydanticCustomError: the message is Chinese already
        return message
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、").replace(", ", "、")
        return f"{name}的取值“{seen}”不在允许范围内（可用：{expected}）"
    if kind == "string_pattern_mismatch":
        noun, reason = PATTERN_MESSAGES.get(str(ctx.get("pattern", "")), ("取值", "格式不对"))
        return f"{name}的{noun}“{seen}”不合规：{reason}"
    if kind == "value_error":
        return str(ctx.get("error", "取值无效"))
    if kind.startswith("decimal") or kind.startswith("int_") or kind.startswith("float_"):
        return f"{name}应为数值，实为“{seen}”"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{name}应为日期（如 2023-01-20），实为“{seen}”"
    if kind.startswith("bool"):
        return f"{name}应为 true 或 false，实为“{seen}”"
    return f"{name}的取值“{seen}”不符合要求"


_SIMPLE_MESSAGES: dict[str, str] = {
    "union_tag_not_found": "评分规则缺少 kind（规则类型）",
    "invalid_key": "键“{field}”应为文字：用数字、true/false 作键时请加引号（如 \"{field}\"）",
    "extra_forbidden": "未知字段“{field}”",
    "missing": "缺少必填字段“{field}”",
    "greater_than_equal": "{name}取值过小：{seen}（应不小于 {ge}）",
    "greater_than": "{name}取值过小：{seen}（应大于 {gt}）",
    "less_than_equal": "{name}取值过大：{seen}（应不大于 {le}）",
    "less_than": "{name}取值过大：{seen}（应小于 {lt}）",
    "too_short": "{name}至少应有{min_length}项",
    "too_long": "{name}最多 {max_length} 项",
    "string_too_short": "{name}不能为空",
    "string_too_long": "{name}过长（最多 {max_length} 个字符）",
    "string_type": "{name}应为文字，实为“{seen}”",
    "dict_type": "{name}应为键值映射（“键: 值”），实为“{seen}”",
    "list_type": "{name}应为列表（以“- ”开头的各行），实为“{seen}”",
    "model_type": "{name}应为键值映射（“键: 值”），实为“{seen}”",
    "model_attributes_type": "{name}应为键值映射（“键: 值”），实为“{seen}”",
    "int_from_float": "{name}应为整数，实为“{seen}”",
    "decimal_max_places": "{name}最多保留 {decimal_places} 位小数，实为“{seen}”",
    "decimal_max_digits": "{name}位数过多：“{seen}”",
    "finite_number": "{name}应为有限的数值，实为“{seen}”",
    "date_from_datetime_inexact": "{name}应为日期（如 2023-01-20），不要带时间，实为“{seen}”",
    "date_from_datetime_parsing": "{name}应为日期（如 2023-01-20），实为“{seen}”",
}


def shown_input(raw: Any) -> str:
    """A value as a user wrote it, for messages: never a Python repr, at most a short excerpt."""
    if raw is None:
        return "空"
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, Decimal):
        text = format(raw, "f") if raw.is_finite() and abs(raw.adjusted()) <= NUMBER_MAX_EXPONENT else str(raw)
    elif isinstance(raw, dt.date | dt.datetime):
        text = raw.isoformat()
    elif isinstance(raw, Mapping):
        return "键值映射"
    elif isinstance(raw, list | tuple | set | frozenset):
        return "列表"
    else:
        text = str(raw)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _owner(data: Any, loc: tuple[int | str, ...]) -> str:
    """Who a field belongs to: ``指标 a.b``, ``数据项“x”``, ``评分要点“c”`` … (empty for the top level)."""
    ids: list[str] = []
    part = ""
    node = data
    parent_key: int | str | None = None
    for key in loc:
        if isinstance(node, dict) and key in node:
            node, parent_key = node[key], key
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                if parent_key in ("dimensions", "children"):
                    ids.append(node["id"])
                elif parent_key in _PART_NAMES:
                    part = f"{_PART_NAMES[str(parent_key)]}“{node['id']}”"
        else:
            continue
    owner = f"指标 {'.'.join(ids)}" if ids else ""
    if part:
        owner = f"{owner}的{part}" if owner else part
    return owner


_PART_NAMES = {"figures": "数据项", "clauses": "评分要点", "identities": "勾稽关系", "plausibility": "合理性检查"}


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes Decimal as a plain YAML number (read back exactly by the loader)
    and never writes anchors and aliases (equal values are written out each time)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_decimal(dumper: _Dumper, value: Decimal) -> ScalarNode:
    text = plain(value)
    return dumper.represent_scalar(FLOAT_TAG if "." in text else INT_TAG, text)


_Dumper.add_representer(Decimal, _represent_decimal)


def dump_yaml(data: Any, header: str | None = None) -> str:
    """YAML text for ``data`` (key order kept, Chinese unescaped); ``header`` lines become comments."""
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    if not header:
        return body
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body


ModelT = TypeVar("ModelT", bound=BaseModel)


def validate_model(doc: YamlDocument, model: type[ModelT], error: type[ProblemsError], what: str) -> ModelT:
    """The document as ``model``: a top-level mapping, validated, every field error at its line;
    otherwise ``error`` with every problem (``what`` names the file's kind, e.g. 数据文件)."""
    if not isinstance(doc.data, dict):
        raise error([at_line(doc.path, 1, f"{what}的顶层应为键值映射")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise error(pydantic_problems(exc, doc)) from None


def read_model(path: Path | str, model: type[ModelT], error: type[ProblemsError], what: str) -> tuple[ModelT, YamlDocument]:
    """:func:`read_yaml` then :func:`validate_model`; every problem raised as ``error``."""
    try:
        doc = read_yaml(path)
    except YamlError as exc:
        raise error(exc.problems) from None
    return validate_model(doc, model, error, what), doc
