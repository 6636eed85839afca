"""Print fidelity measured on the rendered page (GB/T 9704-2012), not on the XML.

Every document kind is converted once, in one LibreOffice process, by the code that
`--format pdf` uses (generator/writers/pdf.py, with the shipped font substitutions);
tests/pdf_measure.py reads the PDF back in millimetres from the paper's top-left.
The standard's figures are met within ±1.5 mm.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.document.model import Document, DocMeta, Paragraph, Run, Title
from generator.writers import pdf
from generator.writers.docx import title_lines
from generator.writers.docx.body import render_docx
import pdf_measure as pm

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice (soffice) is not installed")

TOLERANCE = 1.5  # mm
TOP = 37.0  # the text block's top edge, mm from the paper's (§5.2.2)
BOTTOM = 297.0 - 35.0
LEFT, RIGHT = 28.0, 210.0 - 26.0
LINE = 579 / 20 * pm.MM_PER_PT  # one line of 3号 text: 22 in the 225 mm block, 10.21 mm
BODY_PT, IMPRINT_PT = 16.0, 14.0
CHAR = BODY_PT * pm.MM_PER_PT  # one 3号 character, 5.64 mm

# A first line of 26 characters (two are the indent), then a line of exactly 28 ending
# in punctuation: the mark must stay at the end of that line, not vanish or start the next.
FIRST = "甲乙丙丁戊己庚辛壬癸甲乙丙丁戊己庚辛壬癸甲乙丙丁戊己"
FULL = "一二三四五六七八九十一二三四五六七八九十一二三四五六七"
FULL_LINES = (FIRST + FULL + "。", FIRST + FULL + "，一二三。", FIRST + FULL + "、一二三。")


def letter_reference(path: Path) -> Path:
    """An ordinary .docx as an office would have one: python-docx's blank US Letter."""
    import docx

    document = docx.Document()
    document.add_paragraph("样式")
    document.save(str(path))
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each kind's .docx and its measured PDF, all from one LibreOffice process."""
    tmp = tmp_path_factory.mktemp("print")
    letter = letter_reference(tmp / "letter.docx")
    punctuation = Document(DocMeta(kind="speech", title="标点"), (
        Title("标点"), *(Paragraph((Run(text),)) for text in FULL_LINES)))
    docs = {
        "speech": pipeline.speech(DATA).data,
        "notice": pipeline.notice(DATA).data,
        "letter": pipeline.speech(DATA, reference=letter).data,
        "punctuation": render_docx(punctuation),
    }
    pdfs = pdf.convert(list(docs.values()))
    out = {}
    for (kind, data), printed in zip(docs.items(), pdfs):
        (tmp / f"{kind}.pdf").write_bytes(printed)
        (tmp / f"{kind}.docx").write_bytes(data)
        pages, rules = pm.read(tmp / f"{kind}.pdf")
        out[kind] = (pages, rules, tmp / f"{kind}.pdf")
    return out


def near(measured: float, standard: float) -> bool:
    return abs(measured - standard) <= TOLERANCE


def body_lines(page: list[pm.Line]) -> list[pm.Line]:
    """Lines of 3号 text inside the text block (not the page number under it)."""
    return [line for line in page if line.size == BODY_PT and line.bottom <= BOTTOM + 1]


# ------------------------------------------------------------------------ the notice


def test_red_header_sits_where_7_2_puts_it(rendered):
    pages, rules, _ = rendered["notice"]
    mark = pm.find(pages, "中共青山县委办公室")
    number = pm.find(pages, "青委办〔2024〕12号")
    red = [r for r in rules[0] if r.color[:3] == (1.0, 0.0, 0.0)]
    assert mark.page == number.page == 1 and red
    assert mark.color[:3] == (1.0, 0.0, 0.0)
    rule = red[0]
    # §7.2.1: the mark's top edge 35 mm below the top of the text block
    assert near(mark.top, TOP + 35), mark.top
    # §7.2.2: the number two blank lines under the mark, centred
    assert near(number.top - mark.bottom, 2 * LINE), number.top - mark.bottom
    assert near((number.left + number.right) / 2, (LEFT + RIGHT) / 2)
    # §7.2.4: the red rule 4 mm under the number, as wide as the text block
    assert near(rule.y - number.bottom, 4.0), rule.y - number.bottom
    assert near(rule.left, LEFT) and near(rule.right, RIGHT)
    # §7.3.1: the title two blank lines under the rule
    title = next(line for line in pages[0] if line.size == 22)
    assert near(title.top - rule.y, 2 * LINE), title.top - rule.y


