"""Files: atomic writes, edit protection, byte-identical output."""

import os
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from generator import output
from generator.cli import main
from generator.errors import OutputError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"
SPEECH = "青山县_2024-Q2_讲话.docx"


def speech(out: Path, *extra: str):
    return CliRunner().invoke(main, ["speech", "--data", str(DATA), "--out", str(out), *extra])


def test_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.docx"
    target.write_bytes(b"old")

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"], "temporary file left behind"


def test_written_files_are_readable_by_colleagues(tmp_path):
    path = output.atomic_write(tmp_path / "x.txt", b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_an_edited_document_is_protected(tmp_path):
    first = speech(tmp_path)
    assert first.exit_code == 0
    path = tmp_path / SPEECH
    # an unchanged file is simply regenerated
    assert speech(tmp_path).exit_code == 0
    # a secretary edits the speech in Word
    d = docx.Document(path)
    d.add_paragraph("书记口头补充的一段话。")
    d.save(path)
    edited = path.read_bytes()
    refused = speech(tmp_path)
    assert refused.exit_code == 2
    assert SPEECH in refused.stderr and "--force" in refused.stderr
    assert "被修改" in refused.stderr and "changed since speechgen wrote it" in refused.stderr
    assert path.read_bytes() == edited
    # --out elsewhere works, --force overwrites
    assert speech(tmp_path / "new").exit_code == 0
    assert speech(tmp_path, "--force").exit_code == 0
    assert "书记口头补充" not in "".join(p.text for p in docx.Document(path).paragraphs)


def test_a_file_speechgen_did_not_write_is_not_overwritten(tmp_path):
    (tmp_path / SPEECH).write_bytes(b"someone else's file")
    result = speech(tmp_path)
    assert result.exit_code == 2
    assert (tmp_path / SPEECH).read_bytes() == b"someone else's file"


def test_guard_and_record(tmp_path):
    a = tmp_path / "a.md"
    output.write_output(a, b"one")
    assert not output.edited(a)
    a.write_bytes(b"two")
    assert output.edited(a)
    with pytest.raises(OutputError):
        output.write_output(a, b"three")
    output.write_output(a, b"three", force=True)
    assert a.read_bytes() == b"three" and not output.edited(a)
    assert not output.edited(tmp_path / "missing.md")


@pytest.mark.parametrize("command", ["speech", "notice"])
def test_same_input_same_bytes(tmp_path, command):
    outs = []
    for run in ("a", "b"):
        result = CliRunner().invoke(main, [command, "--data", str(DATA), "--out",
                                           str(tmp_path / run)])
        assert result.exit_code == 0
        outs.append(Path(result.stdout.strip()).read_bytes())
    assert outs[0] == outs[1]
