"""The framing checker is itself tested: for every rule, hand-written sentences that must
fail and sentences that must pass. Pure strings and small dicts; no generation, so it is fast."""

from __future__ import annotations

import pytest

from framing_check import (RULES, check_all, check_front_runners, check_leaks, check_level,
                           check_lower_is_better, check_praise, check_shapes, check_shortfalls,
                           check_year_end, check_zero, shape, split_sentences)

COUNTY = {
    "meta": {"region": "青山县", "level": "县", "period": "2024-Q2", "scope": "全市", "scope_size": 38},
    "indicators": {
        "gdp": {"name": "地区生产总值", "card": "经济", "unit": "亿元", "value": 156.3, "growth": 4.2,
                "rank": 28, "previous": {"growth": 5.1, "rank": 20}, "scope_average": {"growth": 5.8}},
        "retail": {"name": "社会消费品零售总额", "card": "经济", "unit": "亿元", "value": 42.3, "growth": 6.8,
                   "rank": 5, "target": {"value": 94.0}, "previous": {"rank": 8}},
        "tech": {"name": "技术合同成交额", "card": "创新", "unit": "亿元", "value": 0.03, "growth": -62.5,
                 "target": {"value": 0.8}, "previous": {"value": 0.03}},
        "flat": {"name": "全社会用电量", "card": "经济", "unit": "亿千瓦时", "value": 3.27, "growth": 0.0},
        "unemployment": {"name": "城镇调查失业率", "card": "民生", "unit": "%", "better": "lower", "value": 5.6,
                         "rank": 12, "previous": {"value": 5.2, "rank": 8}},
        "accidents": {"name": "生产安全事故起数", "card": "平安", "unit": "起", "better": "lower", "value": 43,
                      "growth": 10.3, "rank": 12, "target": {"value": 40}, "previous": {"value": 39, "rank": 9}},
        "deaths": {"name": "生产安全事故死亡人数", "card": "平安", "unit": "人", "better": "lower", "value": 31,
                   "growth": -13.9, "rank": 6, "previous": {"value": 36, "rank": 8}},
    },
    "townships": {"units": [{"name": "东山镇", "values": {"inv": {"value": 0, "target": 100}}},
                            {"name": "西河镇", "values": {"inv": {"value": 60, "target": 100}}},
                            {"name": "南岭镇", "values": {"inv": {"value": None, "target": 100}}}],
                  "indicators": {"inv": {"name": "固定资产投资", "unit": "万元", "weight": 100}}},
    "projects": [{"name": "西河水库除险加固", "planned": 0.7, "completed": 0}],
    "tasks": [{"theme": "补齐生态短板", "items": [{"text": "确保2024年各季度达到序时进度"}]}],
}
YEAR = {**COUNTY, "meta": {**COUNTY["meta"], "period": "2023"}}
CITY = {**COUNTY, "meta": {**COUNTY["meta"], "level": "市", "region": "江州市"},
        "townships": {**COUNTY["townships"], "label": "县（市、区）"}}
SMALL = {**COUNTY, "meta": {**COUNTY["meta"], "scope": "全市主城区", "scope_size": 2}}


def rules_of(violations):
    return [v.rule for v in violations]


# --------------------------------------------------------------------------- splitting

def test_split_keeps_headings_and_tables_apart():
    text = "# 讲话\n\n## 二、存在的问题\n\n甲下降1.0%；乙回落0.2个百分点。丙呢？\n\n| a | b |\n| --- | --- |\n"
    ss = split_sentences(text)
    body = [s for s in ss if s.section and not s.table and not s.heading]
    assert [s.text for s in body] == ["甲下降1.0%", "乙回落0.2个百分点", "丙呢"]
    assert body[0].section == ("讲话", "二、存在的问题")
    assert [s.text for s in ss if s.table] == ["| a | b |"]


