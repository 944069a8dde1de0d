"""Each kind of generic claim, right (no finding) and wrong (the finding, with the recomputed value)."""

from __future__ import annotations

from anju.problems import AuditCode, ConsistencyCode, Severity

from .conftest import codes, errors, run


def only(text: str, code: str) -> list:  # type: ignore[type-arg]
    result = run(text, framework=False)
    return [f for f in result.findings if f.code == code]


def test_completion_rate_right() -> None:
    assert not run("2022年，我省计划建设公租房500套，实际开工建设450套，完成计划的90%。", framework=False).findings


def test_completion_rate_wrong() -> None:
    [finding] = only("2022年，我省计划建设公租房500套，实际开工建设450套，完成计划的100%。",
                     ConsistencyCode.STATED_PERCENT_MISMATCH)
    assert finding.severity is Severity.error
    assert finding.problem.stated == "100"
    assert finding.problem.computed == "90"
    assert "450套 ÷ 500套" in finding.problem.message


def test_execution_rate_right_at_its_precision() -> None:
    text = "预算48549万元，实际支出31524.96万元，预算执行率为64.9%。"
    assert not run(text, framework=False).findings


def test_execution_rate_wrong_beyond_its_precision() -> None:
    # 64.93% rounds to 64.9, not 64.8: one decimal allows 0.05
    [finding] = only("预算48549万元，实际支出31524.96万元，预算执行率为64.8%。", ConsistencyCode.STATED_PERCENT_MISMATCH)
    assert finding.problem.computed == "64.93"


def test_whole_number_percent_allows_half_a_point() -> None:
    assert not run("计划发放住房租赁补贴75174户，实际发放80206户，完成计划的107%。", framework=False).findings


def test_disbursement_progress_of_a_county_report() -> None:
    [finding] = only("下达资金200万元，已拨付66.86万元，资金拨付进度100%。", ConsistencyCode.STATED_PERCENT_MISMATCH)
    assert finding.problem.computed == "33.43"


def test_wrong_denominator_is_named() -> None:
    text = ("中央财政补助资金78787万元。截至2023年1月5日，预算为127006万元，实际支出41701.11万元，预算执行率为52.9%。")
    [finding] = only(text, ConsistencyCode.STATED_PERCENT_MISMATCH)
    assert finding.problem.computed == "32.83"
    assert "78787万元" in finding.problem.message
    assert "疑似误用分母" in finding.problem.message


def test_rate_of_figures_in_the_previous_sentence_is_checked_not_reported() -> None:
    right = "财政资金共计89805.62万元。其中：中央财政资金48549万元，市县安排财政资金41256.62万元。市县财政资金占全部财政资金的45.9%。"
    result = run(right, framework=False)
    assert not result.findings
    assert result.coverage.checked == result.coverage.total
    wrong = right.replace("45.9%", "55.9%")
    result = run(wrong, framework=False)
    assert not errors(result), "an operand the text does not pin down is never reported as wrong"
    assert any(u.text == "55.9%" for u in result.coverage.unchecked)


def test_parts_of_a_total_right() -> None:
    assert not run("财政资金共计89805.62万元。其中：中央财政资金48549万元，市县安排财政资金41256.62万元。",
                   framework=False).findings


def test_parts_above_the_total_wrong() -> None:
    [finding] = only("财政资金共计89805.62万元。其中：中央财政资金48549万元，市县安排财政资金41265.62万元。",
                     ConsistencyCode.PARTS_TOTAL_MISMATCH)
    assert finding.severity is Severity.error
    assert finding.problem.stated == "89805.62"
    assert finding.problem.computed == "89814.62"


def test_parts_in_brackets() -> None:
    right = "中央补助资金180600万元（其中，中央财政补助资金78787万元，中央预算内资金101813万元）。"
    assert not run(right, framework=False).findings
    [finding] = only(right.replace("101813", "101831"), ConsistencyCode.PARTS_TOTAL_MISMATCH)
    assert finding.problem.computed == "180618"


