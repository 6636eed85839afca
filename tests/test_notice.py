"""The quarterly notice (通报) end to end, read back from the .docx."""

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from generator.facts.analysis import analyse
from generator.cli import main
from generator.sources.loader import load

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


@pytest.fixture(scope="module")
def notice(tmp_path_factory):
    out = tmp_path_factory.mktemp("notice")
    result = CliRunner().invoke(main, ["notice", "--data", str(DATA), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    path = Path(result.stdout.strip())
    return path, docx.Document(path)


@pytest.fixture(scope="module")
def facts():
    return analyse(load(DATA))


def body_paragraphs(d):
    """Non-empty paragraphs of the body in order, with their style names."""
    return [(p.style.name, p.text) for p in d.paragraphs if p.text.strip()]


def test_file_name(notice):
    assert notice[0].name == "青山县_2024-Q2_通报.docx"


def test_letterhead_comes_first_in_order(notice, facts):
    path, d = notice
    paras = body_paragraphs(d)
    assert paras[0] == ("DocMark", "中共青山县委办公室")
    assert paras[1] == ("DocNumber", "青委办〔2024〕12号")
    # the title breaks between words (§7.3.1): 乡镇（街道） / 赛马比拼情况的通报
    assert paras[2] == ("Title", "关于2024年二季度乡镇（街道）\n赛马比拼情况的通报")
    assert paras[3][0] == "Salutation" and paras[3][1].endswith("：")
    # the red rule sits between the document number and the title
    body = d.element.body
    ps = body.findall("w:p", NS)
    number_at = next(i for i, p in enumerate(ps) if "青委办" in "".join(p.itertext()))
    title_at = next(i for i, p in enumerate(ps) if "赛马比拼情况的通报" in "".join(p.itertext()))
    rules = [p for p in ps[number_at:title_at]
             if p.find("w:pPr/w:pBdr/w:bottom[@w:color='FF0000']", NS) is not None]
    assert len(rules) == 1
    mark = d.styles["DocMark"].font
    assert str(mark.color.rgb) == "FF0000"


def test_signature_date_and_imprint_close_the_document(notice, facts):
    _, d = notice
    paras = body_paragraphs(d)
    signatures = [text for style, text in paras if style == "Signature"]
    assert signatures == ["中共青山县委办公室", "2024年7月15日"]
    # the 版记 is a table in a text box at the foot of the last page (tests/test_print.py)
    imprint = d.element.body.findall(".//w:txbxContent/w:tbl", NS)[-1]
    text = "\n".join("".join(p.itertext()) for p in imprint.iter(f"{{{NS['w']}}}p"))
    assert text.startswith("抄送：")
    printed = facts["meta"]["print_date"]
    assert text.rstrip().endswith(f"{printed.year}年{printed.month}月{printed.day}日印发")
    assert "中共青山县委办公室" in text


def test_ranking_table_follows_the_scores(notice, facts):
    _, d = notice
    ranking = next(t for t in d.tables if t.rows[0].cells[0].text == "名次")
    rows = [[c.text for c in r.cells] for r in ranking.rows[1:]]
    units = facts["townships"]["units"]
    assert [r[1] for r in rows] == [u["name"] for u in units]
    scores = [float(r[2]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert scores == [u["score"] for u in units]
    assert [int(r[0]) for r in rows] == [u["rank"] for u in units]
    # header repeats on every page, figures right-aligned
    header = ranking.rows[0]._tr
    assert header.find("w:trPr/w:tblHeader", NS) is not None
    score_cell = ranking.rows[1].cells[2].paragraphs[0]
    assert score_cell.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert all(run.bold for run in ranking.rows[0].cells[0].paragraphs[0].runs) or \
        d.styles["TableHeading"].font.bold


def test_top_and_bottom_units_are_named(notice, facts):
    _, d = notice
    body = "".join(text for _, text in body_paragraphs(d))
    t = facts["townships"]
    assert f"{t['units'][0]['name']}以{t['units'][0]['score']:.2f}分排名第一" in body
    for unit in t["bottom"]:
        assert unit["name"] in body


def test_per_indicator_table_and_chart(notice, facts):
    path, d = notice
    per = next(t for t in d.tables if t.rows[0].cells[0].text == "指标")
    names = [r.cells[0].text for r in per.rows[1:]]
    assert names == [i["name"] for i in facts["townships"]["indicators"]]
    for row, ind in zip(per.rows[1:], facts["townships"]["indicators"]):
        assert int(row.cells[2].text) == len(ind["on_schedule"])
        assert int(row.cells[3].text) == len(ind["behind_schedule"])
    pictures = d.inline_shapes
    assert len(pictures) == 1
    assert any(name.startswith("word/media/") and name.endswith(".png")
               for name in _zip_names(path))


def _zip_names(path):
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.namelist()


def test_notice_needs_townships(tmp_path):
    data = ROOT / "tests" / "data" / "minimal.yaml"
    result = CliRunner().invoke(main, ["notice", "--data", str(data), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "townships" in result.stderr and "乡镇" in result.stderr


def test_notice_as_text(facts):
    result = CliRunner().invoke(main, ["notice", "--data", str(DATA), "--format", "txt", "-o", "-"])
    assert result.exit_code == 0
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    assert lines[:2] == ["中共青山县委办公室", "青委办〔2024〕12号"]
    printed = facts["meta"]["print_date"]
    assert lines[-1].endswith(f"{printed.year}年{printed.month}月{printed.day}日印发")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_notice(tmp_path, notice):
    path, _ = notice
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], check=True, capture_output=True, timeout=120)
    assert (tmp_path / (path.stem + ".pdf")).stat().st_size > 10_000


def test_chart_labels_are_text_even_with_dollar_signs():
    from generator.writers.charts import score_chart

    png = score_chart(["A$B$", "$x_$", "东山镇"], [90.0, 80.5, 70.25])
    assert png.startswith(b"\x89PNG")
    assert png == score_chart(["A$B$", "$x_$", "东山镇"], [90.0, 80.5, 70.25])  # deterministic
