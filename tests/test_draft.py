"""Drafts while data is late: 待补 in the data, --draft writes placeholders, else one error."""

import re
from pathlib import Path

import docx
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"


def run(*args) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def late(tmp_path: Path, figures: dict[tuple[str, str], str], name: str = "late.yaml") -> Path:
    """The bundled data with some of an indicator's own figures written as the office would."""
    lines = DATA.read_text(encoding="utf-8").split("\n")
    current = None
    for n, line in enumerate(lines):
        block = re.match(r"^  (\w+):\s*$", line)
        if block:
            current = block.group(1)
        field = re.match(r"^    (\w+): ", line)
        if field and (current, field.group(1)) in figures:
            lines[n] = f"    {field.group(1)}: {figures[(current, field.group(1))]}"
    path = tmp_path / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def line_of(path: Path, key: str, indicator: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"  {indicator}:")
    return next(n for n in range(start, len(lines)) if lines[n].startswith(f"    {key}: ")) + 1


PENDING = {("gdp", "value"): "待补", ("fai", "growth"): "待补", ("gdp", "rank"): " 待补 "}


def test_without_draft_every_pending_figure_is_one_error(tmp_path):
    data = late(tmp_path, PENDING)
    out = tmp_path / "out"
    code, _, err = run("speech", "--data", str(data), "--out", str(out))
    assert code == 2
    assert err.count("indicators.gdp.value") == 2  # once in English, once in Chinese
    for key, label in (("indicators.gdp.value", "地区生产总值"), ("indicators.fai.growth", "固定资产投资增速"),
                       ("indicators.gdp.rank", "地区生产总值位次")):
        assert key in err and label in err
    assert f"late.yaml:{line_of(data, 'growth', 'fai')}: indicators.fai.growth" in err
    assert "3 figures are still pending" in err and "--draft" in err and "共3项数据待补" in err
    assert not out.exists() or not any(out.iterdir())  # nothing half-written
    assert "Traceback" not in err
    # validate says the same: the file is not ready for a final document
    code, _, err = run("validate", "--data", str(data))
    assert code == 2 and "indicators.fai.growth" in err


def test_draft_keeps_the_sentence_with_a_highlighted_placeholder(tmp_path):
    data = late(tmp_path, PENDING)
    out = tmp_path / "out"
    code, _stdout, err = run("speech", "--data", str(data), "--out", str(out), "--draft")
    assert code == 0, err
    d = docx.Document(out / "青山县_2024-Q2_讲话.docx")
    (para,) = [p for p in d.paragraphs if "【待补：地区生产总值】" in p.text]
    assert "地区生产总值完成【待补：地区生产总值】" in para.text  # the figure's own place in its sentence
    lit = [r for r in para.runs if r.font.highlight_color is not None]
    # the pending growth keeps its place in its indicator's sentence too
    assert "同比【待补：固定资产投资增速】" in para.text
    # every placeholder of the paragraph lit, and nothing else (the rank waits for the bureau too)
    assert sorted(r.text for r in lit) == sorted(["【待补：地区生产总值】", "【待补：固定资产投资增速】",
                                                  "【待补：地区生产总值位次】"])
    assert str(lit[0].font.highlight_color).startswith("YELLOW")
    assert all(r.font.highlight_color is None for p in d.paragraphs for r in p.runs if "待补" not in r.text)
    # the run ends with what is missing: data key, line, and the section it stands in
    assert "draft: 3 figures pending" in err
    line = next(x for x in err.splitlines() if "indicators.gdp.value" in x)
    assert f"late.yaml:{line_of(data, 'value', 'gdp')}:" in line
    assert "二、正视差距，把短板弱项找准 / （一）主要经济指标承压" in line
    used = next(x for x in err.splitlines() if "indicators.fai.growth" in x)
    assert "（一）主要经济指标承压" in used


def test_any_template_gets_placeholders_through_the_filters(tmp_path):
    """An office's own template: whatever prints a figure through a filter gets the placeholder."""
    data = late(tmp_path, PENDING)
    template = tmp_path / "mine.md.j2"
    template.write_text(
        "---\nkind: speech\n---\n\n# 指标一览\n\n## 增速\n\n"
        "{% for f in indicators if f.card == '经济' and f.growth is not none %}"
        "{{ f.name }}{{ f.growth | growth }}；{% endfor %}\n", encoding="utf-8")
    code, stdout, err = run("speech", "--data", str(data), "--template", str(template), "--draft",
                            "--format", "md", "-o", "-")
    assert code == 0, err
    assert "固定资产投资【待补：固定资产投资增速】；" in stdout
    assert "地区生产总值增长4.2%；" in stdout
    assert "indicators.fai.growth（固定资产投资增速）→ 一、增速" in err


def test_a_required_figure_cannot_wait(tmp_path):
    text = DATA.read_text(encoding="utf-8").replace("planned: 3.2,", "planned: 待补,", 1)
    data = tmp_path / "late.yaml"
    data.write_text(text, encoding="utf-8")
    code, _, err = run("speech", "--data", str(data), "--draft", "--out", str(tmp_path / "out"))
    assert code == 2
    line = next(n for n, x in enumerate(text.split("\n"), 1) if "planned: 待补" in x)
    assert f"late.yaml:{line}: projects[0].planned" in err and "is only for a figure that may be left out" in err
    assert "只有可以空缺的数字才能写“待补”" in err


def test_null_still_means_no_such_figure(tmp_path):
    data = late(tmp_path, {("fai", "growth"): "null"})
    code, _, err = run("speech", "--data", str(data), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert "待补" not in err


def test_a_draft_of_the_public_version_keeps_its_placeholders(tmp_path):
    data = late(tmp_path, PENDING)
    code, stdout, err = run("speech", "--data", str(data), "--draft", "--redact", "--format", "txt", "-o", "-")
    assert code == 0, err
    assert "【待补：地区生产总值】" in stdout and "同比增长X%" in stdout


def test_check_on_a_draft_says_which_placeholders_the_data_now_fills(tmp_path):
    data = late(tmp_path, {("gdp", "value"): "待补"})
    out = tmp_path / "out"
    code, _, err = run("speech", "--data", str(data), "--out", str(out), "--draft")
    assert code == 0, err
    draft = out / "青山县_2024-Q2_讲话.docx"
    code, report, _ = run("check", str(draft), "--data", str(data))
    assert code == 3 and "仍待补" in report
    code, report, _ = run("check", str(draft), "--data", str(DATA))  # the bureau published it
    assert code == 3 and "数据已有" in report and "156.3亿元" in report