def test_title_breaks_between_words_in_a_trapezoid(rendered):
    pages, _, _ = rendered["notice"]
    lines = [line for line in pages[0] if line.size == 22]
    assert [l.text for l in lines] == ["关于2024年二季度乡镇（街道）", "赛马比拼情况的通报"]
    whole = "".join(l.text for l in lines)
    bounds, at = set(), 0
    for word in title_lines.words(whole):
        at += len(word)
        bounds.add(at)
    assert len(lines[0].text) in bounds  # the break falls between two words
    # Lines of different lengths, each centred; the line pitch is the style's 35 pt,
    # not two grid lines.
    widths = [l.right - l.left for l in lines]
    assert abs(widths[0] - widths[1]) > CHAR
    for line in lines:
        assert near((line.left + line.right) / 2, (LEFT + RIGHT) / 2)
    assert near(lines[1].top - lines[0].top, 35 * pm.MM_PER_PT), lines[1].top - lines[0].top


@pytest.mark.parametrize("title, lines", [
    ("关于2024年二季度乡镇（街道）赛马比拼情况的通报", 2),
    ("关于表彰2024年度全县经济社会发展先进集体和先进个人以及优秀共产党员和优秀党务工作者的通报", 3),
    ("在全县2024年二季度工作例会上的讲话", 1),
])
def test_titles_keep_words_whole_and_avoid_rectangles_and_hourglasses(title, lines):
    broken = title_lines.break_title(title, 19)
    assert "".join(broken) == title and len(broken) == lines
    words = title_lines.words(title)
    ends = {sum(len(w) for w in words[:i]) for i in range(len(words) + 1)}
    at = 0
    for line in broken[:-1]:
        at += len(line)
        assert at in ends, broken
    assert title_lines._shape_ok([title_lines.text_width(l) for l in broken]), broken


def test_signature_and_date_follow_7_3_5_2_and_never_stand_alone(rendered):
    pages, _, _ = rendered["notice"]
    # The 落款 is the issuer line right-aligned under the body, not the 版头's mark.
    name = next(l for p in pages for l in p if l.text == "中共青山县委办公室" and l.size == BODY_PT)
    date = pm.find(pages, "2024年7月15日")
    assert name.page == date.page
    above = [l for l in body_lines(pages[name.page - 1]) if l.top < name.top]
    assert above, "the 落款 stands alone at the top of a page"
    last_body = above[-1]
    # one blank line under the body; the date on the next line
    assert near(name.top - last_body.top, 2 * LINE)
    assert near(date.top - name.top, LINE)
    # §7.3.5.2: the date's first character two characters right of the name's; the
    # longer of the two stands two characters in from the right margin.
    assert near(date.left - name.left, 2 * CHAR), date.left - name.left
    assert near(RIGHT - max(name.right, date.right), 2 * CHAR)


