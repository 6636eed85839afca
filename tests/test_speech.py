"""The speech end to end: CLI → .docx, read back as a user would see it."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from docx.shared import Pt

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"
DISTRICT = ROOT / "tests" / "data" / "district_q3.yaml"
LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")
LEAKS = ("None", "nan", "{{", "}}", "{%", "[]", "X", "增长-", "下降-", "**")


def run(*args, data=DATA) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--data", str(data)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def speech_docx(tmp_path: Path, data: Path = DATA) -> tuple[Path, docx.document.Document]:
    code, out, err = run("speech", "--out", str(tmp_path), data=data)
    assert code == 0, err
    path = Path(out.strip())
    return path, docx.Document(path)


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    return speech_docx(tmp_path_factory.mktemp("speech"))


def test_file_is_named_after_region_period_and_kind(bundled):
    path, _ = bundled
    assert path.name == "青山县_2024-Q2_讲话.docx"


def test_title_speaker_and_salutation(bundled):
    _, d = bundled
    paras = [p for p in d.paragraphs if p.text.strip()]
    assert paras[0].text == "在全县2024年二季度工作例会上的讲话"
    assert paras[0].style.name == "Title"
    assert paras[1].text == "县委书记　张某某"
    assert paras[2].text == "（2024年7月15日）"
    assert paras[3].text == "同志们："
    assert paras[3].style.name == "Salutation"


def test_headings_are_numbered_in_sequence(bundled):
    _, d = bundled
    level1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert [t[:2] for t in level1] == ["一、", "二、", "三、"]
    assert "成绩" in level1[0] and "差距" in level1[1] and "三季度" in level1[2]
    # level-2 numbers restart under each level-1 heading
    seen, current = {}, None
    for p in d.paragraphs:
        if p.style.name == "Heading 1":
            current = p.text
            seen[current] = []
        elif p.style.name == "Heading 2":
            seen[current].append(LEVEL2.match(p.text).group(0))
    for numbers in seen.values():
        expected = ["（" + "一二三四五六七八九十"[i] + "）" for i in range(len(numbers))]
        assert numbers == expected
    # the opening announces as many points as there are sections
    assert "下面，我讲三点意见。" in "".join(texts(d))


def test_figures_from_the_data_are_worded(bundled):
    _, d = bundled
    body = "".join(texts(d))
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))["indicators"]
    gdp = data["gdp"]
    sentences = body.replace("\n", "").split("。")
    gdp_said = next(x for x in sentences if f"地区生产总值完成{gdp['value']}亿元" in x)
    # a growth below target under shortfalls is conceded, not praised
    assert f"虽然同比增长{gdp['growth']}%，但" in gdp_said
    assert f"居全市倒数第{38 - gdp['rank'] + 1}位" in gdp_said
    assert gdp["previous"]["rank"] < gdp["rank"]
    assert f"较一季度后退{gdp['rank'] - gdp['previous']['rank']}位" in gdp_said
    # differences of rates are in 个百分点: gap to the scope average
    gap = round(gdp["growth"] - gdp["scope_average"]["growth"], 1)
    assert f"低于全市平均{abs(gap)}个百分点" in gdp_said
    # a negative growth reads 下降, with the magnitude
    fai = data["fai"]
    assert fai["growth"] < 0
    fai_said = next(x for x in sentences if f"固定资产投资完成{fai['value']}亿元" in x)
    assert f"同比下降{abs(fai['growth'])}%" in fai_said


def test_nothing_of_the_machinery_reaches_the_reader(bundled):
    _, d = bundled
    body = "\n".join(texts(d))
    for leak in LEAKS:
        assert leak not in body, leak
    for table in d.tables:
        for row in table.rows:
            for cell in row.cells:
                assert cell.text.strip(), "empty table cell"


def test_tasks_carry_lead_units_and_deadlines(bundled):
    _, d = bundled
    body = "".join(texts(d))
    tasks = yaml.safe_load(DATA.read_text(encoding="utf-8"))["tasks"]
    for theme in tasks:
        assert theme["theme"] in body
        for item in theme["items"]:
            assert item["text"] in body
            assert f"牵头单位：{item['lead']}" in body


def test_gbt9704_format(bundled):
    _, d = bundled
    section = d.sections[0]
    mm = lambda length: round(length.mm, 1)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37.0, 35.0)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28.0, 26.0)
    styles = d.styles.element
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}

    def east_asia(style_id):
        node = styles.find(f"w:style[@w:styleId='{style_id}']/w:rPr/w:rFonts", ns)
        return node.get(f"{{{ns['w']}}}eastAsia")

    assert east_asia("Normal") == "仿宋_GB2312"
    assert east_asia("Title") == "方正小标宋简体"
    assert east_asia("Heading1") == "黑体"
    assert east_asia("Heading2") == "楷体_GB2312"
    normal = d.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert d.styles["Title"].font.size == Pt(22)
    fmt = normal.paragraph_format
    assert fmt.line_spacing == Pt(579 / 20)
    assert fmt.first_line_indent is not None and fmt.first_line_indent > 0
    footer = section.footer._element.xml + section.even_page_footer._element.xml
    assert footer.count("PAGE") >= 2 and "—" in footer
    assert d.settings.odd_and_even_pages_header_footer


def test_same_input_gives_the_same_bytes(tmp_path, bundled):
    path, _ = bundled
    again, _ = speech_docx(tmp_path)
    assert again.read_bytes() == path.read_bytes()


def test_another_unit_and_period(tmp_path):
    _, d = speech_docx(tmp_path, DISTRICT)
    body = "".join(texts(d))
    # a title too long for a line breaks between words (§7.3.1)
    assert texts(d)[0] == "在全区2025年三季度\n经济运行分析会上的讲话"
    assert "前三季度" in body and "全区" in body and "四季度" in body
    assert "全县" not in body and "青山" not in body and "临江" not in body
    for leak in LEAKS:
        assert leak not in body, leak


def test_a_section_left_out_leaves_no_gap(tmp_path):
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    # every indicator top of its class: nothing to scold
    for ind in data["indicators"].values():
        ind.update(rank=1, grade="A")
        ind.pop("target", None)
        if ind.get("growth") is not None:
            ind["growth"] = abs(ind["growth"]) if ind.get("better") != "lower" else -abs(ind["growth"])
        prev = ind.get("previous", {})
        prev.update(rank=1)
        prev.pop("value", None)  # a rate that fell sharply is news, however high it ranks
        ind.pop("scope_average", None)
        ind.pop("peers", None)
    data["problem_lists"] = [dict(p, rating="好") for p in data["problem_lists"]]
    data["projects"] = [dict(p, completed=p["planned"], started=True) for p in data["projects"]]
    del data["townships"]
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, d = speech_docx(tmp_path, path)
    level1 = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert [t[:2] for t in level1] == ["一、", "二、"]
    assert "差距" not in level1[1] and "三季度" in level1[1]
    assert "下面，我讲二点意见。" not in "".join(texts(d))
    assert "下面，我讲两点意见。" in "".join(texts(d))


def test_markdown_to_stdout():
    code, out, _ = run("speech", "--format", "md", "-o", "-")
    assert code == 0
    assert out.startswith("# 在全县2024年二季度工作例会上的讲话\n")
    assert "\n## 一、" in out and "\n### （一）" in out


def test_validate_and_facts():
    code, out, _ = run("validate")
    assert code == 0 and "OK" in out and "34 indicators" in out
    code, out, _ = run("facts", "--json")
    facts = json.loads(out)
    gdp = next(f for f in facts["indicators"] if f["id"] == "gdp")
    assert gdp["rank_move"] == -8 and gdp["verdict"] == "shortfall"
    assert facts["meta"]["schedule"] == 0.5
    code, out, _ = run("facts")
    assert code == 0 and out.splitlines()[0].startswith("id")
    assert any(line.startswith("gdp") and "短板" in line for line in out.splitlines())


def test_bad_data_exits_2_with_file_line_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DATA.read_text(encoding="utf-8").replace("growth: 4.2", 'growth: "4.2%"', 1),
                   encoding="utf-8")
    out_dir = tmp_path / "out"
    code, out, err = run("speech", "--out", str(out_dir), data=bad)
    assert code == 2
    assert re.search(r"bad\.yaml:\d+: indicators\.gdp\.growth: expected a number", err)
    assert "Traceback" not in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_missing_fact_in_template_names_template_and_line(tmp_path):
    tpl = tmp_path / "mine.md.j2"
    tpl.write_text("# 标题\n\n第一段。\n\n{{ meta.no_such_fact }}\n", encoding="utf-8")
    code, _, err = run("speech", "--template", str(tpl), "--out", str(tmp_path / "o"))
    assert code == 2
    assert "mine.md.j2:5" in err and "no_such_fact" in err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_speech(tmp_path, bundled):
    path, _ = bundled
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], check=True, capture_output=True, timeout=120)
    pdf = tmp_path / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 10_000
