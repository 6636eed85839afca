"""`speechgen check` and the figures' trace: every figure of a generated document read
back, hand edits made with python-docx (as Word or WPS would leave them) caught."""

import json
import re
import shutil
import subprocess
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
MARKS = re.compile("[\ue000-\ue0ff]")


def run(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check(document: Path, data: Path = DATA) -> tuple[int, str, str]:
    return run("check", str(document), "--data", str(data))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The speech (with its --trace JSON), the notice and one scorecard, as generated."""
    out = tmp_path_factory.mktemp("made")
    code, _, err = run("speech", "--data", str(DATA), "--out", str(out), "--trace", str(out / "trace.json"))
    assert code == 0, err
    code, _, err = run("notice", "--data", str(DATA), "--out", str(out))
    assert code == 0, err
    code, _, err = run("scorecards", "--data", str(DATA), "--out", str(out), "--only", "东山镇,西河镇",
                       "--trace", str(out / "scorecards.json"))
    assert code == 0, err
    return {"speech": out / "青山县_2024-Q2_讲话.docx", "notice": out / "青山县_2024-Q2_通报.docx",
            "scorecard": out / "青山县_2024-Q2_成绩单" / "东山镇.docx", "trace": out / "trace.json",
            "dir": out}


@pytest.mark.parametrize("kind", ["speech", "notice", "scorecard"])
def test_a_generated_document_matches_its_data(made, kind):
    code, out, _ = check(made[kind])
    assert code == 0, out
    count = int(re.search(r"(\d+) figures, all match", out).group(1))
    assert count > 20  # every number of the text was found and accounted for


def test_the_trace_is_a_custom_xml_part_word_does_not_show(made):
    with zipfile.ZipFile(made["speech"]) as z:
        body = z.read("word/document.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        item = next(n for n in z.namelist() if re.fullmatch(r"customXml/item\d+\.xml", n))
        trace = z.read(item).decode("utf-8")
        types = z.read("[Content_Types].xml").decode("utf-8")
    assert not MARKS.search(body)  # no invisible marks left in the text
    assert "relationships/customXml" in rels and f"../{item}" in rels
    assert "customXmlProperties+xml" in types and "image/png" not in types
    figures = trace_part.figures_of(docx_text.parse(trace.encode("utf-8")))
    gdp = next(f for f in figures if f["path"] == ["indicators", {"id": "gdp"}, "growth"])
    assert (gdp["filter"], gdp["raw"], gdp["text"]) == ("growth", 4.2, "增长4.2%")
    assert gdp["section"] == "二、正视差距，把短板弱项找准 / （一）主要经济指标承压"
    # the paragraph and characters it stands at, counted as check reads the document
    paragraphs = docx_text.paragraphs(docx_text.parse(body.encode("utf-8")))
    assert paragraphs[gdp["p"]][gdp["start"]:gdp["end"]] == "增长4.2%"
    text = "\n".join(p.text for p in docx.Document(made["speech"]).paragraphs)
    assert "urn:speechgen" not in text and "indicators" not in text


def test_trace_json_names_path_raw_value_and_filter_of_every_figure(made):
    trace = json.loads(made["trace"].read_text(encoding="utf-8"))
    (doc,) = trace["documents"]
    assert doc["document"] == "青山县_2024-Q2_讲话.docx"
    figures = doc["figures"]
    gdp = next(f for f in figures if f["path"] == "indicators[gdp].growth")
    assert (gdp["raw"], gdp["filter"], gdp["text"]) == (4.2, "growth", "增长4.2%")
    assert gdp["section"].startswith("二、") and "4.2%" in gdp["context"]
    rank = next(f for f in figures if f["path"] == "indicators[gdp].rank")
    assert (rank["raw"], rank["text"], rank["args"][0]) == (28, "倒数第11位", 38)
    date = next(f for f in figures if f["filter"] == "date_cn")
    assert (date["raw"], date["text"], date["path"]) == ("2024-07-15", "2024年7月15日", "meta.date")
    # an indicator reached through the plan is named by its home in the data
    assert not any(f["path"] and f["path"].startswith("plan.good.economy") for f in figures)
    assert sum(1 for f in figures if f["path"] is None) <= 5  # counts the template made (| length)


@pytest.mark.parametrize("kind", ["speech", "notice", "scorecard"])
def test_the_writer_reads_its_own_paragraphs_as_check_reads_any_document(made, kind):
    """The trace part counts paragraphs from the writer's XML without parsing it; check parses."""
    with zipfile.ZipFile(made[kind]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert docx_text.own_paragraphs(xml) == docx_text.paragraphs(docx_text.parse(xml.encode("utf-8")))


def test_scorecards_trace_each_scorecard_once(made):
    trace = json.loads((made["dir"] / "scorecards.json").read_text(encoding="utf-8"))
    assert [d["document"] for d in trace["documents"]] == ["东山镇.docx", "西河镇.docx"]
    score = next(f for f in trace["documents"][1]["figures"] if f["path"] == "townships.units[西河镇].score")
    assert (score["raw"], score["text"], score["section"]) == (114.1, "114.10", "一、综合成绩")


def _edit(src: Path, dst: Path) -> dict:
    """Change a number, add a sentence with a number, delete a paragraph: by hand, in python-docx."""
    d = docx.Document(src)
    paragraphs = d.paragraphs
    changed = next(p for p in paragraphs if "同比增长12.5%" in p.text)
    for r in changed.runs:
        r.text = r.text.replace("同比增长12.5%", "同比增长13.5%")
    added = next(p for p in paragraphs if p.text.startswith("在看到成绩的同时"))  # a paragraph with no figure
    added.add_run("全县新增市场主体5000户。")
    deleted = next(p for p in paragraphs if "张问题清单中" in p.text)
    gone = deleted.text
    deleted._element.getparent().remove(deleted._element)
    d.save(dst)
    after = [p.text for p in docx.Document(dst).paragraphs]
    return {"changed": after.index(changed.text) + 1, "added": after.index(added.text) + 1,
            "deleted": gone}


def test_check_catches_each_hand_edit_and_nothing_else(made, tmp_path):
    edited = tmp_path / "edited.docx"
    where = _edit(made["speech"], edited)
    code, out, _ = check(edited)
    assert code == 3, out
    report = json.loads(run("check", str(edited), "--data", str(DATA), "--json")[1])
    kinds = [f["kind"] for f in report["findings"]]
    (wrong,) = [f for f in report["findings"] if f["kind"] == "edited"]
    assert (wrong["text"], wrong["expected"], wrong["path"]) == ("13.5", "12.5", "indicators[mfg_investment].growth")
    assert wrong["paragraph"] == where["changed"]
    (new,) = [f for f in report["findings"] if f["kind"] == "unsourced"]
    assert (new["text"], new["paragraph"]) == ("5000", where["added"])
    removed = [f for f in report["findings"] if f["kind"] == "removed"]
    # every figure of the deleted paragraph, and only those: the paragraphs after it still match
    assert len(removed) == len(re.findall(r"\d+", where["deleted"]))
    assert all(f["paragraph"] is None and "段落已删除" in f["context"] for f in removed)
    assert kinds.count("stale") == 0
    assert f"第{where['changed']}段" in out and "13.5" in out and "“12.5”" in out
    assert "5000" in out and "没有来源" in out and "原有数字已不在文中" in out


def test_check_says_which_figures_the_data_changed_since(made, tmp_path):
    corrected = tmp_path / "corrected.yaml"
    text = DATA.read_text(encoding="utf-8")
    assert text.count("    growth: 4.2\n") == 1
    corrected.write_text(text.replace("    growth: 4.2\n", "    growth: 4.5\n"), encoding="utf-8")
    code, out, _ = check(made["speech"], corrected)
    assert code == 3
    report = json.loads(run("check", str(made["speech"]), "--data", str(corrected), "--json")[1])
    assert {f["kind"] for f in report["findings"]} == {"stale"}
    growth = next(f for f in report["findings"] if f["path"] == "indicators[gdp].growth")
    assert (growth["text"], growth["expected"], growth["was"], growth["raw"]) == ("增长4.2%", "增长4.5%", 4.2, 4.5)
    # what follows from the growth moved with it: the gap to the scope average
    assert any(f["path"] == "indicators[gdp].gap_to_average" for f in report["findings"])
    assert "数据在成文后有变化" in out and "增长4.5%" in out


def test_a_figure_corrected_by_hand_to_the_new_data_is_not_reported(made, tmp_path):
    corrected = tmp_path / "corrected.yaml"
    corrected.write_text(DATA.read_text(encoding="utf-8").replace("    growth: 12.5\n", "    growth: 13.5\n"),
                         encoding="utf-8")
    edited = tmp_path / "edited.docx"
    _edit(made["speech"], edited)
    report = json.loads(run("check", str(edited), "--data", str(corrected), "--json")[1])
    assert not [f for f in report["findings"] if f["path"] == "indicators[mfg_investment].growth"]


def test_a_document_saved_again_by_an_editor_still_matches(made, tmp_path):
    again = tmp_path / "again.docx"
    docx.Document(made["notice"]).save(again)  # python-docx rewrites the package, as Word does
    code, out, _ = check(again)
    assert code == 0, out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_an_edited_document_saved_by_libreoffice_keeps_its_trace(made, tmp_path):
    """Another editor than python-docx rewrites the whole package: the trace survives and the
    hand edits are still found, the rest still matches."""
    edited = tmp_path / "edited.docx"
    _edit(made["speech"], edited)
    out = tmp_path / "lo"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(edited)],
                   check=True, capture_output=True, timeout=120)
    report = json.loads(run("check", str(out / "edited.docx"), "--data", str(DATA), "--json")[1])
    assert report["traced"]
    kinds = sorted({f["kind"] for f in report["findings"]})
    assert kinds == ["edited", "removed", "unsourced"]
    assert [f["text"] for f in report["findings"] if f["kind"] != "removed"] == ["13.5", "5000"]


def test_a_document_not_written_by_speechgen_has_no_source_for_its_figures(tmp_path):
    d = docx.Document()
    d.add_paragraph("上半年，全县地区生产总值增长4.2%。")
    path = tmp_path / "typed.docx"
    d.save(path)
    code, out, _ = check(path)
    assert code == 3
    assert "no trace" in out and "“4.2”" in out and "没有来源" in out


@pytest.mark.parametrize("content, message", [
    (b"just text", "is not a Word document"),
    (None, "no such file"),
])
def test_check_refuses_what_is_not_a_docx_with_exit_2(tmp_path, content, message):
    path = tmp_path / "notes.docx"
    if content is not None:
        path.write_bytes(content)
    code, _out, err = check(path)
    assert code == 2
    assert message in err and "Traceback" not in err
