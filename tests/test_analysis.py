"""The analyse stage on hand-made indicators: every derived figure and verdict."""

import datetime as dt

import pytest

from generator.facts.analysis import (analyse, grade_steps, indicator_facts, jsonable, project_facts,
                                schedule_status)
from generator.sources.dataset import (Dataset, Indicator, Meta, ProblemList, Project, Rules, Snapshot,
                               Speaker, Target, TaskItem, TaskTheme)
from generator.facts.period import parse_period

RULES = Rules()


def ind(**kw) -> Indicator:
    base = {"id": "x", "name": "指标", "card": "经济", "unit": "亿元"}
    return Indicator(**(base | kw))


def facts(i: Indicator, schedule: float = 0.5, size: int = 38) -> dict:
    return indicator_facts(i, schedule, size, RULES)


class TestSchedule:
    @pytest.mark.parametrize("value,target,schedule,better,completion,on,gap", [
        (50, 100, 0.5, "higher", 0.5, True, 0.0),          # exactly on schedule
        (45, 100, 0.5, "higher", 0.45, False, 5.0),        # 5 个百分点 behind
        (80, 100, 0.75, "higher", 0.8, True, -5.0),        # ahead: negative gap
        (0, 100, 0.25, "higher", 0.0, False, 25.0),        # nothing done yet
        (-10, 100, 0.5, "higher", -0.1, False, 60.0),      # negative value
        (6, 20, 0.5, "lower", 0.3, True, -20.0),           # a ceiling, well under
        (12, 20, 0.5, "lower", 0.6, False, 10.0),          # a ceiling, over the line
        (0.1 + 0.2, 0.6, 0.5, "higher", 0.5, True, 0.0),   # float noise does not flip it
    ])
    def test_completion_and_gap(self, value, target, schedule, better, completion, on, gap):
        s = schedule_status(value, target, schedule, better)
        assert s == {"completion": pytest.approx(completion), "on_schedule": on,
                     "schedule_gap": pytest.approx(gap), "completion_places": 1, "schedule_short": None}

    @pytest.mark.parametrize("value,target", [(None, 100), (50, None), (50, 0)])
    def test_unassessable(self, value, target):
        assert schedule_status(value, target, 0.5, "higher") == {
            "completion": None, "on_schedule": None, "schedule_gap": None, "completion_places": 1,
            "schedule_short": None}


