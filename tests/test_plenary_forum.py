"""The plenary speech and the township forum speech, read back from the .docx they write."""

import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.facts.analysis import analyse
from generator.sources.loader import load

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "bundled": ROOT / "indicators.yaml",
    "district": ROOT / "tests" / "data" / "district_q3.yaml",
    "city_year": ROOT / "tests" / "data" / "framing" / "city_2023.yaml",
    # the occasions' own files: another county (no township race) and a district's month
    "county_q1": ROOT / "tests" / "data" / "occasions" / "county_2024q1.yaml",
    "district_month": ROOT / "tests" / "data" / "occasions" / "district_2025m08.yaml",
}


def _write(template: str, data: Path, out: Path) -> docx.Document:
    result = CliRunner().invoke(main, ["speech", "--template", template, "--data", str(data),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    return docx.Document(Path(result.stdout.strip().splitlines()[-1]))


def _headings(d: docx.Document, style: str) -> list[str]:
    return [p.text for p in d.paragraphs if p.style.name == style]


def _body(d: docx.Document) -> str:
    return "\n".join(p.text for p in d.paragraphs)


@pytest.fixture(scope="module", params=sorted(FILES))
def plenary(request, tmp_path_factory):
    data = FILES[request.param]
    return request.param, analyse(load(data)), _write("plenary_speech", data, tmp_path_factory.mktemp("p"))


@pytest.fixture(scope="module", params=["bundled", "district", "district_month"])
def forum(request, tmp_path_factory):
    data = FILES[request.param]
    return request.param, analyse(load(data)), _write("forum_speech", data, tmp_path_factory.mktemp("f"))


CN = "一二三四五六七八九十"


def test_plenary_outline_is_numbered_and_follows_the_tasks(plenary):
    _, facts, d = plenary
    level1 = _headings(d, "Heading 1")
    assert level1, "no sections"
    for n, h in enumerate(level1):
        assert h.startswith(CN[n] + "、"), level1
    themes = [t["theme"] for t in facts["tasks"]]
    assert [h.split("、", 1)[1] for h in level1[-len(themes):]] == themes if themes else True
    assert "形势" in level1[0]
    # the opening announces as many points as there are sections
    announced = re.search(r"我讲(\S)点意见", _body(d)).group(1)
    assert CN.replace("二", "两").index(announced) + 1 == len(level1)  # 我讲两点意见


def test_plenary_says_momentum_and_pressure_from_the_verdicts(plenary):
    _, facts, d = plenary
    text = _body(d)
    if facts["achievements"]:
        assert "所谓势头好" in text or "所谓有亮点" in text
        # each momentum group opens with 一是/二是… and names a strong achievement of it
        assert re.search(r"^一是", text, re.M)
    if facts["shortfalls"]:
        assert re.search(r"所谓压力(大|不小)", text)
        worst = max(facts["shortfalls"], key=lambda f: sum(s["salience"] for s in f["statements"]
                                                            if s["polarity"] == "bad"))
        assert worst["name"] in text


def test_plenary_task_items_say_who_answers_for_them(plenary):
    _, facts, d = plenary
    for theme in facts["tasks"]:
        for n, e in enumerate(theme["entries"], 1):
            item = next(p.text for p in d.paragraphs if e["text"] in p.text)
            assert item.startswith(CN[n - 1] + "要"), item
            if e["lead"]:
                assert f"由{e.get('leader') or e['lead']}牵头" in item


def test_plenary_projects_figures_come_from_the_data(plenary):
    _, facts, d = plenary
    p = facts["projects"]
    if not p["count"]:
        return
    text = _body(d)
    assert f"{p['count']}个重点项目已开工{p['started']}个" in text
    for name in (x["name"] for x in p["not_started"]):
        assert name in text


def test_forum_counts_townships_on_schedule(forum):
    _, facts, d = forum
    t = facts["townships"]
    text = _body(d)
    on = [u["name"] for u in t["units"] if u["score"] >= t["total_weight"]]
    if 0 < len(on) <= 3:
        assert "只有" + "、".join(on[:-1]) in text or "只有" + on[0] in text
    elif on:
        assert f"{len(on)}个{facts['meta']['race_label']}综合得分" in text
    for name in t["none_on_schedule"]:
        assert name in text
    majority = [u for u in t["units"] if u["assessed_count"] and u["on_schedule_count"] * 2 > u["assessed_count"]]
    assert f"超过半数" in text and f"有{len(majority)}个" in text


def test_forum_has_two_or_three_requirements(forum):
    _, facts, d = forum
    level1 = _headings(d, "Heading 1")
    # projects and 招商 get a section only when the data has them
    has_projects = bool(facts["projects"].get("by_township")) or bool(
        (facts.get("investment_promotion") or {}).get("townships"))
    n = 3 if has_projects else 2
    assert len(level1) == n and [h[0] for h in level1] == list("一二三")[:n]
    assert f"提{'一两三'[n - 1]}点要求" in _body(d)



def test_forum_needs_townships(tmp_path):
    result = CliRunner().invoke(main, ["speech", "--template", "forum_speech", "--data",
                                       str(ROOT / "tests" / "data" / "minimal.yaml"), "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "townships" in result.output
    assert not list(tmp_path.iterdir())


def test_forum_at_a_january_meeting_on_last_year_says_this_year_and_names_the_none_once(tmp_path):
    doc = _write("forum_speech", ROOT / "tests" / "data" / "framing" / "city_2023.yaml", tmp_path / "f.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "作为今年攻坚的重点" in text and "明年" not in text
    # the fact is said in the review; the requirement names the two without saying it again
    assert text.count("没有一项指标完成年度任务") == 1
    assert "望江县和清河县的主要负责同志要亲自研究、亲自调度" in text
