"""``anju-web load_national``: load the national example (示例数据) for the national dashboard."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anju.national import NationalError
from anju_web.demo import DEMO_PASSWORD
from anju_web.national.services import NATIONAL_ACCOUNTS, load_national

DEFAULT_PATH = Path(__file__).resolve().parents[5] / "examples" / "national-2022"


class Command(BaseCommand):
    help = ("载入全国示例数据集（示例数据）：37 个顶层报表地区各一个评价年度和计分结果，并建立财政部（mof）、"
            "住建部（mohurd）账号。示例：anju-web load_national examples/national-2022")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="全国数据集目录（含 national.yaml）")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="新建账号的密码（默认为演示密码）")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result, created = load_national(options["path"], options["password"])
        except NationalError as exc:
            raise CommandError("全国数据集有问题，未载入：\n" + "\n".join(f"  - {p}" for p in exc.problems)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(f"已载入{result.title}：{len(result.regions)} 个地区（新建评价年度 {created} 个），用时 {seconds:.1f} 秒")
        self.stdout.write("全国看板：/national/；账号：" + "、".join(f"{u}（{department}，{role.label}）" for u, role, department, _ in NATIONAL_ACCOUNTS))
