"""Charts: Chinese is drawn with the registered CJK font, never as boxes."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from anju.adapters.report import fonts
from anju.adapters.report.charts import (
    cjk_family,
    deduction_chart,
    dimension_chart,
    font_file_for,
    lost_items,
    render_charts,
)
from anju.adapters.report.fonts import FontMissingError, cjk_font_path
from anju.dataset import Dataset
from anju.framework.models import Framework
from anju.scoring import Evaluation

Jilin = tuple[Dataset, Framework, Evaluation]


def draw(text: str, family: str) -> tuple[np.ndarray, list[str]]:
    """Render ``text`` alone; return the pixels and any warnings matplotlib gave."""
    fig = Figure(figsize=(3, 1), dpi=100)
    fig.text(0.5, 0.5, text, family=family, size=24, ha="center", va="center")
    canvas = FigureCanvasAgg(fig)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
    return pixels, [str(w.message) for w in caught]


def ink(pixels: np.ndarray) -> int:
    return int((pixels.min(axis=2) < 128).sum())


def test_font_lookup_resolves_to_the_noto_cjk_file() -> None:
    family = cjk_family()
    assert family == "Noto Sans CJK SC"
    assert font_file_for(family) == cjk_font_path()
    assert cjk_font_path().name == "NotoSansCJK-Regular.ttc"


def test_chinese_glyphs_are_drawn_with_the_cjk_font() -> None:
    family = cjk_family()
    chinese, warned = draw("住房租赁保障", family)
    assert warned == []
    blank, _ = draw("", family)
    assert ink(blank) == 0
    assert ink(chinese) > 500
    # Different characters look different: boxes (tofu) would all be the same rectangle.
    first, _ = draw("住", family)
    second, _ = draw("房", family)
    assert (first != second).any(axis=2).sum() > 100
    # A font without Chinese warns and draws something else entirely.
    tofu, tofu_warned = draw("住房租赁保障", "DejaVu Sans")
    assert any("missing from" in w for w in tofu_warned)
    assert (chinese != tofu).any(axis=2).sum() > 500


def test_real_chart_is_drawn_without_missing_glyphs_or_a_title_of_its_own(
    scored_jilin: Jilin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, evaluation = scored_jilin
    titles: list[str] = []
    # The caption below the figure is its only title: the image carries none that would repeat it.
    monkeypatch.setattr(Axes, "set_title", lambda self, label, *a, **k: titles.append(label))
    monkeypatch.setattr(Figure, "suptitle", lambda self, t, *a, **k: titles.append(t))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = deduction_chart(evaluation.program("renovation"), tmp_path / "图.png")
    assert path is not None
    assert not [w for w in caught if "missing from" in str(w.message)]
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape[1] > 1000  # 200 dpi, 160 mm wide
    assert ink(image) > 5000  # labels, bars and "失3分（得0/3分）" notes are drawn
    assert dimension_chart(evaluation.program("renovation"), tmp_path / "维度.png").exists()
    assert titles == []


def test_lost_points_are_listed_most_first(scored_jilin: Jilin) -> None:
    _, _, evaluation = scored_jilin
    lost = lost_items(evaluation.program("rental"))
    assert [(label, int(item.deduction)) for label, item in lost] == [
        ("确定保障性租赁住房发展目标", 7),
        ("预算执行·预算执行", 2),
        ("租赁住房运营管理·企业和其他机构参与运营租赁住房占比", 2),
        ("落实保障性租赁住房支持政策和工作机制", 1),
    ]
    assert sum(item.deduction for _, item in lost) == 12


def test_no_deduction_chart_when_nothing_was_lost(scored_jilin: Jilin, tmp_path: Path) -> None:
    _, _, evaluation = scored_jilin
    program = evaluation.program("shantytown")
    perfect = program.model_copy(update={"dimensions": [d for d in program.dimensions if d.deduction == 0]})
    assert deduction_chart(perfect, tmp_path / "无.png") is None
    assert not (tmp_path / "无.png").exists()


def test_one_figure_per_program_numbered_in_order_with_distinct_captions(scored_jilin: Jilin, tmp_path: Path) -> None:
    _, _, evaluation = scored_jilin
    charts = render_charts(evaluation, tmp_path)
    assert [c.number for c in charts] == [1, 2, 3]
    assert [c.program_id for c in charts] == ["rental", "renovation", "shantytown"]
    assert [c.kind for c in charts] == ["deductions"] * 3  # every Jilin program lost points
    assert [c.caption for c in charts] == [
        "图1　住房租赁保障失分情况（共失12分）",
        "图2　城镇老旧小区改造失分情况（共失15分）",
        "图3　城市棚户区改造失分情况（共失7分）",
    ]
    assert len({c.caption for c in charts}) == len(charts)
    for chart in charts:
        with Image.open(chart.path) as image:
            assert image.format == "PNG"


def test_a_program_that_lost_nothing_gets_its_dimensions(scored_jilin: Jilin, tmp_path: Path) -> None:
    _, _, evaluation = scored_jilin
    program = evaluation.program("shantytown")
    perfect = program.model_copy(update={"dimensions": [d for d in program.dimensions if d.deduction == 0],
                                         "score": program.points})
    (chart,) = render_charts(evaluation.model_copy(update={"programs": [perfect]}), tmp_path)
    assert chart.kind == "dimensions"
    assert chart.caption == "图1　城市棚户区改造各一级指标得分（均得满分）"
    assert chart.path.exists()


def test_missing_font_is_a_clear_chinese_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(fonts.FONT_ENV, str(tmp_path / "没有.ttf"))
    with pytest.raises(FontMissingError, match=r"指向的字体文件不存在.*apt-get install fonts-noto-cjk"):
        cjk_font_path()
    monkeypatch.delenv(fonts.FONT_ENV)
    monkeypatch.setattr(fonts, "NOTO_SANS_CJK", (tmp_path / "NotoSansCJK-Regular.ttc",))
    with pytest.raises(FontMissingError, match=r"未找到中文字体 Noto Sans CJK.*make sysdeps"):
        cjk_font_path()


def test_a_character_the_font_lacks_fails_instead_of_drawing_a_box(scored_jilin: Jilin, tmp_path: Path) -> None:
    _, _, evaluation = scored_jilin
    rental = evaluation.program("rental")
    first = rental.dimensions[0].model_copy(update={"label": "资金管理\U0001f3e0"})
    program = rental.model_copy(update={"dimensions": [first, *rental.dimensions[1:]]})
    with pytest.raises(FontMissingError, match="缺少图表所需的字符"):
        dimension_chart(program, tmp_path / "图.png")
    assert not (tmp_path / "图.png").exists()
