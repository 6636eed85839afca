"""Build the sample bureau files in this folder:  python examples/make_sample.py

townships_2024Q2.xlsx is laid out as statistics bureaus send it: a title row, a
two-row header merged across 本期/目标 with units in it, some figures typed as
text (186,400, full-width １，３２０), "—" for a figure not reported, a 合计 row
and a note at the bottom. townships_2024Q2.csv holds the same figures as an
office's one-row-header CSV in GBK. The figures were copied from
../indicators.yaml townships.units (2024-Q2).
tests/test_spreadsheet.py checks that the committed files equal what this builds.

city_2024Q2.xlsx and city_2024Q1.xlsx are the city's comparison tables of its 38
counties (全市对比表), one sheet per report card, read with comparison.yaml: a
title row, a two-row header (indicator over 总量（亿元）/增速（%）/位次), the 全市
row first, a note at the bottom. Our county's figures and ranks, and the
peers' growth, are those of ../indicators.yaml; the other counties' figures
are drawn from a seeded generator so that they give exactly those ranks. The
2024-Q2 table has one typo in a published rank (TYPO) and one county that did
not report an indicator (MISSING). tests/test_comparison.py checks them.
`python examples/make_sample.py --city` rebuilds only the city's tables.
"""

from __future__ import annotations

import csv
import io
import math
import random
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
XLSX = HERE / "townships_2024Q2.xlsx"
CSV = HERE / "townships_2024Q2.csv"
SHEET = "乡镇指标"
TITLE = "青山县2024年二季度乡镇（街道）赛马比拼指标完成情况表"
NOTE = "注：本期数为1—6月累计数；“—”表示统计部门尚未反馈。"

# (id, name, unit), in column order; ids are those of indicators.yaml townships.indicators.
INDICATORS = (
    ("investment", "固定资产投资", "万元"),
    ("attracted", "招商引资到位资金", "万元"),
    ("industry_output", "规上工业产值", "万元"),
    ("new_entities", "新增市场主体", "户"),
    ("revenue", "一般公共预算收入", "万元"),
    ("petitions", "信访案件数", "件"),
)

# (name, previous rank, (本期, 目标) for each indicator in INDICATORS order); None = not reported.
TOWNSHIPS = (
    ("城关镇", 2, (42600, 80000, 31500, 60000, 186400, 350000, 512, 900, 5860, 11000, 14, 30)),
    ("东山镇", 3, (5200, 12000, 9800, 18000, 61200, 118000, 168, 300, 1320, 2600, 6, 12)),
    ("西河镇", 1, (28700, 50000, 22600, 40000, 143800, 260000, 286, 480, 3910, 7000, 5, 15)),
    ("南岭镇", 9, (9100, 22000, 6400, 16000, 38500, 90000, 121, 260, 980, 2300, 9, 12)),
    ("北坪镇", 6, (13600, 25000, 8700, 15000, 52300, 98000, 142, 250, 1460, 2800, 4, 10)),
    ("龙泉镇", 4, (19800, 36000, 15200, 30000, 97600, 180000, 203, 380, 2240, 4200, 7, 14)),
    ("桃源乡", 12, (3100, 9000, 2200, 8000, 8600, 24000, 58, 150, 410, 1100, 5, 6)),
    ("石桥乡", 10, (4800, 10000, 3900, 8000, 12100, 26000, 77, 160, 520, 1100, 3, 8)),
    ("白云乡", 14, (2600, 7000, 1500, 6000, 4300, 15000, 49, 120, 300, 850, 2, 6)),
    ("清溪镇", 5, (16400, 30000, 12800, 24000, 71500, 130000, 176, 320, 1880, 3500, 6, 12)),
    ("马鞍乡", 13, (3800, 8000, 2900, 6000, 9800, 20000, 66, 140, None, 900, 4, 7)),
    ("青龙街道", 7, (25400, 48000, 19300, 35000, 64800, 120000, 465, 800, 2650, 5000, 11, 24)),
    ("凤凰街道", 8, (21900, 45000, 13100, 32000, 41200, 85000, 398, 760, 2180, 4600, 13, 22)),
    ("黄土岭乡", 15, (1900, 6000, 800, 5000, 0, 3000, 31, 100, 190, 700, 3, 5)),
    ("新华街道", 11, (17600, 32000, 11400, 22000, 26300, 50000, 356, 600, 1720, 3200, 8, 18)),
)

