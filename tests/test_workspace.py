"""`speechgen init` and `speechgen templates`: starting an office's folder and seeing what it uses."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import workspace
from generator.cli import main
from generator.errors import OutputError
from generator.render import catalogue
from generator.sources import loader

ROOT = Path(__file__).resolve().parents[1]


def test_init_writes_a_folder_whose_speech_needs_no_option(tmp_path, monkeypatch):
    result = workspace.create(tmp_path / "w")
    names = {p.relative_to(tmp_path / "w").as_posix() for p in result.written}
    assert {"indicators.yaml", "mapping.yaml", "townships_2024Q2.xlsx", "reference.docx",
            "使用说明.md", "speech_templates/quarterly_speech.md.j2",
            "speech_templates/说明.md"} <= names
    monkeypatch.chdir(tmp_path / "w")
    assert CliRunner().invoke(main, ["speech"]).exit_code == 0
    assert (tmp_path / "w" / "output" / "青山县_2024-Q2_讲话.docx").is_file()


def test_the_commented_sample_is_the_sample(tmp_path):
    text = workspace.commented_sample()
    assert yaml.safe_load(text) == yaml.safe_load((ROOT / "indicators.yaml").read_text(encoding="utf-8"))
    assert "    # 同比增长（%），下降写负数\n    growth: 4.2\n" in text
    # Each note once, above the key's first use.
    assert text.count("# 同比增长（%），下降写负数") == 1
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    assert loader.load(path).indicators == loader.load(ROOT / "indicators.yaml").indicators


def test_the_mapping_reads_the_folders_own_data(tmp_path):
    workspace.create(tmp_path)
    mapping = yaml.safe_load((tmp_path / "mapping.yaml").read_text(encoding="utf-8"))
    assert mapping["base"] == "indicators.yaml"


def test_the_folder_imports_the_citys_comparison_tables_as_its_guide_says(tmp_path, monkeypatch):
    workspace.create(tmp_path)
    guide = (tmp_path / "使用说明.md").read_text(encoding="utf-8")
    command = next(line.strip() for line in guide.splitlines() if "--compare " in line)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, command.split()[1:])
    assert result.exit_code == 0, result.output
    data = loader.load(tmp_path / "2024-Q2.yaml")
    gdp = yaml.safe_load((tmp_path / "2024-Q2.yaml").read_text(encoding="utf-8"))["indicators"]["gdp"]
    # every county's row of the city's table, its average and the peers come from the tables
    assert len(gdp["scope_units"]) == 38 and gdp["scope_average"]["growth"] == 5.8
    assert gdp["peers"]["临江县"]["rank"] == 24 and gdp["rank"] == 28
    assert data.meta.region == "青山县"
    assert CliRunner().invoke(main, ["speech", "--data", "2024-Q2.yaml"]).exit_code == 0


def test_a_folder_with_files_is_refused_without_force(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError, match="not empty"):
        workspace.create(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_force_adds_what_is_missing_and_keeps_what_the_office_changed(tmp_path):
    workspace.create(tmp_path)
    data = tmp_path / "indicators.yaml"
    data.write_text("# our own figures\n", encoding="utf-8")
    (tmp_path / "reference.docx").unlink()
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = workspace.create(tmp_path, force=True)
    assert result.kept == [data] and data.read_text(encoding="utf-8") == "# our own figures\n"
    assert [p.name for p in result.written] == ["reference.docx"]  # the untouched rest is as it was
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_init_on_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a folder"):
        workspace.create(tmp_path / "f", force=True)


def test_templates_lists_kind_description_and_who_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    entries = {e.name: e for e in catalogue.entries()}
    speech = entries["quarterly_speech"]
    assert (speech.kind, speech.office, speech.shadows) == ("speech", False, None)
    assert speech.description
    assert entries["quarterly_notice"].kind == "notice"
    assert entries["township_scorecard"].kind == "scorecard"
    assert entries["_phrases"].kind == "partial"

    own = tmp_path / "speech_templates"
    own.mkdir()
    (own / "quarterly_speech.md.j2").write_text(
        "{#- description: 我们的讲话稿 -#}\n---\nkind: speech\n---\n# 讲话\n", encoding="utf-8")
    (own / "memo.md.j2").write_text("---\nkind: notice\n---\n# 便函\n", encoding="utf-8")
    entries = {e.name: e for e in catalogue.entries()}
    assert entries["quarterly_speech"].office and entries["quarterly_speech"].shadows is not None
    assert entries["quarterly_speech"].description == "我们的讲话稿"
    assert (entries["memo"].kind, entries["memo"].description, entries["memo"].shadows) == ("notice", "", None)
    out = CliRunner().invoke(main, ["templates"]).output
    line = next(l for l in out.splitlines() if l.startswith("quarterly_speech"))
    assert "./speech_templates" in line and "优先于内置" in line and "我们的讲话稿" in line


def test_an_office_copy_of_a_shared_part_wins_for_a_built_in_template(tmp_path, monkeypatch):
    # "An office's copy wins" holds for the macros a built-in template imports, too.
    from generator.render import sandbox

    monkeypatch.chdir(tmp_path)
    (tmp_path / "speech_templates").mkdir()
    env = sandbox.make_environment(sandbox.BUILTIN_DIR)
    (tmp_path / "speech_templates" / "_phrases.md.j2").write_text("{% macro x() %}ours{% endmacro %}",
                                                                  encoding="utf-8")
    assert Path(env.get_template("_phrases.md.j2").filename).parent == tmp_path / "speech_templates"
