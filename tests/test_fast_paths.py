"""The speed-ups take shortcuts only where the careful path would give the same result.

Each shortcut is checked against the path it stands in for: quick_load against the
position-recording YAML loader, the compiled schema check against jsonschema, and
the plain-table and plain-inline Markdown rules against markdown-it's own rules.
"""

import contextlib
import copy
from pathlib import Path

import pytest

from generator.errors import DataError
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import budget
from markdown_it.rules_core import inline as markdown_it_inline

from generator.sources import loader, validation
from generator.document import reader as blocks
from generator.sources import dataset, schema_check, yaml_reader as yaml_source
from generator import resources
from generator.writers.docx import reference
from generator.errors import TemplateError

ROOT = Path(__file__).resolve().parent.parent
DATA_FILES = [ROOT / "indicators.yaml", *sorted((ROOT / "tests" / "data").glob("*.yaml"))]


# ---------------------------------------------------------------- YAML

@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_quick_load_builds_what_the_careful_loader_builds(path):
    text = path.read_text(encoding="utf-8")
    careful, _ = yaml_source.parse_text(text, str(path))
    quick = yaml_source.quick_load(text)
    assert quick == careful
    assert repr(quick) == repr(careful)  # same types too: 5 stays int, 5.0 float, dates dates


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",  # alias
    "a: !!str 1\n",  # explicit tag
    "base: {x: 1}\nc:\n  <<: {x: 1}\n",  # merge key
    "a: 1\na: 2\n",  # duplicate key: the careful loader names both lines
    "a: [临江?县, 石门县]\n",  # libyaml reads "?" in a flow list where PyYAML stops
    "a:\n\tb: 1\n",  # tab
    "a: 1\n---\nb: 2\n",  # two documents
    "- a\n- b\n",  # not a mapping
    "date: 2024-02-30\n",  # not a calendar date
    "%YAML 1.1\n---\na: 1\n",  # directive
    "a: 1\u2028b: 2\n",  # a line break PyYAML and libyaml may see differently
])
def test_quick_load_leaves_anything_unusual_to_the_careful_loader(text):
    assert yaml_source.quick_load(text) is None


def test_quick_load_reads_yaml_scalars_as_yaml_1_1_does():
    text = "e: yes\nf: ~\ng: .inf\nh: '7'\ni: 2024-07-15\nj: 12\nk: -0.5\nl: 1.\n"
    assert yaml_source.quick_load(text) == yaml_source.parse_text(text, "t.yaml")[0]


@pytest.mark.parametrize("number", ["012", "0x1F", "1_000", "1:30", "0b11", "-1:30.5", "1" * 17])
def test_numbers_yaml_1_1_reads_unlike_their_digits_go_the_careful_way_and_are_refused(number):
    text = f"a: {number}\n"
    assert yaml_source.quick_load(text) is None
    with pytest.raises(DataError) as err:
        yaml_source.parse_text(text, "t.yaml")
    assert err.value.line == 1 and err.value.key == "a"