# Figures the xlsx holds as text, as when pasted from a Word report: (township, figure index) → text.
XLSX_TEXT = {("城关镇", 4): "186,400", ("西河镇", 4): "143,800", ("东山镇", 8): "１，３２０",
             ("东山镇", 2): " 9800 "}


def totals() -> tuple[int | None, ...]:
    """The 合计 row: a column with a figure missing has no total."""
    columns = zip(*(figures for _, _, figures in TOWNSHIPS))
    return tuple(None if None in column else sum(column) for column in columns)


def build_workbook() -> Workbook:
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    last = 3 + 2 * len(INDICATORS)  # 序号, 乡镇, pairs, 上期排名
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.cell(1, 1, TITLE).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    for col, text in ((1, "序号"), (2, "乡镇（街道）"), (last, "上期排名")):
        ws.cell(2, col, text)
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    for index, (_, name, unit) in enumerate(INDICATORS):
        col = 3 + 2 * index
        ws.cell(2, col, f"{name}（{unit}）")
        ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + 1)
        ws.cell(3, col, "本期")
        ws.cell(3, col + 1, "目标")
    for row in (2, 3):
        for col in range(1, last + 1):
            ws.cell(row, col).font = Font(bold=True)
            ws.cell(row, col).alignment = center
    for offset, (name, previous, figures) in enumerate(TOWNSHIPS):
        row = 4 + offset
        ws.cell(row, 1, offset + 1)
        ws.cell(row, 2, name)
        for index, figure in enumerate(figures):
            _figure(ws.cell(row, 3 + index), XLSX_TEXT.get((name, index), figure))
        ws.cell(row, last, previous)
    total_row = 4 + len(TOWNSHIPS)
    ws.cell(total_row, 1, "合计")
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=2)
    for index, figure in enumerate(totals()):
        _figure(ws.cell(total_row, 3 + index), figure)
    ws.cell(total_row + 1, 1, NOTE)
    ws.merge_cells(start_row=total_row + 1, start_column=1, end_row=total_row + 1, end_column=last)
    ws.column_dimensions["B"].width = 12
    ws.freeze_panes = "C4"
    return book


def _figure(cell, figure: int | str | None) -> None:
    cell.value = "—" if figure is None else figure
    if isinstance(figure, int):
        cell.number_format = "#,##0"  # shown as 42,600, stored as 42600
    cell.alignment = Alignment(horizontal="right")


