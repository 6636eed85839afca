"""Framing rules at the source: each statement's polarity, and where an indicator is placed."""

import pytest

from generator.facts.analysis import indicator_facts
from generator.facts.statements import BAD, GOOD, balance, placement, rank_band
from generator.sources.dataset import Indicator, Rules, Snapshot, Target

RULES = Rules()


def ind(**kw) -> Indicator:
    base = dict(id="x", name="指标", card="经济", unit="亿元")
    base.update(kw)
    return Indicator(**base)


def said(f: dict) -> dict[str, str]:
    return {s["kind"]: s["polarity"] for s in f["statements"]}


@pytest.mark.parametrize("rank,size,band", [
    (1, 38, "top"), (13, 38, "top"), (14, 38, "middle"), (19, 38, "middle"), (20, 38, "bottom"),
    (10, 21, "middle"), (1, 2, None), (2, 2, None), (3, 5, None), (None, 38, None)])
def test_rank_bands(rank, size, band):
    assert rank_band(rank, size) == band


def test_a_bottom_half_rank_is_never_good_news():
    f = indicator_facts(ind(rank=30, grade="A", previous=Snapshot(rank=34)), 0.5, 38, RULES)
    assert said(f)["rank"] == BAD
    assert f["verdict"] == "shortfall"  # 倒数第9位 is strong bad, whatever the grade


def test_tenth_of_twentyone_is_not_an_advantage():
    f = indicator_facts(ind(rank=10, growth=2.0), 0.5, 21, RULES)
    assert "rank" not in said(f)


def test_in_a_scope_of_two_rank_and_moves_say_nothing():
    f = indicator_facts(ind(rank=1, growth=1.0, previous=Snapshot(rank=2)), 0.25, 2, RULES)
    assert "rank" not in said(f) and "rank_move" not in said(f)
    assert f["verdict"] is None


def test_a_rise_of_one_place_is_not_progress():
    f = indicator_facts(ind(rank=15, previous=Snapshot(rank=16)), 0.5, 38, RULES)
    assert "rank_move" not in said(f)


def test_behind_schedule_outweighs_a_rise_and_an_above_average_growth():
    f = indicator_facts(ind(value=71.4, growth=6.0, rank=10, target=Target(value=100),
                            previous=Snapshot(rank=13), scope_average=Snapshot(growth=5.0)),
                        0.75, 38, RULES)
    assert said(f)["schedule"] == BAD and said(f)["rank_move"] == GOOD and said(f)["average"] == GOOD
    assert f["verdict"] == "shortfall"


def test_unemployment_worsening_on_every_measure_is_a_shortfall():
    f = indicator_facts(ind(unit="%", better="lower", value=5.2, rank=30,
                            previous=Snapshot(value=4.9, rank=26), scope_average=Snapshot(value=5.0)),
                        0.5, 38, RULES)
    assert said(f)["value_change"] == BAD and said(f)["average"] == BAD and said(f)["rank"] == BAD
    assert f["verdict"] == "shortfall"


def test_a_level_is_compared_with_its_target_as_a_level():
    f = indicator_facts(ind(unit="微克/立方米", better="lower", measure_kind="level", value=35,
                            target=Target(value=35)), 0.5, 38, RULES)
    assert f["completion"] is None
    assert "schedule" not in said(f) and said(f)["level_target"] == GOOD


def test_at_a_years_end_a_target_is_met_or_missed():
    f = indicator_facts(ind(value=90, target=Target(value=100)), 1.0, 38, RULES, year_end=True)
    assert said(f) == {"target": BAD}
    assert f["verdict"] == "shortfall"


def test_placement_and_balance():
    strong_good = {"kind": "grade", "polarity": GOOD, "strong": True, "salience": 2}
    weak_bad = {"kind": "average", "polarity": BAD, "strong": False, "salience": 1}
    strong_bad = {"kind": "rank", "polarity": BAD, "strong": True, "salience": 2}
    assert placement([strong_good, weak_bad]) == "achievement"
    assert placement([strong_good, strong_bad]) == "shortfall"
    assert placement([weak_bad]) is None
    assert balance([{"statements": [strong_good, strong_good]}, {"statements": [weak_bad]}])["tone"] == "向好"
    assert balance([{"statements": [strong_bad, strong_bad]}, {"statements": [strong_good]}])["tone"] == "承压"
    assert balance([{"statements": [strong_bad, strong_good]}])["tone"] == "平稳"


def test_a_level_gap_is_decided_at_the_indicators_own_precision():
    # 2.18% against a 2.30% target is 0.12 short; rounding to one decimal printed 0.10
    f = indicator_facts(ind(unit="%", decimals=2, value=2.18, target=Target(value=2.30)), 1.0, 16, RULES,
                        year_end=True)
    assert f["schedule_gap"] == pytest.approx(0.12)
    assert said(f)["level_target"] == BAD