def test_invalid_data_still_gets_the_careful_message():
    text = (ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8")
    with pytest.raises(validation.InvalidDataError) as err:
        loader.load_text(text.replace("scope_size: 38", "scope_size: many"), "minimal.yaml")
    assert err.value.line == next(n for n, line in enumerate(text.splitlines(), 1)
                                  if "scope_size" in line)
    assert "expected a whole number" in str(err.value)


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_quick_load_reads_the_bytes_as_it_reads_the_text(path):
    raw = path.read_bytes()
    assert repr(yaml_source.quick_load(raw)) == repr(yaml_source.quick_load(raw.decode("utf-8")))


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_townships_packed_on_the_quick_path_equal_the_careful_ones(path):
    quick = loader.quick(path.read_bytes(), str(path))
    assert quick is not None  # the bundled files are plain: they must take the quick path
    assert quick == loader.careful(path.read_text(encoding="utf-8"), str(path))


@settings(max_examples=budget(1.5))
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_bytes_are_never_read_quickly_where_the_text_would_not_be(text):
    # The bytes check stands in for the text check: it may send more files the
    # careful way (a leading BOM), never fewer.
    if yaml_source.quick_candidate(text.encode("utf-8")):
        assert yaml_source.quick_candidate(text)


@pytest.mark.parametrize("edit, line_text", [
    ("new_entities: {value: 66, target: 140}", "new_entities: {value: .nan, target: 140}"),
    ("new_entities: {value: 66, target: 140}", "new_entities: {value: 66, target: -.inf}"),
    ("name: 石桥乡", "name: '  '"),
    ("name: 石桥乡", "name: \"石桥\\n乡\""),
    ("petitions: {value: 4, target: 7}", "petitions: {value: 4, target: 7, note: x}"),
    ("previous_rank: 13", "previous_rank: 99"),
])
def test_a_township_that_is_not_certainly_valid_gets_the_careful_message(edit, line_text):
    text = (ROOT / "indicators.yaml").read_text(encoding="utf-8")
    line = text[:text.index(edit)].count("\n") + 1
    text = text.replace(edit, line_text, 1)
    with pytest.raises(validation.InvalidDataError) as err:
        loader.load_text(text, "indicators.yaml")
    assert err.value.line == line


@pytest.mark.parametrize("edit, new, key", [
    ("    - name: 东山镇\n", "    - name: 城关镇\n", "name"),  # two townships of one name
    ("previous_rank: 13", "previous_rank: 99", "previous_rank"),  # a rank past the count
    ("petitions: {value: 4, target: 7}", "petitionz: {value: 4, target: 7}", "values"),  # unknown id
])
def test_the_county_checks_read_a_packed_township_as_the_careful_way_reads_it(edit, new, key):
    """Each township's schema is checked as it is read; what the county's checks need of it
    (names, ranks, indicator ids) they read from its outline, with the careful way's verdict."""
    text = (ROOT / "indicators.yaml").read_text(encoding="utf-8")
    assert loader.quick(text, "indicators.yaml") is not None
    line = text[:text.index(edit)].count("\n") + 1
    text = text.replace(edit, new, 1)
    assert loader.quick(text, "indicators.yaml") is None
    with pytest.raises(validation.InvalidDataError) as err:
        loader.load_text(text, "indicators.yaml")
    assert err.value.line == line
    assert "townships.units[" in str(err.value) and key in str(err.value)


def test_packed_values_read_as_the_values_they_pack():
    values = {"a": {"value": 5200, "target": 12000.0}, "b": {"target": 900},
              "c": {"value": 0.0, "target": None}}
    layouts: dict = {}
    packed = dataset.PackedValues.pack(values, layouts)
    assert packed == {"a": dataset.TownshipValue(5200.0, 12000.0), "b": dataset.TownshipValue(None, 900.0),
                      "c": dataset.TownshipValue(0.0, None)}
    assert list(packed) == ["a", "b", "c"] and type(packed["a"].value) is float
    assert packed["b"].value is None and packed["c"].target is None and packed["c"].value == 0.0
    assert packed.get("zz") is None
    # townships listing the same ids share one id → position table
    assert dataset.PackedValues.pack(values, layouts)._where is packed._where


# ---------------------------------------------------------------- records

def _plain_dataset_module():
    """generator/sources/dataset.py run again with every record a plain frozen dataclass."""
    import sys
    import types

    from generator.sources import records

    module = sys.modules["plain_dataset"] = types.ModuleType("plain_dataset")  # dataclass looks it up
    saved, records.PLAIN = records.PLAIN, True
    try:
        exec(compile(Path(dataset.__file__).read_text(encoding="utf-8"), dataset.__file__, "exec"),
             module.__dict__)
    finally:
        records.PLAIN = saved
    return module


PLAIN_DATASET = _plain_dataset_module()
RECORDS = [name for name, value in vars(dataset).items()
           if isinstance(value, type) and "_record_init" in vars(value)]


def test_every_frozen_class_of_the_data_model_is_a_record():
    assert len(RECORDS) == 31


@pytest.mark.parametrize("name", RECORDS)
def test_a_record_has_the_fields_of_a_frozen_dataclass(name):
    import dataclasses

    mine, plain = getattr(dataset, name), getattr(PLAIN_DATASET, name)
    assert [(f.name, f.type, f.default, f.init, f.repr, f.compare, f.hash) for f in dataclasses.fields(mine)] == \
        [(f.name, f.type, f.default, f.init, f.repr, f.compare, f.hash) for f in dataclasses.fields(plain)]
    assert [f.default_factory is dataclasses.MISSING for f in dataclasses.fields(mine)] == \
        [f.default_factory is dataclasses.MISSING for f in dataclasses.fields(plain)]
    assert mine.__match_args__ == plain.__match_args__


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_data_built_as_records_is_data_built_as_dataclasses(path):
    import dataclasses

    from generator.sources import pending

    plain_data = pending.extract(loader.json_like(yaml_source.quick_load(path.read_text(encoding="utf-8"))))[0]
    mine, theirs = dataset.build(copy.deepcopy(plain_data), str(path)), \
        PLAIN_DATASET.build(copy.deepcopy(plain_data), str(path))
    assert repr(mine) == repr(theirs)
    assert dataclasses.replace(mine, source="x").source == dataclasses.replace(theirs, source="x").source == "x"
    # equal to the same data built again, different from a changed one, as dataclasses are
    assert mine == dataset.build(copy.deepcopy(plain_data), str(path))
    assert mine != dataclasses.replace(mine, source="x")
    assert (mine.meta == mine.meta) and hash(mine.meta.period) == hash(theirs.meta.period)


def test_records_behave_as_frozen_dataclasses():
    import dataclasses
    import pickle

    mine, plain = dataset.Target, PLAIN_DATASET.Target
    for build in (lambda c: c(), lambda c: c(1.0), lambda c: c(growth=2.0, value=3.0),
                  lambda c: c(1.0, value=2.0)):
        a, b = build(mine), build(plain)
        assert repr(a) == repr(b) and hash(a) == hash(b)
        assert a == build(mine) and a != mine(99.0) and (a == b) is False  # another class is not equal
        assert pickle.loads(pickle.dumps(a)) == a
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.growth = 1
        with pytest.raises(dataclasses.FrozenInstanceError):
            del a.growth
    for bad in (lambda c: c(1.0, 2.0, 3.0), lambda c: c(1.0, growth=2.0), lambda c: c(nope=1)):
        for cls in (mine, plain):
            with pytest.raises(TypeError):
                bad(cls)
    with pytest.raises(TypeError):  # a required field missing
        dataset.Speaker(title="县长")
    # default factories run once per instance, as dataclass's do
    assert dataset.Scoring().grades is not dataset.Scoring().grades
    assert dataset.Scoring() == dataset.Scoring() and repr(dataset.Scoring()) == repr(PLAIN_DATASET.Scoring())


# ---------------------------------------------------------------- JSON Schema

def _bundled_plain() -> dict:
    data, _ = yaml_source.load_file(ROOT / "indicators.yaml")
    return validation.json_like(data)


@pytest.mark.parametrize("path, value, valid", [
    (("meta", "scope_size"), 38.0, True),  # 3.0 is an integer to JSON Schema
    (("meta", "scope_size"), True, False),  # a bool is not
    (("meta", "scope_size"), 0, False),
    (("meta", "level"), "省", False),
    (("meta", "period"), "2024-Q5", False),
    (("meta", "period"), 2024, True),
    (("meta", "date"), "2024-02-30", False),
    (("meta", "peers"), ["临江县", "临江县"], False),
    (("indicators", "gdp", "grade"), None, True),
    (("indicators", "gdp", "grade"), "F", False),
    (("indicators", "gdp", "growth"), "4.2", False),
    (("indicators", "gdp", "target"), {}, False),
    (("indicators", "gdp", "previous", "extra"), 1, False),
    (("indicators", "gdp", "something_new"), 1, True),
])
def test_schema_check_agrees_with_jsonschema(path, value, valid):
    data = copy.deepcopy(_bundled_plain())
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    assert validation.quick_schema_check()(data) is valid
    assert (not list(validation.validator().iter_errors(data))) is valid


def test_schema_check_is_not_compiled_for_a_keyword_it_does_not_know():
    assert schema_check.compile_schema({"type": "object"}) is not None
    assert schema_check.compile_schema({"oneOf": [{"type": "string"}]}) is None
    assert schema_check.compile_schema({"format": "email"}) is None


# ---------------------------------------------------------------- Markdown

@contextlib.contextmanager
def markdown_it_rules_only():
    """blocks.parse with markdown-it's own table and inline rules, the shortcuts off."""
    blocks._MD.disable("table_plain")
    blocks._MD.core.ruler.at("inline", markdown_it_inline)
    try:
        yield
    finally:
        blocks._MD.core.ruler.at("inline", blocks._inline)
        blocks._MD.enable("table_plain")


def outcome(markup: str):
    try:
        return blocks.parse(markup, "t.md.j2")
    except TemplateError as exc:
        return str(exc), exc.line


def assert_same_as_markdown_it(markup: str):
    fast = outcome(markup)
    with markdown_it_rules_only():
        assert fast == outcome(markup)


@pytest.mark.parametrize("markup", [
    "| 指标 | 完成率 |\n|:--|--:|\n| 固定资产投资 | 53.3% |\n| 税收 | 慢3.2 |\n",
    "Table: 得分\n| a | b |\n|:-:|---|\n| 1 | 2 |\n",
    "段落\n| a | b |\n|--|--|\n| 1 | 2 |\n",  # a table interrupting a paragraph
    "| a | b |\n|--|--|\n| 1 | 2 |\n尾随\n",  # a row without pipes continues the table
    "| a | b |\n|--|--|\n| 1 |\n| 1 | 2 | 3 |\n",  # short and long rows
    "| a \\| b | c |\n|--|--|\n| 1 | 2 |\n",  # escaped pipe
    "| **a** | b |\n|--|--|\n| 1 | 2 |\n",  # inline syntax in a cell
    "| a | b |\n|--|--|--|\n| 1 | 2 |\n",  # header and delimiter disagree: no table
    "- item\n\n  | a | b |\n  |--|--|\n  | 1 | 2 |\n",  # in a list
    "{.note}\n| a | b |\n|--|--|\n| 1 | 2 |\n",  # attributes on a table are an error
    "# 标题\n\n上半年，东山镇综合得分109.29分。\n第二行 and\nmore text\n",
    "## 一 \\* 二\n\n&amp; <b>x</b> `c` _e_\n",
])
def test_markdown_shortcuts_agree_with_markdown_it(markup):
    assert_same_as_markdown_it(markup)


_CELLS = st.sampled_from(["", " ", "东山镇", "12.5", "50.0%", "快3.2", "——", "\u3000全角", "a  b",
                          ":", "-", "**b**", "\\*", "`c`", "[x]", "<b>", "&amp;", "x_y", "#"])


@st.composite
def tables(draw):
    width = draw(st.integers(1, 4))
    row = st.lists(_CELLS, min_size=1, max_size=width + 1).map(lambda cells: "|" + "|".join(cells) + "|")
    delimiter = st.lists(st.sampled_from(["---", ":--", "--:", ":-:", " - "]),
                         min_size=width, max_size=width).map(lambda d: "|" + "|".join(d) + "|")
    lines = [draw(row), draw(delimiter), *draw(st.lists(row, max_size=4))]
    before = draw(st.sampled_from(["", "Table: 题\n", "段落\n", "\n"]))
    after = draw(st.sampled_from(["", "\n", "\n\n段落\n", "\n尾随"]))
    return before + "\n".join(lines) + after


@settings(max_examples=budget(0.75))
@given(tables())
def test_plain_tables_agree_with_markdown_it(markup):
    assert_same_as_markdown_it(markup)


# ---------------------------------------------------------------- reference documents

def test_an_office_reference_is_read_once_until_it_changes(tmp_path):
    path = tmp_path / "office.docx"
    path.write_bytes(resources.REFERENCE_DOCX.read_bytes())
    first = reference.Reference.load(path)
    assert reference.Reference.load(str(path)) is first
    path.write_bytes(resources.REFERENCE_DOCX.read_bytes() + b"\0")  # a zip may carry trailing bytes
    assert reference.Reference.load(path) is not first


# ---------------------------------------------------------------- compiled templates kept between runs

def _speech_bytes(monkeypatch, cache_env: dict[str, str]) -> bytes:
    from generator import pipeline, user_cache
    from generator.render import sandbox

    for name in (user_cache.NO_CACHE_ENV, user_cache.DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in cache_env.items():
        monkeypatch.setenv(name, value)
    user_cache._checked.cache_clear()
    monkeypatch.setattr(sandbox, "_ENVS", {})  # a new process, as far as templates go
    return pipeline.speech(ROOT / "indicators.yaml").data


def test_a_cached_template_gives_the_bytes_of_one_compiled_anew(monkeypatch, tmp_path):
    import jinja2

    plain = _speech_bytes(monkeypatch, {"SPEECHGEN_NO_CACHE": "1"})
    cache = tmp_path / "cache"
    first = _speech_bytes(monkeypatch, {"SPEECHGEN_CACHE_DIR": str(cache)})
    stored = sorted((cache / "templates").iterdir())
    assert stored and all(p.stat().st_mode & 0o077 == 0 for p in [cache / "templates", *stored])

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled although the cache holds it")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compile)
    again = _speech_bytes(monkeypatch, {"SPEECHGEN_CACHE_DIR": str(cache)})
    assert plain == first == again


def test_the_cache_key_covers_the_template_the_options_and_the_filters(monkeypatch, tmp_path):
    import jinja2

    from generator.render import sandbox, template_cache

    monkeypatch.setenv("SPEECHGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sandbox, "_ENVS", {})
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "t.md.j2").write_text("# {{ 1 + 1 }}\n", encoding="utf-8")
    assert sandbox.render(sandbox.load_template(str(folder / "t.md.j2")), {}) == "# 2\n"
    # The same name and path with other text: compiled anew, not read from the cache.
    (folder / "t.md.j2").write_text("# {{ 2 + 2 }}\n", encoding="utf-8")
    monkeypatch.setattr(sandbox, "_ENVS", {})
    assert sandbox.render(sandbox.load_template(str(folder / "t.md.j2")), {}) == "# 4\n"

    files = (sandbox.__file__,)
    base = template_cache.fingerprint(sandbox.make_environment(folder), files)
    assert template_cache.fingerprint(sandbox.make_environment(folder), files) == base
    env = sandbox.make_environment(folder)
    env.trim_blocks = False
    assert template_cache.fingerprint(env, files) != base
    env = sandbox.make_environment(folder)
    amount = env.filters["amount"]  # wrapped: pass_context marks the function it is given
    env.filters["amount"] = jinja2.pass_context(lambda context, *args, **kw: amount(*args, **kw))
    assert template_cache.fingerprint(env, files) != base
    assert template_cache.fingerprint(sandbox.make_environment(folder), files + (__file__,)) != base


def test_a_cache_folder_open_to_others_is_not_used(monkeypatch, tmp_path):
    from generator import user_cache

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(user_cache.DIR_ENV, str(tmp_path / "shared" / ".."))
    user_cache._checked.cache_clear()
    (tmp_path / "templates").mkdir(mode=0o777)
    (tmp_path / "templates").chmod(0o777)
    assert user_cache.folder("templates") is None
    monkeypatch.setenv(user_cache.DIR_ENV, str(shared))
    assert user_cache.folder("templates") == shared / "templates"
    monkeypatch.setenv(user_cache.NO_CACHE_ENV, "1")
    assert user_cache.folder("templates") is None


def test_a_title_broken_once_is_read_back_as_it_was_broken(monkeypatch, tmp_path):
    from generator import user_cache
    from generator.writers.docx import title_lines

    monkeypatch.setenv(user_cache.DIR_ENV, str(tmp_path))
    user_cache._checked.cache_clear()
    title = "关于2024年二季度全县乡镇（街道）赛马比拼情况和下一步工作安排的通报"
    first = title_lines.break_title(title, 14)
    assert first == title_lines._break(title, 14) and len(first) > 1
    stored = list((tmp_path / "titles").glob("*.json"))
    assert len(stored) == 1
    monkeypatch.setattr(title_lines, "_break", lambda *a: pytest.fail("broken again"))
    assert title_lines.break_title(title, 14) == first
    # An entry that is not this title's own lines (planted, or cut short) is not used.
    stored[0].write_text('["关于", "别的标题"]', encoding="utf-8")
    monkeypatch.setattr(title_lines, "_break", lambda *a: ["重新断行"])
    assert title_lines.break_title(title, 14) == ["重新断行"]


# ---------------------------------------------------------------- the figures' placement and trace

def test_scorecards_settled_quickly_are_those_settled_the_general_way(monkeypatch, tmp_path):
    """placement's shortcut for a text that is one figure (most table cells) and the trace
    part's quick escaping give the bytes of the general way."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import synthetic

    from generator import batch, pipeline
    from generator.audit import placement
    from generator.writers.docx import ooxml, trace_part

    facts = pipeline.load_facts(synthetic.write(tmp_path / "county.yaml", 12))
    job = batch.Job.for_facts(facts)

    def both() -> list[tuple]:
        out = []
        for i in range(12):
            doc = batch._render_one(job, i)
            out.append((doc, pipeline.encode(doc, "docx")))
        return out

    quick = both()
    monkeypatch.setattr(placement._Settler, "_one", lambda self, text: None)
    monkeypatch.setattr(trace_part, "escape_text", ooxml.escape)
    general = both()
    assert [d for d, _ in quick] == [d for d, _ in general]
    assert all(d.trace.placed for d, _ in quick)
    # The bytes differ only in how the trace part escapes quotes: the same XML to a reader.
    for (_, a), (_, b) in zip(quick, general):
        assert _trace_xml(a) == _trace_xml(b) and _without_trace(a) == _without_trace(b)


def _trace_xml(data: bytes) -> bytes:
    import io
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.tostring(etree.fromstring(zf.read("customXml/item1.xml")), method="c14n")


def _without_trace(data: bytes) -> dict:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist() if n != "customXml/item1.xml"}


def test_a_run_keeps_its_documents_only_for_a_trace_or_a_draft(tmp_path):
    """A batch kept every scorecard it made (1.2 GB at 10,000) for a summary only a draft has."""
    from generator import batch
    from generator.audit import session

    data = ROOT / "indicators.yaml"
    for kwargs, kept in (({}, 0), ({"redact": True}, 0), ({"trace": True}, 3), ({"draft": True}, 3)):
        with session.session(**kwargs) as run:
            batch.scorecards(data, tmp_path / str(len(kwargs) and list(kwargs)[0]), jobs=1,
                             only=["东山镇", "西河镇"])
        # the first scorecard is made twice (once to fail early): made() counts it once
        assert len(run.documents) == kept and len(run.made()) == min(kept, 2)
        assert run.summary(str(data)) == []