def test_imprint_ends_on_the_last_line_of_the_last_page(rendered):
    pages, rules, _ = rendered["notice"]
    cc = pm.find(pages, "抄送：")
    printed = pm.find(pages, "日印发")
    assert cc.page == printed.page == len(pages)
    black = [r for r in rules[-1] if r.color[:3] != (1.0, 0.0, 0.0) and r.y > cc.top - 10]
    assert len(black) == 3, black  # above 抄送, between, under 印发
    first, middle, last = black
    assert near(last.y, BOTTOM), last.y  # §7.4.1: the last rule on the text block's last line
    for rule in black:
        assert near(rule.left, LEFT) and near(rule.right, RIGHT)
    assert first.width > middle.width and last.width > middle.width  # thick, thin, thick
    assert first.y < cc.top < middle.y < printed.top < last.y
    # §7.4.2: one character in; a continuation line starts after "抄送："
    char = IMPRINT_PT * pm.MM_PER_PT
    assert near(cc.left, LEFT + char)
    continuation = next(l for l in pages[-1] if cc.top < l.top < middle.y)
    assert near(continuation.left, cc.left + 3 * char), continuation.left
    # §7.4.3: printer one character in on the left, date one in on the right
    assert near(RIGHT - printed.right, char)


def test_notice_fonts_are_the_substituted_faces(rendered):
    pages, _, _ = rendered["notice"]
    mark = pm.find(pages, "中共青山县委办公室")
    body = pm.find(pages, "为推动各乡镇")
    assert mark.fonts != body.fonts


# ------------------------------------------------------------------------ the speech


def test_every_full_page_has_22_lines_on_the_grid(rendered):
    pages, _, _ = rendered["speech"]
    assert len(pages) > 3
    for number, page in enumerate(pages[1:-1], start=2):
        lines = body_lines(page)
        # a heading is never left as a page's last line: it goes over with its text,
        # and that page ends one line early
        heading_next = re.match(r"\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)",
                                body_lines(pages[number])[0].text)
        assert len(lines) == 22 or (len(lines) == 21 and heading_next), (number, len(lines))
        steps = [b.top - a.top for a, b in zip(lines, lines[1:])]
        assert all(abs(step - LINE) < 1.0 for step in steps), (number, steps)
        assert near(lines[-1].bottom, BOTTOM - (LINE - CHAR) / 2 - 0.2) or lines[-1].bottom <= BOTTOM


def test_punctuation_at_the_end_of_a_full_line_stays(rendered):
    pages, _, _ = rendered["punctuation"]
    lines = body_lines(pages[0])
    texts = [l.text for l in lines]
    # Each 28-character line keeps its closing mark on that line, none starts a line.
    assert texts == [FIRST, FULL + "。", FIRST, FULL + "，", "一二三。", FIRST, FULL + "、", "一二三。"]
    for line in lines:
        assert line.right < 210 - 15  # on the paper, at most hung into the margin
    for kind in ("speech", "notice"):
        for page in rendered[kind][0]:
            for line in body_lines(page):
                assert line.text[0] not in "，。、；：！？）》”", (kind, line.text)


def test_body_headings_and_title_embed_different_faces(rendered):
    pages, _, _ = rendered["speech"]
    title = next(l for l in pages[0] if l.size == 22)
    level1 = next(l for p in pages for l in p if l.text.startswith("一、"))
    level2 = next(l for p in pages for l in p if l.text.startswith("（一）"))
    body = pm.find(pages, "同志们：")

    def cjk(line):  # the Chinese face: the Latin one (digits) is the same everywhere
        return {f for f in line.fonts if not f.startswith("Liberation")}

    faces = [frozenset(cjk(l)) for l in (body, level1, level2, title)]
    assert all(faces) and len(set(faces)) == 4, faces


def test_office_letter_reference_keeps_gbt_page_setup_and_roles(rendered):
    pages, _, _ = rendered["letter"]
    title = next(l for l in pages[0] if l.size > BODY_PT)  # the office's title size
    assert near((title.left + title.right) / 2, (LEFT + RIGHT) / 2)  # still centred
    body = pm.find(pages, "今天召开这次会议")
    # the first-line indent kept (two characters: of 3号 or of the office's size)
    assert body.left - LEFT >= 2 * body.size * pm.MM_PER_PT - TOLERANCE
    numbers = [l for page in pages for l in page if l.text.startswith("—")]
    assert len(numbers) == len(pages)  # page numbers on every page
    assert numbers[0].right > 150 and numbers[1].left < 60  # odd right, even left


