"""Chinese wording: every expected string is written out literally in the tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jinja2
import pytest

from generator.wording import zh
from generator.facts.period import Period

NAN = float("nan")
INF = float("inf")


# ---------------------------------------------------------------- number

@pytest.mark.parametrize("x, decimals, expected", [
    (156.3, 1, "156.3"),
    (5200, 0, "5200"),
    (-3.1, 1, "-3.1"),
    (0, 1, "0.0"),
    (0, 0, "0"),
    (-0.0, 1, "0.0"),
    (-0.04, 1, "-0.04"),  # a non-zero figure never prints as zero
    (-0.4, 0, "-0.4"),
    (2.25, 1, "2.3"),
    (0.05, 1, "0.1"),
    (-2.25, 1, "-2.3"),
    (2.675, 2, "2.68"),
    (1234567.89, 1, "1234567.9"),
    (1e20, 1, "100000000000000000000.0"),
    (7, 2, "7.00"),
    (Decimal("4.45"), 1, "4.5"),
])
def test_number(x, decimals, expected):
    assert zh.number(x, decimals) == expected


def test_number_default_is_one_decimal():
    assert zh.number(4) == "4.0"


# ---------------------------------------------------------------- amount

@pytest.mark.parametrize("x, unit, decimals, expected", [
    (156.3, "亿元", None, "156.3亿元"),
    (156, "亿元", None, "156.0亿元"),
    (5200, "万元", None, "5200万元"),
    (5200.4, "万元", None, "5200万元"),
    (9999, "万元", None, "9999万元"),
    (10000, "万元", None, "1.00亿元"),
    (125000, "万元", None, "12.50亿元"),
    (125000, "万元", 1, "12.50亿元"),        # decimals are for 万元; promoted keeps two
    (-125000, "万元", None, "-12.50亿元"),
    (9999.6, "万元", None, "9999.6万元"),    # just under 1亿元: a decimal more, never 1.00亿元
    (9999.4, "万元", None, "9999万元"),
    (9999, "元", None, "9999元"),
    (48512, "元", None, "48512元"),          # per-capita income stays in 元
    (999999, "元", None, "999999元"),
    (1234567, "元", None, "123.46万元"),
    (1.25e9, "元", None, "12.50亿元"),        # 元 → 万元 → 亿元
    (99999, "人", None, "99999人"),
    (100000, "人", None, "10.00万人"),
    (125000, "人", None, "12.50万人"),
    (2350000, "千瓦时", None, "235.00万千瓦时"),
    (180000, "平方米", None, "18.00万平方米"),
    (12.5, "万人", None, "12.5万人"),
    (3, "万吨", None, "3.0万吨"),
    (45.2, "%", None, "45.2%"),
    (45.25, "%", None, "45.3%"),
    (3, "个", None, "3个"),
    (3.0, "个", None, "3个"),
    (3.5, "个", None, "3.5个"),
    (0, "万元", None, "0万元"),
    (-0.4, "万元", None, "-0.4万元"),
    (-0.04, "亿元", None, "-400万元"),     # down a unit rather than 0.0亿元
    (5200, "万元", 2, "5200.00万元"),
])
def test_amount(x, unit, decimals, expected):
    assert zh.amount(x, unit, decimals) == expected


# ---------------------------------------------------------------- growth and rate changes

@pytest.mark.parametrize("x, decimals, expected", [
    (4.2, 1, "增长4.2%"),
    (-3.1, 1, "下降3.1%"),
    (0, 1, "持平"),
    (-0.0, 1, "持平"),
    (-0.04, 1, "下降0.04%"),
    (0.04, 1, "增长0.04%"),
    (0.05, 1, "增长0.1%"),
    (-0.05, 1, "下降0.1%"),
    (2.25, 1, "增长2.3%"),
    (125.0, 1, "增长125.0%"),
    (-0.4, 0, "下降0.4%"),
    (12.345, 2, "增长12.35%"),
])
def test_growth(x, decimals, expected):
    assert zh.growth(x, decimals) == expected


@pytest.mark.parametrize("x, kwargs, expected", [
    (4.2, {"up": "增加", "down": "减少", "flat": "基本持平"}, "增加4.2%"),
    (-4.2, {"up": "增加", "down": "减少", "flat": "基本持平"}, "减少4.2%"),
    (0.0, {"up": "增加", "down": "减少", "flat": "基本持平"}, "基本持平"),
    (4.2, {"up": "同比增长"}, "同比增长4.2%"),
])
def test_growth_custom_verbs(x, kwargs, expected):
    assert zh.growth(x, **kwargs) == expected


@pytest.mark.parametrize("x, decimals, expected", [
    (45.2, 1, "45.2%"),
    (0, 1, "0.0%"),
    (-0.04, 1, "-0.04%"),
    (-3.1, 1, "-3.1%"),
    (2.25, 1, "2.3%"),
    (100, 0, "100%"),
    (99.95, 1, "100.0%"),
    (0.123, 2, "0.12%"),
])
def test_pct(x, decimals, expected):
    assert zh.pct(x, decimals) == expected


@pytest.mark.parametrize("fraction, decimals, expected", [
    (0.452, 1, "45.2%"),
    (0, 1, "0.0%"),
    (1, 1, "100.0%"),
    (1.2, 0, "120%"),
    (0.0225, 1, "2.3%"),       # half-up on 2.25, not float 2.2499…
    (-0.0004, 1, "-0.04%"),
    (-0.031, 1, "-3.1%"),
    (0.33333, 2, "33.33%"),
])
def test_share(fraction, decimals, expected):
    assert zh.share(fraction, decimals) == expected


@pytest.mark.parametrize("x, decimals, expected", [
    (0.9, 1, "0.9个百分点"),
    (-0.9, 1, "0.9个百分点"),
    (0, 1, "0.0个百分点"),
    (-0.04, 1, "0.04个百分点"),
    (1.25, 1, "1.3个百分点"),
    (-1.25, 1, "1.3个百分点"),
    (12, 0, "12个百分点"),
    (0.125, 2, "0.13个百分点"),
])
def test_points(x, decimals, expected):
    assert zh.points(x, decimals) == expected


@pytest.mark.parametrize("x, decimals, expected", [
    (0.9, 1, "提升0.9个百分点"),
    (-0.9, 1, "回落0.9个百分点"),
    (0, 1, "持平"),
    (-0.0, 1, "持平"),
    (-0.04, 1, "回落0.04个百分点"),
    (0.05, 1, "提升0.1个百分点"),
    (-2.25, 1, "回落2.3个百分点"),
    (15.0, 0, "提升15个百分点"),
])
def test_pp_change(x, decimals, expected):
    assert zh.pp_change(x, decimals) == expected


def test_pp_change_custom_verbs():
    assert zh.pp_change(-0.9, up="上升", down="下降") == "下降0.9个百分点"
    assert zh.pp_change(0.0, flat="基本持平") == "基本持平"


@pytest.mark.parametrize("diff, kwargs, expected", [
    (1.6, {}, "高于全市平均1.6个百分点"),
    (-0.6, {}, "低于全市平均0.6个百分点"),
    (0, {}, "与全市平均持平"),
    (-0.04, {}, "低于全市平均0.04个百分点"),
    (-0.0, {}, "与全市平均持平"),
    (0.05, {}, "高于全市平均0.1个百分点"),
    (2, {"target": "临江县", "unit": "亿元"}, "高于临江县2.0亿元"),
    (-1.25, {"target": "石门县", "unit": "%"}, "低于石门县1.3%"),
    (-12, {"target": "临江县", "unit": "", "decimals": 0}, "低于临江县12"),
    (3.456, {"target": "全省平均", "decimals": 2}, "高于全省平均3.46个百分点"),
])
def test_gap(diff, kwargs, expected):
    assert zh.gap(diff, **kwargs) == expected


# ---------------------------------------------------------------- multiples and counts

@pytest.mark.parametrize("x, decimals, expected", [
    (1.5, 1, "1.5倍"),
    (2, 1, "2.0倍"),
    (0, 1, "0.0倍"),
    (-0.04, 1, "0.0倍"),
    (1.25, 1, "1.3倍"),
    (3, 0, "3倍"),
    (1234.5, 0, "1235倍"),
    (0.666, 2, "0.67倍"),
])
def test_times(x, decimals, expected):
    assert zh.times(x, decimals) == expected


@pytest.mark.parametrize("n, unit, expected", [
    (3, "项", "3项"),
    (0, "项", "0项"),
    (1, "项", "1项"),
    (12, "个", "12个"),
    (38, "个县（市、区）", "38个县（市、区）"),
    (100000, "人", "100000人"),
    (5, "家", "5家"),
    (21, "条", "21条"),
])
def test_count(n, unit, expected):
    assert zh.count_of(n, unit) == expected


def test_count_default_unit():
    assert zh.count_of(7) == "7项"


# ---------------------------------------------------------------- ranks and grades

@pytest.mark.parametrize("r, size, reverse_bottom, expected", [
    (3, None, True, "第3位"),
    (28, None, True, "第28位"),
    (1, 38, True, "第1位"),
    (19, 38, True, "第19位"),       # exactly half: still counted from the top
    (20, 38, True, "倒数第19位"),
    (37, 38, True, "倒数第2位"),
    (38, 38, True, "倒数第1位"),
    (38, 38, False, "第38位"),
    (1, 1, True, "第1位"),
    (2, 3, True, "第2位"),          # the middle of an odd size
    (3, 3, True, "倒数第1位"),
    (2, 2, True, "倒数第1位"),
])
def test_rank(r, size, reverse_bottom, expected):
    assert zh.rank(r, size, reverse_bottom) == expected


@pytest.mark.parametrize("m, expected", [
    (3, "上升3位"),
    (-2, "下降2位"),
    (0, "位次不变"),
    (1, "上升1位"),
    (-1, "下降1位"),
    (37, "上升37位"),
    (-37, "下降37位"),
    (10, "上升10位"),
])
def test_rank_move(m, expected):
    assert zh.rank_move(m) == expected


@pytest.mark.parametrize("m, expected", [
    (3, "↑3"),
    (-2, "↓2"),
    (0, "—"),
    (None, "新列入"),
    (1, "↑1"),
    (-1, "↓1"),
    (37, "↑37"),
    (-37, "↓37"),
])
def test_rank_arrow(m, expected):
    assert zh.rank_arrow(m) == expected


@pytest.mark.parametrize("prev, cur, expected", [
    ("B", "A", "由B档升至A档"),
    ("B", "C", "由B档降至C档"),
    ("A", "A", "保持A档"),
    ("E", "E", "保持E档"),
    ("E", "A", "由E档升至A档"),
    ("A", "E", "由A档降至E档"),
    ("D", "C", "由D档升至C档"),
    ("C", "D", "由C档降至D档"),
])
def test_grade_move(prev, cur, expected):
    assert zh.grade_move(prev, cur) == expected


# ---------------------------------------------------------------- dates and periods

@pytest.mark.parametrize("d, expected", [
    (dt.date(2024, 7, 15), "2024年7月15日"),
    ("2024-07-15", "2024年7月15日"),
    (dt.date(2024, 1, 1), "2024年1月1日"),
    (dt.date(2024, 12, 31), "2024年12月31日"),
    ("2024-02-29", "2024年2月29日"),
    (" 2025-10-08 ", "2025年10月8日"),
    (dt.datetime(2024, 7, 15, 9, 30), "2024年7月15日"),
    (dt.date(2030, 11, 20), "2030年11月20日"),
])
def test_date_cn(d, expected):
    assert zh.date_cn(d) == expected


@pytest.mark.parametrize("d, expected", [
    (dt.date(2024, 7, 15), "7月15日"),
    ("2024-07-15", "7月15日"),
    (dt.date(2024, 1, 1), "1月1日"),
    (dt.date(2024, 12, 31), "12月31日"),
    ("2024-09-05", "9月5日"),
    (dt.datetime(2024, 10, 1, 8, 0), "10月1日"),
    (dt.date(2024, 2, 29), "2月29日"),
    (dt.date(2024, 11, 30), "11月30日"),
])
def test_month_day(d, expected):
    assert zh.month_day(d) == expected


@pytest.mark.parametrize("d, expected", [
    (dt.date(2024, 9, 30), "9月底前"),
    ("2024-09-30", "9月底前"),
    (dt.date(2024, 9, 15), "9月15日前"),
    (dt.date(2024, 9, 29), "9月29日前"),
    (dt.date(2024, 2, 29), "2月底前"),      # leap year
    (dt.date(2023, 2, 28), "2月底前"),
    (dt.date(2024, 2, 28), "2月28日前"),
    (dt.date(2024, 12, 31), "12月底前"),
    (dt.date(2024, 7, 31), "7月底前"),
    (dt.date(2024, 10, 1), "10月1日前"),
])
def test_deadline(d, expected):
    assert zh.deadline(d) == expected


@pytest.mark.parametrize("period, expected", [
    (Period(2024, "Q", 1), "一季度"),
    (Period(2024, "Q", 2), "上半年"),
    (Period(2024, "Q", 3), "前三季度"),
    (Period(2024, "Q", 4), "全年"),
    (Period(2024, "H", 1), "上半年"),
    (Period(2024, "Y", 1), "全年"),
    (Period(2024, "M", 5), "1—5月"),
    ("2024-Q3", "前三季度"),
    ("2024-M01", "1月"),
])
def test_period_name(period, expected):
    assert zh.period_name(period) == expected


@pytest.mark.parametrize("period, expected", [
    (Period(2024, "Q", 1), "一季度"),
    (Period(2024, "Q", 2), "二季度"),
    (Period(2024, "Q", 3), "三季度"),
    (Period(2024, "Q", 4), "四季度"),
    (Period(2024, "H", 1), "上半年"),
    (Period(2024, "H", 2), "下半年"),
    (Period(2024, "M", 5), "5月"),
    (Period(2024, "Y", 1), "全年"),
    ("2024-Q2", "二季度"),
])
def test_stage_name(period, expected):
    assert zh.stage_name(period) == expected


# ---------------------------------------------------------------- enumerations

@pytest.mark.parametrize("n, expected", [
    (1, "一"), (2, "二"), (9, "九"), (10, "十"), (11, "十一"),
    (20, "二十"), (21, "二十一"), (99, "九十九"),
])
def test_cn(n, expected):
    assert zh.cn(n) == expected


@pytest.mark.parametrize("n, expected", [
    (1, "一是"), (2, "二是"), (3, "三是"), (4, "四是"), (5, "五是"),
    (10, "十是"), (11, "十一是"), (23, "二十三是"),
])
def test_ordinal_is(n, expected):
    assert zh.ordinal_is(n) == expected


@pytest.mark.parametrize("n, word, expected", [
    (1, "要", "一要"), (2, "要", "二要"), (3, "要", "三要"), (10, "要", "十要"),
    (12, "要", "十二要"), (1, "抓", "一抓"), (2, "是要", "二是要"), (4, "要", "四要"),
])
def test_ordinal_lead(n, word, expected):
    assert zh.ordinal_lead(n, word) == expected


def test_ordinal_lead_default_word():
    assert zh.ordinal_lead(5) == "五要"


@pytest.mark.parametrize("items, kwargs, expected", [
    (["甲", "乙", "丙"], {}, "甲、乙和丙"),
    (["甲", "乙"], {}, "甲和乙"),
    (["甲"], {}, "甲"),
    (["甲", "乙", "丙", "丁"], {}, "甲、乙、丙和丁"),
    (["甲", "乙", "丙"], {"last": "、"}, "甲、乙、丙"),
    (["甲", "乙"], {"last": "、"}, "甲、乙"),
    (["甲", "乙", "丙"], {"last": "及"}, "甲、乙及丙"),
    (["甲", "乙", "丙"], {"last": "或"}, "甲、乙或丙"),
    (("东山镇", "西河乡"), {}, "东山镇和西河乡"),
    ((name for name in ["东山镇", "西河乡", "南岭镇"]), {}, "东山镇、西河乡和南岭镇"),
    (["甲", "乙", "丙"], {"sep": "，", "last": "，"}, "甲，乙，丙"),
])
def test_join(items, kwargs, expected):
    assert zh.list_cn(items, **kwargs) == expected


# ---------------------------------------------------------------- bad input

_ONE_ARG = [zh.number, zh.pct, zh.share, zh.points, zh.times, zh.growth, zh.pp_change, zh.gap,
            zh.rank, zh.rank_move, zh.count_of, zh.cn, zh.ordinal_is, zh.ordinal_lead,
            zh.date_cn, zh.month_day, zh.deadline, zh.period_name, zh.stage_name, zh.list_cn]


@pytest.mark.parametrize("func", _ONE_ARG, ids=lambda f: f.__name__)
def test_none_raises_with_a_clear_message(func):
    with pytest.raises(ValueError, match="missing"):
        func(None)


@pytest.mark.parametrize("call", [
    lambda: zh.amount(None, "万元"),
    lambda: zh.amount(5, None),
    lambda: zh.grade_move(None, "A"),
    lambda: zh.grade_move("A", None),
    lambda: zh.rank(None, 38),
    lambda: zh.gap(1.0, None),
    lambda: zh.number(1.0, None),
], ids=["amount-x", "amount-unit", "grade-prev", "grade-cur", "rank-r", "gap-target",
        "decimals"])
def test_none_in_other_arguments_raises(call):
    with pytest.raises(ValueError, match="missing"):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: zh.number(NAN), "finite"),
    (lambda: zh.growth(INF), "finite"),
    (lambda: zh.amount(NAN, "亿元"), "finite"),
    (lambda: zh.number("4.2"), "must be a number"),
    (lambda: zh.number(True), "must be a number"),
    (lambda: zh.number(4.2, -1), "decimals"),
    (lambda: zh.times(-1.5), "negative"),
    (lambda: zh.count_of(-1), "negative"),
    (lambda: zh.count_of(2.0), "integer"),
    (lambda: zh.rank(0, 38), "1 or more"),
    (lambda: zh.rank(39, 38), "outside"),
    (lambda: zh.rank(2, 1), "outside"),
    (lambda: zh.rank(3.0), "integer"),
    (lambda: zh.rank_move(1.5), "integer"),
    (lambda: zh.rank_arrow("3"), "integer"),
    (lambda: zh.grade_move("B", "F"), "A–E"),
    (lambda: zh.grade_move("a", "B"), "A–E"),
    (lambda: zh.grade_move("AB", "B"), "A–E"),
    (lambda: zh.cn(0), "1..99"),
    (lambda: zh.cn(100), "1..99"),
    (lambda: zh.date_cn("2024-02-30"), "YYYY-MM-DD"),
    (lambda: zh.date_cn("2024/07/15"), "YYYY-MM-DD"),
    (lambda: zh.date_cn("20240715"), "YYYY-MM-DD"),
    (lambda: zh.period_name("2024-Q5"), "2024-Q2"),
    (lambda: zh.list_cn([]), "empty list: the template must handle it"),
    (lambda: zh.list_cn(iter([])), "empty list: the template must handle it"),
    (lambda: zh.list_cn("甲乙"), "list of names"),
    (lambda: zh.list_cn(["甲", None]), "non-empty text"),
    (lambda: zh.list_cn(["甲", ""]), "non-empty text"),
])
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------- registration

def test_every_filter_is_registered_under_its_own_name():
    assert set(zh.FILTERS) == {
        "number", "amount", "growth", "pct", "share", "points", "pp_change", "gap", "rank",
        "rank_move", "rank_arrow", "grade_move", "date_cn", "month_day", "deadline", "cn", "cn_count",
        "ordinal_is", "ordinal_lead", "list_cn", "count_of", "times", "period_name", "stage_name"}
    assert all(zh.FILTERS[name].__name__ == name for name in zh.FILTERS)
    assert {"cn", "ordinal_is", "ordinal_lead"} <= set(zh.GLOBALS)


@pytest.mark.parametrize("source, expected", [
    ("{{ g|growth }}", "下降3.1%"),
    ("{{ v|amount('万元') }}", "12.50亿元"),
    ("{{ names|list_cn }}", "甲、乙和丙"),
    ("{{ 20|rank(38) }}", "倒数第19位"),
    ("{% for t in names %}{{ ordinal_is(loop.index) }}{{ t }}；{% endfor %}", "一是甲；二是乙；三是丙；"),
    ("{{ d|deadline }}", "9月底前"),
])
def test_works_as_jinja_filters_and_globals(source, expected):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(zh.FILTERS)
    env.globals.update(zh.GLOBALS)
    facts = {"g": -3.1, "v": 125000, "names": ["甲", "乙", "丙"], "d": dt.date(2024, 9, 30)}
    assert env.from_string(source).render(**facts) == expected


@pytest.mark.parametrize("source", [
    "{{ missing|growth }}",
    "{{ missing|amount('万元') }}",
    "{{ missing|rank(38) }}",
    "{{ missing|date_cn }}",
    "{{ missing|list_cn }}",
    "{{ grade_move('B', missing) }}",
    "{{ 3|amount(missing) }}",
    "{{ missing|period_name }}",
])
def test_undefined_fact_keeps_jinja_error_naming_it(source):
    # The render stage turns UndefinedError into "the template uses something the facts do not have".
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(zh.FILTERS)
    env.globals.update(zh.GLOBALS)
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        env.from_string(source).render()


@pytest.mark.parametrize("n, expected", [(1, "一"), (2, "两"), (3, "三"), (10, "十"), (12, "十二"),
                                         (20, "二十"), (22, "二十二"), (99, "九十九")])
def test_cn_count_says_liang_for_two(n, expected):
    assert zh.cn_count(n) == expected
