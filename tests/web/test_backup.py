"""Backup and restore (issue 16, item 11): a cycle in progress — figures, a return, judgements,
evidence, audit events — is backed up, the database and the evidence directory are emptied, and the
restore brings back every row of every model and every file byte for byte; altered archives and a
database that already holds data are refused with nothing changed."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from anju_web.audit.models import AuditEvent
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.services import attach
from anju_web.reports.backup import BackupError, clear_database, holds_data, restore_backup
from anju_web.reviews.models import Judgement
from anju_web.submissions import workflow
from anju_web.submissions.models import FigureEntry, ItemReturn, ReturnMessage
from anju_web.submissions.services import reply_to_return, save_figures

from .conftest import rows, unit

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOT_DATA = {"contenttypes", "sessions", "axes"}


def every_row() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model holding data, serialised independently of the backup module."""
    found: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models():
        if model._meta.app_label in NOT_DATA or model._meta.label == "auth.Permission":
            continue
        found[model._meta.label] = serializers.serialize(
            "python", model._default_manager.order_by("pk"), use_natural_foreign_keys=True)
    return found


def every_file() -> dict[str, str]:
    root = Path(settings.EVIDENCE_ROOT)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def in_progress(cycle: Any, users: dict[str, Any]) -> None:
    clerk, reviewer = users["county_clerk"], users["prefecture_reviewer"]
    sub = unit(cycle, "220122")
    save_figures(clerk, sub, rows(rental__violations="2"))
    attach(clerk, cycle, sub.region, SimpleUploadedFile("台账.pdf", PDF, "application/pdf"), title="台账")
    attach(clerk, cycle, sub.region, SimpleUploadedFile("合同.pdf", PDF + b"%2", "application/pdf"), title="合同")
    workflow.submit(clerk, sub)
    workflow.return_items(reviewer, sub, [workflow.ReturnItem("rental", "subsidy_paid", "与台账不符，请核对")])
    reply_to_return(clerk, sub.returns.get(), "已按台账更正")
    for model in (FigureEntry, ItemReturn, ReturnMessage, Judgement, EvidenceFile, AuditEvent):
        assert model.objects.exists(), model


def _backup(tmp_path: Path) -> Path:
    target = tmp_path / "备份.tar"
    out = io.StringIO()
    call_command("backup", "-o", str(target), stdout=out)
    assert "已备份到" in out.getvalue()
    return target


def _empty_installation() -> None:
    clear_database()
    shutil.rmtree(settings.EVIDENCE_ROOT)
    assert not holds_data()


def test_backup_then_restore_into_an_empty_database_is_identical(in_progress: None, tmp_path: Path) -> None:
    before_rows, before_files = every_row(), every_file()
    assert len(before_files) == 2
    target = _backup(tmp_path)
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, none left behind
    with tarfile.open(target) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["行数"]["evidence.EvidenceFile"] == 2
    assert manifest["行数"]["audit.AuditEvent"] == len(before_rows["audit.AuditEvent"])
    assert set(manifest["文件"].values()) == set(before_files.values())
    assert "ANJU_WEB_SECRET_KEY" in manifest["密钥"]["来源"] or "secret_key" in manifest["密钥"]["来源"]
    assert settings.SECRET_KEY not in target.read_bytes().decode("utf-8", "replace")

    _empty_installation()
    assert every_file() == {} and not EvidenceFile.objects.exists() and not AuditEvent.objects.exists()
    out = io.StringIO()
    call_command("restore", str(target), stdout=out)
    assert "均已核对" in out.getvalue()
    after_rows = every_row()
    assert after_rows.keys() == before_rows.keys()
    for label, before in before_rows.items():
        assert after_rows[label] == before, label
    assert every_file() == before_files


def test_restore_refuses_a_database_that_holds_data(in_progress: None, tmp_path: Path) -> None:
    target = _backup(tmp_path)
    with pytest.raises(CommandError, match="数据库中已有数据，拒绝恢复"):
        call_command("restore", str(target))
    before = every_row()
    restore_backup(target, force=True)
    assert every_row() == before


def _rewrite(target: Path, name: str, change: Any) -> Path:
    altered = target.with_name("改动.tar")
    with tarfile.open(target) as source, tarfile.open(altered, "w") as out:
        for info in source.getmembers():
            data = source.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == name or (name == "files/" and info.name.startswith("files/")):
                data = change(data)
                name = info.name
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return altered


@pytest.mark.parametrize(("member", "message"), [
    ("files/", "与清单中的 SHA-256 不符"),
    ("database.json", "数据库转储与清单中的 SHA-256 不符"),
    ("manifest.json", "清单 manifest.json 已损坏"),
])
def test_an_altered_archive_is_refused_and_nothing_is_restored(in_progress: None, tmp_path: Path,
                                                               member: str, message: str) -> None:
    target = _backup(tmp_path)
    altered = _rewrite(target, member, lambda data: data[:-3] + b"XYZ")
    _empty_installation()
    empty = every_row()
    with pytest.raises(BackupError, match=message):
        restore_backup(altered)
    assert every_row() == empty
    assert every_file() == {}


def test_a_truncated_archive_is_refused(in_progress: None, tmp_path: Path) -> None:
    target = _backup(tmp_path)
    cut = tmp_path / "半截.tar"
    cut.write_bytes(target.read_bytes()[:2000])
    with pytest.raises(BackupError, match=r"拒绝恢复|无法读取"):
        restore_backup(cut, force=True)


def test_backup_refuses_when_an_evidence_file_is_missing(in_progress: None, tmp_path: Path) -> None:
    from anju_web.evidence.storage import path_for

    path_for(EvidenceFile.objects.first().sha256).unlink()  # type: ignore[union-attr]
    target = tmp_path / "备份.tar"
    with pytest.raises(CommandError, match="佐证材料文件缺失或已被改动"):
        call_command("backup", "-o", str(target))
    assert not target.exists() and not list(tmp_path.glob(".*"))


def test_a_manifest_whose_counts_do_not_match_is_refused(in_progress: None, tmp_path: Path) -> None:
    target = _backup(tmp_path)

    def more_evidence(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["行数"]["evidence.EvidenceFile"] += 1
        return json.dumps(manifest, ensure_ascii=False).encode("utf-8")

    altered = _rewrite(target, "manifest.json", more_evidence)
    _empty_installation()
    empty = every_row()
    with pytest.raises(BackupError, match="恢复后“佐证材料”有 2 行，清单为 3 行；已撤销恢复"):
        restore_backup(altered)
    assert every_row() == empty and every_file() == {}
