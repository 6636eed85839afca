"""The city's comparison tables: ranks, grades, averages, peers and previous computed from the
sheet, the table's own typos reported by cell, scope_units validated, and the scope's
distribution facts; the sample import feeds a full speech."""

from __future__ import annotations

import copy
import importlib.util
import math
from pathlib import Path

import docx
import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.errors import DataError
from generator.facts import scope
from generator.sources import comparison, loader
from generator.sources.comparison_mapping import load_comparison_mapping
from generator.sources.validation import InvalidDataError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CITY_Q2, CITY_Q1 = EXAMPLES / "city_2024Q2.xlsx", EXAMPLES / "city_2024Q1.xlsx"
CMAP = EXAMPLES / "comparison.yaml"


def _make_sample():
    spec = importlib.util.spec_from_file_location("make_sample", EXAMPLES / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_sample = _make_sample()
SHEET_OF = {ind_id: sheet for sheet, (_, inds) in make_sample.CITY_SHEETS.items() for ind_id, *_ in inds}
BETTER = {ind_id: better for _, (_, inds) in make_sample.CITY_SHEETS.items() for ind_id, _, _, better, _ in inds}
RANKED_ON = {ind_id: on for _, (_, inds) in make_sample.CITY_SHEETS.items() for ind_id, _, _, _, on in inds}


@pytest.fixture(scope="module")
def imported() -> comparison.Imported:
    return comparison.import_all(EXAMPLES / "townships_2024Q2.xlsx", EXAMPLES / "mapping.yaml",
                                 [CITY_Q2], CMAP, [CITY_Q1])


@pytest.fixture(scope="module")
def table() -> dict:
    return make_sample.city_table("2024-Q2")


def by_hand(figures: dict[str, float | None], better: str) -> dict[str, int]:
    """Rank = 1 + the units strictly better; a unit without a figure has none."""
    known = [f for f in figures.values() if f is not None]
    return {name: 1 + sum(1 for g in known if (g > f if better == "higher" else g < f))
            for name, f in figures.items() if f is not None}


# --- the samples ---------------------------------------------------------------------------

def test_committed_city_tables_equal_what_make_sample_builds():
    for period, path in make_sample.CITY.items():
        built, committed = make_sample.build_city_workbook(period), openpyxl.load_workbook(path)
        assert committed.sheetnames == built.sheetnames == list(make_sample.CITY_SHEETS)
        for name in built.sheetnames:
            b, c = built[name], committed[name]
            assert [[x.value for x in row] for row in c.iter_rows()] == [[x.value for x in row] for row in b.iter_rows()]
            assert {str(r) for r in c.merged_cells.ranges} == {str(r) for r in b.merged_cells.ranges}


def test_sample_is_38_counties_with_two_row_units_headers_a_city_row_and_a_typo():
    ws = openpyxl.load_workbook(CITY_Q2)["经济指标"]
    assert (ws["C2"].value, ws["C3"].value, ws["D3"].value, ws["E3"].value) == \
           ("地区生产总值", "总量（亿元）", "增速（%）", "位次")
    assert ws["B4"].value == "全市" and ws["D4"].value == 5.8
    assert sum(1 for row in range(5, 43) if ws.cell(row, 2).value) == 38
    row = 5 + make_sample.COUNTIES.index("临江县")
    growth = {c: make_sample.city_table("2024-Q2")["gdp"][c]["growth"] for c in make_sample.COUNTIES}
    assert ws.cell(row, 5).value == by_hand(growth, "higher")["临江县"] + 1  # the typo


# --- ranks, grades, averages, peers, previous ------------------------------------------------

def test_our_ranks_and_grades_are_those_computed_by_hand(imported, table):
    inds = imported.data["indicators"]
    for ind_id, (value, growth, rank) in make_sample.OURS["2024-Q2"].items():
        figures = {c: table[ind_id][c].get(RANKED_ON[ind_id]) for c in make_sample.COUNTIES}
        assert by_hand(figures, BETTER[ind_id])["青山县"] == rank == inds[ind_id]["rank"], ind_id
        if growth is not None:
            assert inds[ind_id]["growth"] == growth
    # the bundled grades: rule A 0.2 … E 1.0 over the ranked units; revenue's from its grade column
    assert {i: inds[i]["grade"] for i in make_sample.OURS["2024-Q2"]} == {
        "gdp": "D", "industry": "B", "fai": "E", "revenue": "A", "urban_income": "D", "unemployment": "C",
        "accidents": "B"}
    assert inds["gdp"]["previous"] == {"value": 75.1, "growth": 5.1, "rank": 20, "grade": "C"}
    assert inds["unemployment"]["previous"] == {"value": 5.4, "rank": 20, "grade": "C"}


def test_every_units_rank_is_its_columns_rank_and_the_typo_is_corrected(imported, table):
    for ind_id in make_sample.OURS["2024-Q2"]:
        figures = {c: table[ind_id][c].get(RANKED_ON[ind_id]) for c in make_sample.COUNTIES}
        expected = by_hand(figures, BETTER[ind_id])
        units = imported.data["indicators"][ind_id]["scope_units"]
        assert {u["name"]: u.get("rank") for u in units if "rank" in u} == expected, ind_id
        ranks = [u["rank"] for u in units if "rank" in u]
        assert ranks == sorted(ranks)  # best first
    peers = imported.data["indicators"]["gdp"]["peers"]
    assert peers["临江县"]["growth"] == 5.0 and peers["石门县"]["growth"] == 5.3
    assert peers["临江县"]["rank"] == table["gdp"]["临江县"]["rank"] - 1  # the computed, not the typo


def test_ties_share_a_rank_and_the_next_rank_skips(imported):
    accidents = {u["name"]: u for u in imported.data["indicators"]["accidents"]["scope_units"]}
    sharing = [n for n, u in accidents.items() if u["value"] == 6]
    assert len(sharing) == 2 and all(accidents[n]["rank"] == 10 for n in sharing)  # 青山县 and one more
    assert 11 not in {u["rank"] for u in accidents.values()}
    gdp = [u for u in imported.data["indicators"]["gdp"]["scope_units"]]
    tied = [(a, b) for a, b in zip(gdp, gdp[1:]) if a["growth"] == b["growth"]]
    assert tied and all(a["rank"] == b["rank"] for a, b in tied)


def test_better_lower_ranks_the_smallest_first(imported, table):
    units = imported.data["indicators"]["unemployment"]["scope_units"]
    lowest = min(table["unemployment"][c]["value"] for c in make_sample.COUNTIES)
    assert units[0]["value"] == lowest and units[0]["rank"] == 1
    assert all(a["value"] <= b["value"] for a, b in zip(units, units[1:]))


def test_a_unit_without_a_figure_is_left_out_of_the_ranking_and_the_mean(imported, table):
    ind = imported.data["indicators"]["industry"]
    _, _, county = make_sample.MISSING
    entry = next(u for u in ind["scope_units"] if u["name"] == county)
    assert "rank" not in entry and "growth" not in entry and "grade" not in entry
    assert ind["scope_units"][-1]["name"] == county  # listed after the ranked units
    assert max(u["rank"] for u in ind["scope_units"] if "rank" in u) == 37
    assert imported.data["meta"]["scope_size"] == 38


def test_average_row_wins_for_growth_and_rates_and_the_mean_is_computed_for_amounts(imported, table):
    inds = imported.data["indicators"]
    assert inds["gdp"]["scope_average"]["growth"] == 5.8  # the 全市 row, not the mean of the counties
    mean_growth = sum(table["gdp"][c]["growth"] for c in make_sample.COUNTIES) / 38
    assert abs(mean_growth - 5.8) > 0.05  # so the row is what was used
    assert inds["unemployment"]["scope_average"] == {"value": 5.2}  # a rate: the row's value
    # an amount: the 全市 cell is the city's total, so the average is the mean, to two decimals
    values = [table["gdp"][c]["value"] for c in make_sample.COUNTIES]
    assert inds["gdp"]["scope_average"]["value"] == round(sum(values) / 38 + 1e-9, 2)
    assert inds["gdp"]["scope_average"]["value"] != max(values)


def test_mean_is_half_up_to_one_more_decimal():
    assert comparison.mean([4.2, 4.3]) == 4.25
    assert comparison.mean([1, 2]) == 1.5
    assert comparison.mean([0.125, 0.125, 0.126]) == 0.1253
    assert comparison.mean([0.1, 0.2, 0.2, 0.0]) == 0.13  # 0.125 half up, not to even


def test_the_published_rank_typo_is_one_warning_naming_its_cell(imported, table):
    row = 5 + make_sample.COUNTIES.index("临江县")
    assert [w.where for w in imported.warnings] == [f"经济指标!E{row}"]
    text = imported.warnings[0].format()
    right = table["gdp"]["临江县"]["rank"] - 1
    assert f"published rank for 地区生产总值 is {right + 1}" in text and f"ranks {right}" in text
    assert f"应排第{right}位" in text


def test_previous_period_fills_every_units_previous_rank(imported):
    q1 = make_sample.city_table("2024-Q1")
    units = imported.data["indicators"]["revenue"]["scope_units"]
    assert {u["name"]: u["previous_rank"] for u in units} == {c: q1["revenue"][c]["rank"] for c in make_sample.COUNTIES}


# --- several sheets, one file each, into one data file -------------------------------------------

def test_several_tables_one_workbook_or_one_file_each_give_one_data_file(tmp_path, imported):
    assert set(SHEET_OF) <= set(imported.data["indicators"])
    assert SHEET_OF["gdp"] != SHEET_OF["unemployment"]
    # the same tables as two CSV files, one per table in the mapping's order
    files = []
    for name in make_sample.CITY_SHEETS:
        ws = openpyxl.load_workbook(CITY_Q2)[name]
        path = tmp_path / f"{name}.csv"
        lines = [",".join("" if c.value is None else str(c.value) for c in row) for row in ws.iter_rows()]
        # merged header cells read only in their first cell in a CSV, as Excel saves it
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(path)
    each = comparison.import_all(EXAMPLES / "townships_2024Q2.xlsx", EXAMPLES / "mapping.yaml", files, CMAP, [])
    for ind_id in SHEET_OF:
        assert each.data["indicators"][ind_id]["rank"] == imported.data["indicators"][ind_id]["rank"]
        assert [u.get("rank") for u in each.data["indicators"][ind_id]["scope_units"]] == \
               [u.get("rank") for u in imported.data["indicators"][ind_id]["scope_units"]]
    with pytest.raises(DataError) as caught:
        comparison.import_all(None, None, [CITY_Q2, CITY_Q2, CITY_Q2], CMAP, [])
    assert "3 files given with --compare" in caught.value.en and "2 tables" in caught.value.en


# --- the command and the full speech (done means) -------------------------------------------------

def test_import_then_speech_writes_the_full_speech(tmp_path):
    out = tmp_path / "imported.yaml"
    result = CliRunner().invoke(main, [
        "import", str(EXAMPLES / "townships_2024Q2.xlsx"), "--map", str(EXAMPLES / "mapping.yaml"),
        "--compare", str(CITY_Q2), "--compare-map", str(CMAP), "--previous", str(CITY_Q1), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert f"{CITY_Q2}: 经济指标!E12: warning:" in result.stderr and "经济指标!E12: 注意：" in result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(data["townships"]["units"]) == 15 and len(data["indicators"]["gdp"]["scope_units"]) == 38
    speech = CliRunner().invoke(main, ["speech", "--data", str(out), "--out", str(tmp_path)])
    assert speech.exit_code == 0, speech.stderr
    text = "\n".join(p.text for p in docx.Document(tmp_path / "青山县_2024-Q2_讲话.docx").paragraphs)
    assert text.startswith("在全县2024年二季度工作例会上的讲话")
    assert "倒数第6位" in text or "第33位" in text  # 固定资产投资, rank 33 of 38, computed from the table
    assert "低于全市平均" in text and "乡镇（街道）" in text
    for machinery in ("None", "nan", "{{", "[]"):
        assert machinery not in text


def test_import_options_that_do_not_go_together_exit_2(tmp_path):
    for args in (["import"], ["import", "--compare", str(CITY_Q2)],
                 ["import", str(EXAMPLES / "townships_2024Q2.xlsx")],
                 ["import", "--previous", str(CITY_Q1), "--compare-map", str(CMAP)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


# --- small tables made here --------------------------------------------------------------------

BASE = ROOT / "tests" / "data" / "minimal.yaml"


def small(tmp_path: Path, rows: list[list], mapping: str, name: str = "t.xlsx") -> tuple[Path, Path]:
    """A one-sheet table with a one-row header, and its mapping (base: minimal.yaml)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "对比"
    for row in rows:
        ws.append(row)
    sheet = tmp_path / name
    book.save(sheet)
    cmap = tmp_path / "cmp.yaml"
    cmap.write_text(f"base: {BASE}\n" + mapping, encoding="utf-8")
    return sheet, cmap


SMALL_MAP = """tables:
  - sheet: 对比
    name_column: 单位
    indicators:
      gdp: {growth: GDP增速（%）, rank: GDP位次}
      jobless: {value: 失业率（%）}
"""


def test_small_table_ties_lower_missing_and_mean(tmp_path):
    rows = [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"],
            ["临江县", 5.0, 2, 4.0],
            ["青山县", 4.2, 4, 5.1],
            ["石门县", 5.0, 2, "—"],
            ["白河县", 6.1, 1, 4.0],
            ["东城区", 3.9, 5, 6.3]]
    sheet, cmap = small(tmp_path, rows, SMALL_MAP)
    result = comparison.import_comparison(None, [sheet], cmap)
    assert result.warnings == ()  # the published ranks agree, ties included
    gdp, jobless = result.data["indicators"]["gdp"], result.data["indicators"]["jobless"]
    assert [(u["name"], u["rank"]) for u in gdp["scope_units"]] == \
           [("白河县", 1), ("临江县", 2), ("石门县", 2), ("青山县", 4), ("东城区", 5)]
    assert gdp["scope_average"] == {"growth": 4.84}  # no 全市 row: (6.1+5+5+4.2+3.9)/5
    assert gdp["peers"] == {"临江县": {"growth": 5.0, "rank": 2}, "石门县": {"growth": 5.0, "rank": 2}}
    # better: lower (minimal.yaml): 4.0, 4.0, 5.1, 6.3; 石门县 without a figure is left out
    assert jobless["rank"] == 3 and "grade" not in jobless  # no grade column, no band rule
    assert [(u["name"], u.get("rank")) for u in jobless["scope_units"]] == \
           [("临江县", 1), ("白河县", 1), ("青山县", 3), ("东城区", 4), ("石门县", None)]
    assert jobless["scope_average"] == {"value": 4.85}
    assert result.data["meta"]["scope_size"] == 5


def test_small_table_published_rank_of_an_unreported_unit_and_a_wrong_one_are_warned(tmp_path):
    rows = [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"],
            ["青山县", 4.2, 2, 5.1], ["临江县", 5.0, 1, 4.0], ["石门县", "—", 3, 4.5], ["全市", 4.4, None, 4.6]]
    sheet, cmap = small(tmp_path, rows, SMALL_MAP)
    result = comparison.import_comparison(None, [sheet], cmap)
    assert [w.where for w in result.warnings] == ["对比!C4"]
    assert "no growth figure" in result.warnings[0].en and "left out" in result.warnings[0].en
    gdp = result.data["indicators"]["gdp"]
    assert gdp["scope_average"] == {"growth": 4.4} and result.data["meta"]["scope_size"] == 3
    assert result.data["indicators"]["jobless"]["scope_average"] == {"value": 4.6}  # a rate's row value


def test_small_table_grade_rule_and_rank_by_value(tmp_path):
    mapping = SMALL_MAP.replace("    indicators:", "    grades: {A: 0.5, B: 1.0}\n    indicators:")
    rows = [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"],
            ["青山县", 4.2, 3, 5.1], ["临江县", 5.0, 2, 4.0], ["石门县", 6.0, 1, 4.5], ["白河县", 1.0, 4, 7.0]]
    sheet, cmap = small(tmp_path, rows, mapping)
    result = comparison.import_comparison(None, [sheet], cmap)
    grades = {u["name"]: u["grade"] for u in result.data["indicators"]["gdp"]["scope_units"]}
    assert grades == {"石门县": "A", "临江县": "A", "青山县": "B", "白河县": "B"}
    assert result.data["indicators"]["jobless"]["rank"] == 3 and result.data["indicators"]["jobless"]["grade"] == "B"


def test_errors_name_the_mapping_line_or_the_cell(tmp_path):
    rows = [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"], ["青山县", 4.2, "第二", 5.1]]
    sheet, cmap = small(tmp_path, rows, SMALL_MAP)
    with pytest.raises(DataError) as caught:
        comparison.import_comparison(None, [sheet], cmap)
    assert caught.value.key == "对比!C2" and "expected a rank" in caught.value.en
    sheet, cmap = small(tmp_path, [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"], ["临江县", 5, 1, 4]], SMALL_MAP)
    with pytest.raises(DataError) as caught:
        comparison.import_comparison(None, [sheet], cmap)
    assert "no row for 青山县" in caught.value.en
    # the header's unit against the base file's
    units = SMALL_MAP.replace("{growth: GDP增速（%）, rank: GDP位次}", "{value: GDP（万元）}")
    sheet, cmap = small(tmp_path, [["单位", "GDP（万元）", "失业率（%）"], ["青山县", 1563000, 5.1]], units)
    with pytest.raises(DataError) as caught:
        comparison.import_comparison(None, [sheet], cmap)
    assert caught.value.key == "对比!B1" and "万元" in caught.value.en and "亿元" in caught.value.en
    for text, line, key in (("tables:\n  - sheet: 对比\n    name_column: 单位\n    colour: red\n"
                             "    indicators: {gdp: {growth: G}}\n", 4, "tables[0].colour"),
                            ("tables:\n  - name_column: 单位\n    indicators:\n      gdp: {value: V, rank_by: growth}\n",
                             4, "tables[0].indicators.gdp.rank_by"),
                            ("tables:\n  - name_column: 单位\n    grades: {A: 0.5, B: 0.9}\n"
                             "    indicators: {gdp: {value: V}}\n", 3, "tables[0].grades")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(DataError) as caught:
            load_comparison_mapping(bad)
        assert (caught.value.line, caught.value.key) == (line, key), text


# --- scope_units in a plain indicators.yaml ----------------------------------------------------

MINIMAL = yaml.safe_load(BASE.read_text(encoding="utf-8"))
UNITS = [{"name": "白河县", "growth": 6.1, "rank": 1, "previous_rank": 9},
         {"name": "临江县", "growth": 5.0, "rank": 2, "previous_rank": 2},
         {"name": "石门县", "growth": 5.0, "rank": 2, "previous_rank": 1},
         {"name": "青山县", "value": 156.3, "growth": 4.2, "rank": 4, "previous_rank": 8},
         {"name": "东城区", "growth": -1.5, "rank": 5, "previous_rank": 3},
         {"name": "西城区", "growth": -2.0, "rank": 6, "previous_rank": 4}]


def load(units: list[dict], **gdp) -> object:
    data = copy.deepcopy(MINIMAL)
    data["indicators"]["gdp"].update(rank=4, previous={"rank": 8}, scope_units=units, **gdp)
    return loader.load_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "x.yaml")


def facts_of(units: list[dict], **gdp) -> dict:
    ds = load(units, **gdp)
    return scope.scope_facts(ds.indicators["gdp"], ds.meta.region, "growth")


def test_scope_facts_count_the_fallers_and_find_the_largest_move_and_the_gap_above():
    f = facts_of(UNITS)
    assert (f["count"], f["growth_count"], f["negative_growth_count"]) == (6, 6, 2)
    assert f["negative_growth"] == ["东城区", "西城区"] and f["we_negative"] is False
    # moves: 白河县 +8, 临江县 0, 石门县 −1, 青山县 +4, 东城区 −2, 西城区 −2
    assert (f["largest_rise"], f["rise_largest"], f["rose_more"]) == (8, False, 1)
    assert (f["largest_fall"], f["fell_more"]) == (-2, None)  # we rose
    assert f["ranked_on"] == "growth"
    assert f["above"] == {"name": "临江县", "names": ["临江县", "石门县"], "rank": 2, "figure": 5.0, "gap": 0.8,
                          "in_points": True}
    assert f["below"]["name"] == "东城区" and f["below"]["gap"] == -5.7
    assert f["leader"]["name"] == "白河县" and f["leader"]["gap"] == 1.9
    units = [dict(u, previous_rank=u["rank"]) if u["name"] == "白河县" else u for u in UNITS]
    top = facts_of(units)
    assert top["rise_largest"] is True and top["largest_rise"] == 4 and top["same_move"] == []


def test_scope_facts_for_better_lower_and_ranks_that_follow_no_column():
    units = [{"name": "临江县", "value": 3.0, "rank": 1}, {"name": "青山县", "value": 5.1, "rank": 2},
             {"name": "石门县", "value": 6.0, "rank": 3}]
    data = copy.deepcopy(MINIMAL)
    data["indicators"]["jobless"].update(rank=2, scope_units=units)
    ds = loader.load_text(yaml.safe_dump(data, allow_unicode=True), "x.yaml")
    f = scope.scope_facts(ds.indicators["jobless"], "青山县", "value")
    assert f["ranked_on"] == "value" and f["above"]["gap"] == 2.1 and f["below"]["gap"] == -0.9
    assert f["growth_count"] == 0 and f["we_negative"] is None
    shuffled = [dict(u, rank=r) for u, r in zip(units, (3, 2, 1))]
    data["indicators"]["jobless"]["scope_units"] = shuffled
    ds = loader.load_text(yaml.safe_dump(data, allow_unicode=True), "x.yaml")
    f = scope.scope_facts(ds.indicators["jobless"], "青山县", "value")
    assert f["ranked_on"] is None and f["above"]["gap"] is None and f["above"]["name"] == "石门县"
    assert scope.scope_facts(load([]).indicators["gdp"], "青山县", "growth") is None


def test_facts_attach_scope_to_each_indicator():
    from generator.facts.analysis import analyse

    facts = analyse(load(UNITS))
    assert facts["by_id"]["gdp"]["scope"]["negative_growth_count"] == 2
    assert facts["by_id"]["jobless"]["scope"] is None


@pytest.mark.parametrize("units, key, words", [
    ([*UNITS, {"name": "临江县", "growth": 1.0}], "indicators.gdp.scope_units[6].name", "duplicate unit"),
    ([{"name": "临江县", "rank": 39}], "indicators.gdp.scope_units[0].rank", "from 1 to 38"),
    ([{"name": "青山县", "growth": 4.2, "rank": 5}], "indicators.gdp.scope_units[0].rank", "indicators.gdp.rank"),
    ([{"name": "青山县", "previous_rank": 7}], "indicators.gdp.scope_units[0].previous_rank", "previous.rank"),
    ([{"name": "临江县", "rnak": 3}], "indicators.gdp.scope_units[0].rnak", "unexpected key"),
    ([{"growth": 3.0}], "indicators.gdp.scope_units[0].name", "required"),
    ([{"name": f"县{i}"} for i in range(39)], "indicators.gdp.scope_units", "at most 38"),
])
def test_scope_units_errors_name_line_and_key(units, key, words):
    with pytest.raises(InvalidDataError) as caught:
        load(units)
    problems = caught.value.problems
    assert any(p.key == key and words in p.en and p.line > 1 for p in problems), problems


def test_scope_units_of_the_bundled_rank_agree_load_cleanly():
    ds = load(UNITS)
    assert [u.name for u in ds.indicators["gdp"].scope_units][:2] == ["白河县", "临江县"]
    assert not math.isnan(ds.indicators["gdp"].scope_units[3].value)


def test_many_disagreeing_ranks_are_listed_five_then_counted(tmp_path):
    rows = [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"]]
    names = ["青山县", "临江县", "石门县", "白河县", "东城区", "西城区", "南湖区", "北关区"]
    for i, name in enumerate(names):  # published ranks run the wrong way: all eight are off
        rows.append([name, 10.0 - i, len(names) - i, 5.0])
    sheet, cmap = small(tmp_path, rows, SMALL_MAP)
    result = comparison.import_comparison(None, [sheet], cmap)
    assert [w.where for w in result.warnings] == ["对比!C2", "对比!C3", "对比!C4", "对比!C5", "对比!C6", "对比!C"]
    assert "3 more published ranks of 地区生产总值" in result.warnings[-1].en and "rank_by" in result.warnings[-1].en
    assert result.data["indicators"]["gdp"]["rank"] == 1  # computed: the highest growth


def test_an_indicator_the_base_lacks_takes_its_definition_from_the_mapping(tmp_path):
    mapping = SMALL_MAP.replace("      jobless: {value: 失业率（%）}",
                                "      exports: {value: 出口额（亿元）, card: 经济}")
    rows = [["单位", "GDP增速（%）", "GDP位次", "出口额（亿元）"], ["青山县", 4.2, 1, 12.5], ["临江县", 3.0, 2, 20.0]]
    sheet, cmap = small(tmp_path, rows, mapping)
    exports = comparison.import_comparison(None, [sheet], cmap).data["indicators"]["exports"]
    assert (exports["name"], exports["card"], exports["unit"], exports["value"], exports["rank"]) == \
           ("出口额", "经济", "亿元", 12.5, 2)
    sheet, cmap = small(tmp_path, rows, mapping.replace(", card: 经济", ""))
    with pytest.raises(DataError) as caught:
        comparison.import_comparison(None, [sheet], cmap)
    assert caught.value.key == "tables[0].indicators.exports" and "card" in caught.value.en


def test_a_row_without_figures_counts_as_a_silent_unit_and_a_footnote_is_skipped(tmp_path):
    rows = [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"],
            ["青山县", 4.2, 1, 5.1], ["临江县", 3.0, 2, 4.0], ["石门县", "—", "—", None],
            ["注：石门县未报送。", None, None, None]]
    sheet, cmap = small(tmp_path, rows, SMALL_MAP)
    result = comparison.import_comparison(None, [sheet], cmap)
    assert [(w.where, "no figures" in w.en) for w in result.warnings] == [("对比!A4", True)]
    assert result.data["meta"]["scope_size"] == 3
    assert [u["name"] for u in result.data["indicators"]["gdp"]["scope_units"]] == ["青山县", "临江县", "石门县"]


def test_a_group_header_listing_units_matches_the_base_unit(tmp_path):
    mapping = SMALL_MAP.replace("{growth: GDP增速（%）, rank: GDP位次}",
                                "{value: [地区生产总值（亿元、%）, 总量], growth: [地区生产总值（亿元、%）, 增速]}")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "对比"
    for row in (["单位", "地区生产总值（亿元、%）", None, "失业率（%）"], [None, "总量", "增速", None],
                ["青山县", 156.3, 4.2, 5.1], ["临江县", 120.0, 5.0, 4.0]):
        ws.append(row)
    ws.merge_cells("B1:C1")
    sheet = tmp_path / "g.xlsx"
    book.save(sheet)
    cmap = tmp_path / "g.yaml"
    cmap.write_text(f"base: {BASE}\n" + mapping.replace("    name_column: 单位", "    header_rows: 2\n    name_column: 单位"),
                    encoding="utf-8")
    gdp = comparison.import_comparison(None, [sheet], cmap).data["indicators"]["gdp"]
    assert (gdp["unit"], gdp["value"], gdp["rank"]) == ("亿元", 156.3, 2)


def test_imported_data_is_plain_and_each_unit_is_one_line(imported):
    text = comparison.to_yaml(imported.data)
    assert all(type(u) is dict for ind in imported.data["indicators"].values() for u in ind.get("scope_units", ()))
    assert "    - {name: 青山县, value: 156.3, growth: 4.2, rank: 28, grade: D, previous_rank: 20}\n" in text
    from generator.sources import spreadsheet

    townships = spreadsheet.import_data(EXAMPLES / "townships_2024Q2.xlsx", EXAMPLES / "mapping.yaml")
    assert comparison.to_yaml(townships) == spreadsheet.to_yaml(townships)  # the township import unchanged


def test_rank_by_published_takes_the_tables_ranks_and_bounds_them(tmp_path):
    mapping = SMALL_MAP.replace("{growth: GDP增速（%）, rank: GDP位次}", "{growth: GDP增速（%）, rank: GDP位次, rank_by: published}")
    rows = [["单位", "GDP增速（%）", "GDP位次", "失业率（%）"], ["青山县", 4.2, 1, 5.1], ["临江县", 5.0, 2, 4.0],
            ["石门县", 3.0, 3, 4.4]]
    sheet, cmap = small(tmp_path, rows, mapping)
    result = comparison.import_comparison(None, [sheet], cmap)
    assert result.data["indicators"]["gdp"]["rank"] == 1 and result.warnings == ()  # as published, unchecked
    rows[2][2] = 4
    sheet, cmap = small(tmp_path, rows, mapping)
    with pytest.raises(DataError) as caught:
        comparison.import_comparison(None, [sheet], cmap)
    assert caught.value.key == "对比!C3" and "larger than the number of units" in caught.value.en
