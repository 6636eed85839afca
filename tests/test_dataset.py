"""Loading and validating indicator files: the bundled data, and what users get wrong."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from generator.sources import loader, validation
from generator.sources import dataset, yaml_reader as yaml_source
from generator.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).with_name("data")
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")

# Line numbers in tests/data/minimal.yaml that the error cases refer to.
META, PERIOD, SCOPE_SIZE, PEERS, SPEAKER, DATE = 1, 4, 6, 7, 9, 10
GDP_CARD, GDP_GROWTH, GDP_RANK, GDP_GRADE, JOBLESS_BETTER = 15, 18, 19, 20, 25
END = MINIMAL.count("\n")  # appended blocks start on line END + 1

TOWNSHIPS = """
townships:
  indicators:
    investment: {name: 固定资产投资, unit: 万元, weight: 60}
    revenue: {name: 一般公共预算收入, unit: 万元, weight: 40}
  units:
    - name: 东山镇
      previous_rank: 1
      values:
        investment: {value: 5200, target: 12000}
    - name: 西河镇
      previous_rank: 2
      values:
        revenue: {value: 800, target: 2000}
"""

TASKS = """
tasks:
  - theme: 比出更强责任担当
    items:
      - {text: 建立周调度制度, lead: 县发展改革委, due: 2024-09-30, indicator: gdp}
      - {text: 稳定就业, indicator: jobs}
