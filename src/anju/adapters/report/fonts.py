"""Find the CJK font the charts use, and say in Chinese how to install it when it is missing.

The font is registered explicitly with matplotlib (never left to a fallback that draws boxes):
Noto Sans CJK from Debian's ``fonts-noto-cjk`` (``make sysdeps`` installs it), or any font file
named by the environment variable ``ANJU_CJK_FONT``.
"""

from __future__ import annotations

import os
from pathlib import Path

FONT_ENV = "ANJU_CJK_FONT"
NOTO_SANS_CJK = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc"),
    Path("/usr/local/share/fonts/NotoSansCJK-Regular.ttc"),
)
INSTALL_HINT = (
    "请安装中文字体：以 root 身份运行 apt-get install fonts-noto-cjk（或在项目目录运行 make sysdeps），"
    f"或设置环境变量 {FONT_ENV} 指向一个中文字体文件（.ttf/.otf/.ttc）。"
)


class FontMissingError(RuntimeError):
    """The CJK font is not installed; the message says how to install it."""


def cjk_font_path() -> Path:
    """The CJK font file to register, or :class:`FontMissingError` with install instructions."""
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise FontMissingError(f"环境变量 {FONT_ENV} 指向的字体文件不存在：{path}。{INSTALL_HINT}")
        return path
    for path in NOTO_SANS_CJK:
        if path.is_file():
            return path
    searched = "、".join(str(p) for p in NOTO_SANS_CJK)
    raise FontMissingError(f"未找到中文字体 Noto Sans CJK（已查找：{searched}），图表中的汉字无法显示。{INSTALL_HINT}")
