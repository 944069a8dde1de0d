"""The explanation's content: structure like the seed, computed values, no repetition."""

from __future__ import annotations

import re

import pytest

from anju.adapters.report.content import (
    ReportContent,
    _IndicatorWriter,
    all_leads,
    chinese_number,
    restates,
    split_title,
    tidy,
)
from anju.dataset import Dataset
from anju.decimals import plain
from anju.framework.models import Framework
from anju.scoring import Evaluation


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (4, "四"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三"), (99, "九十九")]
)
def test_chinese_number(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_chinese_number_out_of_range() -> None:
    with pytest.raises(ValueError, match="序号超出范围"):
        chinese_number(100)


def test_long_title_breaks_between_words_into_two_balanced_lines() -> None:
    title = "关于吉林省城镇保障性安居工程财政资金绩效评价指标的说明"
    lines = split_title(title)
    assert lines == ["关于吉林省城镇保障性安居工程", "财政资金绩效评价指标的说明"]
    assert "".join(lines) == title
    assert all(len(line) <= 20 for line in lines)
    assert split_title("关于某省的说明") == ["关于某省的说明"]


def test_tidy_drops_folding_spaces_next_to_chinese_but_keeps_paragraphs() -> None:
    assert tidy("资金管理办法（2分）。 2.及时下达 ") == "资金管理办法（2分）。2.及时下达"
    assert tidy("第一段。\n第二段 Word 2022") == "第一段。\n第二段Word 2022"


def test_structure_follows_the_seed(content: ReportContent) -> None:
    assert content.title == "关于吉林省城镇保障性安居工程财政资金绩效评价指标的说明"
    assert content.opening.startswith("按照《中央财政城镇保障性安居工程补助资金管理办法》要求")
    assert "吉林省2022年城镇保障性安居工程绩效评价指标得分情况逐项进行说明" in content.opening
    assert [p.heading for p in content.programs] == [
        "一、住房租赁保障绩效评价情况",
        "二、城镇老旧小区改造绩效评价情况",
        "三、城市棚户区改造绩效评价情况",
    ]
    rental = content.programs[0]
    assert rental.summary == "吉林省城镇保障性安居工程财政资金用于住房租赁保障绩效评价得分88分，具体说明如下："
    assert [d.heading for d in rental.dimensions] == [
        "（一）资金管理方面（得分18分）",
        "（二）项目管理方面（得分15分）",
        "（三）产出效益方面（得分55分）",
    ]
    renovation = content.programs[1]
    assert [d.heading for d in renovation.dimensions][-2:] == [
        "（三）产出效益方面（得分55分）",  # the seed said 60; its items add up to 55
        "（四）服务对象满意度方面（得分5分）",
    ]
    assert [a.numbered for a in content.attachments][:4] == [
        "1.2022年中央财政城镇保障性安居工程补助资金支出情况统计表",
        "2.2022年吉林省市县财政用于城镇保障性安居工程资金支出情况统计表",
        "3.2022年吉林省城镇棚户区改造和租赁住房完成情况汇总表",
        "4.2022年吉林省城镇老旧小区改造任务情况统计表",
    ]


def test_every_indicator_sentence_uses_the_computed_score(
    content: ReportContent, scored_jilin: tuple[Dataset, Framework, Evaluation]
) -> None:
    _, _, evaluation = scored_jilin
    expected = [
        f"“{item.label}”得分{plain(item.score)}分。"
        for program in evaluation.programs
        for dimension in program.dimensions
        for item in dimension.children
    ]
    assert list(all_leads(content)) == expected
    assert len(expected) == 15 + 14 + 10  # as many “…”得分N分 sentences as the seed has


def test_sub_items_carry_their_points_in_parentheses(content: ReportContent) -> None:
    rental = {i.label: i for i in content.programs[0].indicators()}
    budget = rental["预算执行"].body
    assert budget.startswith("1.建立健全预算执行、绩效监控机制（2分）。省财政厅会同省住建厅")
    assert "2.截至2023年1月5日" in budget
    assert budget.index("预算执行率为64.9%（1分）。") > budget.index("2.")
    renovation = {i.label: i for i in content.programs[1].indicators()}
    raising = renovation["资金筹集"].body
    assert "1.市场化运作的规模化实施运营主体实施的小区183个，占年度计划改造小区比例为16%（0分）。" in raising
    assert "4.市县财政实际支出资金28115万元用于城镇老旧小区改造，占比12%（2分）。" in raising
    # the note on item 5 stays with item 5, before its sub-items, not after (2)
    assert "5.地级及以上城市通过债券、贷款筹集资金（1分）。白山市2022年无计划任务，不计入地级及以上城市总数。（1）我省有3个" in raising
    assert "（2）通过银行贷款、企业债券等方式筹集资金的地级及以上城市有2个，占比29%（0分）。" in raising


def test_computed_values_replace_the_seeds_errors(content: ReportContent) -> None:
    renovation = content.programs[1]
    text = "".join(i.text for i in renovation.indicators())
    assert "预算执行率为32.8%（0分）" in text
    assert "52.9" not in text
    assert "（得分60分）" not in "".join(d.heading for d in renovation.dimensions)


def test_a_sentence_the_narrative_already_says_is_not_repeated(content: ReportContent) -> None:
    rental = {i.label: i for i in content.programs[0].indicators()}
    assert rental["资金使用管理"].body.count("没有发现资金截留、挪用等违规违纪行为") == 1
    assert rental["工程质量"].body.count("尚未发现存在工程质量问题") == 1
    # 保障率: the narrative states the 100% (in the seed's words); the generated sentence is not added
    coverage = rental["城镇户籍低保、低收入住房困难家庭申请公租房的保障率"].body
    assert coverage.count("100%") == 1 and coverage.startswith("从市县上报绩效评价报告情况看，对申请公租房保障")


def test_seed_order_where_the_narrative_tells_the_fact(content: ReportContent) -> None:
    rental = {i.label: i for i in content.programs[0].indicators()}
    # 发展目标: the city first, then its targets in 万 as the seed writes them, stated once
    target = rental["确定保障性租赁住房发展目标"].body
    assert target == ("国家确定长春市为人口净流入的大城市，并公布“十四五”期间保障性租赁住房建设任务，计划新增保障性租赁住房"
                      "3万套，新增住房供应总量20万套，新增保障性租赁住房占新增住房供应总量比例为15%。")
    # 满意度: the cause, then the result
    satisfaction = rental["租赁住房保障满意度"].body
    assert satisfaction.index("通过分配公租房和发放租赁补贴") < satisfaction.index("群众满意度平均达到94%")
    assert satisfaction.count("94%") == 1
    # 棚改项目储备库: the 73632套 follow the plan that set them, with their subject
    pipeline = {i.label: i for i in content.programs[2].indicators()}["项目储备库"].body
    assert "已经省政府批准，确定全省“十四五”时期计划改造各类棚户区73632套。" in pipeline
    assert not pipeline.startswith("确定") and pipeline.count("73632") == 1
    # 统筹协调: the seed's criterion sentences come back through the dataset's narrative
    coordination = {i.label: i for i in content.programs[1].indicators()}["统筹协调机制"].body
    assert coordination.startswith("1.市（县）均建立政府统筹、条块协作、各部门齐抓共管的专门工作机制，形成工作合力（1分）。")
    assert "省住建厅也将年度改造计划通报给各管线专营单位，统筹推进改造工作。" in coordination


def test_no_item_number_runs_into_a_year(content: ReportContent) -> None:
    """"1.2022年" reads as one number: sub-items whose sentence starts with a year are headed by their label."""
    for program in content.programs:
        for indicator in program.indicators():
            assert not re.search(r"(?:^|[。；）])\d\.(?:19|20)\d\d年", indicator.body), indicator.body
    completion = {i.label: i for i in content.programs[1].indicators()}["改造计划完成率"].body
    assert completion.startswith("1.改造小区数完成率（10分）。2022年，我省老旧小区改造计划任务1142个小区")
    assert "2.改造户数完成率（10分）。计划改造户数196644户" in completion


def test_restates_compares_the_numbers_stated() -> None:
    assert restates("计划新增30000套，比例为15%。", "国家确定长春市……计划新增3万套，比例为15%。")
    assert not restates("计划新增30000套，比例为15%。", "计划新增3万套，比例为16%。")
    assert not restates("比例为15%。", "共15个市县。")  # a percentage is not a count
    assert not restates("资金用于筹集公租房。", "资金用于筹集保障性租赁住房。")  # no number, not word for word
    assert restates("资金用于筹集保障性租赁住房。", "资金用于筹集保障性租赁住房、公租房。")  # word for word


def test_checklist_clauses_are_listed_only_without_a_narrative(
    scored_jilin: tuple[Dataset, Framework, Evaluation],
) -> None:
    _, framework, evaluation = scored_jilin
    rental = evaluation.program("rental")
    writer = _IndicatorWriter(dict(framework.program("rental").items()))
    item = rental.item("fund_management.fund_distribution")
    with_narrative = writer.indicator(item).body
    assert with_narrative.count("资金管理办法健全、规范（2分）") == 1  # told once, by the narrative
    without = writer.indicator(item.model_copy(update={"narrative": None})).body
    assert without == "1.资金管理办法健全、规范（2分）；2.及时分解下达中央财政资金（收到国家文件后30日内分解下达市县）（3分）。"


def test_score_rows_cover_every_node_with_reasons_for_lost_points(
    content: ReportContent, scored_jilin: tuple[Dataset, Framework, Evaluation]
) -> None:
    _, _, evaluation = scored_jilin
    for section, program in zip(content.programs, evaluation.programs, strict=True):
        items = list(program.items())
        assert [r.path for r in section.score_rows] == [i.path for i in items]
        for row, item in zip(section.score_rows, items, strict=True):
            assert (row.points, row.score, row.deduction) == (item.points, item.score, item.deduction)
    policies = next(r for r in content.programs[0].score_rows if r.path == "outputs.support_policies")
    assert policies.deduction == 1
    assert policies.reason.startswith("信贷支持仅限指导并协助")
    full = next(r for r in content.programs[0].score_rows if r.path == "fund_management.fund_raising")
    assert full.reason == ""


# Every “…”得分N分 sentence of the seed (shared/seed/000_ba98eaf8f8da724e.txt), in order.
SEED_SENTENCES = [
    ("资金筹集", 5), ("资金分配", 5), ("预算执行", 3), ("资金使用管理", 5), ("项目库储备", 10),
    ("评价报告报送及时、完整性", 5), ("保障性租赁住房计划完成率", 10), ("新筹集公租房年度计划完成率", 8),
    ("租赁补贴发放计划完成率", 5), ("城镇户籍低保、低收入住房困难家庭申请公租房的保障率", 5),
    ("确定保障性租赁住房发展目标", 3), ("落实保障性租赁住房支持政策和工作机制", 7), ("租赁住房运营管理", 7),
    ("工程质量", 5), ("租赁住房保障满意度", 5),
    ("资金筹集", 3), ("资金分配", 5), ("预算执行", 2), ("资金使用管理", 5), ("项目储备库", 3), ("统筹协调机制", 2),
    ("评价报告报送", 5), ("改造计划完成率", 30), ("居民参与", 5), ("改造内容", 10), ("工程质量安全", 4),
    ("长效管理机制", 4), ("完善配套政策制度", 2), ("完成改造小区居民满意度", 5),
    ("资金筹集", 5), ("资金分配", 5), ("预算执行", 3), ("资金使用管理", 5), ("项目储备库", 10), ("评价报告报送", 5),
    ("年度计划完成率", 30), ("当年达到交付使用条件的棚改安置住房分配率", 20), ("工程质量", 5),
    ("棚户区改造拆迁居民满意度", 5),
]
# The seed's dimension headings; the renovation 产出效益 subtotal it states (60) is wrong: its items add to 55.
SEED_DIMENSIONS = [18, 15, 55, 15, 10, 60, 5, 18, 15, 60]


def test_same_sentences_and_scores_as_the_seed(content: ReportContent) -> None:
    assert all_leads(content) == [f"“{label}”得分{score}分。" for label, score in SEED_SENTENCES]
    computed = [int(d.score) for p in content.programs for d in p.dimensions]
    differences = [(i, seed, ours) for i, (seed, ours) in enumerate(zip(SEED_DIMENSIONS, computed, strict=True))
                   if seed != ours]
    assert differences == [(5, 60, 55)]
