"""``anju-web backup``: one consistent archive of the database and the evidence files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anju_web.reports.backup import BackupError, create_backup


class Command(BaseCommand):
    help = ("备份整个系统：数据库（Django 序列化，一致的快照）、全部佐证材料及其 SHA-256、清单（版本、时间、"
            "各表行数、密钥所在位置——不含密钥本身），写成一个 tar 文件。示例：anju-web backup -o anju-备份.tar")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="备份文件（.tar），先写临时文件再改名")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = create_backup(Path(options["output"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(outcome.counts.values())
        self.stdout.write(f"已备份到 {outcome.path}：{len(outcome.counts)} 张表共 {rows} 行，{len(outcome.files)} 个文件。")
        self.stdout.write("密钥不在备份中，请另行保存（位置见备份清单 manifest.json 的“密钥”）。")
