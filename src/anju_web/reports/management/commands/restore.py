"""``anju-web restore``: rebuild an installation from a backup, checking every hash and count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anju_web.reports.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = ("从备份恢复：先核对备份中每个文件的 SHA-256，数据库已有数据时拒绝（除非 --force），在一个事务中载入，"
            "核对各表行数，再放回佐证材料；任何一步不符即全部撤销。先运行 anju-web migrate。"
            "示例：anju-web restore anju-备份.tar")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="anju-web backup 写出的备份文件")
        parser.add_argument("--force", action="store_true", help="数据库已有数据时，用备份替换现有全部数据")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = restore_backup(Path(options["archive"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(outcome.counts.values())
        self.stdout.write(f"已从 {outcome.path} 恢复：{len(outcome.counts)} 张表共 {rows} 行与清单一致，"
                          f"{len(outcome.files)} 个文件的 SHA-256 均已核对。")
        for note in outcome.notes:
            self.stdout.write(note)
