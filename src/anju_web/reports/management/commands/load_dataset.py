"""``anju-web load_dataset``: load a real province's dataset (dataset.yaml and units.yaml) into its cycle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from anju.collect.units import UnitsError
from anju.dataset import DatasetError
from anju_web.reports.management.commands.open_cycle import acting_user
from anju_web.reviews.cycles import load_dataset_into_cycle
from anju_web.submissions.cycles import CycleRefused
from anju_web.submissions.models import Status


class Command(BaseCommand):
    help = ("把一个省的数据集（dataset.yaml 及旁边的 units.yaml）导入该省该年度（没有则开启）：省级判断和逐项说明、"
            "各单位填报（导入为草稿，或 --status submitted 为已提交）。全部导入或全部不导入。"
            "示例：anju-web load_dataset examples/jilin-2022 --user evaluator-finance")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="数据集目录或 dataset.yaml")
        parser.add_argument("--user", required=True, help="操作人账号（省级评价员或系统管理员），记入审计日志")
        parser.add_argument("--deadline", default=None, help="新开启年度的市县报送截止日期 YYYY-MM-DD（默认取 units.yaml 或次年1月31日）")
        parser.add_argument("--status", choices=["draft", "submitted"], default="draft",
                            help="各单位填报导入后的状态：draft 草稿（默认），submitted 已提交")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"找不到数据集：{path}")
        user = acting_user(options["user"])
        deadline = None
        if options["deadline"]:
            try:
                deadline = dt.date.fromisoformat(options["deadline"])
            except ValueError:
                raise CommandError(f"截止日期应写成 YYYY-MM-DD，实为“{options['deadline']}”") from None
        try:
            loaded = load_dataset_into_cycle(user, path, deadline=deadline, status=Status(options["status"]))
        except (DatasetError, UnitsError) as exc:
            raise CommandError(f"数据集有问题，未导入：\n{exc}") from None
        except CycleRefused as exc:
            raise CommandError(f"未导入：{exc}") from None
        except (PermissionDenied, Http404):
            raise CommandError(f"账号“{options['user']}”无权导入该省的数据") from None
        verb = "开启并导入" if loaded.opened else "导入"
        self.stdout.write(f"已{verb}{loaded.cycle}：单位填报 {loaded.units} 个，判断 {loaded.cycle.judgements.count()} 项。")
