"""The benchmark's own pieces still run against the library (bench/ is run on demand only)."""

import json
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
    last = result.stdout.strip().splitlines()[-1]
    if mode == "--render-child":
        assert json.loads(last)["cpu_s"] > 0
        assert len(list(out.glob("*.docx"))) == 12
    else:
        assert float(last) > 0


def test_the_floor_writes_the_same_bytes_as_speechgen(tmp_path):
    """bench/floor.py times writing speechgen's own scorecards again, part for part."""
    from generator import batch

    data = synthetic.write(tmp_path / "county.yaml", 8)
    written = batch.scorecards(data, tmp_path / "set", jobs=1)
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "floor.py"), str(tmp_path / "set"),
                             str(tmp_path / "floor")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["documents"] == len(written) == 8 and found["identical"]
    # Only the body, the core properties and the trace differ from one scorecard to the next.
    assert found["parts"] - found["fixed_parts"] == 3
    first = sorted((tmp_path / "floor").glob("*.docx"))[0]
    assert first.read_bytes() == sorted(written)[0].read_bytes()


def test_synthetic_county_is_valid_data(tmp_path):

    ds = loader.load(synthetic.write(tmp_path / "county.yaml", 30))
    assert len(ds.townships.units) == 30 and len(ds.townships.indicators) == 20