def test_mainly_used_for_allows_parts_below_the_total() -> None:
    assert not run("下达资金5000万元，主要用于公租房2000万元、租赁补贴1500万元。", framework=False).findings
    [finding] = only("下达资金5000万元，主要用于公租房3000万元、租赁补贴2500万元。", ConsistencyCode.PARTS_TOTAL_MISMATCH)
    assert finding.problem.computed == "5500"


def test_share_above_100_is_a_warning() -> None:
    [finding] = only("表决同意的小区1159个，占年度计划改造小区比例为101%。", ConsistencyCode.SHARE_ABOVE_100)
    assert finding.severity is Severity.warning


def test_shares_of_one_named_base_must_share_a_denominator() -> None:
    text = "\n".join([
        "计划任务1142个小区，实际开工1159个小区。",
        "成立党组织的小区790个，占年度计划改造小区比例为69%。",
        "选举业主委员会的小区993个，占年度计划改造小区比例为87%。",
        "连片实施改造小区共有948个，占年度计划改造小区比例为83%。",
        "居民参与出资改造的小区637个，占年度计划改造小区比例为55%。",
    ])
    [finding] = only(text, ConsistencyCode.DENOMINATOR_SWITCH)
    assert finding.problem.stated == "55"
    assert "1159" in finding.problem.message and "1142" in finding.problem.message
    right = text.replace("55%", "56%")
    assert not only(right, ConsistencyCode.DENOMINATOR_SWITCH)


def test_list_of_rates_with_one_base() -> None:
    text = "共7个地级市。我省有3个城市发行债券，通过银行贷款筹集资金的城市有2个，分别占全部地级及以上城市的比例为43%、29%。"
    result = run(text, framework=False)
    assert not result.findings
    assert {"43%", "29%"}.isdisjoint(u.text for u in result.coverage.unchecked)


def test_growth_needs_last_year_and_is_left_unchecked() -> None:
    result = run("计划500套，实际完成450套，同比增长35%。", framework=False)
    assert not errors(result)


SCORED = """一、住房租赁保障绩效评价情况
吉林省城镇保障性安居工程财政资金用于租赁住房保障绩效评价得分{total}分，具体说明如下：
（一）资金管理方面（得分{dim}分）
“资金筹集”得分5分。说明。
“资金分配”得分5分。1.资金管理办法健全、规范（2分）。2.及时分解下达中央财政资金（{sub}分）。
（二）项目管理方面（得分10分）
“项目库储备”得分10分。说明。
"""


def test_score_structure_right() -> None:
    assert not run(SCORED.format(total=20, dim=10, sub=3), framework=False).findings


def test_criteria_scores_must_add_up_to_the_indicator() -> None:
    [finding] = only(SCORED.format(total=20, dim=10, sub=2), ConsistencyCode.STATED_SUBTOTAL_MISMATCH)
    assert (finding.problem.stated, finding.problem.computed) == ("5", "4")


def test_indicator_scores_must_add_up_to_the_dimension() -> None:
    [finding] = only(SCORED.format(total=21, dim=11, sub=3), ConsistencyCode.STATED_SUBTOTAL_MISMATCH)
    assert (finding.problem.stated, finding.problem.computed) == ("11", "10")


def test_dimension_scores_must_add_up_to_the_total() -> None:
    [finding] = only(SCORED.format(total=25, dim=10, sub=3), ConsistencyCode.STATED_SUBTOTAL_MISMATCH)
    assert (finding.problem.stated, finding.problem.computed) == ("25", "20")


def test_score_above_its_maximum() -> None:
    assert not run("本项满分5分，实得4分。", framework=False).findings
    [finding] = only("本项满分5分，实得6分。", AuditCode.SCORE_ABOVE_MAXIMUM)
    assert finding.severity is Severity.error


def test_unrecognised_indicator_never_makes_a_subtotal_wrong() -> None:
    text = SCORED.format(total=20, dim=10, sub=3).replace("“资金筹集”得分5分", "资金筹集方面得分5分")
    assert ConsistencyCode.STATED_SUBTOTAL_MISMATCH not in codes(run(text, framework=False), Severity.error)