def csv_bytes() -> bytes:
    """One header row ("固定资产投资本期"), a title line, text figures, GBK as Excel saves it in China."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([TITLE])
    writer.writerow(["序号", "乡镇（街道）",
                     *(f"{name}{part}" for _, name, _ in INDICATORS for part in ("本期", "目标")), "上期排名"])
    for index, (name, previous, figures) in enumerate(TOWNSHIPS):
        writer.writerow([index + 1, name, *("-" if f is None else f"{f:,}" for f in figures), previous])
    writer.writerow(["", "全县合计", *("/" if f is None else f"{f:,}" for f in totals()), ""])
    return out.getvalue().encode("gbk")


# --- the city's comparison tables ---------------------------------------------------------

CITY = {"2024-Q2": HERE / "city_2024Q2.xlsx", "2024-Q1": HERE / "city_2024Q1.xlsx"}
PERIOD_NAMES = {"2024-Q2": "2024年上半年", "2024-Q1": "2024年一季度"}
US = "青山县"
COUNTIES = (
    "东城区", "西城区", "南湖区", "北关区", "滨江区", "云台区", "青山县", "临江县", "石门县", "白河县",
    "桐柏县", "清远县", "松林县", "梅岭县", "安平县", "永丰县", "兴隆县", "凤台县", "柳城县", "平阳县",
    "长宁县", "河口县", "金沙县", "黄岗县", "双桥县", "宝丰县", "龙门县", "丰乐县", "太和县", "望江县",
    "新安县", "合阳市", "宁远市", "武安市", "乐平市", "云溪区", "高新区", "经开区",
)
# Sheet → its title and indicators: (id, header over the columns, the columns: part → lower header,
# better, the part ranked on). Parts are value, growth, rank, grade (a grade column is published
# for revenue only; comparison.yaml gives the band rule for the rest).
CITY_SHEETS = {
    "经济指标": ("全市各县（市、区）主要经济指标对比表", (
        ("gdp", "地区生产总值", {"value": "总量（亿元）", "growth": "增速（%）", "rank": "位次"}, "higher", "growth"),
        ("industry", "规上工业增加值", {"growth": "增速（%）", "rank": "位次"}, "higher", "growth"),
        ("fai", "固定资产投资", {"value": "总量（亿元）", "growth": "增速（%）", "rank": "位次"}, "higher", "growth"),
        ("revenue", "一般公共预算收入",
         {"value": "总量（亿元）", "growth": "增速（%）", "rank": "位次", "grade": "档次"}, "higher", "growth"),
    )),
    "民生指标": ("全市各县（市、区）民生和安全指标对比表", (
        ("urban_income", "城镇常住居民人均可支配收入", {"value": "总量（元）", "growth": "增速（%）", "rank": "位次"},
         "higher", "growth"),
        ("unemployment", "城镇调查失业率（%）", {"value": "数值", "rank": "位次"}, "lower", "value"),
        ("accidents", "生产安全事故起数", {"value": "起数（起）", "growth": "增减（%）", "rank": "位次"},
         "lower", "value"),
    )),
}
# Our figures (value, growth) and rank, as ../indicators.yaml has them this period and last.
OURS = {
    "2024-Q2": {"gdp": (156.3, 4.2, 28), "industry": (None, 7.8, 9), "fai": (68.4, -3.6, 33),
                "revenue": (9.86, 8.3, 5), "urban_income": (21356, 4.5, 24), "unemployment": (5.1, None, 17),
                "accidents": (6, -25.0, 10)},
    "2024-Q1": {"gdp": (75.1, 5.1, 20), "industry": (None, 6.1, 15), "fai": (30.2, 1.2, 25),
                "revenue": (5.12, 6.7, 9), "urban_income": (11283, 4.9, 22), "unemployment": (5.4, None, 20),
                "accidents": (2, -33.3, 12)},
}
# The peers' growth this period (../indicators.yaml peers).
PEER_GROWTH = {"gdp": {"临江县": 5.0, "石门县": 5.3}, "industry": {"临江县": 7.2, "石门县": 8.4},
               "fai": {"临江县": -1.2, "石门县": 2.6}, "revenue": {"临江县": 3.9, "石门县": 5.2},
               "urban_income": {"临江县": 4.6, "石门县": 4.9}}
# The 全市 row: the city's growth, and the city's rate where the value is a rate.
CITY_ROW = {"2024-Q2": {"gdp": 5.8, "industry": 6.9, "fai": 3.1, "revenue": 4.6, "urban_income": 4.8,
                        "unemployment": 5.2, "accidents": -10.4},
            "2024-Q1": {"gdp": 6.0, "industry": 6.4, "fai": 4.2, "revenue": 5.1, "urban_income": 5.0,
                        "unemployment": 5.3, "accidents": -12.5}}
CITY_INCOME = {"2024-Q2": 24580, "2024-Q1": 12960}  # 全市 per-capita income, not a sum
# How many other counties share our figure (a tie on our rank), and two others made equal.
TIE_WITH_US = {("2024-Q2", "accidents"): 1}
TIE_OTHERS = {("2024-Q2", "gdp"), ("2024-Q2", "unemployment")}
MISSING = ("2024-Q2", "industry", "云台区")  # not reported: "—" in its growth and rank cells
TYPO = ("2024-Q2", "gdp", "临江县")  # published one place lower than its growth gives
BANDS = {"A": 0.2, "B": 0.4, "C": 0.6, "D": 0.8, "E": 1.0}
CITY_NOTE = "注：位次按增速排列，城镇调查失业率、生产安全事故起数按数值由低到高排列；“—”表示未报送。"


def competition_rank(figure: float, figures: list[float], better: str) -> int:
    """1 + the number of units strictly better: ties share a rank, the next rank skips."""
    return 1 + sum(1 for f in figures if (f > figure if better == "higher" else f < figure))


def band(rank: int, count: int) -> str:
    return next(g for g, share in BANDS.items() if rank <= math.ceil(share * count - 1e-9))


def city_table(period: str) -> dict[str, dict[str, dict[str, float | int | str | None]]]:
    """Indicator id → county → part → figure, as the city's table publishes it (published ranks)."""
    rng = random.Random(f"{period}-city")
    table: dict[str, dict[str, dict]] = {}
    for _, (_, indicators) in CITY_SHEETS.items():
        for ind_id, _, parts, better, ranked_on in indicators:
            ours = dict(zip(("value", "growth"), OURS[period][ind_id][:2]))
            our_rank = OURS[period][ind_id][2]
            missing = MISSING[2] if MISSING[:2] == (period, ind_id) else None
            fixed = {name: g for name, g in PEER_GROWTH.get(ind_id, {}).items()} if period == "2024-Q2" else {}
            ranked = _ranked_figures(rng, ours[ranked_on], our_rank, better, ranked_on, ind_id,
                                     [c for c in COUNTIES if c not in (US, missing)], fixed,
                                     TIE_WITH_US.get((period, ind_id), 0), (period, ind_id) in TIE_OTHERS)
            rows = {}
            for county in COUNTIES:
                figures = {part: None for part in parts}
                if county == US:
                    figures.update({k: v for k, v in ours.items() if k in parts})
                elif county != missing:
                    figures[ranked_on] = ranked[county]
                    other = "growth" if ranked_on == "value" else "value"
                    if other in parts:
                        figures[other] = _other_figure(rng, ind_id, other)
                rows[county] = figures
            if missing and "value" in parts and ranked_on != "value":
                rows[missing]["value"] = _other_figure(rng, ind_id, "value")
            scored = [rows[c][ranked_on] for c in COUNTIES if rows[c][ranked_on] is not None]
            for county in COUNTIES:
                figure = rows[county][ranked_on]
                if figure is None:
                    continue
                rank = competition_rank(figure, scored, better)
                rows[county]["rank"] = rank
                if "grade" in parts:
                    rows[county]["grade"] = band(rank, len(scored))
            if TYPO[:2] == (period, ind_id):
                rows[TYPO[2]]["rank"] += 1
            table[ind_id] = rows
    return table