"""


def edited(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the base text"
    return text.replace(old, new)


def load_error(text: str) -> DataError:
    with pytest.raises(DataError) as caught:
        loader.load_text(text, "minimal.yaml")
    return caught.value


def assert_reports(error: DataError, line: int, key: str | None, en: str, zh: str) -> None:
    """The message names file:line and key path, in English and in Chinese."""
    where = f"minimal.yaml:{line}: {key}: " if key else f"minimal.yaml:{line}: "
    assert f"{where}{en}" in str(error), str(error)
    assert f"{where}{zh}" in str(error), str(error)


# --- valid data -----------------------------------------------------------------

def test_bundled_county_loads_with_expected_figures():
    data = loader.load(ROOT / "indicators.yaml")
    meta = data.meta
    assert (meta.region, meta.level, meta.whole, meta.scope, meta.scope_size) == ("青山县", "县", "全县", "全市", 38)
    assert meta.period.code == "2024-Q2" and meta.period.schedule == 0.5
    assert meta.peers == ("临江县", "石门县")
    assert meta.speaker == dataset.Speaker(title="县委书记", name="张某某")
    assert meta.date == dt.date(2024, 7, 15) and meta.doc_number == "青委办〔2024〕12号"

    gdp = data.indicators["gdp"]
    assert (gdp.value, gdp.growth, gdp.rank, gdp.grade) == (156.3, 4.2, 28, "D")
    assert gdp.previous == dataset.Snapshot(value=75.1, growth=5.1, rank=20, grade="C")
    assert gdp.target == dataset.Target(growth=6.5)
    assert gdp.peers["石门县"].growth == 5.3 and gdp.scope_average.growth == 5.8
    assert data.indicators["fai"].growth == -3.6 and data.indicators["fai"].target.value == 150.0
    assert data.indicators["unemployment"].better == "lower" and data.indicators["unemployment"].is_rate
    assert data.indicators["party_building"].value is None and data.indicators["party_building"].unit == ""
    assert data.indicators["revenue"].decimals == 2 and data.indicators["revenue"].lead == "县财政局"
    assert list(data.indicators)[:3] == ["gdp", "industry", "fai"]  # file order kept


def test_bundled_county_covers_every_card_and_case_the_speech_needs():
    data = loader.load(ROOT / "indicators.yaml")
    indicators = list(data.indicators.values())
    cards = {ind.card for ind in indicators}
    assert cards == {"党建", "经济", "平安", "改革", "创新", "生态", "文化", "民生"}
    assert len(indicators) >= 26 and sum(ind.card == "经济" for ind in indicators) == 10

    def band(rank: int) -> str:  # 38 units in five bands
        return "ABCDE"[(rank > 8) + (rank > 15) + (rank > 23) + (rank > 31)]

    for ind in indicators:
        for rank, grade in ((ind.rank, ind.grade), (ind.previous.rank, ind.previous.grade)):
            assert rank is None or band(rank) == grade, ind.id
    dropped = [i.id for i in indicators if i.grade in ("D", "E") and i.previous.rank - i.rank <= -3]
    risen = [i.id for i in indicators if i.grade == "A" and i.previous.rank - i.rank >= 3]
    assert len(dropped) >= 3 and len(risen) >= 3
    assert any(i.growth is not None and i.growth < 0 for i in indicators)
    assert any(i.value is None and i.grade for i in indicators)
    assert len(data.problem_lists) == 8 and len(data.projects) == 10 and 4 <= len(data.tasks) <= 5

    towns = data.townships
    assert towns is not None and len(towns.units) >= 14
    assert sum(ind.weight for ind in towns.indicators.values()) == 100
    assert sorted(u.previous_rank for u in towns.units) == list(range(1, len(towns.units) + 1))
    assert towns.scoring == dataset.Scoring(method="completion", cap=1.2,
                                            grades={"A": 0.2, "B": 0.4, "C": 0.6, "D": 0.8, "E": 1.0})
    values = [v for u in towns.units for v in u.values.values()]
    assert any(v.value == 0 for v in values) and any(v.value is None for v in values)
    assert towns.units[1].values["investment"] == dataset.TownshipValue(value=5200.0, target=12000.0)


def test_district_file_loads():
    data = loader.load(DATA / "district_q3.yaml")
    assert (data.meta.region, data.meta.whole, data.meta.scope_size) == ("河西区", "全区", 12)
    assert data.meta.period.cumulative_name == "前三季度"
    assert data.meta.date == dt.date(2025, 10, 20)  # a quoted date string is accepted
    assert len(data.indicators) >= 10 and len(data.townships.units) == 6
    assert data.indicators["gdp"].peers["河东区"] == dataset.Snapshot(growth=6.3, rank=2)
    assert data.tasks[1].items[0].indicator == "safety"


def test_minimal_file_takes_defaults():
    data = loader.load(DATA / "minimal.yaml")
    assert data.source == str(DATA / "minimal.yaml")
    assert list(data.indicators) == ["gdp", "jobless"]
    assert data.indicators["jobless"].grade is None and data.indicators["gdp"].better == "higher"
    assert data.townships is None and data.tasks == () and data.rules == dataset.Rules()
    assert data.meta.issuer == "" and data.meta.print_date is None


def test_rules_townships_and_tasks_are_built():
    text = MINIMAL + TOWNSHIPS + edited("indicator: jobs", "indicator: jobless", TASKS) + """
rules:
  achievement_grades: [A, B]
  bottom_n: 5
