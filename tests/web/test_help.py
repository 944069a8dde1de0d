"""帮助: every role reads every manual (its own first); pictures resolve; nothing raw gets through; the PDF builds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from anju_web.help.manuals import BY_SLUG, IMAGE_DIR, MANUALS, Manual, referenced_images, render

from .conftest import ROLE_USERS, client_for

OWN = {"county_clerk": "clerk", "prefecture_reviewer": "reviewer", "province_evaluator": "evaluator",  # role → manual
       "supervision_reviewer": "supervisor", "administrator": "administrator"}


@pytest.mark.parametrize("role", sorted(ROLE_USERS))
def test_every_role_reads_every_manual_its_own_first(db: None, role: str) -> None:
    client = client_for(ROLE_USERS[role])
    index = client.get("/help/")
    assert index.status_code == 200
    text = index.content.decode()
    positions = {m.slug: text.index(f'href="/help/{m.slug}/"') for m in MANUALS}
    assert min(positions, key=positions.__getitem__) == OWN[role]
    assert "本人角色" in text
    for manual in MANUALS:
        page = client.get(f"/help/{manual.slug}/")
        assert page.status_code == 200
        assert manual.title in page.content.decode()
    assert "帮助" in client.get("/cycles/").content.decode()  # the menu entry


def test_help_needs_sign_in_and_unknown_manual_is_404(db: None) -> None:
    response = Client().get("/help/clerk/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for("admin").get("/help/no-such-manual/").status_code == 404


def test_every_picture_a_manual_shows_is_shipped() -> None:
    for manual in MANUALS:
        for name in referenced_images(manual):
            assert (IMAGE_DIR / name).is_file(), f"{manual.title} 引用的截图 {name} 不在 {IMAGE_DIR}（运行 make manual）"


def test_clerk_manual_page_shows_its_pictures(db: None) -> None:
    html = client_for("clerk-220122").get("/help/clerk/").content.decode()
    assert "/static/anju_web/manual/" in html and html.count("<img") == len(referenced_images(BY_SLUG["clerk"]))


def test_raw_html_in_a_manual_is_escaped(tmp_path: Path, monkeypatch: Any) -> None:
    hostile = Manual("clerk", "测试", None)
    monkeypatch.setattr(Manual, "text", lambda self: "# 标题\n\n<script>alert(1)</script>\n\n![图](截图.png)\n")
    html = render(hostile, lambda name: f"/img/{name}")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'src="/img/截图.png"' in html


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists() or shutil.which("pdftotext") is None,
                    reason="需要 Debian chromium 与 poppler-utils（make sysdeps-browser sysdeps-pdf 安装）")
def test_build_manual_writes_a_pdf_with_every_manual(db: None, tmp_path: Path) -> None:
    target = tmp_path / "手册" / "安居操作手册.pdf"
    call_command("build_manual", "-o", str(target))
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, check=True, text=True).stdout
    for manual in MANUALS:
        assert manual.title in text
    assert "保存并校验" in text and "anju-web backup" in text
    assert not list(target.parent.glob(".*.part"))
