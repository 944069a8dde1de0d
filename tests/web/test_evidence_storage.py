"""Evidence files and audited documents go through Django's STORAGES ("evidence"), so several web
hosts can share an object store: with an in-memory storage standing in for one, nothing is written
to the local evidence directory, uploads download byte for byte, audited documents are read back for
the annotated copy, and the file backup refuses clearly (the object store keeps its own copies)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from anju_web.audits.models import DocumentAudit
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.storage import EvidenceDirectory, evidence_storage, name_for
from anju_web.reports.backup import BackupError, create_backup
from anju_web.submissions.models import Cycle
from tests.web.conftest import client_for

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "audit" / "seed.txt"
LEDGER = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"% ledger\n" * 40


@pytest.fixture
def object_store(settings: Any) -> InMemoryStorage:
    settings.STORAGES = {**settings.STORAGES, "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    storage = evidence_storage()
    assert isinstance(storage, InMemoryStorage)
    return storage


def _local_files(settings: Any) -> list[Path]:
    return [p for p in Path(settings.EVIDENCE_ROOT).rglob("*") if p.is_file()] if Path(settings.EVIDENCE_ROOT).exists() else []


def test_the_default_evidence_storage_is_the_local_directory(settings: Any) -> None:
    assert isinstance(evidence_storage(), EvidenceDirectory)
    assert Path(evidence_storage().path(name_for("a" * 64))) == Path(settings.EVIDENCE_ROOT) / "aa" / ("a" * 64)


@pytest.mark.django_db
def test_evidence_goes_to_the_configured_storage(object_store: InMemoryStorage, cycle: Cycle, settings: Any) -> None:
    client = client_for("clerk-220122")
    response = client.post(f"/cycles/{cycle.pk}/evidence/upload/", {
        "region": "220122", "next": "/", "title": "台账", "file": SimpleUploadedFile("台账.pdf", LEDGER, "application/pdf")})
    assert response.status_code == 302
    kept = EvidenceFile.objects.get(original_name="台账.pdf")
    assert object_store.exists(name_for(kept.sha256)) and not _local_files(settings)
    download = client.get(f"/evidence/{kept.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == LEDGER  # type: ignore[attr-defined]
    # The same content uploaded again is stored once.
    client.post(f"/cycles/{cycle.pk}/evidence/upload/", {
        "region": "220122", "next": "/", "title": "台账副本", "file": SimpleUploadedFile("副本.pdf", LEDGER, "application/pdf")})
    assert object_store.listdir(kept.sha256[:2])[1] == [kept.sha256]

    with pytest.raises(BackupError, match="对象存储"):
        create_backup(Path(settings.DATA_DIR) / "b.tar")


@pytest.mark.django_db
def test_audited_documents_go_to_the_configured_storage(object_store: InMemoryStorage, cycle: Cycle, settings: Any) -> None:
    client = client_for("supervisor")
    text = SEED.read_bytes()
    response = client.post(f"/cycles/{cycle.pk}/document-audits/upload/", {"file": SimpleUploadedFile("说明.txt", text)})
    assert response.status_code == 302
    kept = DocumentAudit.objects.get(original_name="说明.txt")
    assert (kept.errors, kept.warnings) == (3, 4) and not _local_files(settings)
    original = client.get(f"/document-audits/{kept.pk}/original/")
    assert b"".join(original.streaming_content) == text  # type: ignore[attr-defined]
    assert client.get(f"/document-audits/{kept.pk}/annotated/").status_code == 200
