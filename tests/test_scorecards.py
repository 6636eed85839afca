"""Township scorecards in batch: files, figures, merged volume, zip, subsets, names."""

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from generator.facts.analysis import analyse
from generator.batch import file_names
from generator.cli import main
from generator.sources.loader import load
from generator.errors import OutputError
from generator.output import MANIFEST, read_manifest
from generator.wording.zh import number, share

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"


def run(*args, data=DATA):
    result = CliRunner().invoke(main, ["scorecards", "--data", str(data), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    out = tmp_path_factory.mktemp("cards")
    code, stdout, stderr = run("--out", str(out), "--merged", "--zip")
    assert code == 0, stderr
    return out, stdout


@pytest.fixture(scope="module")
def facts():
    return analyse(load(DATA))


def test_one_file_per_township(batch, facts):
    out, stdout = batch
    folder = out / "青山县_2024-Q2_成绩单"
    names = sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)
    expected = sorted(f"{u['name']}.docx" for u in facts["townships"]["units"])
    assert names == expected
    assert f"{len(expected)} scorecards" in stdout
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != MANIFEST], \
        "staging left behind"
    assert sorted(read_manifest(folder)) == expected


def test_scorecard_figures_equal_the_facts(batch, facts):
    out, _ = batch
    for unit in facts["townships"]["units"]:
        d = docx.Document(out / "青山县_2024-Q2_成绩单" / f"{unit['name']}.docx")
        paras = [p.text for p in d.paragraphs if p.text.strip()]
        assert paras[0] == f"{unit['name']}2024年二季度赛马比拼成绩单"
        summary = next(p for p in paras if p.startswith("上半年"))
        assert f"综合得分{unit['score']:.2f}分" in summary
        assert f"评为{unit['grade']}档" in summary
        table = d.tables[0]
        rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
        for ind in facts["townships"]["indicators"]:
            cell = unit["indicators"][ind["id"]]
            row = rows[ind["name"]]
            assert row[1] == ind["unit"]
            if cell["missing"]:
                assert row[2] == "未报送"
            else:
                assert float(row[2]) == cell["value"]
            assert float(row[3]) == cell["target"]
            if cell["assessed"]:
                assert row[6] == number(cell["score"], 2)  # half-up, as printed
                assert int(row[7]) == cell["rank"]
                if cell["completion"] is not None:
                    assert row[4] == share(cell["completion"])


def test_merged_volume_has_one_title_per_page(batch, facts):
    out, _ = batch
    merged = out / "青山县_2024-Q2_成绩单汇编.docx"
    d = docx.Document(merged)
    titles = [p for p in d.paragraphs if p.style.name == "Title"]
    units = facts["townships"]["units"]
    assert [t.text for t in titles] == [f"{u['name']}2024年二季度赛马比拼成绩单" for u in units]
    # every scorecard after the first starts on a new page
    assert all(t.paragraph_format.page_break_before for t in titles[1:])
    assert not titles[0].paragraph_format.page_break_before


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_merged_volume_prints_one_page_per_township(batch, facts, tmp_path):
    out, _ = batch
    merged = out / "青山县_2024-Q2_成绩单汇编.docx"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(merged)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / (merged.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout \
        if shutil.which("pdfinfo") else ""
    if not info:
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == len(facts["townships"]["units"])


def test_zip_holds_every_scorecard_in_order(batch, facts):
    out, _ = batch
    with zipfile.ZipFile(out / "青山县_2024-Q2_成绩单.zip") as z:
        names = z.namelist()
        assert names == [f"青山县_2024-Q2_成绩单/{u['name']}.docx"
                         for u in facts["townships"]["units"]]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())
        first = z.read(names[0])
    assert first == (out / names[0]).read_bytes()


def test_only_a_subset(tmp_path):
    code, stdout, _ = run("--out", str(tmp_path), "--only", "东山镇，西河镇")
    assert code == 0
    folder = tmp_path / "青山县_2024-Q2_成绩单"
    assert sorted(p.name for p in folder.iterdir() if p.name != MANIFEST) == ["东山镇.docx",
                                                                              "西河镇.docx"]
    assert "2 scorecards" in stdout


def test_unknown_township_is_an_error_and_writes_nothing(tmp_path):
    code, _, stderr = run("--out", str(tmp_path / "o"), "--only", "东山镇,不存在乡")
    assert code == 2
    assert "不存在乡" in stderr and "--only" in stderr
    assert not (tmp_path / "o").exists()


def test_rerun_replaces_the_set_and_parallel_equals_serial(tmp_path):
    assert run("--out", str(tmp_path / "a"), "-j", "1")[0] == 0
    assert run("--out", str(tmp_path / "b"), "-j", "2")[0] == 0
    a = tmp_path / "a" / "青山县_2024-Q2_成绩单"
    b = tmp_path / "b" / "青山县_2024-Q2_成绩单"
    for path in a.iterdir():
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name
    # a file speechgen never wrote in the set's folder is protected; --force replaces the set
    (a / "stale.docx").write_bytes(b"old")
    assert run("--out", str(tmp_path / "a"))[0] == 2
    assert run("--out", str(tmp_path / "a"), "--force")[0] == 0
    assert (a / "stale.docx").read_bytes() == b"old"  # and --force keeps it (issue 10)


