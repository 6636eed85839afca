"""What the notice, the scorecards and the speech say of the race: ties as ties, one line
per indicator shaped by its figures, gaps in the data said once per township, and a
shortfall said once in the speech."""

import copy
import re
from pathlib import Path

import yaml

from generator import pipeline
from generator.facts.analysis import analyse
from generator.planning.notice import plan_notice
from generator.sources.loader import load

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"
FRAMING = ROOT / "tests" / "data" / "framing"


def _tied_at_top(tmp_path: Path) -> Path:
    """The bundled county with 北坪镇 given exactly 西河镇's figures."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    units = {u["name"]: u for u in data["townships"]["units"]}
    for key, value in units["西河镇"].items():
        if key not in ("name", "previous_rank"):
            units["北坪镇"][key] = copy.deepcopy(value)
    path = tmp_path / "tie.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _md(kind: str, path: Path, **kw) -> str:
    product = getattr(pipeline, kind)(path, fmt="md", **kw)
    return product.data.decode("utf-8")


def test_a_tie_at_the_top_is_said_as_one(tmp_path):
    path = _tied_at_top(tmp_path)
    notice = _md("notice", path)
    assert "西河镇和北坪镇以114.10分并列第一" in notice
    assert "排名第一" not in notice
    speech = _md("speech", path)
    assert "西河镇和北坪镇以114.10分并列第一，青龙街道紧随其后" in speech


def test_a_tied_township_reads_its_shared_rank(tmp_path):
    facts = analyse(load(_tied_at_top(tmp_path)))
    ranked = facts["townships"]["units"]
    assert [u["tied"] for u in ranked[:3]] == [True, True, False]
    # the scorecard of a tied township
    ctx = pipeline.template_context(facts)
    from generator.render import sandbox
    town = ranked[1]
    doc = pipeline.make_document(sandbox.escape_facts({**ctx, "town": town}), "township_scorecard")
    text = "".join(getattr(b, "text", "") for b in doc.blocks)
    assert f"在15个乡镇（街道）中并列第1位" in text


def test_notice_lines_follow_each_indicators_figures():
    facts = analyse(load(FRAMING / "county_m05.yaml"))
    lines = {l["ind"]["id"]: l for l in plan_notice(facts)["lines"]}
    shapes = {i: l["shape"] for i, l in lines.items()}
    # every assessed township counted once: on schedule, behind, or not reported
    for l in lines.values():
        assert l["on"] + l["behind"] + len(l["ind"]["missing"]) == l["ind"]["assessed_count"]
    text = _md("notice", FRAMING / "county_m05.yaml")
    one = next(l for l in lines.values() if l["shape"] == "one_behind")
    assert f"只有{one['slowest'][0]}未达到序时进度" in text
    # three or fewer behind are named as the ones behind, not as "the slowest"
    named = [l for l in lines.values() if l["all_named"] and l["behind"] > 1]
    assert named and all("分别是" + "、".join(l["slowest"][:-1]) in text for l in named)
    assert len(set(shapes.values())) >= 2


def test_a_township_with_gaps_is_named_once_with_all_of_them():
    text = _md("notice", FRAMING / "county_h1_25.yaml")
    sentence = next(s for s in text.split("。") if "部分数据未报送" in s)
    assert "黄泥乡（规上工业产值、一般公共预算收入）" in sentence
    assert text.count("请抓紧补报") == 1
    # and never as lagging behind schedule
    facts = analyse(load(FRAMING / "county_h1_25.yaml"))
    for ind in facts["townships"]["indicators"]:
        assert not set(ind["missing"]) & set(ind["behind_schedule"])


def test_a_ceiling_indicator_is_not_said_to_be_slow():
    text = _md("notice", ROOT / "indicators.yaml")
    line = next(p for p in text.split("\n\n") if p.startswith("信访案件数"))
    assert "超出" in line and "进度最慢" not in line


def test_a_schedule_shortfall_is_said_once_in_the_speech():
    text = _md("speech", DATA)
    said = re.findall(r"技术合同成交额[^。]*?落后序时进度16\.2个百分点", text)
    assert len(said) == 1
    # the indicator is still spoken of for its other bad news
    assert re.search(r"技术合同成交额完成1\.35亿元，[^。]*后退10位", text)


def test_year_end_ceiling_said_once():
    text = _md("speech", FRAMING / "city_2023.yaml")
    ceiling = [s for s in text.split("。") if "超出年度控制数" in s]
    names = [re.match(r"[^，；]*?([\u4e00-\u9fff]+起数)", s) for s in ceiling]
    found = [m.group(1) for m in names if m]
    assert len(found) == len(set(found))


DISTRICT = ROOT / "tests" / "data" / "district_q3.yaml"


def test_the_back_of_the_race_is_named_by_one_rule_everywhere():
    """District Q3: 西关街道 is fourth of six with 97.33 beside an average of 90.97; it is
    not lagging, and no occasion names it, nor orders it to report."""
    facts = analyse(load(DISTRICT))
    t = facts["townships"]
    assert t["average_score"] == 90.97
    notice = _md("notice", DISTRICT)
    assert "排名靠后的沙河镇和铁路街道要认真分析原因" in notice
    assert "西关街道排名靠后" not in notice and "铁路街道和西关街道" not in notice
    ctx = pipeline.template_context(facts)
    assert [u["name"] for u in ctx["plan"]["notice"]["lagging"]] == ["沙河镇", "铁路街道"]
    assert [u["name"] for u in ctx["plan"]["forum"]["bottom"]] == ["沙河镇", "铁路街道"]
    assert [u["name"] for u in ctx["plan"]["bad"]["race"]["bottom"]] == ["沙河镇", "铁路街道"]


def test_a_small_field_names_no_one_at_the_back(tmp_path):
    data = yaml.safe_load(DISTRICT.read_text(encoding="utf-8"))
    data["townships"]["units"] = data["townships"]["units"][:5]
    path = tmp_path / "five.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    notice = _md("notice", path)
    assert "排名靠后" not in notice and "书面报告" not in notice
    ctx = pipeline.template_context(analyse(load(path)))
    assert ctx["plan"]["notice"]["lagging"] == [] and ctx["plan"]["forum"]["bottom"] == []
