"""--redact: the public version, figures as X as in the seed speeches, all else identical."""

import json
import re
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from generator.audit import docx_text
from generator.cli import main
from generator.writers.docx import trace_part

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def run(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module", params=["speech", "notice"])
def pair(request, tmp_path_factory):
    """The same document twice, internal and public, and the internal one's trace."""
    out = tmp_path_factory.mktemp(request.param)
    full, public = out / "full.docx", out / "public.docx"
    code, _, err = run(request.param, "--data", str(DATA), "-o", str(full), "--trace", str(out / "t.json"))
    assert code == 0, err
    code, _, err = run(request.param, "--data", str(DATA), "-o", str(public), "--redact")
    assert code == 0, err
    trace = json.loads((out / "t.json").read_text(encoding="utf-8"))["documents"][0]
    return docx.Document(full), docx.Document(public), trace, public


def _paragraphs(d) -> list:
    """The paragraphs but a chart and its caption: the public version leaves the chart out."""
    out, after_chart = [], False
    for p in d.paragraphs:
        if p._p.xpath(".//*[local-name()='blip']"):
            after_chart = True
            continue
        if not (after_chart and p.text.startswith("图")):
            out.append(p)
        after_chart = False
    return out


def _shape(d) -> list[tuple]:
    """What a reader sees besides the words: each paragraph's style, alignment and runs' looks."""
    return [(p.style.name, p.alignment, [(r.bold, r.font.highlight_color) for r in p.runs])
            for p in _paragraphs(d)] + [(len(t.rows), len(t.columns)) for t in d.tables]


def _cells(d) -> list[str]:
    return [c.text for t in d.tables for row in t.rows for c in row.cells]


def test_the_public_notice_leaves_its_chart_out(pair):
    full, public, _, path = pair
    if not any(p._p.xpath(".//*[local-name()='blip']") for p in full.paragraphs):
        pytest.skip("this document has no chart")
    assert not any(p._p.xpath(".//*[local-name()='blip']") for p in public.paragraphs)
    assert not [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/media/")]
    assert not any(p.text.startswith("图1") for p in public.paragraphs)
    assert len(_paragraphs(full)) == len(public.paragraphs)


def test_words_numbering_and_layout_are_identical(pair):
    full, public, _, _ = pair
    assert _shape(full) == _shape(public)
    for a, b in zip([p.text for p in _paragraphs(full)] + _cells(full),
                    [p.text for p in _paragraphs(public)] + _cells(public)):
        # the public text is the full text with some of its numbers, and nothing else, as X
        pattern = "".join(f"(?:X|{re.escape(m)})" if NUMBER.fullmatch(m) else re.escape(m)
                          for m in re.split(r"(\d+(?:\.\d+)?)", a))
        assert re.fullmatch(pattern, b), (a, b)


def test_every_figure_but_dates_is_redacted(pair):
    _full, public, trace, _ = pair
    public_text = "\n".join(p.text for p in public.paragraphs) + "\n".join(_cells(public))
    figures = [f for f in trace["figures"] if f["kind"] != "pending"]
    hidden = [f for f in figures if f["kind"] != "date"]
    assert len(hidden) > 30
    kinds = {f["kind"] for f in hidden}
    assert {"rank", "count"} <= kinds and kinds & {"percent", "amount", "number"}
    for f in figures:
        expected = f["text"] if f["kind"] == "date" else NUMBER.sub("X", f["text"])
        assert expected in public_text, f
    # what is left are dates, document numbers and the office's own words, never a figure's digits
    assert "2024年7月15日" in public_text


def test_the_speech_reads_like_the_seeds():
    code, text, err = run("speech", "--data", str(DATA), "--redact", "--format", "txt", "-o", "-")
    assert code == 0, err
    for phrase in ("同比增长X%", "居全市第X位", "X亿元", "前移X位", "X个百分点", "X项"):
        assert phrase in text, phrase
    assert "（2024年7月15日）" in text and "在全县2024年二季度工作例会上的讲话" in text
    assert not re.search(r"增长\d", text) and not re.search(r"第\d+位", text)


def test_document_numbers_and_dates_stay(pair):
    _, public, trace, _ = pair
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    # every paragraph, the 版记's text box and the cells included; a title's line break joined
    text = "\n".join("".join(t.text or "" for t in p.iter(w + "t")) for p in public.element.body.iter(w + "p"))
    if trace["kind"] == "notice":
        assert "青委办〔2024〕12号" in text and "2024年7月16日印发" in text
        assert "关于2024年二季度乡镇（街道）赛马比拼情况的通报" in text
    else:
        assert "（2024年7月15日）" in text and "完成时限：8月15日前" in text


def test_the_public_version_carries_no_raw_figure(pair):
    _, _, _, path = pair
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if re.fullmatch(r"customXml/item\d+\.xml", n))
        part = z.read(name).decode("utf-8")
    assert 'redacted="1"' in part
    figures = trace_part.figures_of(docx_text.parse(part.encode("utf-8")))
    kept = {f["kind"] for f in figures if f["raw"] is not None}
    assert len(figures) > 30 and kept == {"date"}  # dates are public; no other figure keeps its value
    assert "156.3" not in part and "增长4.2%" not in part


def test_scorecards_redacted_in_their_tables(tmp_path):
    code, _, err = run("scorecards", "--data", str(DATA), "--out", str(tmp_path), "--only", "东山镇",
                       "--redact")
    assert code == 0, err
    d = docx.Document(tmp_path / "青山县_2024-Q2_成绩单" / "东山镇.docx")
    row = next(r for r in d.tables[0].rows if r.cells[0].text == "固定资产投资")
    assert [c.text for c in row.cells][2:] == ["X", "X", "X%", "慢X", "X", "X"]
    assert "综合得分X分" in "\n".join(p.text for p in d.paragraphs)
