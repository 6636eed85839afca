"""Every bad input of tests/bad_inputs/cases.yaml through the real command line.

Each must end with exit code 2 and a short message, in English and Chinese, that
names the file and the line or key; never a traceback; and nothing written: the
output folder stays empty, or byte for byte what an earlier good run left there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from generator import pipeline
from generator.cli import main

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).with_name("bad_inputs")
CASES: list[dict] = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))["cases"]
MAX_LINES = 12
WRITERS = ("speech", "notice", "scorecards")  # the commands that take --out


def case_id(case: dict) -> str:
    """speech:yaml/tab_indent.yaml, notice:reference/not_a_docx.docx --reference-doc, …"""
    options = [arg for arg in case["run"][1:] if arg.startswith("-") and arg != "--data"]
    return " ".join([f"{case['run'][0]}:{case.get('case') or case['what']}", *options])


def params(cases: list[dict]) -> list:
    return [pytest.param(c, id=case_id(c),
                         marks=[pytest.mark.xfail(reason=c["xfail"], strict=True)] if "xfail" in c else [])
            for c in cases]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A copy of tests/bad_inputs with the built (non-text, generated) cases added."""
    spec = importlib.util.spec_from_file_location("make_binary_cases", BAD / "make_binary_cases.py")
    make_binary_cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_binary_cases)
    folder = tmp_path_factory.mktemp("corpus") / "bad_inputs"
    shutil.copytree(BAD, folder, ignore=shutil.ignore_patterns("__pycache__"))
    make_binary_cases.build(folder)
    return folder


def command(case: dict, corpus: Path, out: Path) -> list[str]:
    fields = {"case": str(corpus / case.get("case", "")), "dir": str(corpus),
              "data": str(corpus / "base" / "county.yaml")}
    args = [arg.format(**fields) for arg in case["run"]]
    if args[0] in WRITERS and "--out" not in args and "-o" not in args:
        args += ["--out", str(out)]
    return args


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_reported(case: dict, result: Result) -> None:
    err = result.stderr
    assert result.exit_code == case["exit"], err or result.exception
    assert "Traceback" not in err
    for key in ("where", "en", "zh"):
        assert case[key] in err, f"{key} {case[key]!r} not in:\n{err}"
    assert len(err.splitlines()) <= case.get("max_lines", MAX_LINES), err
    assert result.stdout == ""  # no "written to …" line for a file that was not written


# --- the manifest itself ------------------------------------------------------------------

def test_corpus_is_large_and_every_case_says_where_and_what_in_both_languages(corpus):
    assert len(CASES) >= 45
    assert len({case_id(c) for c in CASES}) == len(CASES)
    for case in CASES:
        assert case["exit"] == 2 and case["run"][0] in (*WRITERS, "validate", "facts", "import")
        assert not (case.get("over_good_output") and case["run"][0] not in WRITERS)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in case["zh"]), case_id(case)
        assert any("a" <= ch.lower() <= "z" for ch in case["en"]), case_id(case)
        if "case" in case:
            path = corpus / case["case"]
            assert path.exists() != case.get("missing", False), case_id(case)
            assert path.name in case["where"], case_id(case)
    # Everything issue 5 lists is in the corpus.
    kinds = {c.get("case", "") for c in CASES}
    for required in ("yaml/tab_indent.yaml", "yaml/bad_indent.yaml", "yaml/duplicate_key.yaml",
                     "types/growth_percent_text.yaml", "types/list_for_map.yaml", "missing/meta_region.yaml",
                     "contract/unknown_task_indicator.yaml", "contract/rank_out_of_range.yaml",
                     "contract/negative_scope_size.yaml", "contract/unknown_period.yaml",
                     "contract/unknown_grade.yaml", "yaml/empty.yaml", "generated/large.yaml",
                     "generated/garbage.yaml", "encoding/gbk.yaml", "xlsx/missing_column.xlsx",
                     "templates/syntax_error.md.j2", "templates/missing_fact.md.j2",
                     "reference/not_a_docx.docx"):
        assert required in kinds, required
    # and everything issue 10 lists
    for required in ("yaml/sexagesimal.yaml", "yaml/octal_rank.yaml", "yaml/bool_name.yaml",
                     "types/target_negative.yaml", "types/township_target_zero.yaml",
                     "types/int_too_large.yaml", "types/weight_huge.yaml", "types/cap_huge.yaml",
                     "templates/lone_surrogate.md.j2", "templates/mutate_dict_update.md.j2",
                     "templates/blowup_center.md.j2", "templates/blowup_indent.md.j2",
                     "templates/blowup_wordwrap_long.md.j2", "templates/blowup_join.md.j2",
                     "templates/blowup_concat.md.j2", "templates/blowup_format.md.j2",
                     "templates/blowup_percent.md.j2", "xlsx/formula_uncached.xlsx",
                     "xlsx/merged_value_target.xlsx", "xlsx/far_cell.xlsx", "xlsx/zip_bomb.xlsx",
                     "reference/zip_bomb.docx", "reference/page_width_inf.docx",
                     "reference/page_height_text.docx", "reference/margins_wider_than_page.docx"):
        assert required in kinds, required


