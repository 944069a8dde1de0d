"""``anju-web worker``: the queue worker that runs background jobs (RQ on ``ANJU_WEB_REDIS_URL``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from redis.exceptions import RedisError
from rq import Worker

from anju_web.jobs import runner


class Command(BaseCommand):
    help = ("启动任务进程：从任务队列（ANJU_WEB_REDIS_URL 所指的 Redis）取出后台任务逐个执行，进度和结果写入数据库。"
            "可在多台主机上各启动一个，共用同一个数据库和 Redis。示例：anju-web worker；anju-web worker --burst")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="执行完队列中现有的任务即退出（用于测试和定时批处理）")

    def handle(self, *args: Any, **options: Any) -> None:
        if not runner.queue_configured():
            raise CommandError("未配置任务队列：请设置环境变量 ANJU_WEB_REDIS_URL（例如 redis://127.0.0.1:6379/0）")
        connection = runner.redis_connection()
        try:
            connection.ping()
        except RedisError as exc:
            raise CommandError(f"无法连接任务队列（Redis，{runner.safe_url()}）：{exc}") from None
        reaped = runner.reap_abandoned()
        if reaped:
            self.stdout.write(f"{reaped} 个任务在上一个任务进程停止时没有完成，已标为失败（请重新提交）。")
        connections.close_all()  # each job runs in a forked work horse with its own database connection
        worker = Worker([runner.queue()], connection=connection)
        self.stdout.write(f"任务进程已启动：队列“{worker.queues[0].name}”，Redis {runner.safe_url()}。按 Ctrl+C 停止。")
        worker.work(burst=options["burst"], with_scheduler=False, logging_level="WARNING")
