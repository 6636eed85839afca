"""The package as an office gets it: a wheel, installed into a fresh venv, run from an empty folder.

An editable install reads the templates and the sample county from the checkout,
so only a real wheel shows whether they ship. The wheel is built and installed
once per session (about 30 s, mostly pip resolving the dependencies, from its
cache when it can); every test then runs the installed `speechgen` from an
empty folder outside the repository. `-m "not wheel"` leaves them out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.wheel


def _run(args, cwd, **kwargs):
    # No PYTHONPATH, and a working folder outside the repo: the checkout must not leak in.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600, **kwargs)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # From a copy: pip builds in the source tree, and a build/ left there by an earlier
    # build would ship modules that no longer exist.
    source = tmp_path_factory.mktemp("src") / "speechgen"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "output", "bench", "*.egg-info", "__pycache__", ".*cache", ".hypothesis"))
    # Build isolation, as pip and `python -m build` do by default: the build sees only
    # what pyproject.toml asks for, not this environment's packages.
    proc = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, source], cwd=out)
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("speechgen-*.whl")
    return built


@pytest.fixture(scope="session")
def speechgen(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    proc = _run([python, "-m", "pip", "install", "-q", wheel], cwd=env_dir)
    assert proc.returncode == 0, proc.stderr
    return python.parent / ("speechgen.exe" if os.name == "nt" else "speechgen")


def test_the_wheel_carries_templates_samples_reference_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("quarterly_speech", "quarterly_notice", "township_scorecard", "_phrases"):
        assert f"generator/resources/speech_templates/{name}.md.j2" in names
    for name in ("indicators.yaml", "reference.docx", "examples/mapping.yaml",
                 "examples/townships_2024Q2.xlsx"):
        assert f"generator/resources/{name}" in names
    assert "generator/sources/schema/indicators.schema.json" in names
    assert not any(n.endswith("make_sample.py") for n in names)  # a maintainer's script


def test_init_then_the_three_documents_from_an_empty_folder(speechgen, tmp_path):
    proc = _run([speechgen, "init", "青山"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    work = tmp_path / "青山"
    for cmd, made in (("speech", "output/青山县_2024-Q2_讲话.docx"),
                      ("notice", "output/青山县_2024-Q2_通报.docx"),
                      ("scorecards", "output/青山县_2024-Q2_成绩单/东山镇.docx")):
        proc = _run([speechgen, cmd], cwd=work)
        assert proc.returncode == 0, (cmd, proc.stderr)
        assert zipfile.is_zipfile(work / made), cmd


def test_built_in_templates_and_sample_data_need_no_working_folder(speechgen, tmp_path):
    # Nothing but a data file given by path: the templates and the reference are the wheel's.
    data = tmp_path / "data.yaml"
    data.write_bytes((ROOT / "indicators.yaml").read_bytes())
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = _run([speechgen, "notice", "--data", data, "--format", "md", "-o", "-"], cwd=empty)
    assert proc.returncode == 0, proc.stderr
    assert "青山县" in proc.stdout
    proc = _run([speechgen, "templates"], cwd=empty)
    assert proc.returncode == 0, proc.stderr
    assert "quarterly_speech" in proc.stdout and "内置" in proc.stdout
    assert "./speech_templates" not in proc.stdout


def test_the_bureau_sheet_imports_in_the_new_folder(speechgen, tmp_path):
    assert _run([speechgen, "init", "w"], cwd=tmp_path).returncode == 0
    proc = _run([speechgen, "import", "townships_2024Q2.xlsx", "--map", "mapping.yaml",
                 "-o", "2024-Q2.yaml"], cwd=tmp_path / "w")
    assert proc.returncode == 0, proc.stderr
    proc = _run([speechgen, "validate", "--data", "2024-Q2.yaml"], cwd=tmp_path / "w")
    assert proc.returncode == 0, proc.stderr