def test_split_knows_plain_text_headings():
    ss = split_sentences("二、正视差距\n（一）主要指标承压\n地区生产总值增长4.2%。\n三、下步工作\n要抓好落实。")
    assert ss[2].section == ("二、正视差距", "（一）主要指标承压")
    assert ss[-1].section == ("三、下步工作",)


# --------------------------------------------------------------------------- (a) praise

@pytest.mark.parametrize("bad", [
    "信访清单评价为较差，居全省倒数第7位，问题清单管控有力，要巩固好这一优势",
    "外贸进出口居倒数第1位，是本季度的亮点",
    "地区生产总值居全市第28位，保持领先",
    "城镇调查失业率进步明显，居全市倒数第3位",
])
def test_praise_beside_a_bottom_rank_fails(bad):
    assert rules_of(check_praise(bad, COUNTY)) == ["praise"]


@pytest.mark.parametrize("good", [
    "制造业投资居全市第6位，位居前列",
    "制造业投资位居前列，但外贸进出口居全市倒数第3位",
    "地区生产总值居全市倒数第11位，要奋起直追",
    "基层党建工作居全市第3位，要巩固好这一优势",
    "信访工作位次前移1位，略有上升",
])
def test_praise_without_a_bottom_rank_passes(good):
    assert check_praise(good, COUNTY) == []


def test_praise_uses_the_scope_named_in_the_sentence():
    assert rules_of(check_praise("在3个镇（街道）中居第3位，保持领先", COUNTY)) == ["praise"]
    assert check_praise("在38个县中居第3位，保持领先", COUNTY) == []
    # the race's units are counted by the township list, not by scope_size
    assert rules_of(check_praise("南岭镇居第3位，优势明显", COUNTY)) == ["praise"]


# --------------------------------------------------------------------------- (b) lower is better

@pytest.mark.parametrize("bad", [
    "城镇调查失业率为5.6%，较上年提升0.4个百分点",
    "生产安全事故起数完成年度控制数的107.5%",
    "生产安全事故死亡人数完成年度控制目标",
    "生产安全事故起数43起，同比增长10.3%",
    "城镇调查失业率位次上升4位",
    "社会消费品零售总额位次下降3位",
    "地区生产总值增长-3.1%",
])
def test_improvement_words_for_worse_figures_fail(bad):
    assert "lower" in rules_of(check_lower_is_better(bad, COUNTY))


@pytest.mark.parametrize("good", [
    "城镇调查失业率为5.6%，较上年上升0.4个百分点，位次后退4位",
    "生产安全事故起数43起，超出年度控制数3起",
    "生产安全事故死亡人数31人，控制在年度控制数以内，同比下降13.9%",
    "社会消费品零售总额位次前移3位",
    "生产安全事故起数没有完成控制目标",
])
def test_neutral_words_for_lower_is_better_pass(good):
    assert check_lower_is_better(good, COUNTY) == []


# --------------------------------------------------------------------------- (c) year end

@pytest.mark.parametrize("bad", [
    "固定资产投资落后序时进度20.7个百分点",
    "明年是完成全年任务的关键时段",
    "全力攻坚明年，确保目标实现",
    "明年末达到序时进度还需完成3.8亿元",
])
def test_schedule_words_at_year_end_fail(bad):
    assert rules_of(check_year_end(bad, YEAR)) == ["yearend"]


def test_schedule_words_pass_before_year_end_and_in_office_tasks():
    assert check_year_end("固定资产投资落后序时进度4.4个百分点", COUNTY) == []
    assert check_year_end("固定资产投资没有完成年度目标，完成率为79.6%", YEAR) == []
    assert check_year_end("一要确保2024年各季度达到序时进度", YEAR) == []   # the office's own task text


# --------------------------------------------------------------------------- (d) zero

@pytest.mark.parametrize("bad", [
    "技术合同成交额完成0.0亿元",
    "技术合同成交额涨幅为0.0%",
    "地区生产总值增速较上年回落0.0个百分点",
    "| 南岭镇 | 西河镇 | 0.00 |",
])
def test_a_non_zero_figure_printed_as_zero_fails(bad):
    data = COUNTY if "南岭镇" not in bad else {**COUNTY, "townships": {"units": []}}
    assert rules_of(check_zero(bad, data)) == ["zero"]