def test_built_cases_are_what_they_claim(corpus):
    assert (corpus / "generated" / "large.yaml").stat().st_size >= 50 * 1024 * 1024
    assert b"\x00" in (corpus / "generated" / "garbage.yaml").read_bytes()
    assert b"\x00" not in (corpus / "generated" / "garbage_no_nul.yaml").read_bytes()
    for bomb in ("xlsx/zip_bomb.xlsx", "reference/zip_bomb.docx"):
        import zipfile

        with zipfile.ZipFile(corpus / bomb) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        assert (corpus / bomb).stat().st_size < 1024 * 1024 and inflated > 200 * 1024 * 1024, bomb
    gbk = (corpus / "encoding" / "gbk.yaml").read_bytes()
    assert gbk.decode("gbk") == (corpus / "base" / "county.yaml").read_text(encoding="utf-8")


def test_the_good_inputs_the_cases_are_made_from_work(corpus, tmp_path):
    """Each bad case is one edit away from these, so the edit is what the message is about."""
    data = str(corpus / "base" / "county.yaml")
    for args in (["speech", "--data", data], ["notice", "--data", data], ["scorecards", "--data", data],
                 ["speech", "--data", str(corpus / "csv" / "good.csv"),
                  "--map", str(corpus / "mapping" / "csv.map.yaml")],
                 ["speech", "--data", str(corpus / "base" / "county_no_townships.yaml")]):
        out = tmp_path / args[0] / str(len(args))
        result = run(args + ["--out", str(out)])
        assert result.exit_code == 0, result.stderr
        assert any(out.iterdir())


# --- every case -----------------------------------------------------------------------------

@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_is_reported_and_nothing_is_written(case, corpus, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run(command(case, corpus, out))
    assert_reported(case, result)
    assert list(tmp_path.iterdir()) == [out] and list(out.iterdir()) == []


@pytest.mark.parametrize("case", params([c for c in CASES if c.get("over_good_output")]))
def test_bad_input_leaves_an_earlier_good_output_as_it_was(case, corpus, tmp_path):
    out = tmp_path / "out"
    good = run([case["run"][0], "--data", str(corpus / "base" / "county.yaml"), "--out", str(out)])
    assert good.exit_code == 0, good.stderr
    before = snapshot(out)
    assert any(name.endswith(".docx") for name in before)
    assert_reported(case, run(command(case, corpus, out)))
    assert snapshot(out) == before


# --- the process as a user starts it ---------------------------------------------------------

def python_m(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_real_process_exits_2_with_the_message_only(corpus, tmp_path):
    proc = python_m("speech", "--data", str(corpus / "encoding" / "gbk.yaml"), "--out", "out", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"{corpus / 'encoding' / 'gbk.yaml'}: the file is GBK-encoded; save it as UTF-8",
        f"{corpus / 'encoding' / 'gbk.yaml'}: 文件是GBK编码，请另存为UTF-8",
    ]
    assert list(tmp_path.iterdir()) == []


def test_debug_shows_the_traceback(corpus, tmp_path):
    proc = python_m("--debug", "speech", "--data", str(corpus / "yaml" / "tab_indent.yaml"), cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert "generator.errors.DataError" in proc.stderr and "使用了Tab缩进" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_bug_in_speechgen_exits_1_without_a_traceback(corpus, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(pipeline.analysis, "analyse", broken)
    out = tmp_path / "out"
    result = run(["speech", "--data", str(corpus / "base" / "county.yaml"), "--out", str(out)])
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "internal error (a bug in speechgen; run with --debug for details): ZeroDivisionError: division by zero",
        "程序内部错误，请加 --debug 查看详情并报告。",
    ]
    assert not out.exists()
