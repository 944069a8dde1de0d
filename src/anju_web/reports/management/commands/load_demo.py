"""``anju-web load_demo``: load the Jilin 2022 example with demo accounts and print the logins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anju.dataset import DatasetError
from anju.decimals import plain
from anju_web.demo import banner, ensure_demo_accounts, first_run, load_example
from anju_web.submissions.models import Cycle


class Command(BaseCommand):
    help = "导入示例数据（默认 examples/jilin-2022）并创建各角色的演示账号"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", default="examples/jilin-2022", help="数据集目录或文件")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="打印在提示中的访问地址")
        parser.add_argument("--keep-demo-password", action="store_true",
                            help="演示账号首次登录不强制修改密码（仅供自动化测试和演示脚本；默认须先修改）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["dataset"])
        if not path.exists():
            raise CommandError(f"找不到示例数据：{path}")
        if Cycle.objects.exists():
            self.stdout.write("演示数据已存在，跳过导入（删除数据目录 var/ 可重新导入）。")
        else:
            try:
                cycle = load_example(path)
            except DatasetError as exc:
                raise CommandError(f"示例数据有问题：\n{exc}") from None
            ensure_demo_accounts(first_login_change=not options["keep_demo_password"])
            outcome = first_run(cycle)
            totals = "，".join(f"{p.label} {plain(p.score)}分" for p in outcome.run.evaluation().programs)
            self.stdout.write(f"已导入{cycle}，首次评价：{totals}。")
        ensure_demo_accounts(first_login_change=not options["keep_demo_password"])
        self.stdout.write(banner(options["url"], first_login_change=not options["keep_demo_password"]))
