"""Backup and restore of a whole installation (``anju-web backup`` / ``anju-web restore``).

One tar archive holds:

``manifest.json``   the anju version, when, the row count of every model, the SHA-256 of the database
                    dump and of every stored file, and where the secret key lives (never the key);
``database.json``   Django's own JSON serialisation (as ``dumpdata``, but keeping microseconds) of the
                    anju_web apps, auth and admin, with natural foreign keys, read in one repeatable-read transaction (SQLite and PostgreSQL);
``files/…``         every file under the evidence directory (evidence and audited documents).

Restore checks the whole archive first (every hash), refuses a database that already holds data unless
forced, loads the dump in one transaction, checks every count and that the database serialises back to
the very same dump, then puts the files back; anything wrong rolls the database back and removes the
files it had added.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import itertools
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from anju import __version__
from anju.files import temp_sibling
from anju_web.evidence.models import EvidenceFile
from anju_web.evidence.storage import is_local

FORMAT = "anju-web-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.json"
FILES = "files"
CHUNK = 1024 * 1024
# contenttypes and permissions are rebuilt by ``migrate`` and referred to by natural keys.
SKIPPED_MODELS = frozenset({"contenttypes.contenttype", "auth.permission"})
BACKED_UP_APPS = ("auth", "admin")
# Rows ``migrate`` itself writes (the roles and the region list): a fresh installation has them, so they
# do not make a database "hold data"; restore replaces them with the backup's.
SEEDED_BY_MIGRATIONS = frozenset({"auth.group", "regions.region"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message is Chinese and names what is wrong."""


@dataclass
class Outcome:
    path: Path
    counts: dict[str, int]
    files: dict[str, str]
    notes: list[str] = field(default_factory=list)


def backed_up_models() -> list[type[models.Model]]:
    """The models whose rows are the installation's data, in dependency-friendly app order."""
    chosen: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        if not (config.name.startswith("anju_web.") or config.label in BACKED_UP_APPS):
            continue
        for model in config.get_models():
            if model._meta.label_lower not in SKIPPED_MODELS and not model._meta.proxy:
                chosen.append(model)
    return chosen


def _labels() -> list[str]:
    return [model._meta.label for model in backed_up_models()]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in backed_up_models()}


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def evidence_root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def stored_files() -> dict[str, Path]:
    """Every regular file under the evidence directory, by its path relative to it (temporaries left out)."""
    root = evidence_root()
    if not root.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            found[path.relative_to(root).as_posix()] = path
    return found


def secret_key_reference() -> dict[str, str]:
    if os.environ.get("ANJU_WEB_SECRET_KEY"):
        return {"来源": "环境变量 ANJU_WEB_SECRET_KEY", "说明": "密钥不在备份中；新系统须设置同一环境变量"}
    path = Path(settings.DATA_DIR) / "secret_key"
    return {"来源": f"文件 {path}", "说明": "密钥不在备份中；请另行妥善保存该文件，恢复后复制到新系统的数据目录"}


