"""Township figures from bureau spreadsheets: the samples, number cleaning, and every error
a user can cause, each naming the file, sheet, row and column they will look at."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import openpyxl
import pytest
import yaml

from generator.sources import loader
from generator.sources import dataset, spreadsheet
from generator.sources import mapping as mapping_file
from generator.errors import USER_ERROR, DataError
from generator.sources.spreadsheet import import_data, load_mapping, parse_number, read_units, to_yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
XLSX = EXAMPLES / "townships_2024Q2.xlsx"
CSV = EXAMPLES / "townships_2024Q2.csv"


def _make_sample():
    spec = importlib.util.spec_from_file_location("make_sample", EXAMPLES / "make_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_sample = _make_sample()


def unit(units: list[dict], name: str) -> dict:
    return next(u for u in units if u["name"] == name)


# --- the samples ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def xlsx_units() -> list[dict]:
    return read_units(XLSX, load_mapping(EXAMPLES / "mapping.yaml"))


def test_sample_xlsx_reads_as_the_bureau_wrote_it(xlsx_units):
    assert [u["name"] for u in xlsx_units] == [name for name, _, _ in make_sample.TOWNSHIPS]
    assert "合计" not in {u["name"] for u in xlsx_units}  # row 19, merged across 序号 and 乡镇
    chengguan = unit(xlsx_units, "城关镇")
    assert chengguan["previous_rank"] == 2
    assert chengguan["values"]["investment"] == {"value": 42600, "target": 80000}  # numbers shown as 42,600
    assert chengguan["values"]["industry_output"]["value"] == 186400  # text "186,400"
    assert unit(xlsx_units, "东山镇")["values"]["revenue"] == {"value": 1320, "target": 2600}  # "１，３２０"
    assert unit(xlsx_units, "东山镇")["values"]["attracted"]["value"] == 9800  # " 9800 "
    assert unit(xlsx_units, "马鞍乡")["values"]["revenue"] == {"target": 900}  # "—": not reported
    assert unit(xlsx_units, "黄土岭乡")["values"]["industry_output"] == {"value": 0, "target": 3000}
    assert unit(xlsx_units, "新华街道")["values"]["petitions"] == {"value": 8, "target": 18}


def test_sample_xlsx_matches_the_table_it_was_made_from(xlsx_units):
    ids = [ind_id for ind_id, _, _ in make_sample.INDICATORS]
    for got, (name, previous, figures) in zip(xlsx_units, make_sample.TOWNSHIPS):
        pairs = {ind_id: {"value": figures[2 * i], "target": figures[2 * i + 1]} for i, ind_id in enumerate(ids)}
        expected = {k: {p: v for p, v in pair.items() if v is not None} for k, pair in pairs.items()}
        assert got == {"name": name, "previous_rank": previous, "values": expected}


def test_committed_samples_equal_what_make_sample_builds():
    built = make_sample.build_workbook().active
    committed = openpyxl.load_workbook(XLSX)[make_sample.SHEET]
    assert [[c.value for c in row] for row in committed.iter_rows()] == \
           [[c.value for c in row] for row in built.iter_rows()]
    assert {str(r) for r in committed.merged_cells.ranges} == {str(r) for r in built.merged_cells.ranges}
    assert CSV.read_bytes() == make_sample.csv_bytes()


def test_sample_csv_in_gbk_gives_the_same_townships(xlsx_units):
    raw = CSV.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK, as offices save it
    assert read_units(CSV, load_mapping(EXAMPLES / "mapping_csv.yaml")) == xlsx_units


def test_imported_data_is_the_base_file_with_the_sheets_townships():
    data = import_data(XLSX, EXAMPLES / "mapping.yaml")
    base = yaml.safe_load((ROOT / "indicators.yaml").read_text(encoding="utf-8"))
    assert data["meta"] == base["meta"]
    assert data["townships"]["indicators"] == base["townships"]["indicators"]
    assert data["townships"]["scoring"] == base["townships"]["scoring"]
    assert len(data["townships"]["units"]) == 15


def test_imported_yaml_passes_the_loader():
    text = to_yaml(import_data(XLSX, EXAMPLES / "mapping.yaml"))
    loaded = loader.load_text(text, "imported.yaml")
    assert loaded.meta.region == "青山县"
    assert len(loaded.townships.units) == 15
    maan = next(u for u in loaded.townships.units if u.name == "马鞍乡")
    assert maan.values["revenue"] == dataset.TownshipValue(value=None, target=900.0)
    bundled = loader.load(ROOT / "indicators.yaml")
    assert loaded.indicators == bundled.indicators and loaded.tasks == bundled.tasks
    assert loaded.townships.indicators == bundled.townships.indicators


def test_load_dataset_goes_from_csv_to_dataset():
    loaded = spreadsheet.load_dataset(CSV, EXAMPLES / "mapping_csv.yaml")
    assert loaded.townships.units[0].name == "城关镇"
    assert loaded.townships.units[0].values["industry_output"].value == 186400.0


# --- YAML output ----------------------------------------------------------------------------

def test_to_yaml_round_trips_and_reads_like_the_bundled_file():
    data = {"meta": {"period": "2024-Q2", "date": dt.date(2024, 7, 15), "peers": ["临江县", "石门县"],
                     "flag": "yes", "code": "007"},
            "indicators": {"101": {"name": "地区生产总值", "value": 156.3, "target": {"growth": 6.5}}},
            "tasks": [{"theme": "比出更强责任担当", "items": [{"text": "建立周调度制度" * 8, "due": dt.date(2024, 9, 30)}]}]}
    text = to_yaml(data)
    assert yaml.safe_load(text) == data
    assert "  date: 2024-07-15\n" in text
    assert "  peers: [临江县, 石门县]\n" in text
    assert "    target: {growth: 6.5}\n" in text
    assert "地区生产总值" in text and "\\u" not in text
    assert "- text: 建立周调度制度" in text  # a long record stays in block style


# --- cleaning numbers ------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("12,000", 12000), ("１２，０００", 12000), (" 3.5 ", 3.5), ("1,234.5", 1234.5), ("－7", -7),
    ("85.2%", 85.2), (5200.0, 5200), (0.1 + 0.2, 0.3), ("\u30002600\u3000", 2600), (0, 0),
    (None, None), ("", None), ("  ", None), ("—", None), ("——", None), ("-", None), ("－", None),
    ("/", None), ("／", None), (float("nan"), None),
])
def test_parse_number_reads_what_offices_type(raw, expected):
    got = parse_number(raw)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("raw", ["约5千", "12,00", "1.2.3", "5200万元", "%", "#DIV/0!", True,
                                 dt.datetime(2024, 5, 1), float("inf")])
def test_parse_number_refuses_what_is_not_a_figure(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


# --- broken sheets ---------------------------------------------------------------------------

ONE_ROW = """\
base: {base}
sheet: 乡镇指标
header_rows: 1
name_column: 乡镇
previous_rank_column: 上期排名
indicators:
  investment: {{value: 投资本期, target: 投资目标}}
