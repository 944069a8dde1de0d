"""The second example (issue 10, item 8): another region (广西壮族自治区, 我区), no per-unit data,
figures with problems; it renders a consistent package and its 核对清单 lists the problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document

from ...helpers import run_cli

GUANGXI = Path(__file__).resolve().parents[3] / "examples" / "guangxi-2022"


def test_guangxi_renders_a_consistent_package(tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "out"
    code, text = run_cli(capsys, "report", GUANGXI, "-o", out)
    assert code == 0, text
    body = (out / "广西壮族自治区2022年度绩效评价指标说明.txt").read_text(encoding="utf-8")
    assert "我省" not in body and "全省" not in body and "吉林" not in body and "我区" in body
    assert "发现资金截留、挪用等违规违纪问题2件" in body and "没有发现资金截留" not in body.split("城镇老旧小区改造绩效评价情况")[1].split("城市棚户区改造绩效评价情况")[0]
    assert "实际筹集11000套" in body
    doc = Document(str(out / "广西壮族自治区2022年度绩效评价指标说明.docx"))
    signers = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "发文机关署名" and p.text]
    assert signers == ["广西壮族自治区财政厅", "广西壮族自治区住房和城乡建设厅"]
    letter = [p.text for p in Document(str(out / "广西壮族自治区2022年度绩效评价材料报送函.docx")).paragraphs]
    assert "财政部广西监管局：" in letter
    checklist = (out / "广西壮族自治区2022年度绩效评价核对清单（内部）.md").read_text(encoding="utf-8")
    assert "说明文字矛盾（0 项）" in checklist
    assert "发现问题2件" in checklist and "发现问题1件" in checklist
    assert "保障性租赁住房计划完成率：扣1分" in checklist  # 10 × 86.82% = 8.682 → 9 (whole points, 2022)
    # whole points (2022 rounding): 87.68 before item 7 → 88
    assert "用于住房租赁保障绩效评价得分88分" in body and "“保障性租赁住房计划完成率”得分9分" in body
    assert "示例数据" in checklist
    # the declared rounding is not official: every score it changed is listed for the signer
    assert "按比例计分统一保留整数（推断）：保障性租赁住房计划完成率86.82%，按比例计分：10 × 86.82% = 8.682，按规定保留整数计9分" in checklist
