"""The manuals: Markdown files shipped with the web system, one per role plus the operations guide.

Markdown is rendered by markdown-it-py (CommonMark with tables; raw HTML off, so a manual cannot inject
markup). Pictures are referred to by file name only (``![填报表](填报表.png)``); they live in the
static folder ``anju_web/manual/`` and are taken by the browser test ``tests/web/test_browser_manual.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from anju_web.accounts.roles import Role

MANUAL_DIR = Path(__file__).resolve().parent / "manual"
IMAGE_DIR = Path(__file__).resolve().parents[1] / "static" / "anju_web" / "manual"
IMAGE_STATIC_PREFIX = "anju_web/manual/"


@dataclass(frozen=True)
class Manual:
    slug: str
    title: str
    roles: tuple[Role, ...]  # empty: for everyone (the operations guide)

    @property
    def path(self) -> Path:
        return MANUAL_DIR / f"{self.slug}.md"

    def is_for(self, role: str | None) -> bool:
        return role is not None and role in self.roles

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


MANUALS: tuple[Manual, ...] = (
    Manual("clerk", "市县填报员操作手册", (Role.county_clerk,)),
    Manual("reviewer", "地级市审核员操作手册", (Role.prefecture_reviewer,)),
    Manual("evaluator", "省级评价员操作手册", (Role.province_evaluator,)),
    Manual("supervisor", "监管局审核员操作手册", (Role.supervision_reviewer,)),
    Manual("national", "财政部、住房城乡建设部操作手册", (Role.national_evaluator, Role.national_reader)),
    Manual("administrator", "系统管理员操作手册", (Role.administrator,)),
    Manual("operations", "安装与运维指南", ()),
)
BY_SLUG = {manual.slug: manual for manual in MANUALS}


def ordered_for(role: str | None) -> list[Manual]:
    """The reader's own manual first, then the others in the usual order."""
    return sorted(MANUALS, key=lambda m: 0 if m.is_for(role) else 1)


def manuals_for(role: str | None) -> list[Manual]:
    return [manual for manual in MANUALS if manual.is_for(role)]


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def _images(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.type == "image":
            yield token
        if token.children:
            yield from _images(token.children)


def referenced_images(manual: Manual) -> list[str]:
    """The picture file names a manual shows, in order."""
    return [unquote(str(token.attrs.get("src", ""))) for token in _images(_parser().parse(manual.text()))]


def render(manual: Manual, image_url: Callable[[str], str]) -> str:
    """The manual as HTML; each picture's file name is mapped through ``image_url``."""
    parser = _parser()
    tokens = parser.parse(manual.text())
    for token in _images(tokens):
        token.attrSet("src", image_url(unquote(str(token.attrs.get("src", "")))))
        token.attrSet("loading", "lazy")
    return str(parser.renderer.render(tokens, parser.options, {}))


def headings(manual: Manual) -> list[str]:
    """The manual's second-level headings (its table of contents)."""
    tokens = _parser().parse(manual.text())
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
