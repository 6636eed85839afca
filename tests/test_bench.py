"""The benchmark's own pieces still run against the library (bench/ is run on demand only)."""

import subprocess
import sys
from pathlib import Path

import pytest

from generator.sources import loader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402


@pytest.mark.parametrize("mode", ["--render-child", "--merged-child"])
def test_timed_child_runs_and_reports_seconds(tmp_path, mode):
    data = synthetic.write(tmp_path / "county.yaml", 12)
    out = tmp_path / "out"
    out.mkdir()
    args = [str(data), str(out)] if mode == "--render-child" else [str(data)]
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), mode, *args],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout.strip().splitlines()[-1]) > 0
    if mode == "--render-child":
        assert len(list(out.glob("*.docx"))) == 12


def test_synthetic_county_is_valid_data(tmp_path):

    ds = loader.load(synthetic.write(tmp_path / "county.yaml", 30))
    assert len(ds.townships.units) == 30 and len(ds.townships.indicators) == 20
