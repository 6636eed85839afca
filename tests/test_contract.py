"""The contract additions: 招商引资, departments, highlights, the annual assessment, task
leaders and units, project townships and listings, office keys, and what a template requires.

Each block is read from YAML, validated with file, line and key, derived into facts, and
reaches a template; office keys reach it unchanged and read-only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from generator import pipeline
from generator.cli import main
from generator.errors import DataError
from generator.facts import analysis, assessment
from generator.sources import loader, validation
from generator.sources import yaml_reader as yaml_source

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).with_name("data")
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
END = MINIMAL.count("\n")  # appended blocks start on line END + 1


def facts_of(text: str) -> dict:
    return analysis.analyse(loader.load_text(text, "minimal.yaml"))


def load_error(text: str) -> DataError:
    with pytest.raises(DataError) as caught:
        loader.load_text(text, "minimal.yaml")
    return caught.value


@pytest.fixture(scope="module")
def bundled() -> dict:
    return analysis.analyse(loader.load(ROOT / "indicators.yaml"))


# --- the bundled county --------------------------------------------------------------------

def test_the_bundled_file_reads_the_same_the_quick_way_and_the_careful_way():
    text = (ROOT / "indicators.yaml").read_text(encoding="utf-8")
    quick = loader.quick(text, "indicators.yaml")
    assert quick is not None  # the additions do not push valid data onto the slow path
    careful = loader.careful(text, "indicators.yaml")
    assert quick == careful
    data = yaml.safe_load(text)
    errors = list(Draft202012Validator(json.loads(validation.SCHEMA_PATH.read_text(encoding="utf-8")))
                  .iter_errors(validation.json_like(data)))
    assert errors == []


def test_bundled_investment_promotion(bundled):
    ip = bundled["investment_promotion"]
    assert ip["signed"] == {"projects": 26, "amount": 68.5}
    assert round(ip["start_rate"], 3) == 0.731  # 19 of 26 started
    funds = ip["funds"]
    assert funds["completion"] == 0.565 and funds["on_schedule"] and funds["schedule_gap"] == -6.5
    towns = ip["townships"]
    assert towns["count"] == 15 and len(towns["on_schedule"]) == 8
    assert towns["lowest"][0]["name"] == "黄土岭乡" and towns["zero"] == []
    # under half of 序时进度 (25%): 白云乡 is at exactly 25.0%, 桃源乡 at 27.5%
    assert towns["below_half"] == ["黄土岭乡"]
    assert [t["name"] for t in towns["lowest"]] == ["黄土岭乡", "白云乡", "桃源乡"]
    # the same figures as the race's 招商引资到位资金, in 亿元
    race = {u["name"]: u for u in bundled["townships"]["units"]}
    for t in towns["all"]:
        assert t["value"] * 10000 == pytest.approx(race[t["name"]]["indicators"]["attracted"]["value"])


def test_bundled_departments_rank_ties_as_the_race_does(bundled):
    deps = bundled["departments"]
    ranks = [(u["name"], u["rank"]) for u in deps["units"]]
    assert ranks[4:7] == [("县经济信息委", 5), ("县农业农村委", 5), ("县市场监管局", 7)]
    assert deps["label"] == "县直部门" and deps["grade_counts"] == {g: 3 for g in "ABCDE"}
    assert deps["risers"][0]["name"] == "县政务服务中心" and deps["risers"][0]["rank_move"] == 5
    assert [u["name"] for u in deps["bottom"]] == ["县商务局", "县科技局", "县生态环境局"]


def test_bundled_assessment(bundled):
    a = bundled["assessment"]
    county = a["county"]
    assert (county["rank"], county["rank_move"], county["grade_steps"]) == (4, 3, 1)
    assert county["best_since"] == {"since": 2019, "years": 5, "whole_record": True,
                                    "continuous": True, "beaten": 4}
    towns, depts = a["kinds"]
    assert towns["kind"] == "乡镇（街道）" and towns["grade_counts"] == {"优秀": 4, "良好": 7, "一般": 4, "较差": 0}
    assert towns["excellent"] == ["西河镇", "城关镇", "东山镇", "龙泉镇"] and towns["last"] == ["黄土岭乡"]
    assert depts["worst_grade"] == "较差" and depts["last"] == ["县商务局"]
    assert [u["grade"] for u in a["result_use"]] == ["优秀", "良好", "一般", "较差"]
    assert a["commended_count"] == 11  # 15 places: 县投资促进中心, 城关镇, 西河镇, 东山镇 twice
    figures = {f["id"]: f for f in a["year_figures"]}
    assert figures["investment_attracted"]["rank"] == 2 and figures["investment_attracted"]["rank_move"] == 8
    assert a["sub_excellent"] == ["乡村振兴战略实绩考核", "平安建设考核"]


def test_bundled_tasks_and_projects_carry_leaders_units_townships_and_listings(bundled):
    first = bundled["tasks"][0]["entries"][0]
    assert first["leader"] == "王某某副县长" and first["units"] == ["县统计局", "县财政局", "县经济信息委"]
    assert bundled["tasks"][0]["entries"][2]["units"] == []
    projects = bundled["projects"]
    assert [p["name"] for p in projects["listed"]] == ["青山工业园标准厂房二期", "东山镇农产品冷链物流中心",
                                                       "龙泉温泉康养旅游综合体"]
    assert projects["listed_townships"] == ["城关镇", "东山镇", "龙泉镇"]
    assert projects["by_township"]["西河镇"] == {"count": 1, "started": 0, "listed": []}


def test_facts_json_shows_the_new_blocks():
    result = CliRunner().invoke(main, ["facts", "--json", "--data", str(ROOT / "indicators.yaml")])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["assessment"]["notice"]["date"] == "2024-07-22"
    assert facts["highlights"][0]["indicator"]["id"] == "revenue"
    assert facts["meta"]["agenda"][1] == "县发展改革委、县财政局和东山镇作了交流发言"


# --- derived records ----------------------------------------------------------------------------

def _series(*ranks: tuple[int, int], size: int = 5) -> list[dict]:
    return [{"year": y, "rank": r, "grade": None, "group_size": size} for y, r in ranks]


def test_best_since_names_the_first_year_beaten_and_only_when_two_years_are():
    # 2019 did better (2nd); 2020–2022 did worse than this year's 3rd
    best = assessment.best_since(_series((2019, 2), (2020, 4), (2021, 5), (2022, 5), (2023, 3)), 2023)
    assert best == {"since": 2020, "years": 4, "whole_record": False, "continuous": True, "beaten": 3}
    # one year beaten is no record
    assert assessment.best_since(_series((2021, 3), (2022, 4), (2023, 3)), 2023) is None
    # a gap in the years: "Y年以来" but not "近N年"
    best = assessment.best_since(_series((2017, 4), (2020, 5), (2022, 4), (2023, 2)), 2023)
    assert best["since"] == 2017 and not best["continuous"] and best["whole_record"]


def test_a_run_of_falls_ended_and_leaving_the_last_place_are_computed():
    series = _series((2019, 1), (2020, 2), (2021, 4), (2022, 5), (2023, 3))
    assert assessment.decline_ended(series, 2023) == {"since": 2019, "falls": 3}
    assert assessment.decline_ended(_series((2021, 2), (2022, 3), (2023, 4)), 2023) is None  # still falling
    assert assessment.left_last_place(series, 2023) == {"since": 2022, "years": 1}
    assert assessment.left_last_place(_series((2022, 4), (2023, 3)), 2023) is None
    series = _series((2020, 5), (2021, 5), (2022, 5), (2023, 3))
    assert assessment.left_last_place(series, 2023) == {"since": 2020, "years": 3}


def test_county_history_may_give_last_year_or_leave_it_to_previous_rank():
    text = MINIMAL + """
