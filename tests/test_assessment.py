"""The assessment occasions end to end: assessment_speech and commendation_notice.

Each renders from the bundled county and from two files of its own (another county, a
district, under tests/data/occasions/); the .docx is read back for its headings, their
numbering, the key figures and the notice's parts. A file without the block a template
requires is refused with one message naming the block and the template.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.facts import analysis
from generator.planning import assessment as assessment_plan
from generator.sources import loader

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).with_name("data")
BUNDLED = ROOT / "indicators.yaml"
COUNTY = DATA / "occasions" / "county_2024q1.yaml"
DISTRICT = DATA / "occasions" / "district_2025m08.yaml"
FILES = {"bundled": BUNDLED, "county": COUNTY, "district": DISTRICT}
LEAKS = ("None", "nan", "{{", "}}", "{%", "[]", "、、", "，，", "。。", "undefined", "X")
LEVEL1 = re.compile(r"^([一二三四五六七八九十]+)、")
LEVEL2 = re.compile(r"^（([一二三四五六七八九十]+)）")
CN = "一二三四五六七八九十"


def read(data: bytes, tmp_path: Path, name: str) -> docx.Document:
    path = tmp_path / name
    path.write_bytes(data)
    return docx.Document(path)


def paragraphs(d: docx.Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text.replace("\n", "")) for p in d.paragraphs if p.text.strip()]  # title lines joined


def headings(d: docx.Document) -> list[tuple[int, str]]:
    return [(int(style[-1]), text) for style, text in paragraphs(d) if style.startswith("Heading")]


def assert_numbered(outline: list[tuple[int, str]]) -> None:
    """一、二、… run without a gap; （一）（二）… restart under each level-1 heading."""
    first = second = 0
    for level, text in outline:
        if level == 1:
            first, second = first + 1, 0
            assert LEVEL1.match(text) and LEVEL1.match(text)[1] == CN[first - 1], text
        elif level == 2:
            second += 1
            assert LEVEL2.match(text) and LEVEL2.match(text)[1] == CN[second - 1], text


def body_text(d: docx.Document) -> str:
    """Every paragraph's text in order, the 版记's text box and the tables' cells included."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return "\n".join("".join(t.text or "" for t in p.iter(w + "t")) for p in d.element.body.iter(w + "p"))


