"""One comparison table read from its sheet: the units in sheet order, each one's cells, the 全市 row.

sources/comparison.py ranks and merges what this reads. The grid, the header
lookup and the number cleaning are the township import's (sources/spreadsheet),
so both kinds of sheet are read, and their cells named in messages, alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import shown
from generator.sources import spreadsheet
from generator.sources.comparison_mapping import Table
from generator.sources.mapping import DEFAULT_SKIP_NAMES, header_text
from generator.sources.spreadsheet import _Grid, _letter, _match_key

PARTS = ("value", "growth", "rank", "grade")
_RANK_TEXT = re.compile(r"第?\s*(\d+)\s*[位名]?")
_GRADE_TEXT = re.compile(r"([A-E])\s*[档类级等]?")
UNIT_IN_HEADER = re.compile(r"[（(]([^（）()]+)[）)]")
_NOTE = re.compile(r"(注|备注|说明)\s*[:：]")  # a footnote typed in the name column


@dataclass(frozen=True)
class TableWarning:
    """Something the office should know that does not stop the import (a typo in the table)."""

    file: str  # the workbook (a previous period's has the same sheets)
    where: str  # the cell, e.g. 经济指标!F9
    en: str
    zh: str

    def format(self) -> str:
        place = f"{self.file}: {self.where}" if self.where else self.file
        return f"{place}: warning: {self.en}\n{place}: 注意：{self.zh}"


@dataclass
class TableRead:
    """A table's cells: the units in sheet order, their figures, the 全市 row's."""

    grid: _Grid
    table: Table
    units: list[tuple[str, int]]  # (name, row)
    figures: dict[str, dict[str, dict[str, Any]]]  # indicator id → unit name → part → figure
    average: dict[str, dict[str, Any]]  # indicator id → part → figure of the 全市 row
    columns: dict[str, dict[str, int]]  # indicator id → part → column
    header_unit: dict[str, tuple[tuple[str, ...], int] | None]  # id → (units in the value header, column)
    name_col: int
    notes: list[TableWarning]  # what reading found that the office should know

    def warning(self, row: int, col: int, en: str, zh: str) -> TableWarning:
        return TableWarning(self.grid.file, self.grid.ref(row, col), en, zh)

    def row_of(self, unit: str) -> int:
        return next(row for name, row in self.units if name == unit)


def read_table(path: str | Path, table: Table) -> TableRead:
    grid = spreadsheet._read_grid(Path(path), table.sheet)
    first = table.skip_rows + table.header_rows
    spreadsheet._check_rows(grid, table, first)
    headers = spreadsheet._headers(grid, table)
    key = f"tables[{table.index}]"
    name_col = spreadsheet._column(grid, table, headers, table.name_column, f"{key}.name_column")
    columns = {ind.id: {part: spreadsheet._column(grid, table, headers, ref, f"{key}.indicators.{ind.id}.{part}")
                        for part in PARTS if (ref := getattr(ind, part)) is not None}
               for ind in table.indicators.values()}
    mapped = [name_col, *(c for cols in columns.values() for c in cols.values())]

    def header(col: int) -> str:
        return "/".join(headers[col]) or "(no header)"

    spreadsheet._check_merged(grid, mapped, first, header)
    skipped = {_match_key(n) for n in (*DEFAULT_SKIP_NAMES, *table.skip_names)}
    averages = {_match_key(n) for n in table.average_names}
    units: list[tuple[str, int]] = []
    notes: list[TableWarning] = []
    rows_of: dict[str, int] = {}
    average_row = None
    for row in range(first, len(grid.rows)):
        _uncalculated(grid, row, name_col)
        name = header_text(grid.cell(row, name_col))
        if spreadsheet._MISSING.fullmatch(unicodedata.normalize("NFKC", name)):
            name = ""
        if grid.one_merged_cell(row, mapped) or _match_key(name) in skipped:
            continue  # a note across the table, or a total row
        if not name:
            if all(grid.cell(row, col) is None for col in mapped):
                continue
            col = next(col for col in mapped if grid.cell(row, col) is not None)
            raise grid.error(f"row {row + 1} has figures (column {_letter(col)}) but no name in column "
                             f"{_letter(name_col)} {header(name_col)}",
                             f"第{row + 1}行有数据（{_letter(col)}列），但{_letter(name_col)}列"
                             f"{header(name_col)}没有单位名称", grid.ref(row, name_col))
        if _match_key(name) in averages:
            if average_row is not None:
                raise grid.error(f"two rows of the scope's own figures ({average_row + 1} and {row + 1}); "
                                 "name the one to use under average_row",
                                 f"有两行全市（平均）数据（第{average_row + 1}行和第{row + 1}行），"
                                 "请在average_row中写明用哪一行", grid.ref(row, name_col))
            average_row = row
            continue
        if name in rows_of:
            raise grid.error(f"duplicate name {name} (also at row {rows_of[name] + 1})",
                             f"名称“{name}”重复（第{rows_of[name] + 1}行已出现）", grid.ref(row, name_col))
        if all(grid.cell(row, col) is None or _blank(grid.cell(row, col)) for col in mapped[1:]):
            if _NOTE.match(name):
                continue  # a footnote typed in the name column
            # A unit that reported nothing still counts in the scope; say so, in case it is not one.
            notes.append(TableWarning(grid.file, grid.ref(row, name_col),
                                      f"row {row + 1} ({name}) has no figures: it counts as a unit of the scope "
                                      f"without figures; list it under skip_names in {Path(table.source).name} "
                                      "if it is not one",
                                      f"第{row + 1}行（{name}）没有任何数据，按未报送数据的参评单位计；如果这一行"
                                      f"不是参评单位，请把它加入{Path(table.source).name}的skip_names"))
        rows_of[name] = row
        units.append((name, row))
    if not units:
        where_en, where_zh = grid.place
        raise grid.error(f"no rows of units below the header (row {first}) in {where_en}",
                         f"{where_zh}表头（第{first}行）以下没有参评单位的数据")
    figures = {ind_id: {name: {part: _cell(grid, row, col, part, header)
                               for part, col in cols.items()} for name, row in units}
               for ind_id, cols in columns.items()}
    average = ({ind_id: {part: _cell(grid, average_row, col, part, header)
                         for part, col in cols.items() if part in ("value", "growth")}
                for ind_id, cols in columns.items()} if average_row is not None else {})
    header_unit = {}
    for ind_id, cols in columns.items():
        found = None
        # The lower header's unit first (总量（亿元）), else the upper's; a group header may list
        # several (地区生产总值（亿元、%）).
        for part in reversed(headers[cols["value"]] if "value" in cols else ()):
            named = [m.group(1) for m in UNIT_IN_HEADER.finditer(unicodedata.normalize("NFKC", part))]
            if named:
                tokens = tuple(t.strip() for t in re.split(r"[、,，/;；]", named[-1]) if t.strip())
                found = (tokens, cols["value"]) if tokens else None
                break
        header_unit[ind_id] = found
    return TableRead(grid, table, units, figures, average, columns, header_unit, name_col, notes)


def _blank(raw: Any) -> bool:
    return isinstance(raw, str) and bool(spreadsheet._MISSING.fullmatch(unicodedata.normalize("NFKC", raw).strip()))


def _uncalculated(grid: _Grid, row: int, col: int) -> None:
    formula = grid.uncached.get((row, col))
    if formula is not None:
        raise grid.error(f"cell {_letter(col)}{row + 1} holds a formula ({formula}) but no calculated value: "
                         "open the file in Excel or WPS and save it again",
                         f"{_letter(col)}{row + 1}单元格是公式（{formula}），但没有计算结果："
                         "请用Excel或WPS打开该文件后重新保存", grid.ref(row, col))


def _cell(grid: _Grid, row: int, col: int, part: str, header) -> Any:
    """One figure: a number, a rank (3, 第3位) or a grade (A, A档); None when not reported."""
    _uncalculated(grid, row, col)
    raw = grid.cell(row, col)
    if raw is None or _blank(raw):
        return None
    where = f"(column {_letter(col)} {header(col)})", f"（{_letter(col)}列 {header(col)}）"
    got_en, got_zh = shown(raw)
    if part == "grade":
        match = _GRADE_TEXT.fullmatch(unicodedata.normalize("NFKC", str(raw)).strip().upper())
        if match is None:
            raise grid.error(f"expected a grade A–E, got {got_en} {where[0]}",
                             f"应为A–E档次，实际为{got_zh}{where[1]}", grid.ref(row, col))
        return match.group(1)
    if part == "rank":
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        match = _RANK_TEXT.fullmatch(text)
        number = int(match.group(1)) if match else None
        if number is None:
            try:
                number = spreadsheet.parse_number(raw)
            except ValueError:
                number = None
        if not (isinstance(number, int) and number >= 1):
            raise grid.error(f"expected a rank (a whole number from 1), got {got_en} {where[0]}",
                             f"应为位次（从1起的整数），实际为{got_zh}{where[1]}", grid.ref(row, col))
        return number
    try:
        return spreadsheet.parse_number(raw)
    except ValueError:
        raise grid.error(f"expected a number, got {got_en} {where[0]}", f"应为数字，实际为{got_zh}{where[1]}",
                         grid.ref(row, col)) from None


def find(read: TableRead, name: str) -> str | None:
    """The unit of the table with this name, written as the table writes it (full-width brackets alike)."""
    want = _match_key(name)
    return next((unit for unit, _ in read.units if _match_key(unit) == want), None)