"""

TWO_ROW = """\
base: {base}
sheet: 乡镇指标
skip_rows: 1
header_rows: 2
name_column: 乡镇（街道）
indicators:
  investment: {{value: [固定资产投资（万元）, 本期], target: [固定资产投资（万元）, 目标]}}
"""

HEADER = ["乡镇", "投资本期", "投资目标", "上期排名"]


def book(tmp_path: Path, rows: list[list], *, merges: tuple[str, ...] = (), sheets=("乡镇指标",)) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = sheets[0]
    for name in sheets[1:]:
        wb.create_sheet(name)
    ws = wb[sheets[0]]
    for row in rows:
        ws.append(row)
    for span in merges:
        ws.merge_cells(span)
    path = tmp_path / "bureau.xlsx"
    wb.save(path)
    return path


def mapping(tmp_path: Path, text: str = ONE_ROW, name: str = "map.yaml") -> mapping_file.Mapping:
    path = tmp_path / name
    path.write_text(text.format(base=ROOT / "indicators.yaml"), encoding="utf-8")
    return load_mapping(path)


def read_error(sheet: Path, mapped: mapping_file.Mapping) -> DataError:
    with pytest.raises(DataError) as caught:
        read_units(sheet, mapped)
    assert caught.value.exit_code == USER_ERROR
    return caught.value


def test_non_numeric_cell_names_sheet_row_column_and_header(tmp_path):
    path = book(tmp_path, [HEADER, ["东山镇", 5200, 12000, 1], ["西河镇", "约5千", 9000, 2]])
    err = read_error(path, mapping(tmp_path))
    assert err.file == str(path) and err.key == "乡镇指标!B3"
    assert str(err).splitlines() == [
        f'{path}: 乡镇指标!B3: expected a number, got "约5千" (column B 投资本期)',
        f'{path}: 乡镇指标!B3: 应为数字，实际为"约5千"（B列 投资本期）']


def test_missing_column_lists_the_columns_found(tmp_path):
    path = book(tmp_path, [["青山县乡镇指标"], ["乡镇（街道）", "固定资产投资（万元）", None],
                           [None, "本期", "本期（调整）"], ["东山镇", 5200, 5100]],
                merges=("A1:C1", "A2:A3", "B2:C2"))
    err = read_error(path, mapping(tmp_path, TWO_ROW))
    assert err.key == "乡镇指标"
    assert err.en == ("no column 固定资产投资（万元）/目标 in sheet 乡镇指标 (header row 2–3; "
                      "map.yaml indicators.investment.target); found: 乡镇（街道）, 固定资产投资（万元）/本期, "
                      "固定资产投资（万元）/本期（调整）")
    assert "工作表“乡镇指标”中没有“固定资产投资（万元）/目标”列" in err.zh


def test_two_row_header_without_merges_and_half_width_brackets_still_match(tmp_path):
    path = book(tmp_path, [["标题"], ["乡镇（街道）", "固定资产投资\n(万元)", None], [None, "本期", "目标"],
                           ["东山镇", "5,200", "12,000"]])
    assert read_units(path, mapping(tmp_path, TWO_ROW)) == [
        {"name": "东山镇", "values": {"investment": {"value": 5200, "target": 12000}}}]


def test_ambiguous_column_asks_for_the_full_header(tmp_path):
    text = TWO_ROW.replace("value: [固定资产投资（万元）, 本期]", "value: 本期")
    path = book(tmp_path, [["标题"], ["乡镇（街道）", "固定资产投资（万元）", None, "招商引资（万元）", None],
                           [None, "本期", "目标", "本期", "目标"], ["东山镇", 1, 2, 3, 4]],
                merges=("B2:C2", "D2:E2"))
    err = read_error(path, mapping(tmp_path, text))
    assert err.en.startswith("column 本期 appears 2 times (B, D) in sheet 乡镇指标; "
                             "name it fully in map.yaml indicators.investment.value")


def test_duplicate_township_points_at_both_rows(tmp_path):
    path = book(tmp_path, [HEADER, ["东山镇", 5200, 12000, 1], ["西河镇", 100, 200, 2], [" 东山镇 ", 1, 2, 3]])
    err = read_error(path, mapping(tmp_path))
    assert err.key == "乡镇指标!A4"
    assert err.en == "duplicate township name 东山镇 (also at row 2)"
    assert err.zh == "乡镇名称“东山镇”重复（第2行已出现）"


def test_missing_sheet_lists_the_sheets_present(tmp_path):
    path = book(tmp_path, [HEADER], sheets=("Sheet1", "汇总"))
    err = read_error(path, mapping(tmp_path))
    assert err.en == "no sheet 乡镇指标; the workbook has: Sheet1, 汇总"
    assert err.zh == "没有名为“乡镇指标”的工作表，现有：Sheet1、汇总"


def test_sheet_by_number(tmp_path):
    path = book(tmp_path, [HEADER, ["东山镇", 5200, 12000, 1]], sheets=("汇总", "其他"))
    mapped = mapping(tmp_path, ONE_ROW.replace("sheet: 乡镇指标", "sheet: 0"))
    assert read_units(path, mapped)[0]["values"] == {"investment": {"value": 5200, "target": 12000}}
    err = read_error(path, mapping(tmp_path, ONE_ROW.replace("sheet: 乡镇指标", "sheet: 2")))
    assert err.en == "no sheet number 2 (counting from 0); the workbook has 2: 汇总, 其他"


@pytest.mark.parametrize("content, expected", [
    (b"name,value\n", "not an Excel .xlsx workbook"),
    (b"PK\x03\x04" + b"\x00" * 64, "the workbook cannot be read; it may be damaged"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an old-format .xls or a password-protected workbook"),
    (b"", "the file is empty"),
])
def test_unreadable_files(tmp_path, content, expected):
    path = tmp_path / "bureau.xlsx"
    path.write_bytes(content)
    err = read_error(path, mapping(tmp_path))
    assert err.file == str(path) and err.en.startswith(expected)


def test_missing_file(tmp_path):
    err = read_error(tmp_path / "nowhere.xlsx", mapping(tmp_path))
    assert err.en.startswith("cannot read the file")


def test_empty_sheet_and_sheet_without_townships(tmp_path):
    err = read_error(book(tmp_path, []), mapping(tmp_path))
    assert (err.key, err.en, err.zh) == ("乡镇指标", "sheet 乡镇指标 is empty", "工作表“乡镇指标”中没有内容")
    err = read_error(book(tmp_path, [HEADER, ["合计", 1, 2, None]]), mapping(tmp_path))
    assert err.en == "no township rows below the header (row 1) in sheet 乡镇指标"
    err = read_error(book(tmp_path, [["青山县乡镇指标"]]), mapping(tmp_path, TWO_ROW))
    assert err.en == "sheet 乡镇指标 has 1 rows, but the header should be on row 3 (skip_rows: 1, header_rows: 2)"


def test_totals_notes_and_blank_rows_are_skipped(tmp_path):
    path = book(tmp_path, [HEADER, ["东山镇", 5200, 12000, 1], [None, None, None, None],
                           ["合  计", 5200, 12000, None], ["全县合计", 1, 1, None],
                           ["注：数据来源于县统计局。"]], merges=("A6:D6",))
    text = ONE_ROW + "skip_names: [全县合计]\n"
    assert [u["name"] for u in read_units(path, mapping(tmp_path, text))] == ["东山镇"]


def test_total_labelled_in_the_number_column(tmp_path):
    path = book(tmp_path, [["序号", *HEADER], [1, "东山镇", 5200, 12000, 1], ["合计", None, 5200, 12000, None]])
    assert [u["name"] for u in read_units(path, mapping(tmp_path))] == ["东山镇"]


def test_figures_without_a_name_and_a_name_without_figures(tmp_path):
    err = read_error(book(tmp_path, [HEADER, ["东山镇", 1, 2, 1], [None, 300, 400, None]]), mapping(tmp_path))
    assert err.key == "乡镇指标!A3"
    assert err.en == "row 3 has figures (column B) but no township name in column A 乡镇"
    err = read_error(book(tmp_path, [HEADER, ["东山镇", 1, 2, 1], ["填报说明", "—", None, None]]), mapping(tmp_path))
    assert err.key == "乡镇指标!A3"
    assert err.en == ("row 3 (填报说明) has no figures; if it is not a township, "
                      "list it under skip_names in map.yaml")


@pytest.mark.parametrize("rank, expected", [
    (2.5, "expected a rank (a whole number from 1), got 2.5 (column D 上期排名)"),
    ("第一", "expected a number, got \"第一\" (column D 上期排名)"),
    (3, "previous rank 3 is larger than the number of townships (2)"),
])
def test_bad_previous_rank(tmp_path, rank, expected):
    path = book(tmp_path, [HEADER, ["东山镇", 1, 2, 1], ["西河镇", 3, 4, rank]])
    err = read_error(path, mapping(tmp_path))
    assert (err.key, err.en) == ("乡镇指标!D3", expected)


def test_blank_previous_rank_is_left_out(tmp_path):
    path = book(tmp_path, [HEADER, ["东山镇", 1, 2, 1], ["新城街道", 3, 4, "—"]])
    assert read_units(path, mapping(tmp_path))[1] == {"name": "新城街道",
                                                      "values": {"investment": {"value": 3, "target": 4}}}


def test_percent_formatted_cell_reads_as_shown(tmp_path):
    path = book(tmp_path, [HEADER, ["东山镇", 0.852, 1, 1]])
    wb = openpyxl.load_workbook(path)
    wb.active["B2"].number_format = "0.0%"
    wb.save(path)
    assert read_units(path, mapping(tmp_path))[0]["values"]["investment"]["value"] == 85.2


# --- CSV ---------------------------------------------------------------------------------

CSV_TEXT = "乡镇,投资本期,投资目标,上期排名\n东山镇,\"5,200\",\"12,000\",1\n西河镇,-,９０００,2\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "bureau.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    assert read_units(path, mapping(tmp_path)) == [
        {"name": "东山镇", "previous_rank": 1, "values": {"investment": {"value": 5200, "target": 12000}}},
        {"name": "西河镇", "previous_rank": 2, "values": {"investment": {"target": 9000}}}]


def test_csv_errors_name_the_cell(tmp_path):
    path = tmp_path / "bureau.csv"
    path.write_bytes(CSV_TEXT.replace("９０００", "九千").encode("gbk"))
    err = read_error(path, mapping(tmp_path))
    assert (err.key, err.en) == ("C3", "expected a number, got \"九千\" (column C 投资目标)")
    path.write_bytes(CSV_TEXT.encode("utf-16"))
    assert read_error(path, mapping(tmp_path)).en.startswith("the CSV file is UTF-16 encoded")


# --- the mapping file -------------------------------------------------------------------

@pytest.mark.parametrize("edit, line, key, en", [
    (("header_rows: 1", "header_rows: 3"), 3, "header_rows", 'expected 1 or 2, got 3'),
    (("sheet: 乡镇指标", "sheets: 乡镇指标"), 2, "sheets", 'unexpected key "sheets"'),
    (("value: 投资本期", "value: [投资, 本期]"), 7, "indicators.investment.value",
     'expected a column header, e.g. 一般公共预算收入本期, got a list'),
    (("{value: 投资本期, target: 投资目标}", "{value: 投资本期, goal: 投资目标}"), 7, "indicators.investment",
     "expected {value: column, target: column}"),
    (("name_column: 乡镇\n", ""), 1, "name_column", "required key name_column is missing"),
])
def test_mapping_errors_name_line_and_key(tmp_path, edit, line, key, en):
    with pytest.raises(DataError) as caught:
        mapping(tmp_path, ONE_ROW.replace(*edit))
    err = caught.value
    assert (err.file, err.line, err.key) == (str(tmp_path / "map.yaml"), line, key)
    assert err.en.startswith(en)


def test_mapping_paths_are_relative_to_the_mapping_file():
    mapped = load_mapping(EXAMPLES / "mapping.yaml")
    assert mapped.base == EXAMPLES / "../indicators.yaml"
    assert mapped.indicators["investment"] == mapping_file.Columns(("固定资产投资（万元）", "本期"),
                                                                  ("固定资产投资（万元）", "目标"))
    assert mapped.skip_rows == 1 and mapped.header_rows == 2 and mapped.sheet == "乡镇指标"


def test_unknown_indicator_and_missing_base(tmp_path):
    path = book(tmp_path, [HEADER, ["东山镇", 1, 2, 1]])
    (tmp_path / "map.yaml").write_text(ONE_ROW.format(base=ROOT / "indicators.yaml")
                                       .replace("investment:", "invest:"), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        import_data(path, tmp_path / "map.yaml")
    assert (caught.value.line, caught.value.key) == (7, "indicators.invest")
    assert caught.value.en.startswith('unknown township indicator "invest" (townships.indicators in '
                                      'indicators.yaml has: investment, attracted,')
    (tmp_path / "map.yaml").write_text(ONE_ROW.format(base="missing.yaml"), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        import_data(path, tmp_path / "map.yaml")
    assert (caught.value.line, caught.value.key) == (1, "base")
    assert caught.value.en == f"base file not found: {tmp_path / 'missing.yaml'}"


# ---------------------------------------------------------------- the CLI


def test_cli_import_writes_reviewable_yaml(tmp_path):
    from click.testing import CliRunner

    from generator.cli import main

    out = tmp_path / "imported.yaml"
    result = CliRunner().invoke(main, ["import", str(EXAMPLES / "townships_2024Q2.xlsx"),
                                       "--map", str(EXAMPLES / "mapping.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(data["townships"]["units"]) == 15
    check = CliRunner().invoke(main, ["validate", "--data", str(out)])
    assert check.exit_code == 0 and "15 townships" in check.stdout


def test_cli_reads_a_sheet_directly_with_a_mapping(tmp_path):
    from click.testing import CliRunner

    from generator.cli import main

    sheet = str(EXAMPLES / "townships_2024Q2.csv")
    result = CliRunner().invoke(main, ["notice", "--data", sheet, "--map",
                                       str(EXAMPLES / "mapping_csv.yaml"), "--format", "md",
                                       "-o", "-"])
    assert result.exit_code == 0, result.stderr
    assert "| 1 |" in result.stdout
    bare = CliRunner().invoke(main, ["notice", "--data", sheet, "--out", str(tmp_path)])
    assert bare.exit_code == 2
    assert "--map" in bare.stderr and not any(tmp_path.iterdir())
