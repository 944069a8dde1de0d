"""``anju-web job``: submit a background job from the command line and follow its progress."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from anju_web.jobs import runner
from anju_web.jobs.models import Job, JobState
from anju_web.reports.management.commands.open_cycle import acting_user
from anju_web.submissions.models import Cycle

POLL_SECONDS = 0.5
NATIONAL_RUN_KIND = "national_run"
"""Registered by :mod:`anju_web.national.jobs` (an app above this one: named here, not imported)."""


class Command(BaseCommand):
    help = ("后台任务：提交数据集导入任务或全国评价任务，或查看任务的进度和结果（--wait 显示进度条直到完成）。"
            "示例：anju-web job load_dataset examples/jilin-2022 --user evaluator-finance --wait；"
            "anju-web job national_run 2022 --user mof --wait；anju-web job show 12 --wait")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        load = sub.add_parser("load_dataset", help="把一个省的数据集（dataset.yaml 与 units.yaml）作为后台任务导入")
        load.add_argument("path", help="数据集目录或 dataset.yaml")
        load.add_argument("--user", required=True, help="操作人账号（省级评价员或系统管理员），记入审计日志")
        load.add_argument("--deadline", default=None, help="新开启年度的市县报送截止日期 YYYY-MM-DD")
        load.add_argument("--status", choices=["draft", "submitted"], default="draft", help="导入后的填报状态")
        load.add_argument("--wait", action="store_true", help="显示进度条，等到任务完成")
        national = sub.add_parser("national_run", help="全国评价：逐个地区为该年度各顶层报表地区计分（财政部评价员）")
        national.add_argument("year", type=int, help="评价年度，如 2022")
        national.add_argument("--user", required=True, help="操作人账号（财政部评价员），记入审计日志")
        national.add_argument("--wait", action="store_true", help="显示进度条（按地区），等到任务完成")
        show = sub.add_parser("show", help="任务的状态、进度和结果")
        show.add_argument("job_id", type=int, help="任务编号（任务页地址 /jobs/编号/ 中的数字）")
        show.add_argument("--wait", action="store_true", help="显示进度条，等到任务完成")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load_dataset":
            job = self._load(options)
        elif options["action"] == "national_run":
            job = self._national(options)
        else:
            found = Job.objects.filter(pk=options["job_id"]).first()
            if found is None:
                raise CommandError(f"没有编号为 {options['job_id']} 的任务")
            job = found
        if options["wait"] and not job.finished:
            job = self._follow(job)
        self._print(job)
        if job.state == JobState.failed:
            raise CommandError("任务失败")

    def _load(self, options: dict[str, Any]) -> Job:
        path = Path(options["path"])
        if not path.exists():
            raise CommandError(f"找不到数据集：{path}")
        deadline = ""
        if options["deadline"]:
            try:
                deadline = dt.date.fromisoformat(options["deadline"]).isoformat()
            except ValueError:
                raise CommandError(f"截止日期应写成 YYYY-MM-DD，实为“{options['deadline']}”") from None
        try:
            job = runner.submit(acting_user(options["user"]), "dataset_load", None,
                                {"path": str(path.resolve()), "deadline": deadline, "status": options["status"]})
        except (PermissionDenied, Http404):
            raise CommandError(f"账号“{options['user']}”无权导入数据集") from None
        return self._submitted(job)

    def _national(self, options: dict[str, Any]) -> Job:
        year = options["year"]
        if not Cycle.objects.filter(year=year, region__parent__isnull=True).exists():
            raise CommandError(f"{year}年没有任何地区的评价年度（可先运行 anju-web load_national 载入全国示例数据）")
        try:
            job = runner.submit(acting_user(options["user"]), NATIONAL_RUN_KIND, None, {"year": year})
        except (PermissionDenied, Http404):
            raise CommandError(f"账号“{options['user']}”无权运行全国评价（仅财政部评价员）") from None
        return self._submitted(job)

    def _submitted(self, job: Job) -> Job:
        if job.synchronous:
            self.stdout.write(runner.SYNCHRONOUS_NOTICE)
        else:
            self.stdout.write(f"已提交后台任务（编号 {job.pk}），网页中查看：/jobs/{job.pk}/")
        return job

    def _follow(self, job: Job) -> Job:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True)) as progress:
            task = progress.add_task(job.label, total=None)
            while not job.finished:
                time.sleep(POLL_SECONDS)
                job.refresh_from_db()
                progress.update(task, total=job.total or None, completed=job.done,
                                description=f"{job.label}：{job.message}" if job.message else job.label)
        return job

    def _print(self, job: Job) -> None:
        self.stdout.write(f"任务 {job.pk}：{job.label}，{job.get_state_display()}"
                          f"{f'（{job.done}/{job.total}）' if job.total and not job.finished else ''}")
        if job.result.get("summary"):
            self.stdout.write(str(job.result["summary"]))
        for row in job.result.get("rows", []) if job.kind == NATIONAL_RUN_KIND else []:
            self.stdout.write(f"  {row.get('region', '')}：{row.get('status', '')}")
        if job.error:
            self.stdout.write(f"失败原因：{job.error}")