class TestIndicatorFacts:
    def test_changes_and_moves(self):
        f = facts(ind(value=156.3, growth=4.2, rank=28, grade="C",
                      previous=Snapshot(value=75.1, growth=5.1, rank=20, grade="B"),
                      scope_average=Snapshot(growth=5.8),
                      peers={"临江县": Snapshot(growth=5.0), "石门县": Snapshot(growth=3.9)},
                      target=Target(growth=6.5)))
        assert f["growth_change"] == pytest.approx(-0.9)
        assert f["rank_move"] == -8
        assert f["grade_steps"] == -1
        assert f["gap_to_average"] == pytest.approx(-1.6)
        assert f["above_average_good"] is False
        assert [(p["name"], p["gap"], p["good"]) for p in f["peers"]] == [
            ("临江县", pytest.approx(-0.8), False), ("石门县", pytest.approx(0.3), True)]
        assert f["peers_behind"] == ["临江县"]
        assert f["target_growth_gap"] == pytest.approx(-2.3)
        assert f["meets_growth_target"] is False
        assert f["verdict"] == "shortfall"
        assert {"rank_move", "growth_target", "average", "growth_change"} <= set(f["reasons"]["bad"])
        assert f["reasons"]["good"] == ["growth"]  # conceded in the sentence, never praised

    def test_better_lower_flips_every_comparison(self):
        f = facts(ind(unit="%", better="lower", value=5.2, growth=None, rank=30,
                      previous=Snapshot(value=5.6, rank=33),
                      scope_average=Snapshot(value=5.5), target=Target(value=5.5)))
        assert f["compared"] == "value"
        assert f["value_change"] == pytest.approx(-0.4)
        assert f["value_change_good"] is True        # the rate fell: good for unemployment
        assert f["gap_to_average"] == pytest.approx(-0.3)
        assert f["above_average_good"] is True       # below average is good here
        assert f["rank_move"] == 3
        # a rate target is a level, not a cumulative amount: 5.2% is under a 5.5% ceiling
        assert f["completion"] is None
        assert f["on_schedule"] is True
        assert f["schedule_gap"] == pytest.approx(-0.3)
        assert f["growth_good"] is None

    def test_lower_growth_is_adverse_when_it_rises(self):
        f = facts(ind(unit="起", better="lower", value=14, growth=16.7, rank=35, grade="E",
                      previous=Snapshot(rank=31, grade="D")))
        assert f["growth_good"] is False
        assert "growth" in f["reasons"]["bad"]
        assert f["verdict"] == "shortfall"

    def test_missing_previous_period(self):
        f = facts(ind(value=10, growth=3.0, rank=5))
        assert f["growth_change"] is None
        assert f["rank_move"] is None
        assert f["grade_steps"] is None
        assert f["verdict"] == "achievement"        # top 5 and nothing against it
        assert sorted(f["reasons"]["good"]) == ["growth", "rank"] and f["reasons"]["bad"] == []

    def test_zero_and_negative_values(self):
        f = facts(ind(value=0.0, growth=0.0, rank=19, previous=Snapshot(growth=0.0, rank=19)))
        assert f["growth_change"] == 0
        assert f["growth_good"] is None and f["growth_change_good"] is None
        assert f["rank_move"] == 0
        assert f["verdict"] is None

    def test_rank_one_and_last(self):
        top = facts(ind(rank=1, grade="A", previous=Snapshot(rank=4, grade="B")))
        assert top["verdict"] == "achievement"
        assert {"grade", "rank_move", "rank", "grade_move"} == set(top["reasons"]["good"])
        last = facts(ind(rank=38, grade="E", growth=-3.1, previous=Snapshot(rank=38, grade="E")))
        assert last["rank_move"] == 0
        assert {"grade", "growth", "rank"} == set(last["reasons"]["bad"])

    def test_target_of_zero_is_not_assessed(self):
        f = facts(ind(value=3, target=Target(value=0)))
        assert f["completion"] is None and f["on_schedule"] is None

    def test_a_strong_bad_statement_outweighs_a_good_grade(self):
        # WRITING.md §1: any strong bad statement places the indicator under shortfalls,
        # and its sentence concedes the good side
        f = facts(ind(rank=15, grade="A", growth=-1.0))
        assert f["reasons"] == {"good": ["grade"], "bad": ["growth"]}
        assert f["verdict"] == "shortfall"

    def test_weak_evidence_on_both_sides_is_neither(self):
        f = facts(ind(rank=19, growth=1.0, previous=Snapshot(growth=2.0, rank=20)))
        assert f["reasons"] == {"good": ["growth"], "bad": ["growth_change"]}
        assert f["verdict"] is None

    def test_rules_come_from_data(self):
        strict = Rules(achievement_grades=("A", "B"), achievement_top=0)
        f = indicator_facts(ind(rank=12, grade="B"), 0.5, 38, strict)
        assert f["verdict"] == "achievement"


@pytest.mark.parametrize("prev,cur,steps", [
    ("B", "A", 1), ("A", "C", -2), ("C", "C", 0), (None, "A", None), ("A", "F", None)])
def test_grade_steps(prev, cur, steps):
    assert grade_steps(prev, cur) == steps


def test_projects_behind_schedule_first_not_started():
    p = project_facts([
        Project("甲", "县发改委", 4.0, 2.4, True),
        Project("乙", "县经信委", 2.0, 0.0, False),
        Project("丙", "县住建委", 5.0, 1.0, True),
    ], schedule=0.5)
    assert p["started"] == 2 and p["start_rate"] == pytest.approx(2 / 3)
    assert p["planned"] == 11.0 and p["completed"] == pytest.approx(3.4)
    assert p["on_schedule"] is False
    assert [x["name"] for x in p["behind"]] == ["乙", "丙"]