def test_an_edited_scorecard_is_protected_and_only_keeps_the_rest(tmp_path):
    assert run("--out", str(tmp_path))[0] == 0
    folder = tmp_path / "青山县_2024-Q2_成绩单"
    edited = folder / "东山镇.docx"
    d = docx.Document(edited)
    d.add_paragraph("镇党委书记补充的说明。")
    d.save(edited)
    code, _, stderr = run("--out", str(tmp_path))
    assert code == 2 and "东山镇.docx" in stderr and "--force" in stderr
    assert "镇党委书记补充" in "".join(p.text for p in docx.Document(edited).paragraphs)
    # regenerating other townships with --only leaves the edited one and the rest alone
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != MANIFEST}
    assert run("--out", str(tmp_path), "--only", "西河镇")[0] == 0
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != MANIFEST}
    assert after == before


@pytest.mark.parametrize("name, expected", [
    ("东山镇", "东山镇.docx"),
    ("../../etc/passwd", "_.._etc_passwd.docx"),
    ("CON", "_CON.docx"),
    ("nul.txt", "_nul.txt.docx"),
    ('A<B>C:"D"|E?F*', "A_B_C__D__E_F_.docx"),
    ("  尾部有点.  ", "尾部有点.docx"),
    ("长" * 100, "长" * 80 + ".docx"),
])
def test_file_names_are_safe(name, expected):
    assert file_names([name], "docx") == [expected]


def test_two_townships_on_one_file_name_is_an_error():
    with pytest.raises(OutputError, match="东山/镇"):
        file_names(["东山:镇", "东山/镇"], "docx")
    with pytest.raises(OutputError):
        file_names(["Abc", "aBC"], "docx")  # Windows folders ignore case


def test_odd_township_names_stay_intact_in_the_text(tmp_path):
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    data["townships"]["units"][0]["name"] = "A*B|镇_1"
    path = tmp_path / "odd.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    code, _, stderr = run("--out", str(tmp_path), "--only", "A*B|镇_1", data=path)
    assert code == 0, stderr
    d = docx.Document(tmp_path / "青山县_2024-Q2_成绩单" / "A_B_镇_1.docx")
    assert d.paragraphs[0].text.startswith("A*B|镇_1")


def test_a_scorecard_template_may_read_the_whole_county(tmp_path, facts):
    # The batch escapes each township on its own; a template that also walks
    # townships.units, as an office's own scorecard might, reads the same facts.
    tpl = tmp_path / "card.md.j2"
    tpl.write_text("# {{ town.name }}成绩单\n\n"
                   "{% for u in townships.units %}{% if u.name == town.name %}"
                   "{{ u.name }}第{{ u.rank }}名，得分{{ u.score | number(2) }}，"
                   "{{ u.rows | length }}项指标，落后{{ u.behind | length }}项。{% endif %}{% endfor %}\n",
                   encoding="utf-8")
    code, _, stderr = run("--out", str(tmp_path / "o"), "--template", str(tpl), "--format", "txt",
                          "-j", "2")
    assert code == 0, stderr
    folder = tmp_path / "o" / "青山县_2024-Q2_成绩单"
    for unit in facts["townships"]["units"]:
        text = (folder / f"{unit['name']}.txt").read_text(encoding="utf-8")
        assert (f"{unit['name']}第{unit['rank']}名，得分{number(unit['score'], 2)}，"
                f"{len(unit['rows'])}项指标，落后{len(unit['behind'])}项。") in text


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_template_failing_on_a_later_township_leaves_nothing_behind(tmp_path, jobs):
    tpl = tmp_path / "card.md.j2"
    tpl.write_text("# {{ town.name }}成绩单\n\n"
                   "{% if town.rank == 9 %}{{ town.no_such_fact }}{% endif %}得分{{ town.score }}。\n",
                   encoding="utf-8")
    out = tmp_path / "o"
    code, stdout, stderr = run("--out", str(out), "--template", str(tpl), "--merged", "-j", jobs)
    assert code == 2, stdout + stderr
    assert "card.md.j2:3" in stderr and "no_such_fact" in stderr and "Traceback" not in stderr
    assert not out.exists() or not any(out.iterdir()), sorted(out.rglob("*"))


def test_a_volume_failing_halfway_stops_the_workers_and_leaves_nothing(tmp_path, monkeypatch):
    from generator import batch
    from generator.writers.docx import body as docx_writer

    def broken_volume(meta, blocks, ref=None):
        for n, _ in enumerate(blocks):
            if n == 30:  # a few scorecards in
                raise RuntimeError("the volume broke")
        return b""

    monkeypatch.setattr(docx_writer, "render_stream", broken_volume)
    out = tmp_path / "o"
    with pytest.raises(RuntimeError, match="the volume broke"):
        batch.scorecards(DATA, out, merged=True, jobs=2)
    assert not any(out.iterdir()), sorted(out.rglob("*"))
