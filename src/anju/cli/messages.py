"""Typer's (and its bundled Click's) own words in Chinese: usage errors and help pages.

Typer ships its own copy of Click (``typer._click``) whose messages are plain English f-strings, so
they cannot be translated with gettext. Instead:

* :func:`usage_message` builds the Chinese message of a usage error from the exception's type and
  attributes (which parameter, which option, which value), and translates the inner message of a
  :class:`BadParameter` by :data:`INNER_MESSAGES`; an untranslatable message becomes a generic
  Chinese sentence, never English;
* :func:`install` puts Chinese headings into help pages (“用法：”, “参数”, “选项”, “命令”, “显示本帮助并
  退出。”, “[必填]”, “[默认：…]”) by post-processing the text Typer formats, and replaces the
  ``gettext`` lookup that ``typer.core`` still uses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import typer.core
from typer._click import core as click_core
from typer._click import exceptions as click_exceptions

HEADINGS: dict[str, str] = {
    "Arguments": "参数",
    "Options": "选项",
    "Commands": "命令",
    "Aborted!": "已中止。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
}
"""What ``typer.core`` looks up through gettext."""

HELP_LINES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\s*)Usage: ", re.M), r"\1用法："),
    (re.compile(r"Show this message and exit\."), "显示本帮助并退出。"),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"\[default: "), "[默认："),
    (re.compile(r"^Arguments:$", re.M), "参数："),
    (re.compile(r"^Options:$", re.M), "选项："),
    (re.compile(r"^Commands:$", re.M), "命令："),
    (re.compile(r"^(参数|选项|命令):$", re.M), r"\1："),
    (re.compile(r"\[OPTIONS\]"), "[选项]"),
    (re.compile(r"COMMAND \[ARGS\]\.\.\."), "命令 [参数]..."),
)

TYPE_NAMES = {"integer": "整数", "int": "整数", "float": "数值", "boolean": "是/否", "bool": "是/否", "text": "文字",
              "path": "路径", "file": "文件", "directory": "目录", "date": "日期", "datetime": "日期时间"}
_KIND = {"path": "路径", "file": "文件", "dir": "目录", "directory": "目录"}
_PATH = r"(?i:(path|file|dir|directory))"

INNER_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(rf"^{_PATH} '(.*)' does not exist\.$"), lambda m: f"{_KIND[m[1].lower()]}“{m[2]}”不存在"),
    (re.compile(rf"^{_PATH} '(.*)' is not readable\.$"), lambda m: f"{_KIND[m[1].lower()]}“{m[2]}”无法读取（权限不足）"),
    (re.compile(rf"^{_PATH} '(.*)' is not writable\.$"), lambda m: f"{_KIND[m[1].lower()]}“{m[2]}”无法写入（权限不足）"),
    (re.compile(rf"^{_PATH} '(.*)' is a file\.$"), lambda m: f"“{m[2]}”是文件，这里需要目录"),
    (re.compile(rf"^{_PATH} '(.*)' is a directory\.$"), lambda m: f"“{m[2]}”是目录，这里需要文件"),
    (re.compile(r"^Value (.*) is not a valid (\w+)\.$"),
     lambda m: f"{m[1]} 不是有效的{TYPE_NAMES.get(m[2].lower(), m[2])}"),
    (re.compile(r"^(.*) is not a valid (\w+)\.$"), lambda m: f"{m[1]} 不是有效的{TYPE_NAMES.get(m[2].lower(), m[2])}"),
    (re.compile(r"^(.*) is not one of (.*)\.$"), lambda m: f"{m[1]} 不在可选值 {m[2]} 之中"),
    (re.compile(r"^Input should be a valid (integer|int)"), lambda m: "应为整数（不是有效的整数）"),
    (re.compile(r"^Input should be a valid (number|decimal|float)"), lambda m: "应为数值（不是有效的数值）"),
    (re.compile(r"^Input should be a valid (boolean|bool)"), lambda m: "应为是/否"),
    (re.compile(r"^Input should be a valid (date|datetime)"), lambda m: "应为日期，如 2023-01-20"),
    (re.compile(r"^Input should be (.*)$"), lambda m: "取值格式不对"),
    (re.compile(r"^(.*) is not in the range (.*)\.$"), lambda m: f"{m[1]} 不在范围 {m[2]} 之内"),
    (re.compile(r"^Got unexpected extra arguments? ?\(?s?\)? ?\((.*)\)$"), lambda m: f"多余的参数：{m[1]}"),
    (re.compile(r"^Option '(.*)' requires an argument\.$"), lambda m: f"选项 {m[1]} 需要一个取值"),
    (re.compile(r"^Option '(.*)' requires (\d+) arguments\.$"), lambda m: f"选项 {m[1]} 需要 {m[2]} 个取值"),
    (re.compile(r"^Option '(.*)' does not take a value\.$"), lambda m: f"选项 {m[1]} 不带取值"),
    (re.compile(r"^No such command '(.*)'\.$"), lambda m: f"没有命令“{m[1]}”"),
    (re.compile(r"^没有命令 '(.*)'。$"), lambda m: f"没有命令“{m[1]}”"),
    (re.compile(r"^Missing command\.$|^缺少命令。$"), lambda m: "缺少命令"),
    (re.compile(r"[\u4e00-\u9fff]"), lambda m: m.string),  # already Chinese (anju's own BadParameter)
)
PARAM_KINDS = {"argument": "参数", "option": "选项", "parameter": "参数"}


def translate_inner(message: str) -> str:
    """A Click/Typer message in Chinese; a generic Chinese sentence when it is not known."""
    text = message.strip()
    for pattern, build in INNER_MESSAGES:
        match = pattern.search(text)
        if match:
            return build(match)
    return "命令行参数有误"


def _hint(exc: Any) -> str:
    hint = getattr(exc, "param_hint", None)
    if hint is None and getattr(exc, "param", None) is not None:
        hint = exc.param.get_error_hint()
    if hint is None:
        return ""
    return hint if isinstance(hint, str) else " / ".join(hint)


def usage_message(exc: click_exceptions.UsageError) -> str:
    """The Chinese message of a usage error."""
    if isinstance(exc, click_exceptions.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        return f"缺少{PARAM_KINDS.get(kind, '参数')} {_hint(exc)}".rstrip()
    if isinstance(exc, click_exceptions.NoSuchOption):
        text = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            text += f"（是否想用：{'、'.join(sorted(exc.possibilities))}）"
        return text
    if isinstance(exc, click_exceptions.BadParameter):
        hint = _hint(exc)
        inner = translate_inner(exc.message)
        return f"{hint} 的取值无效：{inner}" if hint else f"取值无效：{inner}"
    return translate_inner(exc.message)


def chinese_help(text: str) -> str:
    for pattern, replacement in HELP_LINES:
        text = pattern.sub(replacement, text)
    return text


def _translated(method: Callable[..., str]) -> Callable[..., str]:
    if getattr(method, "_anju_chinese", False):
        return method

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> str:
        return chinese_help(method(*args, **kwargs))

    wrapper._anju_chinese = True  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    """Chinese help pages and ``typer.core``'s gettext lookups (idempotent)."""
    command = click_core.Command
    command.get_help = _translated(command.get_help)  # type: ignore[method-assign]
    command.get_usage = _translated(command.get_usage)  # type: ignore[method-assign]
    typer.core._ = lambda message: HEADINGS.get(message, message)  # type: ignore[attr-defined]
