"""Trajectories from `history`: runs of rank moves and records, said in the speech."""

import re
from pathlib import Path

import pytest

from generator import pipeline
from generator.facts.trajectory import trajectory

ROOT = Path(__file__).resolve().parent.parent


def hist(*ranks):
    return [{"rank": r} for r in ranks]


@pytest.mark.parametrize("earlier, prev, now, expected", [
    # three moves up in a row, and better than every earlier period
    ((12, 10), 8, 6, {"streak": 3, "direction": "up", "best_of": 4, "worst_of": None}),
    # one move up is no run; not a record either (rank 5 was better once)
    ((5, 9), 9, 7, None),
    # a run down to the worst of five periods
    ((3, 2, 4), 6, 9, {"streak": 3, "direction": "down", "best_of": None, "worst_of": 5}),
    # a gap in the history ends the run: only the moves after it count
    ((15, None), 10, 8, None),
    # no rank now: nothing to say
    ((3, 4), 5, None, None),
    # an unchanged rank breaks a run, but the record stands
    ((9, 7), 7, 6, {"streak": 0, "direction": "up", "best_of": 4, "worst_of": None}),
    ((9, 8), 8, 8, None),
])
def test_runs_and_records(earlier, prev, now, expected):
    assert trajectory(hist(*earlier), prev, now) == expected


def test_a_record_is_said_where_the_history_earns_it():
    text = pipeline.speech(ROOT / "tests" / "data" / "framing" / "city_2023.yaml", fmt="md").data.decode()
    sentence = next(s for s in text.split("。") if "最好位次" in s)
    assert "PM2.5平均浓度" in sentence and "连续3年前移" in sentence and "近4年最好位次" in sentence


def test_a_shortfall_names_its_lead_unit_unless_a_task_does():
    text = pipeline.speech(ROOT / "indicators.yaml", fmt="md").data.decode()
    sentence = re.search(r"社会消费品零售总额完成[^。]*。", text).group(0)
    assert "县商务局" in sentence
    # 固定资产投资 has a task of its own below, which names its lead: not said twice
    sentence = re.search(r"固定资产投资完成[^。]*。", text).group(0)
    assert "县发展改革委" not in sentence
