"""``anju-web open_cycle``: open a new evaluation year, as the page 评价年度 › 开启新年度 does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from anju_web.regions.models import Region
from anju_web.reviews.cycles import CycleRequest, open_cycle
from anju_web.submissions.cycles import CycleRefused
from anju_web.submissions.models import Cycle


def acting_user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"没有启用的账号“{username}”（--user 写操作人账号，记入审计日志）")
    return user


class Command(BaseCommand):
    help = ("开启新的评价年度：年度、指标体系版本、区划版本、截止日期，可从上一年度复制无此项任务、判断和说明模板、"
            "上年数据。示例：anju-web open_cycle --user evaluator-finance --province 220000 --year 2023 "
            "--framework 2022 --deadline 2024-01-31 --from-year 2022 --copy-all")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="操作人账号（省级评价员或系统管理员），记入审计日志")
        parser.add_argument("--province", required=True, help="省级行政区划代码，如 220000")
        parser.add_argument("--year", required=True, type=int, help="评价年度")
        parser.add_argument("--framework", required=True, help="指标体系版本，如 2022")
        parser.add_argument("--deadline", required=True, help="市县报送截止日期 YYYY-MM-DD")
        parser.add_argument("--region-year", type=int, default=None, help="区划版本（年份），默认即评价年度")
        parser.add_argument("--title", default="", help="标题（默认：省份+年度+城镇保障性安居工程绩效评价）")
        parser.add_argument("--from-year", type=int, default=None, help="从哪一年度复制（同一省份）")
        parser.add_argument("--copy-no-task", action="store_true", help="复制各单位的“无此项任务”")
        parser.add_argument("--copy-templates", action="store_true", help="复制省级评价判断和逐项说明作为模板")
        parser.add_argument("--copy-baseline", action="store_true", help="复制各单位上年数据作为跨年度校验的基数")
        parser.add_argument("--copy-all", action="store_true", help="以上三项都复制")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        province = Region.objects.filter(pk=options["province"]).first()
        if province is None:
            raise CommandError(f"没有行政区划“{options['province']}”")
        try:
            deadline = dt.date.fromisoformat(options["deadline"])
        except ValueError:
            raise CommandError(f"截止日期应写成 YYYY-MM-DD，实为“{options['deadline']}”") from None
        previous = None
        if options["from_year"] is not None:
            previous = Cycle.objects.filter(region=province, year=options["from_year"]).first()
            if previous is None:
                raise CommandError(f"没有{province.name}{options['from_year']}年度")
        every = options["copy_all"]
        try:
            cycle = open_cycle(user, CycleRequest(
                province=province, year=options["year"], framework_id=options["framework"], deadline=deadline,
                region_year=options["region_year"], previous=previous, title=options["title"],
                copy_no_task=every or options["copy_no_task"], copy_templates=every or options["copy_templates"],
                copy_baseline=every or options["copy_baseline"]))
        except CycleRefused as exc:
            raise CommandError(f"未开启新年度：{exc}") from None
        except (PermissionDenied, Http404):
            raise CommandError(f"账号“{options['user']}”无权为{province.name}开启评价年度") from None
        self.stdout.write(f"已开启{cycle}：报表单位 {cycle.submissions.count()} 个，截止日期 {cycle.deadline:%Y年%m月%d日}。")