def assert_clean(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, leak


@pytest.fixture(scope="module")
def speeches(tmp_path_factory) -> dict[str, docx.Document]:
    tmp = tmp_path_factory.mktemp("speeches")
    out = {}
    for key, path in FILES.items():
        product = pipeline.speech(path, template="assessment_speech")
        assert product.name.endswith("_考核表彰讲话.docx")
        out[key] = read(product.data, tmp, product.name)
    return out


@pytest.fixture(scope="module")
def notices(tmp_path_factory) -> dict[str, docx.Document]:
    tmp = tmp_path_factory.mktemp("notices")
    out = {}
    for key, path in FILES.items():
        product = pipeline.notice(path, template="commendation_notice")
        assert product.name.endswith("_表彰通报.docx")
        out[key] = read(product.data, tmp, product.name)
    return out


# --- the speech -------------------------------------------------------------------------------

def test_bundled_speech_outline(speeches):
    d = speeches["bundled"]
    assert [p.text.replace("\n", "") for p in d.paragraphs if p.style.name == "Title"] == [
        "在全县2023年度目标责任考核总结表彰暨上半年重点项目观摩会议上的讲话"]
    assert headings(d) == [
        (1, "一、正视考核结果，把进位的势头稳住"),
        (2, "（一）全县考核位次实现进位"),
        (2, "（二）乡镇（街道）和县级部门考核结果"),
        (2, "（三）表彰先进单位"),
        (1, "二、总结去年成绩，看清今年形势"),
        (2, "（一）2023年主要指标"),
        (2, "（二）2024年上半年工作进展"),
        (1, "三、对标年度目标，抓好今年各项工作落实"),
        (2, "（一）比出更强责任担当"),
        (2, "（二）比出更快发展速度"),
        (2, "（三）比出更实民生成效"),
        (2, "（四）比出更优发展环境"),
        (1, "四、用好考核结果，让实绩说话"),
    ]
    speaker = [t for s, t in paragraphs(d) if s == "Speaker"]
    assert speaker == ["县委书记　张某某", "（2024年7月26日）"]


def test_bundled_speech_key_figures(speeches):
    text = body_text(speeches["bundled"])
    assert "下面，我讲四点意见。" in text
    # the assessment meeting's own agenda, not the quarterly meeting's
    assert "刚才，县委常委、组织部部长通报了2023年度目标责任考核结果" in text
    assert "八张报表" not in text
    assert "我县在生态功能区县9个参评单位中排第4位，较上年前进3位，获评“良好”等次，比上年提升一个等次。" in text
    assert "这是近五年来最好的位次。" in text  # 2019–2022 all worse than 4th
    assert "生态环境保护目标责任考核由“良好”降为“一般”，必须引起高度重视。" in text
    assert "参加考核的15个乡镇（街道）中，“优秀”等次4个、“良好”7个、“一般”4个。" in text
    assert "西河镇、城关镇、东山镇和龙泉镇获评“优秀”等次" in text
    assert "黄土岭乡在15个乡镇（街道）中排在末位。" in text
    assert "县商务局被评为“较差”等次。" in text
    assert "对2023年度工作成绩突出的11个单位予以表彰，其中4个单位获得两项以上表彰" in text
    assert "招商引资到位资金完成76.5亿元，增长23.8%，居全市第2位，较上年前移8位" in text
    assert "招商引资方面，签约项目26个、协议金额68.5亿元，开工19个、开工率73.1%，到位资金45.2亿元，完成年度任务的56.5%，快于序时进度6.5个百分点。" in text
    # the funds are said once, with 招商引资, not again as an indicator of this year
    assert text.count("45.2亿元") == 1
    assert "10个重点项目已开工8个，开工率80.0%，完成投资8.00亿元，占年度计划的26.5%，落后于序时进度" in text
    assert "今年以来，制造业投资完成21.6亿元，位次较一季度前移5位至全市第6位" in text
    uses = [t for s, t in paragraphs(speeches["bundled"]) if t.startswith(("一是对", "二是对", "三是对", "四是对"))]
    assert [u[:9] for u in uses] == ["一是对获评“优秀”", "二是对获评“良好”", "三是对获评“一般”", "四是对获评“较差”"]
    assert_clean(text)


def test_county_speech_a_fall_in_the_bottom_half_is_said_plainly(speeches):
    d = speeches["county"]
    outline = headings(d)
    assert_numbered(outline)
    assert [t for level, t in outline if level == 1] == [
        "一、正视考核结果，把差距看清看透", "二、总结去年成绩，看清今年形势", "三、用好考核结果，让实绩说话"]
    assert (2, "（一）全县考核位次有所后退") in outline
    text = body_text(d)
    assert "下面，我讲三点意见。" in text
    assert "排第5位，较上年后退2位，获评“一般”等次，比上年下降一个等次。目前处于同组后半段，追赶的任务很重。" in text
    assert "最好" not in text  # no record is claimed for a fall
    assert "岩口乡被评为“较差”等次。" in text and "县应急管理局被评为“较差”等次。" in text
    # departments without ranks: nobody is called last
    assert "部门中排在末位" not in text
    # a bottom-half rank of last year is said by its move only, never praised as a place
    assert "地区生产总值完成205.9亿元，增长4.6%，位次较上年前移4位" in text
    assert "倒数" not in text
    # 固定资产投资 fell in 2023: not among last year's headline figures
    assert "固定资产投资完成63.1亿元" not in text
    assert "石门镇、柳林镇、龙门乡等7个单位被评为“2023年度乡村振兴先进集体”" in text
    assert "签约项目9个" in text and "落后序时进度9.2个百分点" in text  # 25% less the printed 15.8%
    # result uses come best grade first whatever the file's order
    assert text.index("一是对获评“优秀”等次的单位") < text.index("二是对获评“较差”等次的单位")
    assert "正视差距、奋起直追，确保全面完成2024年各项目标任务！" in text
    assert_clean(text)


def test_district_speech_first_place_and_a_run_of_last_places_ended(speeches):
    d = speeches["district"]
    outline = headings(d)
    assert_numbered(outline)
    assert [t for level, t in outline if level == 1] == [
        "一、正视考核结果，把进位的势头稳住", "二、看清今年形势，保持清醒头脑", "三、对标年度目标，抓好今年各项工作落实"]
    assert (2, "（一）全区考核位次实现进位") in outline and (2, "（一）2025年1—8月工作进展") in outline
    text = body_text(d)
    assert "我区在中心城区5个参评单位中位居第一，较上年前进4位，获评“优秀”等次，比上年提升两个等次。" in text
    assert "这是近四年来最好的位次，结束了连续三年排在末位的被动局面。" in text
    assert "我代表区委、区政府" in text
    # no assessment.meeting: the meeting is meta's, and so is its agenda
    assert "刚才，区委组织部通报了2024年度目标责任考核结果" in text
    assert "鱼嘴镇在8个镇（街道）中排在末位。" in text
    assert "区级部门中排在末位" not in text  # four units: too few for a last place to mean much
    assert "社会消费品零售总额仍是短板" in text
    assert "用好考核结果" not in text  # the file gives no result_use
    assert_clean(text)


# --- the notice -------------------------------------------------------------------------------

def test_bundled_notice_has_the_notice_format_and_a_table_of_many(notices):
    d = notices["bundled"]
    styled = paragraphs(d)
    assert styled[0] == ("DocMark", "中共青山县委　青山县人民政府")
    assert styled[1] == ("DocNumber", "青发〔2024〕9号")
    assert ("Title", "关于表彰2023年度目标责任考核先进单位的通报") in styled
    assert ("Salutation", "各乡镇党委和人民政府，各街道党工委和办事处，县级各部门：") in styled
    assert headings(d) == [(1, "一、考核结果"), (1, "二、表彰名单"), (1, "三、希望和要求")]
    signature = [t for s, t in styled if s == "Signature"]
    assert signature == ["中共青山县委　青山县人民政府", "2024年7月22日"]
    imprint = body_text(d)
    assert "抄送：市委办公室，市政府办公室，市考核办。" in imprint
    assert "中共青山县委办公室" in imprint and "2024年7月23日印发" in imprint
    table = d.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["类别", "表彰称号", "单位数", "受表彰单位"]
    assert rows[1] == ["乡镇（街道）", "2023年度目标责任考核优秀乡镇（街道）", "4", "西河镇、城关镇、东山镇、龙泉镇"]
    assert rows[4][0] == ""  # 专项工作 named once for its two titles
    text = body_text(d)
    assert "全县在生态功能区县9个参评单位中排第4位" in text
    assert "决定对11个先进单位予以通报表彰。现将有关情况通报如下。" in text
    assert_clean(text)


def test_county_notice_is_a_decision_without_the_bad_news(notices):
    d = notices["county"]
    styled = paragraphs(d)
    assert ("Title", "关于表彰2023年度目标责任考核先进单位的决定") in styled
    text = body_text(d)
    assert "决定对12个先进单位予以表彰。具体如下。" in text
    assert "后退" not in text  # a commendation does not recall the county's fall
    rows = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert rows[0] == ["序号", "表彰称号", "单位数", "受表彰单位"] and len(rows) == 5
    assert rows[3][2] == "7"
    assert "石门县人民政府办公室" in text  # prints for the government
    assert_clean(text)


def test_district_notice_lists_a_short_roll_without_a_table(notices):
    d = notices["district"]
    assert not d.tables  # no roll table; the 版记's table stands in its text box at the foot
    assert "抄送：" in body_text(d)
    outline = headings(d)
    assert_numbered(outline)
    assert (2, "（一）2024年度目标责任考核先进镇（街道）（2个）") in outline
    styled = paragraphs(d)
    assert ("Normal", "观音桥街道、五里店街道") in styled
    assert styled[0] == ("DocMark", "中共江北区委　江北区人民政府")
    text = body_text(d)
    assert "全区在中心城区5个参评单位中位居第一" in text
    assert_clean(text)


# --- the command line and what a template needs -------------------------------------------

def test_notice_template_option_writes_the_commendation(tmp_path):
    result = CliRunner().invoke(main, ["notice", "--template", "commendation_notice", "--data", str(BUNDLED),
                                       "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "青山县_2024-Q2_表彰通报.docx").is_file()


@pytest.mark.parametrize("command, template, key, en, zh", [
    ("speech", "assessment_speech", "assessment",
     "the template assessment_speech needs the annual assessment (assessment), which the file does not have",
     "模板assessment_speech需要年度考核数据（assessment），文件中没有"),
    ("notice", "commendation_notice", "assessment.commendations",
     "the template commendation_notice needs the commendations (assessment.commendations)",
     "模板commendation_notice需要表彰名单（assessment.commendations），文件中没有"),
])
def test_a_file_without_the_assessment_is_refused_by_name(tmp_path, command, template, key, en, zh):
    data = tmp_path / "minimal.yaml"
    data.write_text((DATA / "minimal.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, [command, "--template", template, "--data", str(data),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert f"{data}: {key}: {en}" in result.stderr and zh in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


# --- planning rules ---------------------------------------------------------------------------

def test_the_last_is_named_only_in_a_large_field_and_when_graded_low():
    facts = analysis.analyse(loader.load(BUNDLED))
    plan = assessment_plan.plan(facts)
    towns, depts = plan["kinds"]
    assert towns["last"] == ["黄土岭乡"] and towns["poor"] == []
    assert depts["poor"] == ["县商务局"] and depts["last"] == []  # said once, as 较差
    # a last place among good units is no warning: 黄土岭乡 graded 良好 is not named
    facts["assessment"]["kinds"][0]["units"][-1] = {**facts["assessment"]["kinds"][0]["units"][-1],
                                                   "grade": "良好"}
    assert assessment_plan.plan(facts)["kinds"][0]["last"] == []


def test_the_plan_is_none_without_an_assessment():
    facts = analysis.analyse(loader.load(DATA / "minimal.yaml"))
    assert assessment_plan.plan(facts) is None
    assert pipeline.template_context(facts)["assessment_plan"] is None


# --- other counties' files with an assessment added ------------------------------------------

SPARSE = """
assessment:
  year: {year}
  county: {{grade: 良好}}
"""

FULL = """
assessment:
  year: {year}
  county:
    group: 一类县
    group_size: 8
    rank: 6
    previous_rank: 6
    grade: 良好
    previous_grade: 良好
    history: [{{year: {y2}, rank: 7}}, {{year: {y3}, rank: 5}}]
  sub_assessments:
    - {{name: 高质量发展综合绩效评价, grade: 良好}}
    - {{name: 党建工作考核}}
  units:
    - {{name: 甲镇, kind: 镇, grade: 一般, rank: 1}}
    - {{name: 乙镇, kind: 镇, grade: 一般, rank: 2}}
    - {{name: 丙部门, kind: 部门, grade: 优秀}}
  commendations:
    - {{title: 先进单位, units: [丙部门], category: 部门}}
    - {{title: 专项先进, units: [甲镇]}}
  result_use:
    - {{grade: 一般, measure: 约谈主要负责同志}}
"""

OTHERS = sorted((DATA / "framing").glob("*.yaml")) + [DATA / "district_q3.yaml", DATA / "minimal.yaml"]


@pytest.mark.parametrize("path", OTHERS, ids=lambda p: p.stem)
@pytest.mark.parametrize("block", [SPARSE, FULL], ids=["sparse", "full"])
def test_both_occasions_read_cleanly_on_other_files(tmp_path, path, block):
    text = path.read_text(encoding="utf-8")
    year = loader.load(path).meta.period.year
    # the year assessed is the period's own when the period is a whole year, else the one before
    assessed = year if loader.load(path).meta.period.months == 12 else year - 1
    data = tmp_path / path.name
    data.write_text(text + block.format(year=assessed, y2=assessed - 2, y3=assessed - 1), encoding="utf-8")
    speech = pipeline.speech(data, template="assessment_speech", fmt="md").data.decode("utf-8")
    assert_clean(speech.replace("{.speaker}", "").replace("{.salutation}", ""))
    assert "同志们：" in speech and "确保全面完成" in speech
    if block is FULL:
        # the same place as last year, worse than the year before: no record, no praise
        assert "位次与上年相同" in speech and "最好" not in speech
        assert "分项考核中，高质量发展综合绩效评价获评“良好”等次。" in speech
        notice = pipeline.notice(data, template="commendation_notice", fmt="md").data.decode("utf-8")
        assert "（一）先进单位（1个）" in notice and "（二）专项先进（1个）" in notice  # few: no table
        assert "丙部门" in notice and "关于表彰" in notice
        assert_clean(notice.replace("{.salutation}", "").replace("{.signature}", ""))
    else:
        assert "我" + loader.load(path).meta.level + "获评“良好”等次。" in speech
        with pytest.raises(Exception, match="assessment.commendations"):
            pipeline.notice(data, template="commendation_notice", fmt="md")


def test_a_unit_risen_to_the_best_grade_is_said_with_the_grade_it_rose_from():
    text = pipeline.speech(DATA / "occasions" / "county_2024q1.yaml", template="assessment_speech",
                           fmt="md").data.decode("utf-8")
    assert "其中河口镇由上年的“良好”升为“优秀”" in text and "其他等次" not in text