def _ranked_figures(rng: random.Random, ours: float, our_rank: int, better: str, ranked_on: str, ind_id: str,
                    others: list[str], fixed: dict[str, float], ties: int, tie_others: bool) -> dict[str, float]:
    """Figures for the other counties that put us exactly at our_rank (fixed ones kept)."""
    step = 1 if ind_id == "accidents" else 0.1
    ahead_sign = 1 if better == "higher" else -1

    def ahead(figure: float) -> bool:
        return figure > ours if better == "higher" else figure < ours

    free = sorted((c for c in others if c not in fixed), key=lambda c: rng.random())
    need_ahead = our_rank - 1 - sum(1 for f in fixed.values() if ahead(f))
    taken = {round(abs(f - ours) / step) for f in fixed.values()}
    figures = dict(fixed)
    if ind_id == "accidents":  # small counts: ties come by themselves
        for county in free[:need_ahead]:
            figures[county] = int(rng.random() * ours)
        for county in free[need_ahead:need_ahead + ties]:
            figures[county] = ours
        for county in free[need_ahead + ties:]:
            figures[county] = ours + 1 + int(rng.random() * 18)
        return figures
    widest = 40 if ind_id == "unemployment" else 90  # a rate stays above 1%
    offsets = sorted((k for k in range(1, widest) if k not in taken), key=lambda k: rng.random())
    for index, county in enumerate(free):
        sign = ahead_sign if index < need_ahead else -ahead_sign
        figures[county] = round(ours + sign * offsets[index] * step, 1)
    if tie_others:  # two counties with the same figure share a rank
        figures[free[-1]] = figures[free[-2]]
    return figures