class ExactEncoder(DjangoJSONEncoder):
    """Django's JSON encoder keeps only milliseconds of a time; a backup keeps every microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


def serialised_rows() -> str:
    """The database as the backup writes it: Django's JSON serialisation of every backed-up model, in
    dependency order, rows by primary key, foreign keys to users, groups and permissions by natural key."""
    chosen = set(backed_up_models())
    by_app: dict[Any, list[type[models.Model]]] = {}
    for model in backed_up_models():
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    ordered = [m for m in serializers.sort_dependencies(by_app.items(), allow_cycles=True) if m in chosen]
    rows = itertools.chain.from_iterable(m._default_manager.order_by(m._meta.pk.name) for m in ordered)
    out = io.StringIO()
    serializers.serialize("json", rows, stream=out, indent=1, use_natural_foreign_keys=True, cls=ExactEncoder)
    return out.getvalue()


def _repeatable_read() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def _local_evidence_only() -> None:
    if not is_local():
        raise BackupError("佐证材料存放在对象存储（ANJU_WEB_EVIDENCE_STORAGE）中，本命令只能备份本机目录中的材料："
                          "请用对象存储自身的版本管理或复制功能备份材料，数据库用 PostgreSQL 的备份工具（pg_dump）")


def create_backup(target: Path) -> Outcome:
    """Write the archive at ``target`` atomically (a temporary file beside it, then a rename)."""
    _local_evidence_only()
    target = target.resolve()
    if not target.parent.is_dir():
        raise BackupError(f"备份文件所在目录不存在：{target.parent}")
    outermost = not connection.in_atomic_block  # inside a caller's transaction, that one is the snapshot
    with transaction.atomic():
        if outermost:
            _repeatable_read()  # every read below sees one snapshot of the database
        dump = serialised_rows().encode("utf-8")
        counts = row_counts()
        wanted = set(EvidenceFile.objects.values_list("sha256", flat=True))
        files = stored_files()
        hashes = {name: _sha256_file(path) for name, path in files.items()}
    missing = sorted(sha for sha in wanted if sha not in set(hashes.values()))
    if missing:
        raise BackupError(f"有 {len(missing)} 个佐证材料文件缺失或已被改动（SHA-256 {missing[0][:12]}…），"
                          f"未写备份；请先核查证据目录 {evidence_root()}")
    manifest = {
        "格式": FORMAT,
        "anju版本": __version__,
        "创建时间": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "数据库类型": connection.vendor,
        "数据库转储": {"文件": DUMP, "sha256": hashlib.sha256(dump).hexdigest(), "字节": len(dump)},
        "行数": counts,
        "文件": hashes,
        "密钥": secret_key_reference(),
    }
    tmp = temp_sibling(target)
    try:
        with tarfile.open(tmp, "w") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
            _add_bytes(archive, DUMP, dump)
            for name, path in files.items():
                _add_file(archive, name, path, hashes[name])
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"写备份文件 {target} 失败：{exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Outcome(target, counts, hashes)


class _Hashing(io.RawIOBase):
    def __init__(self, handle: io.BufferedReader) -> None:
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add_file(archive: tarfile.TarFile, name: str, path: Path, expected: str) -> None:
    """Add one stored file, hashing the very bytes written; a file changed since the snapshot is refused."""
    with path.open("rb") as handle:
        info = archive.gettarinfo(arcname=f"{FILES}/{name}", fileobj=handle)
        reader = _Hashing(handle)
        archive.addfile(info, reader)
    if reader.digest.hexdigest() != expected:
        raise BackupError(f"文件 {path} 在备份过程中被改动，未写备份；请重新备份")


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------- restore


@dataclass
class _Archive:
    manifest: dict[str, Any]
    dump: bytes
    members: dict[str, tarfile.TarInfo]


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and name == pure.as_posix()


def _read_member(archive: tarfile.TarFile, info: tarfile.TarInfo) -> Iterator[bytes]:
    handle = archive.extractfile(info)
    if handle is None:
        raise BackupError(f"备份中的“{info.name}”不是普通文件")
    while chunk := handle.read(CHUNK):
        yield chunk


def _check_archive(archive: tarfile.TarFile, source: Path) -> _Archive:
    members: dict[str, tarfile.TarInfo] = {}
    for info in archive.getmembers():
        if not info.isfile() or not _safe_name(info.name):
            raise BackupError(f"备份 {source} 含不允许的条目“{info.name}”（只应有普通文件），拒绝恢复")
        members[info.name] = info
    if MANIFEST not in members or DUMP not in members:
        raise BackupError(f"{source} 不是 anju-web 备份（缺少 {MANIFEST} 或 {DUMP}）")
    try:
        manifest = json.loads(b"".join(_read_member(archive, members[MANIFEST])).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"备份 {source} 的清单 {MANIFEST} 已损坏，拒绝恢复") from exc
    if not isinstance(manifest, dict) or manifest.get("格式") != FORMAT:
        raise BackupError(f"备份 {source} 的格式不是 {FORMAT}，拒绝恢复")
    absent = [key for key in ("anju版本", "数据库转储", "行数", "文件", "密钥") if not isinstance(manifest.get(key), dict | str)]
    if absent:
        raise BackupError(f"备份 {source} 的清单缺少“{absent[0]}”，拒绝恢复")
    dump = b"".join(_read_member(archive, members[DUMP]))
    if hashlib.sha256(dump).hexdigest() != manifest["数据库转储"]["sha256"]:
        raise BackupError(f"备份 {source} 的数据库转储与清单中的 SHA-256 不符（文件已损坏或被改动），拒绝恢复")
    expected: dict[str, str] = manifest["文件"]
    present = {name[len(FILES) + 1:]: info for name, info in members.items() if name.startswith(f"{FILES}/")}
    if set(present) != set(expected):
        gone = sorted(set(expected) - set(present)) or sorted(set(present) - set(expected))
        raise BackupError(f"备份 {source} 中的文件与清单不一致（如“{gone[0]}”），拒绝恢复")
    for name, info in present.items():
        digest = hashlib.sha256()
        for chunk in _read_member(archive, info):
            digest.update(chunk)
        if digest.hexdigest() != expected[name]:
            raise BackupError(f"备份 {source} 中的文件“{name}”与清单中的 SHA-256 不符（已损坏或被改动），拒绝恢复")
    return _Archive(manifest, dump, members)


def holds_data() -> bool:
    """Whether the database holds anything beyond what ``migrate`` writes."""
    return any(model._default_manager.exists() for model in backed_up_models()
               if model._meta.label_lower not in SEEDED_BY_MIGRATIONS)


def clear_database() -> None:
    """Empty every table restore fills (and sessions and login records), keeping migrations,
    content types and permissions. Runs in the caller's transaction."""
    keep = {apps.get_model(label)._meta.db_table for label in SKIPPED_MODELS}
    tables = [name for name in connection.introspection.django_table_names(only_existing=True) if name not in keep]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # TRUNCATE refuses tables with pending deferred checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql)
        if connection.vendor == "postgresql":  # loaddata relies on deferred checks for forward references
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _put_files(archive: tarfile.TarFile, data: _Archive, added: list[Path]) -> None:
    root = evidence_root()
    for name, expected in data.manifest["文件"].items():
        final = root / name
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and _sha256_file(final) == expected:
            continue
        fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".restore-")
        digest = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in _read_member(archive, data.members[f"{FILES}/{name}"]):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != expected:
                raise BackupError(f"恢复的文件“{name}”与清单中的 SHA-256 不符")
            os.chmod(tmp_name, 0o640)
            os.replace(tmp_name, final)
            added.append(final)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)