assessment:
  year: 2023
  county:
    group_size: 5
    rank: 1
    previous_rank: 4
    history: [{year: 2021, rank: 3}, {year: 2020, rank: 5}]
"""
    county = facts_of(text)["assessment"]["county"]
    assert [p["year"] for p in county["history"]] == [2020, 2021, 2022]
    assert county["best_since"]["whole_record"] and county["best_since"]["years"] == 4
    assert county["is_first"]


def test_department_ranks_are_the_datas_when_given():
    text = MINIMAL + """
departments:
  label: 区级部门
  units:
    - {name: 区财政局, score: 80, rank: 2}
    - {name: 区商务局, score: 95, rank: 1, previous_rank: 2}
"""
    deps = facts_of(text)["departments"]
    assert [(u["name"], u["rank"], u["rank_move"]) for u in deps["units"]] == [
        ("区商务局", 1, 1), ("区财政局", 2, None)]
    assert deps["label"] == "区级部门"


def test_townships_at_zero_are_named_and_a_missing_figure_is_not_zero():
    text = MINIMAL + """
investment_promotion:
  townships:
    - {name: 东山镇, value: 0.8, target: 1.0}
    - {name: 西河乡, value: 0, target: 0.6}
    - {name: 南岭镇, target: 0.5}
    - {name: 石桥乡, value: 0.012, target: 0.6}
