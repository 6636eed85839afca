"""Templates are code from other offices: known sandbox escapes must fail cleanly."""

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.render import sandbox as templating
from generator.cli import main
from generator.errors import TemplateError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"
HEADER = "# 标题\n\n"


def render_cli(tmp_path: Path, body: str):
    tpl = tmp_path / "evil.md.j2"
    tpl.write_text(HEADER + body + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["speech", "--data", str(DATA), "--template", str(tpl),
                                       "--out", str(out)])
    return result, out


ESCAPES = [
    # reaching Python internals through attributes
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    ("{{ cycler.__init__.__globals__.os.system('id') }}", "unsafe"),
    ("{{ joiner.__init__.__globals__ }}", "unsafe"),
    ("{{ lipsum.__globals__['os'] }}", "unsafe"),
    ("{{ namespace.__init__.__globals__ }}", "unsafe"),
    ("{{ meta.__class__.__base__ }}", "unsafe"),
    ("{{ (1).__class__.__base__.__subclasses__() }}", "unsafe"),
    ("{{ self._TemplateReference__context }}", "unsafe"),
    ("{{ meta.region | attr('__class__') }}", "unsafe"),
    ("{{ '{0.__class__.__mro__}'.format(meta) }}", "unsafe"),
    # changing the facts that the next scorecard of a batch will read
    ("{% do indicators.clear() %}", "clear"),
    ("{% do meta.update({'region': '别处'}) %}", "read-only"),
    ("{% do meta.pop('region') %}", "read-only"),
    # reading files through the loader
    ("{% include '/etc/passwd' %}", "/etc/passwd"),
    ("{% include '../../../../etc/passwd' %}", "passwd"),
    ("{% extends '/etc/hostname' %}", "hostname"),
    ("{% import 'os' as os %}{{ os.system('id') }}", "os"),
    # names that exist in other template engines' escapes
    ("{{ config.items() }}", "config"),
    ("{{ request.application }}", "request"),
    ("{{ __builtins__ }}", "__builtins__"),
    # exhausting the machine
    ("{{ 'x' * 10000000000 }}", "exceeds"),
    ("{{ [1] * 100000000 }}", "exceeds"),
    ("{{ 9 ** 99999999 }}", "too large"),
    ("{% for i in range(10000000000) %}{% endfor %}", "range"),
    ("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}", "recursion"),
]


@pytest.mark.parametrize("body, words", ESCAPES)
def test_escape_attempts_fail_cleanly(tmp_path, body, words):
    result, out = render_cli(tmp_path, body)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "evil.md.j2" in result.stderr
    assert words.lower() in result.stderr.lower()
    assert "uid=" not in result.stdout + result.stderr and "root:" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_runaway_loop_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(templating, "RENDER_SECONDS", 0.5)
    body = ("{% for a in range(100000) %}{% for b in range(100000) %}"
            "{% endfor %}{% endfor %}")
    start = time.monotonic()
    result, _ = render_cli(tmp_path, body)
    assert time.monotonic() - start < 10
    assert result.exit_code == 2
    assert "0.5 s" in result.stderr and "死循环" in result.stderr
    assert "evil.md.j2:3" in result.stderr


def test_ordinary_arithmetic_and_repetition_still_work(tmp_path):
    body = "{{ '—' * 3 }}{{ 2 ** 10 }}{{ ([0] * 3) | length }}"
    tpl = tmp_path / "ok.md.j2"
    tpl.write_text(HEADER + body + "\n", encoding="utf-8")
    template = templating.load_template(str(tpl))
    assert templating.render(template, {}).strip().endswith("———10243")


def test_syntax_error_names_file_and_line(tmp_path):
    tpl = tmp_path / "broken.md.j2"
    tpl.write_text(HEADER + "{% if meta.region %}\n没有结束\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        templating.load_template(str(tpl))
    assert info.value.file.endswith("broken.md.j2")
    assert info.value.line == 4  # the end of the file, where endif is missing
    assert "endif" in info.value.en


def test_data_cannot_inject_markup():
    escaped = templating.escape_facts({"name": "**粗体** | # 标题 ![x](asset:y)", "id": "a_b"})
    assert escaped["id"] == "a_b"
    assert templating.unescape_markdown(escaped["name"]) == "**粗体** | # 标题 ![x](asset:y)"
    assert "**" not in escaped["name"].replace("\\*", "")


def test_facts_view_escapes_what_is_read_and_keeps_the_facts_unchanged():
    facts = {"meta": {"region": "A*B县"}, "units": [{"name": "东|西", "id": "x_y",
                                                   "reasons": {"good": ["rank_up"]}}]}
    view = templating.escape_facts(facts)
    unit = view["units"][0]
    assert view["meta"]["region"] == "A\\*B县" and unit["name"] == "东\\|西"
    assert unit["id"] == "x_y" and unit["reasons"]["good"] == ("rank_up",)  # codes unescaped
    assert facts["units"][0]["name"] == "东|西"  # the facts themselves are not touched
    # the view reads as the mapping it stands for, not as the cache behind it
    assert len(view) == 2 and list(view) == ["meta", "units"] and "units" in view
    assert dict(view["meta"]) == {"region": "A\\*B县"} and {**view["meta"]} == {"region": "A\\*B县"}
    assert view["meta"].get("nothing", "—") == "—"
    assert view["meta"] == {"region": "A\\*B县"} and not view["meta"] != {"region": "A\\*B县"}
    assert list(reversed(view)) == ["units", "meta"]
    assert view["units"][0] is unit  # escaped once, then reused
    for change in (lambda: view["meta"].update(region="x"), lambda: view["units"].append(1),
                   lambda: unit["reasons"]["good"].append("x"), lambda: view.clear()):
        with pytest.raises((TypeError, AttributeError)):
            change()
    assert facts == {"meta": {"region": "A*B县"}, "units": [{"name": "东|西", "id": "x_y",
                                                          "reasons": {"good": ["rank_up"]}}]}


def test_facts_view_pickles_as_the_facts_it_stands_for():
    # Windows batch workers are spawned: the job and its views travel pickled.
    import pickle

    view = templating.escape_facts({"meta": {"region": "A*B县"}, "units": [{"name": "甲"}]})
    view["units"][0]["name"]  # a view with a filled cache and a memo
    again = pickle.loads(pickle.dumps(view))
    assert again["meta"]["region"] == "A\\*B县" and again["units"][0]["name"] == "甲"


def test_tojson_shows_the_facts_not_the_empty_view(tmp_path):
    tpl = tmp_path / "json.md.j2"
    tpl.write_text(HEADER + "{{ meta | tojson }}\n", encoding="utf-8")
    out = templating.render(templating.load_template(str(tpl)),
                            templating.escape_facts({"meta": {"region": "青山县", "peers": ["甲"]}}))
    assert '"region": "\\u9752\\u5c71\\u53bf"' in out and '"peers": ["\\u7532"]' in out


def test_facts_reached_by_two_paths_are_one_view():
    shared = {"name": "甲"}
    view = templating.escape_facts({"by_id": {"a": shared}, "indicators": [shared]})
    assert view["by_id"]["a"] is view["indicators"][0]