@contextlib.contextmanager
def _open_archive(source: Path) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(source, "r")  # noqa: SIM115 - closed below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 {source}：{getattr(exc, 'strerror', None) or '不是有效的 tar 文件'}") from exc
    with archive:
        yield archive


def restore_backup(source: Path, *, force: bool = False) -> Outcome:
    """Rebuild the installation from ``source``; raise :class:`BackupError` (nothing changed) if it cannot."""
    _local_evidence_only()
    added: list[Path] = []
    with _open_archive(source) as archive:
        try:
            data = _check_archive(archive, source)
        except (OSError, EOFError, tarfile.TarError, KeyError, TypeError) as exc:
            raise BackupError(f"备份文件 {source} 已损坏或不完整，拒绝恢复") from exc
        counts: dict[str, int] = data.manifest["行数"]
        unknown = sorted(set(counts) - set(_labels()))
        if unknown:
            raise BackupError(f"备份中有本版本没有的数据表“{unknown[0]}”（备份来自 anju {data.manifest['anju版本']}），拒绝恢复")
        try:
            with transaction.atomic():
                if holds_data() and not force:
                    raise BackupError("数据库中已有数据，拒绝恢复（以免覆盖）；确需用备份替换现有全部数据时加 --force")
                clear_database()
                with tempfile.TemporaryDirectory(prefix="anju-restore-") as work:
                    dump_path = Path(work) / DUMP
                    dump_path.write_bytes(data.dump)
                    try:
                        call_command("loaddata", str(dump_path), verbosity=0)
                    except Exception as exc:  # a dump this version's tables cannot take
                        raise BackupError(f"备份的数据无法载入本版本的数据库（备份来自 anju {data.manifest['anju版本']}）："
                                          f"{str(exc).splitlines()[0][:200]}；已撤销恢复") from exc
                actual = row_counts()
                for label, expected in counts.items():
                    if actual.get(label, 0) != expected:
                        raise BackupError(f"恢复后“{apps.get_model(label)._meta.verbose_name}”有 {actual.get(label, 0)} 行，"
                                          f"清单为 {expected} 行；已撤销恢复")
                if serialised_rows().encode("utf-8") != data.dump:
                    raise BackupError("恢复后的数据库与备份的转储不一致；已撤销恢复")
                _put_files(archive, data, added)
        except BaseException:
            for path in added:
                path.unlink(missing_ok=True)
            raise
    notes = [f"密钥：{data.manifest['密钥']['来源']}。{data.manifest['密钥']['说明']}"]
    return Outcome(source, counts, data.manifest["文件"], notes)
