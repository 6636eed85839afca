"""Build the sample bureau files in this folder:  python examples/make_sample.py

townships_2024Q2.xlsx is laid out as statistics bureaus send it: a title row, a
two-row header merged across 本期/目标 with units in it, some figures typed as
text (186,400, full-width １，３２０), "—" for a figure not reported, a 合计 row
and a note at the bottom. townships_2024Q2.csv holds the same figures as an
office's one-row-header CSV in GBK. The figures were copied from
../indicators.yaml townships.units (2024-Q2).
tests/test_spreadsheet.py checks that the committed files equal what this builds.
"""

from __future__ import annotations

import csv
import io
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


def main() -> None:
    build_workbook().save(XLSX)
    CSV.write_bytes(csv_bytes())
    print(XLSX)
    print(CSV)


if __name__ == "__main__":
    main()