"""
    towns = facts_of(text)["investment_promotion"]["townships"]
    assert towns["zero"] == ["西河乡"] and towns["missing"] == ["南岭镇"]
    assert towns["on_schedule"] == ["东山镇"] and towns["behind"] == ["石桥乡", "西河乡"]
    assert [t["name"] for t in towns["lowest"]] == ["石桥乡"]
    assert towns["assessed_count"] == 3


# --- validation: file, line and key -------------------------------------------------------------

@pytest.mark.parametrize("block, line, key, en", [
    ("highlights:\n  - {unit: 县财政局, text: 建立台账, indicator: revenue}\n",
     END + 3, "highlights[0].indicator", 'unknown indicator id "revenue"'),
    ("tasks:\n  - theme: 稳增长\n    items:\n      - {text: 建立周调度制度, leader: \"\"}\n",
     END + 5, "tasks[0].items[0].leader", "expected text, got an empty value"),
    ("projects:\n  - {name: 标准厂房, lead: 县经信委, planned: 1, completed: 0.5, started: true, listed: 3}\n",
     END + 3, "projects[0].listed", "expected text, got 3"),
    ("departments:\n  units:\n    - {name: 县财政局, grade: F}\n",
     END + 4, "departments.units[0].grade", "expected one of A, B, C, D, E, got \"F\""),
    ("assessment:\n  year: 2023\n  sub_assessments:\n    - {name: 乡村振兴, grade: 优}\n",
     END + 5, "assessment.sub_assessments[0].grade", "expected one of 优秀, 良好, 一般, 较差"),
    ("assessment:\n  year: 2023\n  county: {group_size: 5, rank: 3, histroy: []}\n",
     END + 4, "assessment.county.histroy", 'unexpected key "histroy"'),
    ("assessment:\n  year: 2023\n  county:\n    group_size: 5\n    history:\n"
     "      - {year: 2021, rank: 2}\n      - {year: 2021, rank: 3}\n",
     END + 8, "assessment.county.history[1].year", "duplicate year 2021 (first at line"),
    ("assessment:\n  year: 2023\n  commendations:\n    - {title: 优秀单位, units: []}\n",
     END + 5, "assessment.commendations[0].units", "expected at least 1 entry, got 0"),
    ("assessment:\n  year: 2023\n  notice: {form: 决议}\n",
     END + 4, "assessment.notice.form", "expected one of 通报, 决定"),
    ("investment_promotion:\n  townships:\n    - {name: 东山镇, value: -0.2, target: 1}\n",
     END + 4, "investment_promotion.townships[0].value", "expected a number ≥ 0, got -0.2"),
])
def test_the_new_blocks_are_validated_with_line_and_key(block, line, key, en):
    error = load_error(MINIMAL + "\n" + block)
    assert (error.line, error.key) == (line, key), error.format()
    assert en in error.en and error.zh


def test_office_keys_are_no_error_and_a_typo_in_a_closed_mapping_still_is():
    text = MINIMAL + """
investment_promotion:
  signed: {projects: 4, amount: 2.5}
  foreign_share: 0.3
  signed_note: 含续建项目
"""
    assert facts_of(text)["investment_promotion"]["foreign_share"] == 0.3
    error = load_error(text.replace("{projects: 4, amount: 2.5}", "{projects: 4, amout: 2.5}"))
    assert error.key == "investment_promotion.signed.amout" and "allowed: projects, amount" in error.en


# --- office keys reach templates unchanged and read-only ---------------------------------------

OFFICE = MINIMAL.replace("  date: 2024-07-15\n", "  date: 2024-07-15\n  host_unit: 县委办公室\n  deadline: 2024-08-01\n") \
    .replace("    grade: D\n", "    grade: D\n    owner: {name: 李某, phone: \"0123\"}\n    verdict: 自定\n") + """