def _other_figure(rng: random.Random, ind_id: str, part: str) -> float | int:
    """A figure that is not ranked on: a county's total, or its growth."""
    if part == "growth":
        return round(rng.uniform(-60, 60), 1)
    low, high, places = {"gdp": (60, 650, 1), "fai": (20, 300, 1), "revenue": (3, 40, 2),
                         "urban_income": (17000, 32000, 0), "accidents": (0, 30, 0)}[ind_id]
    figure = round(rng.uniform(low, high), places)
    return int(figure) if places == 0 else figure


def build_city_workbook(period: str) -> Workbook:
    table = city_table(period)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for sheet, (title, indicators) in CITY_SHEETS.items():
        ws = book.create_sheet(sheet)
        last = 2 + sum(len(parts) for _, _, parts, _, _ in indicators)
        ws.cell(1, 1, f"{PERIOD_NAMES[period]}{title}").font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
        for col, text in ((1, "序号"), (2, "县（市、区）")):
            ws.cell(2, col, text)
            ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
        col = 3
        for ind_id, header, parts, _, _ in indicators:
            ws.cell(2, col, header)
            ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=col + len(parts) - 1)
            for offset, lower in enumerate(parts.values()):
                ws.cell(3, col + offset, lower)
            col += len(parts)
        for row in (2, 3):
            for c in range(1, last + 1):
                ws.cell(row, c).font = bold
                ws.cell(row, c).alignment = center
        ws.cell(4, 2, "全市")
        col = 3
        for ind_id, _, parts, _, _ in indicators:
            for offset, part in enumerate(parts):
                _figure(ws.cell(4, col + offset), _city_row(table, period, ind_id, part))
            col += len(parts)
        for index, county in enumerate(COUNTIES):
            row = 5 + index
            ws.cell(row, 1, index + 1)
            ws.cell(row, 2, county)
            col = 3
            for ind_id, _, parts, _, _ in indicators:
                for offset, part in enumerate(parts):
                    _figure(ws.cell(row, col + offset), table[ind_id][county].get(part))
                col += len(parts)
        note = 5 + len(COUNTIES)
        ws.cell(note, 1, CITY_NOTE)
        ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=last)
        ws.freeze_panes = "C5"
    return book


def _city_row(table: dict, period: str, ind_id: str, part: str) -> float | int | None:
    """The 全市 row: the city's growth and rate; the sum of the counties' amounts."""
    if part in ("rank", "grade"):
        return None
    if part == "growth" or ind_id == "unemployment":
        return CITY_ROW[period][ind_id]
    if ind_id == "urban_income":
        return CITY_INCOME[period]
    total = sum(rows[part] for rows in table[ind_id].values() if rows[part] is not None)
    return round(total, 2) if isinstance(total, float) else total


def main(city_only: bool = False) -> None:
    if not city_only:
        build_workbook().save(XLSX)
        CSV.write_bytes(csv_bytes())
        print(XLSX)
        print(CSV)
    for period, path in CITY.items():
        build_city_workbook(period).save(path)
        print(path)


if __name__ == "__main__":
    import sys

    main(city_only="--city" in sys.argv[1:])