@pytest.mark.parametrize("good", [
    "技术合同成交额完成300万元",
    "全社会用电量3.27亿千瓦时，增长0.0%，与上年持平",
    "东山镇固定资产投资完成0万元，完成率0.0%",
    "南岭镇未报送数据，得分0.00",
    "西河水库除险加固完成投资0亿元，至今没有开工",
    "技术合同成交额较1—4月增加0.00亿元",
])
def test_a_real_zero_passes(good):
    assert check_zero(good, COUNTY) == []


def test_zero_in_a_scorecard_table_follows_the_title():
    card = "# 西河镇2024年上半年成绩单\n\n| 固定资产投资 | 万元 | 60 | 100 | 60.0% | 0.00 |\n"
    assert rules_of(check_zero(card, COUNTY)) == ["zero"]
    card = "# 东山镇2024年上半年成绩单\n\n| 固定资产投资 | 万元 | 0 | 100 | 0.0% | 0.00 |\n"
    assert check_zero(card, COUNTY) == []


# --------------------------------------------------------------------------- (e) front runners

@pytest.mark.parametrize("bad,data", [
    ("东山镇、西河镇和南岭镇排在前列", COUNTY),
    ("东山镇、西河镇和南岭镇位列前3名", COUNTY),
    ("固定资产投资居全市主城区第1位，排在前列", SMALL),
    ("地区生产总值居全市第20位，位居前列", COUNTY),
])
def test_front_runners_that_mean_nothing_fail(bad, data):
    assert rules_of(check_front_runners(bad, data)) == ["front"]


@pytest.mark.parametrize("good", [
    "东山镇和西河镇排在前列",
    "制造业投资居全市第6位，位居前列",
    "西河镇以114.10分位居第一",
])
def test_front_runners_of_a_real_field_pass(good):
    assert check_front_runners(good, COUNTY) == []


# --------------------------------------------------------------------------- (f) shortfalls

def _short(body: str, data=COUNTY):
    return check_shortfalls("## 二、存在的问题\n\n### （一）部分指标走弱\n\n" + body, data)


@pytest.mark.parametrize("bad", [
    "社会消费品零售总额位次前移3位，居全市第5位，高于全市平均0.9个百分点。",
    "地区生产总值增长4.2%，社会消费品零售总额增长6.8%，居全市第5位。",
    "生产安全事故死亡人数为31人，同比下降13.9%。",
])
def test_a_shortfall_sentence_with_only_good_news_fails(bad):
    assert "short" in rules_of(_short(bad))


@pytest.mark.parametrize("good", [
    "社会消费品零售总额位次虽前移3位，但仅完成年度目标的45.0%，落后序时进度5.0个百分点。",
    "地区生产总值增长4.2%，增速较一季度回落0.9个百分点。",
    "城镇调查失业率为5.6%，较上年上升0.4个百分点。",
    "地区生产总值、社会消费品零售总额分别低于全市平均1.6和0.2个百分点。",
    "设有增速目标的指标中未达标的有地区生产总值和社会消费品零售总额。",
    "生产安全事故死亡人数位次下降2位。",
])
def test_a_shortfall_sentence_that_says_what_is_wrong_passes(good):
    assert _short(good) == []


def test_only_shortfall_sections_are_checked():
    doc = "## 一、成绩\n\n社会消费品零售总额位次前移3位。\n\n## 三、下步工作\n\n### （一）补齐生态短板\n\n确保地区生产总值增长6.5%以上。"
    assert check_shortfalls(doc, COUNTY) == []


# --------------------------------------------------------------------------- (g) shapes

