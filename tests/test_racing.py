"""Township horse race on hand-computed cases."""

import pytest

from generator.sources.dataset import Scoring, Township, TownshipIndicator, Townships, TownshipValue
from generator.errors import DataError
from generator.facts.racing import competition_ranks, grade_for, race

INV = TownshipIndicator("inv", "固定资产投资", "万元", 60)
PET = TownshipIndicator("pet", "信访案件数", "件", 40, better="lower")
BANDS = {"A": 0.2, "B": 0.4, "C": 0.6, "D": 0.8, "E": 1.0}


def towns(*units, indicators=(INV, PET), cap=1.2) -> Townships:
    return Townships({i.id: i for i in indicators}, Scoring(cap=cap, grades=BANDS), tuple(units))


def unit(name, prev, **values) -> Township:
    return Township(name, prev, {k: TownshipValue(*v) for k, v in values.items()})


@pytest.mark.parametrize("scores,ranks", [
    ([90, 80, 70], [1, 2, 3]),
    ([80, 90, 80, 70], [2, 1, 2, 4]),       # ties share, the next rank skips
    ([50, 50, 50], [1, 1, 1]),
    ([0.0], [1]),
])
def test_competition_ranks(scores, ranks):
    assert competition_ranks(scores) == ranks


@pytest.mark.parametrize("rank,count,grade", [
    (1, 14, "A"), (2, 10, "A"), (3, 10, "B"), (3, 14, "A"), (4, 14, "B"), (14, 14, "E"), (1, 1, "A"),
    (6, 10, "C"), (8, 10, "D")])
def test_grade_bands(rank, count, grade):
    assert grade_for(rank, count, BANDS) == grade


def test_hand_computed_scores():
    # schedule 0.5. 东山: inv 6000/10000 = 0.6 → 1.2 ratio (= cap) → 72;
    #   pet 5 of a 20 ceiling: allowed 10, 10/5 = 2 → capped 1.2 → 48. Total 120.
    # 西河: inv 2000/10000 = 0.2 → 0.4 → 24; pet 20 cases: 10/20 = 0.5 → 20. Total 44.
    # 南坪: inv 5000/10000 → exactly on schedule → 60; pet 10 → 1.0 → 40. Total 100.
    r = race(towns(unit("东山镇", 2, inv=(6000, 10000), pet=(5, 20)),
                   unit("西河乡", 1, inv=(2000, 10000), pet=(20, 20)),
                   unit("南坪镇", 3, inv=(5000, 10000), pet=(10, 20))), schedule=0.5)
    assert [(u["name"], u["score"], u["rank"], u["rank_move"]) for u in r["units"]] == [
        ("东山镇", 120.0, 1, 1), ("南坪镇", 100.0, 2, 1), ("西河乡", 44.0, 3, -2)]
    xihe = r["units"][2]["indicators"]
    assert xihe["inv"]["completion"] == pytest.approx(0.2)
    assert xihe["inv"]["schedule_gap"] == pytest.approx(30.0)
    assert xihe["inv"]["on_schedule"] is False
    assert xihe["pet"]["on_schedule"] is False          # 20 cases of a 20 ceiling at mid-year
    assert xihe["inv"]["rank"] == 3
    nanping = r["units"][1]["indicators"]
    assert nanping["inv"]["on_schedule"] is True and nanping["inv"]["schedule_gap"] == 0
    assert r["all_on_schedule"] == ["东山镇", "南坪镇"]
    assert r["none_on_schedule"] == ["西河乡"]
    assert [i["behind_schedule"] for i in r["indicators"]] == [["西河乡"], ["西河乡"]]
    assert [u["name"] for u in r["risers"]] == ["东山镇", "南坪镇"]
    assert [u["name"] for u in r["fallers"]] == ["西河乡"]
    assert [u["name"] for u in r["bottom"]] == ["西河乡", "南坪镇", "东山镇"]


def test_ties_share_rank_and_grade():
    r = race(towns(unit("甲", None, inv=(5000, 10000), pet=(10, 20)),
                   unit("乙", None, inv=(5000, 10000), pet=(10, 20)),
                   unit("丙", None, inv=(1000, 10000), pet=(10, 20))), schedule=0.5)
    assert [(u["name"], u["rank"]) for u in r["units"]] == [("甲", 1), ("乙", 1), ("丙", 3)]
    assert r["units"][0]["rank_move"] is None


def test_zero_target_is_left_out_and_rest_rescaled():
    # inv has no target: pet alone (40 points) on schedule scores 40 → rescaled to 100.
    r = race(towns(unit("甲", None, inv=(3000, 0), pet=(10, 20))), schedule=0.5)
    u = r["units"][0]
    assert u["indicators"]["inv"]["assessed"] is False
    assert u["indicators"]["inv"]["score"] is None and u["indicators"]["inv"]["rank"] is None
    assert u["score"] == 100.0
    assert u["assessed_count"] == 1


def test_zero_value_scores_zero_and_missing_is_reported():
    r = race(towns(unit("甲", None, inv=(0, 10000), pet=(0, 20)),
                   unit("乙", None, inv=(None, 10000), pet=(10, 20))), schedule=0.5)
    by = {u["name"]: u for u in r["units"]}
    assert by["甲"]["indicators"]["inv"]["score"] == 0
    assert by["甲"]["indicators"]["pet"]["score"] == pytest.approx(48.0)  # no cases: full cap
    assert by["乙"]["indicators"]["inv"]["missing"] is True
    assert by["乙"]["indicators"]["inv"]["score"] == 0
    inv = r["indicators"][0]
    # not reporting is said as such, never as a zero score or a lag behind schedule
    assert inv["zero_score"] == ["甲"]
    assert inv["missing"] == ["乙"]
    assert "乙" not in inv["behind_schedule"]


def test_single_township():
    r = race(towns(unit("独苗镇", 1, inv=(9000, 10000), pet=(1, 20))), schedule=0.75)
    (u,) = r["units"]
    assert (u["rank"], u["grade"], u["rank_move"]) == (1, "A", 0)
    assert r["top"] == r["bottom"] == [u]


def test_unknown_method_is_a_data_error():
    t = Townships({"inv": INV}, Scoring(method="lottery"), (unit("甲", 1, inv=(1, 2)),))
    with pytest.raises(DataError, match="townships.scoring.method"):
        race(t, 0.5)


def test_per_indicator_entries_are_rebuilt_the_same_every_time():
    r = race(towns(unit("东山镇", 2, inv=(6000, 10000), pet=(5, 20)),
                   unit("西河乡", 1, inv=(2000, 10000), pet=(20, 20))),
             schedule=0.5, next_schedule=0.75)
    first, second = r["units"]
    rows = first["rows"]
    assert rows == list(first["indicators"].values())
    assert [p["id"] for p in rows] == ["inv", "pet"]
    # The entries are worked out from the data when read: reading another
    # township in between gives the same figures back.
    before = [dict(p) for p in rows]
    assert second["indicators"]["inv"]["rank"] == 2
    assert [dict(p) for p in first["rows"]] == before
    assert first["indicators"]["inv"]["next_need"] == pytest.approx(1500.0)  # 10000 × 0.75 − 6000
    assert second["indicators"]["inv"]["next_need"] == pytest.approx(5500.0)  # 10000 × 0.75 − 2000
    # and the unit reads as a mapping with every key, for --json and templates
    assert set(first) >= {"name", "score", "rank", "grade", "indicators", "rows"}
    assert dict(first)["rows"] == rows
