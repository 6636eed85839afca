"""`speechgen facts --xlsx`: the workbook an office attaches to its notice, read back as Excel would."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
COUNTY = ROOT / "indicators.yaml"
NO_TOWNSHIPS = ROOT / "tests" / "bad_inputs" / "base" / "county_no_townships.yaml"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The bundled county's workbook, and its facts as --json gives them."""
    folder = tmp_path_factory.mktemp("xlsx")
    path = folder / "附件.xlsx"
    result = run("facts", "--data", str(COUNTY), "--xlsx", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(path)
    facts = json.loads(run("facts", "--data", str(COUNTY), "--json").output)
    return path, facts


def table(sheet) -> tuple[list[str], list[dict]]:
    """Header (row 2) and the rows under it as dicts of cells."""
    header = [c.value for c in sheet[2]]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=3)]
    return header, rows


def test_sheets_titles_and_frozen_headers(made):
    path, _ = made
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["指标", "乡镇排名", "乡镇指标进度", "说明"]
    assert book["指标"]["A1"].value == "青山县2024年上半年主要指标及派生数据"
    assert book["乡镇排名"]["A1"].value == "青山县2024年上半年乡镇（街道）赛马比拼排名"
    # title and header rows stay on screen, and so do the columns that name a row
    assert book["指标"].freeze_panes == "C3"
    assert book["乡镇排名"].freeze_panes == "C3"
    assert book["乡镇指标进度"].freeze_panes == "D3"
    assert book["指标"]["A2"].font.bold
    assert book["指标"].print_title_rows == "$1:$2"


def test_indicator_sheet_holds_the_facts_with_their_formats(made):
    path, facts = made
    sheet = openpyxl.load_workbook(path)["指标"]
    header, rows = table(sheet)
    assert header[:4] == ["指标代码", "指标名称", "报表", "单位"]
    assert {"位次变化", "增速变化（个百分点）", "序时差（个百分点）", "完成率", "全市平均",
            "与临江县差", "与石门县差", "结论"} <= set(header)
    assert [r["指标代码"].value for r in rows] == [f["id"] for f in facts["indicators"]]
    fai = next(r for r in rows if r["指标代码"].value == "fai")
    source = next(f for f in facts["indicators"] if f["id"] == "fai")
    assert fai["本期值"].value == source["value"] == 68.4
    assert fai["位次变化"].value == source["rank_move"] == -8
    assert fai["位次变化"].number_format == "+0;-0;0"  # a change shows its sign
    assert fai["完成率"].value == source["completion"] and fai["完成率"].number_format == "0.0%"
    assert fai["序时差（个百分点）"].value == 4.4 and fai["序时差（个百分点）"].number_format.startswith("+0.0")
    assert fai["与临江县差"].value == -2.4
    assert fai["达序时"].value == "否" and fai["结论"].value == "短板"
    assert fai["方向"].value == "越高越好"
    # an indicator's figures keep its own decimals: 9.86亿元 two, 3862户 none
    revenue = next(r for r in rows if r["指标代码"].value == "revenue")
    assert revenue["本期值"].number_format == "#,##0.00"
    entities = next(r for r in rows if r["指标代码"].value == "new_entities")
    assert entities["本期值"].number_format == "#,##0"


def test_missing_figures_are_empty_cells_never_words(made):
    path, _ = made
    book = openpyxl.load_workbook(path)
    _, rows = table(book["指标"])
    industry = next(r for r in rows if r["指标代码"].value == "industry")  # no value in the data
    assert industry["本期值"].value is None and industry["完成率"].value is None
    assert industry["序时进度"].value is None  # no target, so no schedule to be measured against
    for sheet in book:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.strip().lower() in ("none", "nan", "", "x")), \
                    (sheet.title, row)


