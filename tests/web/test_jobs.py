"""Background jobs without a queue (ANJU_WEB_REDIS_URL unset): each job runs at once in the request,
the job page says so, the JSON endpoint reports its state, results are stored with the cycle, and
failures are stored in Chinese. The real queue is exercised in test_jobs_queue.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anju_web.audits.models import DocumentAudit
from anju_web.jobs import runner
from anju_web.jobs.models import Job, JobState
from anju_web.jobs.registry import JobFailed, register
from anju_web.reviews.models import EvaluationRun
from anju_web.submissions.models import Cycle

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "seed.txt"


@pytest.fixture(autouse=True)
def _no_queue(settings: Any) -> None:
    settings.ANJU_REDIS_URL = ""


@pytest.mark.django_db
def test_evaluation_job_runs_synchronously_with_a_notice(clients: dict[str, Client], cycle: Cycle) -> None:
    client = clients["province_evaluator"]
    runs = EvaluationRun.objects.filter(cycle=cycle).count()
    response = client.post(reverse("start_evaluation", args=[cycle.pk]))
    job = Job.objects.get(cycle=cycle, kind="evaluation")
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.state == JobState.succeeded and job.synchronous
    assert (job.done, job.total) == (1, 1)
    assert EvaluationRun.objects.filter(cycle=cycle).count() == runs + 1
    assert job.result["totals"] == {"rental": "88", "renovation": "85", "shantytown": "93"}
    assert "评价完成：" in job.result["summary"] and "88 分" in job.result["summary"]

    page = client.get(response["Location"]).content.decode()
    assert "未配置任务队列（环境变量 ANJU_WEB_REDIS_URL）" in page
    assert "已完成" in page and job.result["summary"] in page

    status = client.get(reverse("job_status", args=[job.pk])).json()
    assert status["state"] == "succeeded" and status["finished"] and status["percent"] == 100
    assert status["summary"] == job.result["summary"] and status["synchronous"] is True

    listing = client.get(reverse("jobs", args=[cycle.pk])).content.decode()
    assert "运行评价" in listing and reverse("job", args=[job.pk]) in listing
    assert 'data-testid="queue-missing"' in listing


@pytest.mark.django_db
def test_roles_without_the_permission_cannot_start_or_read_jobs(clients: dict[str, Client], cycle: Cycle) -> None:
    assert clients["county_clerk"].post(reverse("start_evaluation", args=[cycle.pk])).status_code in {403, 404}
    assert clients["supervision_reviewer"].post(reverse("start_evaluation", args=[cycle.pk])).status_code == 403
    assert not Job.objects.filter(kind="evaluation").exists()
    clients["province_evaluator"].post(reverse("start_evaluation", args=[cycle.pk]))
    job = Job.objects.get(kind="evaluation")
    assert clients["county_clerk"].get(reverse("job_status", args=[job.pk])).status_code in {403, 404}
    assert clients["supervision_reviewer"].get(reverse("job_status", args=[job.pk])).status_code == 403


@pytest.mark.django_db
def test_document_packages_job_for_the_regions_chosen(clients: dict[str, Client], cycle: Cycle, settings: Any) -> None:
    client = clients["province_evaluator"]
    response = client.post(reverse("start_packages", args=[cycle.pk]), {"cycles": [str(cycle.pk)]})
    job = Job.objects.get(kind="document_packages")
    assert response.status_code == 302 and job.state == JobState.succeeded, job.error
    assert job.result["rows"][0]["region"] == "吉林省" and job.result["rows"][0]["ok"]
    assert job.result["summary"] == "已生成 1 个地区的评价材料包（共 1 个）"
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert reverse("documents", args=[cycle.pk]) in page
    # The package is written into the data directory (the downloads then read it).
    assert len(list((Path(settings.DATA_DIR) / "reports").glob("run-*/files.json"))) == 1


@pytest.mark.django_db
def test_no_region_chosen_is_refused_in_chinese(clients: dict[str, Client], cycle: Cycle) -> None:
    response = clients["province_evaluator"].post(reverse("start_packages", args=[cycle.pk]), {}, follow=True)
    assert "请至少选择一个地区。" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_batch_audit_of_several_documents(clients: dict[str, Client], cycle: Cycle) -> None:
    client = clients["supervision_reviewer"]
    text = SEED.read_bytes()
    files = [SimpleUploadedFile("一.txt", text), SimpleUploadedFile("二.md", text)]
    response = client.post(reverse("start_audits", args=[cycle.pk]), {"files": files})
    job = Job.objects.get(kind="document_audits")
    assert response.status_code == 302 and job.state == JobState.succeeded, job.error
    assert (job.done, job.total) == (2, 2)
    assert DocumentAudit.objects.filter(cycle=cycle, original_name__in=["一.txt", "二.md"]).count() == 2
    assert [r["document"] for r in job.result["rows"]] == ["一.txt", "二.md"]
    assert all(r["status"].startswith("错误 3 项，警告 4 项") for r in job.result["rows"])


@pytest.mark.django_db
def test_a_refused_file_refuses_the_batch_before_any_job(clients: dict[str, Client], cycle: Cycle) -> None:
    files = [SimpleUploadedFile("一.txt", SEED.read_bytes()), SimpleUploadedFile("坏.exe", b"MZ")]
    response = clients["supervision_reviewer"].post(reverse("start_audits", args=[cycle.pk]), {"files": files}, follow=True)
    assert "1 份材料未接受，全部未核查" in response.content.decode() and "坏.exe" in response.content.decode()
    assert not Job.objects.exists()


@register("test_failing", "测试用失败任务", "reviews.run_evaluation")
def _failing(job: Job, progress: Any) -> dict[str, Any]:
    progress(1, 3, "做了一部分")
    raise JobFailed("第二个地区的数据缺失：吉林省长春市")


@register("test_crashing", "测试用出错任务", "reviews.run_evaluation")
def _crashing(job: Job, progress: Any) -> dict[str, Any]:
    raise ZeroDivisionError("internal detail")


@pytest.mark.django_db
def test_failures_are_stored_in_chinese_never_a_traceback(users: dict[str, Any], cycle: Cycle,
                                                          clients: dict[str, Client]) -> None:
    failed = runner.submit(users["province_evaluator"], "test_failing", cycle)
    assert failed.state == JobState.failed and failed.error == "第二个地区的数据缺失：吉林省长春市"
    assert (failed.done, failed.total) == (1, 3) and failed.finished_at is not None
    crashed = runner.submit(users["province_evaluator"], "test_crashing", cycle)
    assert crashed.state == JobState.failed
    assert crashed.error.startswith("任务出错，没有完成") and "internal detail" not in crashed.error
    page = clients["province_evaluator"].get(reverse("job", args=[crashed.pk])).content.decode()
    assert "Traceback" not in page and "任务出错，没有完成" in page


@pytest.mark.django_db
def test_a_job_is_run_once_even_if_delivered_twice(users: dict[str, Any], cycle: Cycle) -> None:
    job = runner.submit(users["province_evaluator"], "evaluation", cycle)
    runs = EvaluationRun.objects.filter(cycle=cycle).count()
    assert runner.execute(job.pk) == JobState.succeeded
    assert EvaluationRun.objects.filter(cycle=cycle).count() == runs


@pytest.mark.django_db
def test_a_configured_but_unreachable_queue_fails_the_job_clearly(settings: Any, users: dict[str, Any],
                                                                  cycle: Cycle, django_capture_on_commit_callbacks: Any) -> None:
    settings.ANJU_REDIS_URL = "redis://127.0.0.1:1/0"
    with django_capture_on_commit_callbacks(execute=True):
        job = runner.submit(users["province_evaluator"], "evaluation", cycle)
    job.refresh_from_db()
    assert job.state == JobState.failed and not job.synchronous
    assert job.error.startswith("任务队列（Redis）无法连接，任务没有开始")


@pytest.mark.django_db
def test_the_job_command_submits_a_dataset_load_and_reports_its_refusal(cycle: Cycle, capsys: Any) -> None:
    from django.core.management import CommandError, call_command

    example = Path(__file__).resolve().parents[2] / "examples" / "jilin-2022"
    with pytest.raises(CommandError, match="任务失败"):
        call_command("job", "load_dataset", str(example), "--user", "evaluator-finance")
    job = Job.objects.get(kind="dataset_load")
    assert job.state == JobState.failed and job.synchronous and job.cycle is None
    assert job.error.startswith("未导入：48 个单位已有填报数据或已提交")
    out = capsys.readouterr().out
    assert "未配置任务队列" in out and "失败原因：未导入：48 个单位" in out
    with pytest.raises(CommandError, match="没有编号为 999999 的任务"):
        call_command("job", "show", "999999")
    with pytest.raises(CommandError, match="没有启用的账号"):
        call_command("job", "load_dataset", str(example), "--user", "nobody")


@pytest.mark.skipif(not __import__("os").environ.get("ANJU_TEST_REDIS_URL"),
                    reason="需要 Redis：设置 ANJU_TEST_REDIS_URL（.ci/run 已设置）")
@pytest.mark.django_db
def test_a_job_left_running_by_a_stopped_worker_is_marked_failed(settings: Any, users: dict[str, Any],
                                                                 cycle: Cycle) -> None:
    import os
    import uuid

    settings.ANJU_REDIS_URL = os.environ["ANJU_TEST_REDIS_URL"]
    settings.ANJU_JOB_QUEUE = f"anju-test-{uuid.uuid4().hex[:8]}"
    user = users["province_evaluator"]
    stale = Job.objects.create(cycle=cycle, kind="evaluation", state=JobState.running, queue_id="gone", created_by=user)
    inline = Job.objects.create(cycle=cycle, kind="evaluation", state=JobState.running, synchronous=True, created_by=user)
    assert runner.reap_abandoned() == 1
    stale.refresh_from_db()
    inline.refresh_from_db()
    assert stale.state == JobState.failed and stale.error == runner.ABANDONED
    assert inline.state == JobState.running
