"""The one sanitiser for user text (anju.text.clean_text) and its effect where text enters."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from anju.text import clean_deep, clean_text
from anju.yamlio import parse_yaml

from .helpers import EXAMPLE, run_cli


@pytest.mark.parametrize(("raw", "clean"), [
    ("第一行\v第二行", "第一行\n第二行"),           # Word's Shift+Enter
    ("甲\r\n乙\r丙\f丁\u2028戊", "甲\n乙\n丙\n丁\n戊"),
    ("吉\x00林\x01省\x7f\x9f", "吉林省"),
    ("私用\ue000区\U000f0000字符", "私用区字符"),
    ("\ufeff标题\ufffe\uffff\ufdd0", "标题"),
    ("  保留  空格\t和制表符  ", "  保留  空格\t和制表符  "),
    ("＝HYPERLINK（“x”）１２３", "＝HYPERLINK（“x”）１２３"),  # only characters no document can hold go
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_text(clean) == clean


def test_yaml_text_is_cleaned_where_it_is_read() -> None:
    doc = parse_yaml('title: "关于\\v吉林\\x01省"\nnarrative: "甲\\u2028乙"\n', "t.yaml")
    assert doc.data == {"title": "关于\n吉林省", "narrative": "甲\n乙"}


def test_a_pasted_control_character_never_breaks_the_report(tmp_path: Path, capsys: Any) -> None:
    folder = tmp_path / "jilin"
    shutil.copytree(EXAMPLE, folder)
    dataset = folder / "dataset.yaml"
    text = dataset.read_text(encoding="utf-8")
    text = text.replace("title: 关于吉林省", 'title: "关于\\v吉林\\x01省', 1).replace("的说明\n", '的说明"\n', 1)
    dataset.write_text(text, encoding="utf-8")
    code, out = run_cli(capsys, "report", folder, "-o", tmp_path / "out")
    assert code == 0, out
    [docx] = [p for p in (tmp_path / "out").glob("*.docx") if "说明" in p.name]
    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode() + z.read("docProps/core.xml").decode()
    assert "吉林省城镇保障性安居工程" in xml
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in xml)


def test_clean_deep_reaches_models_and_keeps_clean_objects() -> None:
    from anju.dataset import load_dataset

    dataset, _ = load_dataset(EXAMPLE)
    assert clean_deep(dataset) is dataset  # nothing to clean: the same object, no copies
    dirty = dataset.model_copy(update={"title": "\x1f标题\v续"})
    cleaned = clean_deep(dirty)
    assert cleaned.title == "标题\n续" and dirty.title == "\x1f标题\v续"
    assert clean_deep({"a": ["x\x00", ("y\u2028",)]}) == {"a": ["x", ("y\n",)]}


def test_the_writer_cleans_text_that_bypassed_the_entry_points(tmp_path: Path) -> None:
    """Found by the long fuzz campaign: a title of U+001F given in code (model_copy, no validation)."""
    from anju.adapters.report import write_report
    from anju.dataset import load_dataset
    from anju.scoring import evaluate

    dataset, framework = load_dataset(EXAMPLE)
    dirty = dataset.model_copy(update={"title": "\x1f", "region": dataset.region.model_copy(update={"name": "吉林\x0b省"})})
    files = write_report(evaluate(framework, dirty), framework, dirty, tmp_path / "out")
    with zipfile.ZipFile(files.docx) as z:
        xml = z.read("word/document.xml").decode() + z.read("docProps/core.xml").decode()
    assert not any(ord(c) < 0x20 and c not in "\t\n\r" for c in xml)
