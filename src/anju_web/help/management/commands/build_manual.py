"""``anju-web build_manual``: the 操作手册 (every role and the operations guide) as one PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anju_web.help.pdf import ManualBuildError, build_pdf


class Command(BaseCommand):
    help = ("把各角色操作手册和安装与运维指南生成一个 PDF（Debian chromium 打印，含截图）。"
            "示例：anju-web build_manual -o out/manual/安居操作手册.pdf")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", default="out/manual/安居操作手册.pdf", help="PDF 文件（先写临时文件再改名）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            path = build_pdf(Path(options["output"]))
        except ManualBuildError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"操作手册已生成：{path}（{path.stat().st_size // 1024} KB）")
