"""Help and messages as a new user meets them: --help, wrong options, wrong names, template slips."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from terminal import on_a_terminal

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "indicators.yaml"
TOWNS = [u["name"] for u in yaml.safe_load(COUNTY.read_text("utf-8"))["townships"]["units"]]
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def summary(command) -> str:
    return command.help.strip().split("\n\n")[0].replace("\n", " ")


@pytest.mark.parametrize("columns", ["80", "200"])
def test_help_lists_every_command_with_its_whole_summary(columns):
    result = run("--help", env={"COLUMNS": columns})
    assert result.exit_code == 0
    listing = result.output.split("Commands:")[1]
    flat = " ".join(listing.split())
    assert "..." not in listing and "…" not in listing
    for name, command in main.commands.items():
        text = " ".join(summary(command).split())
        assert CJK.search(text), f"{name}: the summary has no Chinese half"
        assert f"{name} {text}" in flat, f"{name}: {text!r} cut in:\n{listing}"


def test_format_shows_its_choices_and_refuses_others_in_both_languages():
    option = next(p for p in main.commands["speech"].params if p.name == "fmt")
    formats = list(option.type.choices)
    assert {"docx", "md", "txt"} <= set(formats)
    shown = run("speech", "--help", env={"COLUMNS": "120"}).output
    assert f"--format [{'|'.join(formats)}]" in shown
    result = run("speech", "--data", str(COUNTY), "--format", "doc")
    assert result.exit_code == 2
    assert f"'doc': expected one of {', '.join(formats)}" in result.output
    assert f"输出格式应为 {'、'.join(formats)} 之一" in result.output


def test_only_with_a_name_that_does_not_exist_suggests_the_real_one(tmp_path):
    assert "西河镇" in TOWNS and "西河乡" not in TOWNS
    result = run("scorecards", "--data", str(COUNTY), "--out", str(tmp_path), "--only", "西河乡")
    assert result.exit_code == 2
    assert "--only: no township named 西河乡; did you mean 西河镇?" in result.output
    assert "--only: 没有名为西河乡的乡镇，是否指西河镇？" in result.output
    assert list(tmp_path.iterdir()) == []


def test_only_with_names_nothing_like_any_lists_the_townships(tmp_path):
    result = run("scorecards", "--data", str(COUNTY), "--out", str(tmp_path), "--only", "东山,北京市")
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith("--only: no township named 东山, 北京市; for 东山, did you mean 东山镇? "
                               "The townships are 西河镇, ")
    assert lines[1].startswith("--only: 没有名为东山、北京市的乡镇；东山是否指东山镇？乡镇有：西河镇、")
    assert all(name in lines[1] for name in TOWNS)


def test_readme_documents_jobs_and_its_only_example_uses_real_names():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "-j/--jobs" in readme or "`-j N`" in readme
    examples = re.findall(r"--only ([\u4e00-\u9fff][^`\s]*)", readme)  # township names, not bench/'s
    assert examples
    for example in examples:
        for name in example.split(","):
            assert name in TOWNS, f"README's --only example names {name}, not a township of the sample"
    only = next(p for p in main.commands["scorecards"].params if p.name == "only")
    for name in re.findall(r"如 (\S+?)\.", only.help)[0].split(","):
        assert name in TOWNS


def test_a_docx_is_not_written_to_a_terminal():
    code, screen, err = on_a_terminal("speech", "--data", str(COUNTY), "-o", "-")
    assert code == 2
    assert screen == b""  # nothing binary reached the screen
    message = err.decode("utf-8")
    assert "a .docx file is binary and is not written to the terminal" in message
    assert "不能直接输出到终端" in message and "Traceback" not in message


def test_on_a_terminal_text_still_goes_to_the_screen(monkeypatch):
    # The real terminal is the test above; here only which formats pass, without a process each.
    from generator import cli

    monkeypatch.setattr(cli, "_on_terminal", lambda stream: True)
    shown = run("speech", "--data", str(COUNTY), "--format", "txt", "-o", "-")
    assert shown.exit_code == 0 and "同志们" in shown.stdout
    refused = run("notice", "--data", str(COUNTY), "-o", "-")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert "a .docx file is binary and is not written to the terminal" in refused.output


@pytest.mark.parametrize("command, source, says_en, says_zh", [
    ("speech", "{% for i in indicators %}{{ i.nme }}{% endfor %}",
     "the template asks for indicators[0].nme, which the facts do not have (did you mean name?); "
     "indicators[0] has: id, name, card, unit,",
     "模板引用了不存在的数据 indicators[0].nme（是否指name？）；indicators[0]中有：id、name、card、unit、"),
    ("speech", "{{ meta.regionx }}",
     "the template asks for meta.regionx, which the facts do not have (did you mean region?); meta has: region,",
     "模板引用了不存在的数据 meta.regionx（是否指region？）；meta中有：region、"),
    ("speech", "{{ plan.opening.nosuch }}",
     "the template asks for plan.opening.nosuch, which the facts do not have; plan.opening has: ",
     "模板引用了不存在的数据 plan.opening.nosuch；plan.opening中有："),
    ("speech", "{{ indicatorz | length }}",
     "the template uses indicatorz, which is neither a fact nor a variable it set (did you mean indicators?); "
     "the facts are: meta, indicators,",
     "模板使用了“indicatorz”，它既不是数据，也不是模板中设置的变量（是否指indicators？）；可用的数据有：meta、indicators、"),
    ("speech", "{{ indicators[99].name }}",
     "the template asks for indicators[99], but indicators is a list of 34 items (indicators[0] to indicators[33])",
     "indicators 是含34项的列表"),
    ("speech", "{{ meta.region.short }}",
     "the template asks for short of 青山县, which is text, not a set of facts",
     "模板读取了“青山县”的 short，但它是文字"),
    ("scorecards", "{{ town.scroe }}",
     "the template asks for town.scroe, which the facts do not have (did you mean score?); town has: name,",
     "模板引用了不存在的数据 town.scroe（是否指score？）；town中有：name、"),
])
def test_a_missing_fact_is_named_with_what_is_there(tmp_path, command, source, says_en, says_zh):
    template = tmp_path / "mine.md.j2"
    template.write_text("# 标题\n\n" + source + "\n", "utf-8")
    result = run(command, "--data", str(COUNTY), "--template", str(template), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    first, second = result.output.splitlines()
    assert first.startswith(f"{template}:3: ")
    assert says_en in first and says_zh in second
    assert "generator." not in result.output and "View" not in result.output and "object" not in result.output
    assert not (tmp_path / "out").exists()


def test_facts_table_explains_its_signs():
    result = run("facts", "--data", str(COUNTY))
    assert result.exit_code == 0
    out = result.output
    table, key = out.split("说明 / key:")
    assert "位次变化" in table and "序时差" in table
    assert "位次变化：上期位次减本期位次：正数为上升" in key
    assert "序时差：完成率落后于序时进度的个百分点：正数为落后，负数为超前" in key
    assert "（本期为50%）" in key


# ---------------------------------------------------------------- the guide (docs/使用指南.md)

GUIDE = ROOT / "docs" / "使用指南.md"
# A filter example row: | … | `{{ … }}…` | `output` |   (a pipe inside a table cell is written \|)
EXAMPLE = re.compile(r"^\|.*\|\s*`(?P<source>[^`]*\{\{.*?\}\}[^`]*)`\s*\|\s*`(?P<output>[^`]+)`\s*\|\s*$", re.M)


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text("utf-8")


@pytest.fixture(scope="module")
def sample_context():
    from generator import pipeline
    from generator.render import sandbox

    facts = pipeline.load_facts(COUNTY)
    return sandbox.make_environment(sandbox.BUILTIN_DIR), sandbox.escape_facts(pipeline.template_context(facts))


def test_readme_links_the_guide():
    assert "(docs/使用指南.md)" in (ROOT / "README.md").read_text("utf-8")


def test_every_filter_example_in_the_guide_prints_what_it_says(guide, sample_context):
    env, context = sample_context
    examples = [(m["source"].replace("\\|", "|"), m["output"]) for m in EXAMPLE.finditer(guide)]
    assert len(examples) >= 30
    printed = [(source, said, env.from_string(source).render(context)) for source, said in examples]
    wrong = [(source, said, got) for source, said, got in printed if got != said]
    assert not wrong, "\n".join(f"{s}: the guide says {a!r}, the filter prints {b!r}" for s, a, b in wrong)


def test_the_guide_has_an_example_of_every_filter_and_function(guide):
    from generator.wording import zh

    sources = [m["source"] for m in EXAMPLE.finditer(guide)]
    for name in {**zh.FILTERS, **zh.GLOBALS}:
        assert any(re.search(rf"(\|\s*|\b){name}\b", s.replace("\\|", "|")) for s in sources), \
            f"no example of {name} in the guide"


def test_every_planning_fact_the_guide_names_exists(guide):
    from generator import pipeline

    plan = pipeline.template_context(pipeline.load_facts(COUNTY))["plan"]
    merged = guide.split("## 九、")[0]  # the last part describes branches not merged yet
    named = set(re.findall(r"`(plan(?:\.[a-z_]+)+)`", merged))
    assert len(named) >= 25
    for path in named:
        value = {"plan": plan}
        for key in path.split("."):
            assert isinstance(value, dict) and key in value, f"the guide names {path}, which the plan lacks"
            value = value[key]
    # and every key of the plan's top and its sections is in the guide
    for key, value in plan.items():
        assert f"plan.{key}" in guide, f"plan.{key} is not in the guide"
        if isinstance(value, dict) and key in ("opening", "good", "bad", "plenary", "forum", "notice"):
            for sub in value:
                assert re.search(rf"plan\.{key}\.{sub}\b", guide), f"plan.{key}.{sub} is not in the guide"


def test_the_guide_documents_every_command(guide):
    for name in main.commands:
        assert f"### `speechgen {name}" in guide, f"speechgen {name} has no section in the guide"
