"""The shipped Word template and user templates: in sync with its build script, clear errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from anju.adapters.report.build_template import build
from anju.adapters.report.charts import Chart
from anju.adapters.report.content import ReportContent
from anju.adapters.report.docx import DEFAULT_TEMPLATE, TemplateProblem, write_docx

COMPARED_PARTS = ("word/document.xml", "word/styles.xml", "word/settings.xml", "word/footer1.xml", "word/footer2.xml")


def test_shipped_template_matches_its_build_script(tmp_path: Path) -> None:
    rebuilt = build(tmp_path / "explanation.docx")
    with zipfile.ZipFile(DEFAULT_TEMPLATE) as shipped, zipfile.ZipFile(rebuilt) as fresh:
        for part in COMPARED_PARTS:
            assert shipped.read(part) == fresh.read(part), f"{part} 与 build_template.py 不一致：请重新生成模板"


def user_template(tmp_path: Path, replace: str, by: str) -> Path:
    """The shipped template with one paragraph's text changed, as a user would in Word."""
    doc = Document(str(DEFAULT_TEMPLATE))
    for paragraph in doc.paragraphs:
        if paragraph.text == replace:
            paragraph.text = by
            break
    else:
        raise AssertionError(f"template has no paragraph {replace!r}")
    path = tmp_path / "我的模板.docx"
    doc.save(str(path))
    return path


def render(content: ReportContent, template: Path, tmp_path: Path, charts: list[Chart] | None = None) -> Path:
    return write_docx(content, charts or [], tmp_path / "out.docx", template)


def test_user_edit_is_rendered(content: ReportContent, tmp_path: Path) -> None:
    template = user_template(tmp_path, "{{ opening }}", "{{ opening }}（{{ region }}财政厅编制，数据截至{{ as_of }}）")
    out = render(content, template, tmp_path)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "（吉林省财政厅编制，数据截至2023年1月5日）" in text


def test_unknown_placeholder_is_named_with_its_paragraph(content: ReportContent, tmp_path: Path) -> None:
    template = user_template(tmp_path, "{{ opening }}", "{{ openning }}")
    with pytest.raises(TemplateProblem) as caught:
        render(content, template, tmp_path)
    message = "；".join(caught.value.problems)
    assert "正文第3段" in message
    assert "未知的占位符“openning”" in message
    assert "可用的占位符" in message and "opening" in message
    assert not (tmp_path / "out.docx").exists()


def test_unknown_field_of_a_known_placeholder(content: ReportContent, tmp_path: Path) -> None:
    template = user_template(tmp_path, "{{ program.heading }}", "{{ program.headline }}")
    with pytest.raises(TemplateProblem) as caught:
        render(content, template, tmp_path)
    message = "；".join(caught.value.problems)
    assert "不存在的字段“headline”" in message
    assert "program.headline" in message
    assert "正文第" in message


def test_broken_jinja_names_the_paragraph(content: ReportContent, tmp_path: Path) -> None:
    template = user_template(tmp_path, "{{ program.summary }}", "{{ program.summary ")
    with pytest.raises(TemplateProblem) as caught:
        render(content, template, tmp_path)
    message = "；".join(caught.value.problems)
    assert "Jinja 语法错误" in message
    assert "正文第6段" in message and "{{ program.summary" in message


def test_missing_endfor(content: ReportContent, tmp_path: Path) -> None:
    template = user_template(tmp_path, "{%p endfor %}", "")
    with pytest.raises(TemplateProblem) as caught:
        render(content, template, tmp_path)
    assert "缺少与 {%p for … %} 对应的 {%p endfor %}" in caught.value.problems[0]


def test_not_a_word_document(content: ReportContent, tmp_path: Path) -> None:
    fake = tmp_path / "模板.docx"
    fake.write_text("这不是 Word 文档", encoding="utf-8")
    with pytest.raises(TemplateProblem) as caught:
        render(content, fake, tmp_path)
    assert "不是有效的 Word 文档" in caught.value.problems[0]
    with pytest.raises(TemplateProblem, match="模板文件不存在"):
        render(content, tmp_path / "没有这个文件.docx", tmp_path)


def test_text_with_xml_characters_is_escaped(content: ReportContent, tmp_path: Path) -> None:
    template = user_template(tmp_path, "{{ opening }}", "{{ opening }}{{ programs[0].label }}")
    special = ReportContent(**{**content.__dict__, "opening": "A&B <数据> “引号”"})
    out = render(special, template, tmp_path)
    assert "A&B <数据> “引号”住房租赁保障" in [p.text for p in Document(str(out)).paragraphs]


def test_jinja_parse_error_inside_balanced_braces(content: ReportContent, tmp_path: Path) -> None:
    template = user_template(tmp_path, "{{ program.summary }}", "{{ program..summary }}")
    with pytest.raises(TemplateProblem) as caught:
        render(content, template, tmp_path)
    message = caught.value.problems[0]
    assert message.startswith("正文第6段（“{{ program..summary }}”）有 Jinja 语法错误")