def test_office_letter_reference_prints_on_a4(rendered):
    import pdfplumber

    with pdfplumber.open(str(rendered["letter"][2])) as printed:
        sizes = {(round(float(p.width) * pm.MM_PER_PT), round(float(p.height) * pm.MM_PER_PT))
                 for p in printed.pages}
    assert sizes == {(210, 297)}  # A4, not the reference's US Letter
    pages = rendered["letter"][0]
    body = [l for page in pages[1:-1] for l in page if l.size < 20 and l.top < BOTTOM]
    assert min(l.left for l in body) >= LEFT - 0.5 and max(l.right for l in body) <= RIGHT + 6


# ------------------------------------------------------------- --format pdf (issue 13)


def test_pdf_of_every_scorecard_from_one_libreoffice(tmp_path, monkeypatch):
    calls = []
    real = subprocess.run

    def counting(command, *args, **kwargs):
        calls.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr(pdf.subprocess, "run", counting)
    result = CliRunner().invoke(main, ["scorecards", "--data", str(DATA), "--out", str(tmp_path),
                                       "--format", "pdf", "--merged"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "青山县_2024-Q2_成绩单"
    files = sorted(folder.iterdir())
    files = [f for f in files if not f.name.startswith(".")]  # the manifest
    assert len(files) == 15 and all(f.suffix == ".pdf" for f in files)
    assert all(f.read_bytes().startswith(b"%PDF") for f in files)
    assert (tmp_path / "青山县_2024-Q2_成绩单汇编.pdf").read_bytes().startswith(b"%PDF")
    soffice = [c for c in calls if "--convert-to" in c]
    assert len(soffice) == 1  # one process for 15 scorecards and the volume
    assert sum(1 for a in soffice[0] if a.endswith(".docx")) == 16
    pages, _ = pm.read(tmp_path / "青山县_2024-Q2_成绩单汇编.pdf")
    assert len(pages) == 15  # a page per township


def test_pdf_without_libreoffice_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    for command in ("speech", "notice", "scorecards"):
        result = CliRunner().invoke(main, [command, "--data", str(DATA), "--out", str(tmp_path),
                                           "--format", "pdf"])
        assert result.exit_code == 2, result.output
        assert "libreoffice-writer-nogui" in result.output and "Traceback" not in result.output
    assert not any(tmp_path.iterdir())  # nothing half-written


# -------------------------------------------------------------------------- charts


def test_charts_draw_chinese_with_a_stale_font_cache(tmp_path):
    """A matplotlib font cache built before the CJK fonts: labels still draw, one warning at most."""
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path))
    stale = (
        "from matplotlib import font_manager as fm\n"
        "fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist\n"
        "    if not any(k in f.name for k in ('CJK', 'UKai', 'UMing', 'WenQuanYi'))]\n"
        "import matplotlib, pathlib\n"
        "fm.json_dump(fm.fontManager, pathlib.Path(matplotlib.get_cachedir(),\n"
        "    f'fontlist-v{fm.FontManager.__version__}.json'))\n")
    subprocess.run([sys.executable, "-c", stale], env=env, check=True, capture_output=True)
    draw = ("from generator.writers.charts import score_chart, cjk_font\n"
            "png = score_chart(['东山镇', '西河乡'], [90.0, 80.0])\n"
            "print(cjk_font())\n")
    done = subprocess.run([sys.executable, "-c", draw], env=env, capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() not in ("", "None")
    for noise in ("findfont", "未找到中文字体", "missing from font"):
        assert noise not in done.stderr, done.stderr


def test_no_chinese_font_is_said_once(monkeypatch, capsys):
    from generator.writers import charts

    monkeypatch.setattr(charts, "_font_files", lambda: iter(()))
    charts.cjk_font.cache_clear()
    try:
        charts.score_chart(["A"], [1.0])
        charts.score_chart(["B"], [2.0])
    finally:
        charts.cjk_font.cache_clear()
    err = capsys.readouterr().err
    assert err.count("no Chinese font found") == 1 and "fonts-noto-cjk" in err