special_funds:
  - {name: 乡村振兴衔接资金, amount: 1.2}
townships:
  indicators:
    investment: {name: 固定资产投资, unit: 万元, weight: 100}
  units:
    - name: 东山镇
      town_code: D01
      values:
        investment: {value: 5200, target: 12000}
projects:
  - {name: 标准厂房, lead: 县经信委, planned: 1, completed: 0.5, started: true, phase: 二期}
tasks:
  - theme: 稳增长
    owner: 县政府办
    items:
      - {text: 建立周调度制度, priority: 高}
assessment:
  year: 2023
  units:
    - {name: 东山镇, kind: 乡镇, grade: 优秀, bonus: 2}
"""

OFFICE_TEMPLATE = """\
---
kind: speech
---

# 测试

{{ meta.host_unit }}；{{ meta.deadline | date_cn }}；{{ by_id.gdp.owner.name }}；{{ by_id.gdp.extra.verdict }}；\
{{ by_id.gdp.verdict is none or by_id.gdp.verdict != "自定" }}；{{ special_funds[0].name }}{{ special_funds[0].amount }}；\
{{ townships.units[0].town_code }}；{{ projects.all[0].phase }}；{{ tasks[0].owner }}{{ tasks[0].entries[0].priority }}；\
{{ assessment.units[0].bonus }}；{{ extra.special_funds | length }}
"""


def test_office_keys_reach_a_template_unchanged(tmp_path):
    path = tmp_path / "office.yaml"
    path.write_text(OFFICE, encoding="utf-8")
    template = tmp_path / "office.md.j2"
    template.write_text(OFFICE_TEMPLATE, encoding="utf-8")
    text = pipeline.speech(path, template=str(template), fmt="md").data.decode("utf-8")
    assert ("县委办公室；2024年8月1日；李某；自定；True；乡村振兴衔接资金1.2；D01；二期；县政府办高；2；1"
            in text), text


def test_office_keys_are_read_only_in_templates(tmp_path):
    path = tmp_path / "office.yaml"
    path.write_text(OFFICE, encoding="utf-8")
    template = tmp_path / "mutate.md.j2"
    template.write_text("---\nkind: speech\n---\n\n# 测试\n\n{% do by_id.gdp.owner.update({'name': 'x'}) %}\n",
                        encoding="utf-8")
    result = CliRunner().invoke(main, ["speech", "--data", str(path), "--template", str(template),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "read-only" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_office_keys_pass_the_json_schema():
    data = yaml_source.parse_text(OFFICE, "office.yaml")[0]
    schema = json.loads(validation.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(validation.json_like(data))) == []


# --- what a template requires -------------------------------------------------------------------

def test_a_template_that_requires_a_block_the_file_lacks_is_refused_with_both_names(tmp_path):
    template = tmp_path / "needs.md.j2"
    template.write_text("{#- description: 测试\n    requires: departments, assessment.units -#}\n"
                        "---\nkind: speech\n---\n\n# 测试\n", encoding="utf-8")
    data = tmp_path / "minimal.yaml"
    data.write_text(MINIMAL, encoding="utf-8")
    result = CliRunner().invoke(main, ["speech", "--data", str(data), "--template", str(template),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{data}: departments.units: the template needs needs the departments' race" in result.stderr
    assert "模板needs需要部门考核数据（departments.units），文件中没有" in result.stderr
    assert not (tmp_path / "out").exists()
    # with the block, the part named by the dotted path is still required
    data.write_text(MINIMAL + "\ndepartments:\n  units:\n    - {name: 县财政局}\n"
                    "assessment:\n  year: 2023\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["speech", "--data", str(data), "--template", str(template),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "assessment.units" in result.stderr


def test_templates_lists_what_each_template_needs():
    result = CliRunner().invoke(main, ["templates"])
    assert result.exit_code == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert "townships" in rows["quarterly_notice"] and "—" in rows["quarterly_speech"]