def test_three_sentences_of_one_shape_fail():
    doc = ("固定资产投资有15个乡镇（街道）未达序时。招商引资到位资金有13个乡镇（街道）未达序时。"
           "规上工业产值有13个乡镇（街道）未达序时。")
    data = {**COUNTY, "townships": {"indicators": {"a": {"name": "招商引资到位资金"}, "b": {"name": "规上工业产值"},
                                                   "c": {"name": "固定资产投资"}}, "units": []}}
    assert rules_of(check_shapes(doc, data)) == ["shape"]


def test_direction_words_do_not_change_the_shape():
    assert shape("地区生产总值增长4.2%，高于全市平均1.6个百分点", COUNTY) == \
        shape("社会消费品零售总额下降3.1%，低于全市平均0.2个百分点", COUNTY)


@pytest.mark.parametrize("doc", [
    "地区生产总值增长4.2%。社会消费品零售总额增长6.8%。要抓好落实。技术合同成交额下降62.5%。",
    "要坚定信心。要真抓实干。要狠抓落实。",  # set phrases carry no figure: style, not machinery
    "地区生产总值增长4.2%。社会消费品零售总额增长6.8%，居全市第5位。技术合同成交额完成0.03亿元，完成年度目标的3.8%。",
])
def test_varied_or_set_sentences_pass(doc):
    assert check_shapes(doc, COUNTY) == []


def test_enumerators_are_not_part_of_the_shape():
    assert shape("一是地区生产总值增长4.2%", COUNTY) == shape("二是技术合同成交额增长4.0%", COUNTY)


# --------------------------------------------------------------------------- (h) leaks

@pytest.mark.parametrize("bad", [
    "地区生产总值增长None%",
    "完成率为nan%",
    "{{ gdp.value }}亿元",
    "牵头单位：[]",
    "居全市第X位",
    "东山镇、、西河镇",
    "完成年度目标的，，",
    "重点项目（）推进顺利",
    "3项设有增速目标的指标中只有0项达标",
])
def test_machinery_fails(bad):
    assert rules_of(check_leaks(bad)) == ["leak"]


@pytest.mark.parametrize("good", [
    "PM2.5平均浓度为35微克/立方米",
    "东山镇、西河镇和南岭镇",
    "12345热线投诉件下降8.0%",
    "运用Excel表格汇总",
])
def test_ordinary_text_passes(good):
    assert check_leaks(good) == []


# --------------------------------------------------------------------------- (i) level

def test_level_words():
    assert rules_of(check_level("全县固定资产投资下降4.8%", CITY)) == ["level"]
    assert rules_of(check_level("各乡镇要正视比拼结果", CITY)) == ["level"]
    assert rules_of(check_level("全区经济运行总体平稳", COUNTY)) == ["level"]
    assert check_level("全市各县（市、区）要正视比拼结果", CITY) == []
    assert check_level("全县地区生产总值居全市第28位", COUNTY) == []


# --------------------------------------------------------------------------- all rules

def test_every_rule_can_fail_and_check_all_runs_them():
    doc = ("## 二、存在的问题\n\n"
           "地区生产总值居全市倒数第1位，保持领先。城镇调查失业率较上年提升0.4个百分点。"
           "技术合同成交额完成0.0亿元。东山镇、西河镇和南岭镇排在前列。"
           "全社会用电量增长3.0%。全社会用电量增长3.0%。全社会用电量增长3.0%。"
           "社会消费品零售总额位次前移3位。全区None。")
    found = set(rules_of(check_all(doc, COUNTY)))
    assert found == set(RULES) - {"yearend"}
    assert rules_of(check_all("落后序时进度4.4个百分点", YEAR)) == ["yearend"]


def test_a_clean_paragraph_passes_everything():
    doc = ("## 二、存在的问题\n\n"
           "地区生产总值增长4.2%，增速较一季度回落0.9个百分点，低于全市平均1.6个百分点，居全市第28位。"
           "城镇调查失业率为5.6%，较上年上升0.4个百分点，位次后退4位。")
    assert check_all(doc, COUNTY) == []
