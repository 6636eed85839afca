"""`speechgen preview`: the document on the terminal, numbered as in Word, placeholders marked."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.preview import NORMAL, PAGE_RULE, REVERSE
from terminal import on_a_terminal

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "indicators.yaml"

DRAFT = """\
---
kind: speech
---
# 在{{ meta.meeting }}上的讲话

## 总体情况

{{ meta.period_name }}固定资产投资增长【待补：固定资产投资增速】，规上工业增加值【待补：规上工业增加值】。
{% if false %}

## 不写的一节

这一节不出现。
{% endif %}

## 下步工作

### 抓项目

#### 抓开工

全年目标不变。

***

附：数据截至【待补：统计局发布日期】。
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("preview") / "draft.md.j2"
    path.write_text(DRAFT, "utf-8")
    return path


def test_the_speech_reads_as_its_txt_with_word_numbers():
    result = run("preview", "--data", str(COUNTY))
    assert result.exit_code == 0, result.output
    txt = run("speech", "--data", str(COUNTY), "--format", "txt", "-o", "-").stdout
    assert result.stdout == txt  # the same words as the .txt; the speech has no page break
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "在全县2024年二季度工作例会上的讲话"
    headings = [line.strip() for line in lines if line.strip()[:2] in ("一、", "二、", "三、", "（一")]
    assert headings[0].startswith("一、") and any(h.startswith("二、") for h in headings)
    assert "\x1b" not in result.stdout and result.stderr == ""  # no placeholders, no colour off a terminal


def test_the_notice_has_its_header_lines():
    result = run("preview", "notice", "--data", str(COUNTY))
    assert result.exit_code == 0, result.output
    head = [line.strip() for line in result.stdout.splitlines()[:3]]
    assert head[:2] == ["中共青山县委办公室", "青委办〔2024〕12号"]
    assert "　　一、总体情况" in result.stdout.splitlines()


def test_a_scorecard_of_the_township_asked_for():
    result = run("preview", "scorecard", "--data", str(COUNTY), "--town", "东山镇")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].strip() == "东山镇2024年二季度赛马比拼成绩单"
    assert "东山镇的成绩单" in result.stderr
    # the scorecard template given by name is a scorecard: the first ranked township by default
    first = run("preview", "--data", str(COUNTY), "--template", "township_scorecard")
    assert first.exit_code == 0 and first.stdout.splitlines()[0].strip().startswith("西河镇")


def test_a_township_that_does_not_exist_is_answered_with_the_closest():
    result = run("preview", "scorecard", "--data", str(COUNTY), "--town", "东山")
    assert result.exit_code == 2
    assert "--town: no township named 东山; did you mean 东山镇?" in result.output


def test_placeholders_plain_off_a_terminal_and_listed(draft):
    result = run("preview", "--data", str(COUNTY), "--template", str(draft))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b" not in out
    lines = out.splitlines()
    body = lines.index("　　上半年固定资产投资增长【待补：固定资产投资增速】，规上工业增加值【待补：规上工业增加值】。")
    # numbered as in Word, the section left out leaving no gap
    assert "　　一、总体情况" in lines and "　　二、下步工作" in lines and "　　（一）抓项目" in lines \
        and "　　1.抓开工" in lines
    assert "不写的一节" not in out
    assert any(PAGE_RULE in line for line in lines) and "\f" not in out
    last = next(n for n, line in enumerate(lines, 1) if "统计局发布日期" in line)
    assert result.stderr.splitlines() == [
        "3 placeholders to fill / 待补3处:",
        f"  line {body + 1} / 第{body + 1}行: 【待补：固定资产投资增速】",
        f"  line {body + 1} / 第{body + 1}行: 【待补：规上工业增加值】",
        f"  line {last} / 第{last}行: 【待补：统计局发布日期】",
    ]


def test_placeholders_in_reverse_video_with_color(draft):
    result = run("preview", "--data", str(COUNTY), "--template", str(draft), "--color")
    assert result.exit_code == 0
    assert f"{REVERSE}【待补：固定资产投资增速】{NORMAL}" in result.stdout
    assert result.stdout.count(REVERSE) == 3 == result.stdout.count(NORMAL)
    # nothing else is coloured
    plain = result.stdout.replace(REVERSE, "").replace(NORMAL, "")
    assert "\x1b" not in plain


def test_on_a_terminal_placeholders_stand_out_by_themselves(draft):
    code, screen, err = on_a_terminal("preview", "--data", str(COUNTY), "--template", str(draft))
    assert code == 0, err.decode()
    text = screen.decode("utf-8")
    assert f"{REVERSE}【待补：规上工业增加值】{NORMAL}" in text
    assert "3 placeholders" in err.decode("utf-8")


def test_a_scorecard_without_townships_is_refused_as_the_command_refuses_it():
    data = ROOT / "tests" / "bad_inputs" / "base" / "county_no_townships.yaml"
    result = run("preview", "scorecard", "--data", str(data))
    assert result.exit_code == 2
    assert "the template township_scorecard needs township data (townships.units)" in result.output
    assert result.stdout == ""