def test_ranking_and_progress_sheets(made):
    path, facts = made
    book = openpyxl.load_workbook(path)
    _, ranking = table(book["乡镇排名"])
    units = facts["townships"]["units"]
    assert [(r["位次"].value, r["乡镇"].value, r["综合得分"].value) for r in ranking] == \
        [(u["rank"], u["name"], u["score"]) for u in units]
    assert ranking[1]["位次变化"].value == units[1]["rank_move"]
    assert ranking[0]["综合得分"].number_format == "0.00"

    header, progress = table(book["乡镇指标进度"])
    assert len(progress) == len(units) * facts["townships"]["indicator_count"]
    assert "三季度末序时线" in header and "距三季度末序时线还需" in header
    first = units[0]["rows"][0]
    row = progress[0]
    assert (row["乡镇"].value, row["指标"].value, row["完成值"].value, row["年度目标"].value) == \
        (units[0]["name"], first["name"], first["value"], first["target"])
    assert row["完成率"].number_format == "0.0%" and row["完成率"].value == first["completion"]
    assert row["完成值"].number_format == "#,##0"
    # columns fit their figures and their (wrapped) headers
    sheet = book["乡镇指标进度"]
    assert sheet.column_dimensions["C"].width >= 2 * len("招商引资到位资金")
    assert sheet["J2"].alignment.wrap_text


def test_legend_sheet_explains_the_signs(made):
    path, _ = made
    sheet = openpyxl.load_workbook(path)["说明"]
    terms = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert "正数为上升" in terms["位次变化"]
    assert "正数为落后" in terms["序时差"]
    assert "50%" in terms["序时进度"]


def test_same_facts_same_bytes(made, tmp_path):
    path, _ = made
    again = tmp_path / "again.xlsx"
    assert run("facts", "--data", str(COUNTY), "--xlsx", str(again)).exit_code == 0
    assert again.read_bytes() == path.read_bytes()
    with zipfile.ZipFile(again) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2024-07-15T00:00:00Z" in zf.read("docProps/core.xml")  # the data's date, not today


def test_an_edited_workbook_is_never_overwritten(tmp_path):
    path = tmp_path / "附件.xlsx"
    assert run("facts", "--data", str(COUNTY), "--xlsx", str(path)).exit_code == 0
    manifest = json.loads((tmp_path / ".speechgen-manifest.json").read_text("utf-8"))
    assert set(manifest) == {"附件.xlsx"}
    book = openpyxl.load_workbook(path)
    book["指标"]["A1"] = "附件1"
    book.save(path)
    edited = path.read_bytes()
    result = run("facts", "--data", str(COUNTY), "--xlsx", str(path))
    assert result.exit_code == 2
    assert "changed since speechgen wrote it" in result.output and "--force" in result.output
    assert path.read_bytes() == edited
    assert run("facts", "--data", str(COUNTY), "--xlsx", str(path), "--force").exit_code == 0
    assert openpyxl.load_workbook(path)["指标"]["A1"].value != "附件1"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]  # no temporary left


def test_a_name_that_is_not_xlsx_is_refused(tmp_path):
    result = run("facts", "--data", str(COUNTY), "--xlsx", str(tmp_path / "附件.xls"))
    assert result.exit_code == 2
    assert "must end in .xlsx" in result.output and "须以 .xlsx 结尾" in result.output
    assert list(tmp_path.iterdir()) == []


def test_without_townships_only_the_indicators(tmp_path):
    path = tmp_path / "a.xlsx"
    assert run("facts", "--data", str(NO_TOWNSHIPS), "--xlsx", str(path)).exit_code == 0
    assert openpyxl.load_workbook(path).sheetnames == ["指标", "说明"]


def test_a_year_names_the_annual_line(tmp_path):
    data = yaml.safe_load(COUNTY.read_text("utf-8"))
    data["meta"]["period"] = "2023"
    (tmp_path / "year.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    path = tmp_path / "year.xlsx"
    result = run("facts", "--data", str(tmp_path / "year.yaml"), "--xlsx", str(path))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book["指标"]["A1"].value.startswith("青山县2023年度")
    header, _ = table(book["乡镇指标进度"])
    assert "年度目标线" in header and "距年度目标还需" in header