def _dataset(**kw) -> Dataset:
    meta = Meta(region="青山县", level="县", period=parse_period("2024-Q2"), scope="全市",
                scope_size=38, peers=("临江县",), meeting="例会", speaker=Speaker("县委书记", "张某"),
                date=dt.date(2024, 7, 15))
    base = {"source": "t.yaml", "meta": meta, "indicators": {
        "gdp": ind(id="gdp", name="地区生产总值", value=156.3, growth=4.2, rank=28, grade="C",
                   previous=Snapshot(growth=5.1, rank=20, grade="B"), target=Target(value=320),
                   peers={"临江县": Snapshot(growth=5.0)}),
        "party": ind(id="party", name="基层党建", card="党建", unit="分", rank=2, grade="A",
                     previous=Snapshot(rank=6, grade="B")),
        "jobs": ind(id="jobs", name="城镇新增就业", card="民生", unit="人", value=2100, rank=9,
                    grade="B", target=Target(value=4000)),
    }}
    return Dataset(**(base | kw))


class TestAnalyse:
    def test_selections(self):
        f = analyse(_dataset(
            problem_lists=(ProblemList("信访", "较差", 30, 26), ProblemList("安全", "好", 3, 9)),
            tasks=(TaskTheme("比担当", (TaskItem("抓投资", "县发改委", dt.date(2024, 9, 30), "gdp"),)),)))
        assert [x["id"] for x in f["achievements"]] == ["party", "jobs"]
        assert [x["id"] for x in f["shortfalls"]] == ["gdp"]
        assert f["grade_counts"] == {"A": 1, "B": 1, "C": 1, "D": 0, "E": 0}
        assert [(c["card"], c["count"], c["grades"]["A"]) for c in f["cards"]] == [
            ("党建", 1, 1), ("经济", 1, 0), ("民生", 1, 0)]
        assert [x["id"] for x in f["schedule_targets"]["behind"]] == ["gdp"]
        assert [x["id"] for x in f["schedule_targets"]["on"]] == ["jobs"]
        assert [x["id"] for x in f["risers"]] == ["party"]
        assert [x["id"] for x in f["fallers"]] == ["gdp"]
        assert [x["id"] for x in f["trailing_peers"]["临江县"]] == ["gdp"]
        assert [x["name"] for x in f["problem_lists"]["poor"]] == ["信访"]
        assert f["problem_lists"]["risers"][0]["rank_move"] == 6
        assert f["tasks"][0]["entries"][0]["indicator"]["id"] == "gdp"
        assert f["townships"] is None
        assert f["meta"]["whole"] == "全县" and f["meta"]["previous_name"] == "一季度"

    def test_jsonable_has_no_python_objects(self):
        data = jsonable(analyse(_dataset()))
        assert data["meta"]["date"] == "2024-07-15"
        assert data["meta"]["period"] == "2024-Q2"
        assert "by_id" not in data


def test_a_gap_too_small_for_one_decimal_is_said_as_the_amount_to_do():
    # 9999.5万元 of 24000万元 after five months: 41.66% against 41.67%, 0.5万元 short
    s = schedule_status(9999.5, 24000, 5 / 12, "higher")
    assert (s["on_schedule"], s["schedule_gap"], s["completion_places"]) == (False, 0.01, 2)
    assert s["schedule_short"] == pytest.approx(0.5)
    # and 10000万元 is on the line exactly
    assert schedule_status(10000, 24000, 5 / 12, "higher")["on_schedule"] is True


@pytest.mark.parametrize("growth,average,gap,places", [
    (0.04, 5.6, -5.56, 2),   # 增长0.04%: the gap keeps the places the growth is printed with
    (-2.35, 2.15, -4.5, 1),  # 下降2.4%: the unprinted average is not rounded first (not 4.6)
    (4.2, 5.8, -1.6, 1),
    (4.2, 4.2, 0.0, 1),
])
def test_a_growth_gap_to_the_average_and_peers_is_said_at_the_growths_places(growth, average, gap, places):
    f = facts(ind(value=1.0, growth=growth, scope_average=Snapshot(growth=average),
                  peers={"安平县": Snapshot(growth=average)}))
    assert (f["gap_to_average"], f["average_places"]) == (pytest.approx(gap), places)
    assert (f["peers"][0]["gap"], f["peers"][0]["places"]) == (pytest.approx(gap), places)