"""
    data = loader.load_text(text, "minimal.yaml")
    assert data.rules.achievement_grades == ("A", "B") and data.rules.bottom_n == 5
    assert data.rules.shortfall_rank_down == 3
    assert data.townships.scoring == dataset.Scoring()
    assert data.townships.units[1].values == {"revenue": dataset.TownshipValue(800.0, 2000.0)}
    assert data.tasks[0].items[0] == dataset.TaskItem(text="建立周调度制度", lead="县发展改革委",
                                                      due=dt.date(2024, 9, 30), indicator="gdp")


def test_bom_is_ignored_and_empty_values_mean_missing():
    data = loader.load_text("\ufeff" + edited("growth: 4.2", "growth:"), "minimal.yaml")
    assert data.meta.region == "青山县" and data.indicators["gdp"].growth is None


def test_lines_are_recorded_by_key_path():
    _, lines = yaml_source.parse_text(MINIMAL + TOWNSHIPS, "minimal.yaml")
    assert lines[("indicators", "gdp", "growth")] == GDP_GROWTH
    assert lines[("meta", "speaker", "name")] == SPEAKER
    assert lines[("townships", "units", 1, "values", "revenue")] == END + 14
    assert yaml_source.line_of(("indicators", "gdp", "target", "value"), lines) == 13  # falls back to gdp


# --- YAML and bytes -------------------------------------------------------------

def test_tab_indentation():
    error = load_error(edited("  scope: 全市", "\tscope: 全市"))
    assert_reports(error, 5, None, "a tab is used for indentation; indent with spaces", "使用了Tab缩进，请改用空格缩进")


def test_duplicate_key_points_at_the_second_one():
    error = load_error(edited("    grade: D\n", "    grade: D\n    growth: 5.0\n"))
    assert_reports(error, GDP_GRADE + 1, "indicators.gdp.growth",
                   f'duplicate key "growth" (first at line {GDP_GROWTH})', f'键"growth"重复（第{GDP_GROWTH}行已出现）')


def test_unclosed_quote_points_at_the_opening_quote():
    # The quote runs on to the next '"' (line 24) and the parser fails there.
    error = load_error(edited("unit: 亿元", 'unit: "亿元'))
    assert_reports(error, 16, None, "a quote opened here is closed only on line 24; close it on the same line",
                   "此处的引号没有在本行闭合（直到第24行才闭合），请在本行补上引号")


def test_quote_left_open_to_the_end_of_the_file():
    error = load_error(edited('unit: "%"', 'unit: "%'))
    assert_reports(error, 24, None, "a quote opened here is never closed", "此处的引号没有闭合")


def test_bad_indentation():
    error = load_error(edited("    rank: 28", "   rank: 28"))
    assert_reports(error, GDP_RANK, None, "the indentation does not line up with the lines above", "缩进与上文不一致")


def test_unquoted_percent_unit():
    error = load_error(edited('unit: "%"', "unit: %"))
    assert_reports(error, 24, None, 'a value cannot start with %; put it in quotes, e.g. unit: "%"',
                   '以%开头的值要加引号，如 unit: "%"')


def test_full_width_colon_after_a_key():
    error = load_error(edited("  scope: 全市", "  scope：全市"))
    assert_reports(error, 5, None, 'a key is followed by a full-width colon "："', '键后用了全角冒号"："')


def test_impossible_date():
    error = load_error(edited("date: 2024-07-15", "date: 2024-02-30"))
    assert_reports(error, DATE, None, "2024-02-30 is not a real calendar date", "2024-02-30不是有效的日期")


def test_empty_file(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_bytes(b"")
    with pytest.raises(DataError, match="the file is empty") as caught:
        loader.load(path)
    assert caught.value.file == str(path) and caught.value.zh == "文件为空"


def test_comments_only_file():
    with pytest.raises(DataError, match="has no data") as caught:
        loader.load_text("# 待填\n\n", "minimal.yaml")
    assert caught.value.zh == "文件没有数据（只有注释或空行）"


def test_gbk_file_is_refused_with_advice(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_bytes(MINIMAL.encode("gbk"))
    with pytest.raises(DataError) as caught:
        loader.load(path)
    assert caught.value.en == "the file is GBK-encoded; save it as UTF-8"
    assert caught.value.zh == "文件是GBK编码，请另存为UTF-8"


def test_binary_file(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)))
    with pytest.raises(DataError, match="not a text file") as caught:
        loader.load(path)
    assert caught.value.zh.startswith("不是文本文件")


def test_latin1_file_names_the_bad_byte(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_bytes(MINIMAL.encode("utf-8").replace("青山县".encode(), b"caf\xe9"))
    with pytest.raises(DataError) as caught:
        loader.load(path)
    assert (caught.value.line, caught.value.en) == (2, "not UTF-8 text (invalid byte 0xE9); save it as UTF-8")


def test_multiline_quoted_text_far_from_an_error_is_not_blamed():
    text = edited("meeting: 全县2024年二季度工作例会", 'meeting: "全县2024年\n    二季度工作例会"')
    error = load_error(edited("    rank: 28", "   rank: 28", text))
    assert_reports(error, GDP_RANK + 1, None, "the indentation does not line up", "缩进与上文不一致")


def test_utf16_file(tmp_path):
    path = tmp_path / "indicators.yaml"
    path.write_bytes(MINIMAL.encode("utf-16"))
    with pytest.raises(DataError, match="UTF-16"):
        loader.load(path)


def test_too_large_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "indicators.yaml"
    with path.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)  # sparse: nothing is written
    with pytest.raises(DataError, match=re.escape("too large for an indicator file (10.0 MB; limit 10 MB)")):
        loader.load(path)


def test_top_level_list():
    error = load_error("- gdp\n- fai\n")
    assert_reports(error, 1, None, "the top level must be a mapping (meta:, indicators: …), got a list",
                   "顶层应为键值映射（meta:、indicators: 等），实际为列表")


def test_self_referencing_alias():
    error = load_error(edited("peers: [临江县, 石门县]", "peers: &p [临江县, *p]"))
    assert_reports(error, PEERS, "meta.peers[1]", "an alias refers to the mapping or list that contains it",
                   "别名引用了包含它自身的内容")


# --- schema -------------------------------------------------------------------

def test_growth_with_percent_sign():
    error = load_error(edited("growth: 4.2", 'growth: "4.2%"'))
    assert_reports(error, GDP_GROWTH, "indicators.gdp.growth", 'expected a number, got "4.2%"', '应为数字，实际为"4.2%"')
    assert (error.file, error.line, error.key) == ("minimal.yaml", GDP_GROWTH, "indicators.gdp.growth")


def test_boolean_is_not_a_number():
    error = load_error(edited("growth: 4.2", "growth: yes"))
    assert_reports(error, GDP_GROWTH, "indicators.gdp.growth", "expected a number, got true", "应为数字，实际为true")


def test_list_where_a_mapping_belongs():
    error = load_error(edited("speaker: {title: 县委书记, name: 张某某}", "speaker: [县委书记, 张某某]"))
    assert_reports(error, SPEAKER, "meta.speaker", "expected a mapping (key: value), got a list",
                   "应为键值映射（键: 值），实际为列表")


def test_missing_region_points_at_meta():
    error = load_error(edited("  region: 青山县\n", ""))
    assert_reports(error, META, "meta.region", "required key is missing", "缺少必填项")


def test_rank_zero():
    error = load_error(edited("rank: 28", "rank: 0"))
    assert_reports(error, GDP_RANK, "indicators.gdp.rank", "expected a whole number ≥ 1, got 0", "应为不小于1的整数，实际为0")


def test_unknown_period():
    error = load_error(edited("2024-Q2", "2024-Q5"))
    assert_reports(error, PERIOD, "meta.period",
                   'expected a period such as 2024-Q2, 2024-H1, 2024-M05 or 2024, got "2024-Q5"',
                   '应为报告期，如2024-Q2、2024-H1、2024-M05或2024，实际为"2024-Q5"')


def test_year_alone_is_a_period():
    data = loader.load_text(edited("period: 2024-Q2", "period: 2024"), "minimal.yaml")
    assert data.meta.period.kind == "Y" and data.meta.period.schedule == 1.0


def test_unknown_grade():
    error = load_error(edited("grade: D", "grade: F"))
    assert_reports(error, GDP_GRADE, "indicators.gdp.grade", 'expected one of A, B, C, D, E, got "F"',
                   '应为A、B、C、D、E之一，实际为"F"')


def test_negative_scope_size():
    error = load_error(edited("scope_size: 38", "scope_size: -38"))
    assert_reports(error, SCOPE_SIZE, "meta.scope_size", "expected a whole number ≥ 1, got -38",
                   "应为不小于1的整数，实际为-38")


def test_unknown_card():
    error = load_error(edited("card: 经济", "card: 金融"))
    assert_reports(error, GDP_CARD, "indicators.gdp.card",
                   'expected one of 党建, 经济, 平安, 改革, 创新, 生态, 文化, 民生, got "金融"',
                   '应为党建、经济、平安、改革、创新、生态、文化、民生之一，实际为"金融"')


def test_unknown_better_direction():
    error = load_error(edited("better: lower", "better: up"))
    assert_reports(error, JOBLESS_BETTER, "indicators.jobless.better", 'expected one of higher, lower, got "up"',
                   '应为higher、lower之一，实际为"up"')


def test_typo_inside_target_is_named():
    error = load_error(edited("    grade: D\n", "    grade: D\n    target: {valeu: 300}\n"))
    assert_reports(error, GDP_GRADE + 1, "indicators.gdp.target.valeu", 'unexpected key "valeu" (allowed: growth, value)',
                   '不认识的键"valeu"（可用：growth、value）')


def test_extra_keys_are_allowed_at_top_level_and_in_indicators():
    text = edited("    grade: D\n", "    grade: D\n    source: 县统计局\n") + "notes: 二季度数据\n"
    assert loader.load_text(text, "minimal.yaml").indicators["gdp"].grade == "D"


def test_badly_written_date():
    error = load_error(edited("date: 2024-07-15", "date: 2024-7-15"))
    assert_reports(error, DATE, "meta.date", 'expected a date such as 2024-07-15, got "2024-7-15"',
                   '应为日期，如2024-07-15，实际为"2024-7-15"')


def test_repeated_peer():
    error = load_error(edited("peers: [临江县, 石门县]", "peers: [临江县, 临江县]"))
    assert_reports(error, PEERS, "meta.peers", 'expected no repeats, got "临江县" twice', '不应重复，"临江县"出现了两次')


def test_township_weight_must_be_positive():
    error = load_error(MINIMAL + edited("weight: 40", "weight: 0", TOWNSHIPS))
    assert_reports(error, END + 5, "townships.indicators.revenue.weight", "expected a number > 0, got 0",
                   "应为大于0的数，实际为0")


def test_several_problems_are_listed_in_line_order():
    text = edited("2024-Q2", "2024-Q9", edited("rank: 28", "rank: 0", edited("card: 经济", "card: 金融")))
    error = load_error(text)
    assert error.line is None and [p.line for p in error.problems] == [PERIOD, GDP_CARD, GDP_RANK]
    report = str(error).splitlines()
    assert report[0] == "minimal.yaml: 3 problems:"
    assert report[2] == '  minimal.yaml:15: indicators.gdp.card: expected one of 党建, 经济, 平安, 改革, 创新, 生态, 文化, 民生, got "金融"'
    assert report[4] == "minimal.yaml: 共3处问题："


def test_at_most_ten_problems_are_shown():
    many = "".join(f"  x{n}:\n    name: 指标{n}\n    card: 其他\n" for n in range(12))
    error = load_error(MINIMAL + many)  # twelve more indicators, each with an unknown card
    assert len(error.problems) == 12
    assert "  … and 2 more" in error.en and "  ……另有2处" in error.zh
    assert error.en.count("expected one of 党建") == 10


# --- checks beyond the schema ---------------------------------------------------

def test_rank_beyond_scope_size():
    error = load_error(edited("rank: 28", "rank: 39"))
    assert_reports(error, GDP_RANK, "indicators.gdp.rank", "expected a rank from 1 to 38 (meta.scope_size), got 39",
                   "位次应在1到38之间（meta.scope_size为38），实际为39")


def test_previous_and_problem_list_ranks_are_checked():
    text = edited("    grade: D\n", "    grade: D\n    previous: {rank: 40}\n") + \
        "problem_lists:\n  - {name: 信访, rating: 较差, rank: 30, previous_rank: 45}\n"
    error = load_error(text)
    assert_reports(error, GDP_GRADE + 1, "indicators.gdp.previous.rank",
                   "expected a rank from 1 to 38 (meta.scope_size), got 40", "位次应在1到38之间")
    assert_reports(error, END + 3, "problem_lists[0].previous_rank",
                   "expected a rank from 1 to 38 (meta.scope_size), got 45", "位次应在1到38之间")


def test_peer_figures_must_name_a_listed_peer():
    error = load_error(edited("    grade: D\n", "    grade: D\n    peers: {河东县: {growth: 5.0}}\n"))
    assert_reports(error, GDP_GRADE + 1, "indicators.gdp.peers.河东县", '"河东县" is not listed in meta.peers (临江县, 石门县)',
                   '"河东县"不在meta.peers中（临江县、石门县）')


def test_numeric_indicator_ids_are_text():
    text = edited("  jobless:", "  101:") + edited("indicator: jobs", "indicator: 101", TASKS)
    data = loader.load_text(text, "minimal.yaml")
    assert list(data.indicators) == ["gdp", "101"] and data.tasks[0].items[1].indicator == "101"


def test_unknown_task_indicator():
    error = load_error(MINIMAL + TASKS)
    assert_reports(error, END + 6, "tasks[0].items[1].indicator",
                   'unknown indicator id "jobs" (not a key of indicators: gdp, jobless)',
                   '指标id"jobs"不存在（indicators中没有这个键）')


def test_duplicate_township_name():
    error = load_error(MINIMAL + edited("name: 西河镇", "name: 东山镇", TOWNSHIPS))
    assert_reports(error, END + 11, "townships.units[1].name", f'duplicate township name "东山镇" (first at line {END + 7})',
                   f'乡镇名称"东山镇"重复（第{END + 7}行已出现）')


def test_township_value_for_an_unknown_indicator():
    error = load_error(MINIMAL + edited("        revenue: {value: 800", "        tax: {value: 800", TOWNSHIPS))
    assert_reports(error, END + 14, "townships.units[1].values.tax",
                   'unknown township indicator "tax" (not a key of townships.indicators: investment, revenue)',
                   '乡镇指标"tax"不存在')


def test_township_previous_rank_within_the_township_count():
    error = load_error(MINIMAL + edited("previous_rank: 2", "previous_rank: 3", TOWNSHIPS))
    assert_reports(error, END + 12, "townships.units[1].previous_rank",
                   "expected a rank from 1 to 2 (number of townships), got 3", "位次应在1到2之间")


def test_scoring_grades_must_rise_to_one():
    scoring = "  scoring: {grades: {A: 0.3, B: 0.2, C: 0.9}}\n  units:"
    error = load_error(MINIMAL + edited("  units:", scoring, TOWNSHIPS))
    assert_reports(error, END + 6, "townships.scoring.grades",
                   "expected rank shares rising from A to E and ending at 1.0, got 0.3, 0.2, 0.9",
                   "各档位次占比应从A到E逐档递增且最后一档为1.0，实际为0.3、0.2、0.9")


def test_not_a_number_is_refused():
    error = load_error(edited("value: 5.1", "value: .nan"))
    assert_reports(error, 26, "indicators.jobless.value", "expected a finite number, got nan", "应为有限的数值，实际为nan")


# --- the schema as a document -----------------------------------------------------

def test_schema_is_valid_and_every_property_is_titled_and_documented():
    schema = json.loads(validation.SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    docs = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    untitled, undocumented = [], []

    def visit(node: object) -> None:
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if "title" not in prop or not re.search(r"[\u4e00-\u9fff].*/ [A-Za-z]", prop["title"]):
                    untitled.append(name)
                if f"`{name}`" not in docs and f".{name}`" not in docs:
                    undocumented.append(name)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    assert untitled == [] and undocumented == []
