"""What the whole scope's table adds to a sentence: 唯一负增长 / 仅N个地方负增长 / 提升幅度最大."""

import copy
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.planning.sentences import _in_scope

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples"


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("scope") / "imported.yaml"
    result = CliRunner().invoke(main, [
        "import", str(EX / "townships_2024Q2.xlsx"), "--map", str(EX / "mapping.yaml"),
        "--compare", str(EX / "city_2024Q2.xlsx"), "--compare-map", str(EX / "comparison.yaml"),
        "--previous", str(EX / "city_2024Q1.xlsx"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def _speech(data: dict, tmp_path: Path) -> str:
    path = tmp_path / "county.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return pipeline.speech(path, fmt="md").data.decode("utf-8")


def test_the_only_unit_of_the_scope_to_fall_is_said_so(imported, tmp_path):
    imported = copy.deepcopy(imported)
    fai = imported["indicators"]["fai"]
    assert fai["growth"] < 0
    for u in fai["scope_units"]:
        if u["name"] != imported["meta"]["region"] and u.get("growth") is not None:
            u["growth"] = abs(u["growth"]) + 0.1
    text = _speech(imported, tmp_path)
    sentence = next(s for s in text.split("。") if "固定资产投资完成" in s)
    assert "是全市唯一负增长的" in sentence


def test_half_the_scope_falling_is_no_news(imported, tmp_path):
    text = _speech(imported, tmp_path)  # 18 of 38 counties fell on 固定资产投资
    assert "负增长，我县是其中之一" not in text and "唯一负增长" not in text


@pytest.mark.parametrize("side, move, scope, expected", [
    ("achievement", 6, {"rise_largest": True, "same_move": []}, "scope_most_risen"),
    ("achievement", 6, {"rise_largest": True, "same_move": ["黄岗县"]}, None),   # shared: not 最大
    ("achievement", 1, {"rise_largest": True, "same_move": []}, None),           # one place is no feat
    ("shortfall", -8, {"fall_largest": True, "same_move": []}, "scope_most_fallen"),
    ("shortfall", -2, {"we_negative": True, "negative_growth_count": 3}, "scope_few_negative"),
    ("shortfall", -2, {"we_negative": True, "negative_growth_count": 18}, None),
])
def test_what_the_scope_earns(side, move, scope, expected):
    f = {"rank_move": move, "better": "higher", "scope": scope}
    assert _in_scope(side, f) == expected
