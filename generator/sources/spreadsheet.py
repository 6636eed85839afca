"""Township figures from a statistics bureau's spreadsheet (.xlsx or .csv).

Bureau sheets are laid out for people: a title row, a two-row header merged
across 本期/目标, units in the header, 12,000 typed as text, full-width digits,
"—" for "not reported" and a 合计 row at the bottom. A mapping file (YAML) says
which sheet to read and which columns hold each township indicator; every other
part of the data (meta, county indicators, township indicator definitions and
scoring) comes from the mapping's base file. The result is plain data in
indicators.yaml format, so the one loader validates both sources.

Errors name the file, sheet, row and column exactly as Excel shows them,
because that is where the user will look.

Excel files are read with openpyxl rather than pandas.read_excel: merged
ranges, number formats and cell coordinates are what matter here, and pandas
drops all three. CSV is read with the csv module, which, unlike
pandas.read_csv, accepts a title line shorter than the table below it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
from collections.abc import Mapping as Mapping_
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import yaml

from generator import limits, textfile
from generator.errors import DataError, shown
from generator.sources import dataset, loader
from generator.sources import yaml_reader as yaml_source
from generator.sources.mapping import (
    DEFAULT_SKIP_NAMES,
    MAX_LISTED,
    Mapping,
    MappingCheck,
    Ref,
    header_text,
    load_mapping,
)

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97–2003) and password-protected workbooks
# After NFKC: blank, any run of dashes, or a slash means "no figure".
_MISSING = re.compile(r"[-‐‑‒–—―−─/]*")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+)?%?")

# --- cells ------------------------------------------------------------------------

def parse_number(raw: Any) -> int | float | None:
    """A cell as a number: None when it says "no figure" (blank, —, -, /); ValueError otherwise.

    Accepts what offices type: 12,000 and １２，０００, surrounding spaces, 85.2%.
    Whole numbers come back as int so the YAML reads 5200, not 5200.0.
    """
    if raw is None:
        return None
    if isinstance(raw, bool) or isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        raise ValueError(raw)
    if isinstance(raw, (int, float)):
        if raw != raw:  # NaN: an empty numeric cell
            return None
        if raw in (float("inf"), float("-inf")):
            raise ValueError(raw)
        return _tidy(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if _MISSING.fullmatch(text):
        return None
    if not _NUMBER.fullmatch(text) or not any(ch.isdigit() for ch in text):
        raise ValueError(raw)
    return _tidy(float(text.rstrip("%").replace(",", "")))


def _tidy(number: float) -> int | float:
    """15 significant digits, as Excel shows them: no binary noise such as 0.30000000000000004."""
    rounded = float(f"{number:.15g}")
    return int(rounded) if rounded.is_integer() else rounded



def _match_key(text: str) -> str:
    """Headers match whatever their width of brackets and case: （万元） = (万元)."""
    return unicodedata.normalize("NFKC", text).casefold()


def _letter(col: int) -> str:
    """0-based column index → Excel letters: 0 → A, 26 → AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# --- the sheet as a grid ------------------------------------------------------------

@dataclass(frozen=True)
class _Grid:
    """A sheet's cell values, merged ranges filled with their top-left value."""

    file: str
    sheet: str | None  # None for CSV
    rows: tuple[tuple[Any, ...], ...]
    merged: tuple[tuple[int, int, int, int], ...] = ()  # 0-based (first row, first col, last row, last col)
    uncached: Mapping_[tuple[int, int], str] = dataclass_field(default_factory=dict)  # formulas never calculated

    def cell(self, row: int, col: int) -> Any:
        cells = self.rows[row]
        value = cells[col] if col < len(cells) else None
        return None if value == "" else value

    def ref(self, row: int, col: int) -> str:
        """Row and column as Excel shows them, e.g. 乡镇指标!D7."""
        cell = f"{_letter(col)}{row + 1}"
        return f"{self.sheet}!{cell}" if self.sheet is not None else cell

    @property
    def place(self) -> tuple[str, str]:
        if self.sheet is None:
            return "the file", "文件中"
        return f"sheet {self.sheet}", f"工作表“{self.sheet}”中"

    def error(self, en: str, zh: str, key: str | None = None) -> DataError:
        return DataError(en, zh, file=self.file, key=key if key is not None else self.sheet)

    def one_merged_cell(self, row: int, cols: list[int]) -> bool:
        """Does a single merged cell cover all these columns of the row (a note or banner)?"""
        return any(r0 <= row <= r1 and c0 <= min(cols) and max(cols) <= c1
                   for r0, c0, r1, c1 in self.merged)


def _read_grid(path: Path, sheet: str | int) -> _Grid:
    source = str(path)
    yaml_source.refuse_special(path, source)
    try:
        size = path.stat().st_size
        if size > limits.MAX_INFLATED:
            raise DataError(f"the file is too large for a statistics sheet ({size / 1024 / 1024:.0f} MB; "
                            f"limit {limits.MAX_INFLATED // 1024 // 1024} MB)",
                            f"文件过大（{size / 1024 / 1024:.0f} MB），统计表不应超过"
                            f"{limits.MAX_INFLATED // 1024 // 1024} MB", file=source)
        raw = path.read_bytes()
    except OSError as exc:
        raise yaml_source.unreadable(exc, source) from None
    if not raw.startswith(_XLSX_MAGIC) and len(raw) > limits.MAX_DATA_BYTES:
        raise DataError(f"the CSV file is too large ({len(raw) / 1024 / 1024:.1f} MB; limit "
                        f"{limits.MAX_DATA_BYTES // 1024 // 1024} MB)",
                        f"CSV文件过大（{len(raw) / 1024 / 1024:.1f} MB），不应超过"
                        f"{limits.MAX_DATA_BYTES // 1024 // 1024} MB", file=source)
    if not raw.strip():
        raise DataError("the file is empty", "文件为空", file=source)
    if raw.startswith(_OLE_MAGIC):
        raise DataError("an old-format .xls or a password-protected workbook; open it in Excel or WPS "
                        "and save it as .xlsx without a password",
                        "这是旧版.xls文件或加密的工作簿，请用Excel或WPS打开后另存为不加密的.xlsx", file=source)
    if raw.startswith(_XLSX_MAGIC):
        return _read_xlsx(path, sheet)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise DataError("not an Excel .xlsx workbook (the file is damaged or in another format)",
                        "不是Excel .xlsx工作簿（文件已损坏或为其他格式）", file=source)
    return _read_csv(raw, source)


def _read_xlsx(path: Path, sheet: str | int) -> _Grid:
    import openpyxl  # only Excel input needs it, and it is slow to import

    source = str(path)
    scan = _scan_xlsx(path)
    try:
        with warnings.catch_warnings(), limits.time_limit(XLSX_SECONDS), limits.memory_bound():
            # "Data Validation extension is not supported" and the like: harmless, and noise to a user.
            warnings.simplefilter("ignore")
            # data_only: a 合计 cell holding =SUM(…) reads as the figure Excel last showed.
            book = openpyxl.load_workbook(path, data_only=True)
    except limits.TimeLimit:
        raise DataError(f"reading the workbook took longer than {XLSX_SECONDS:g} s; it is not an "
                        "ordinary statistics sheet",
                        f"读取该工作簿超过{XLSX_SECONDS:g}秒，不是普通的统计表", file=source) from None
    except MemoryError:
        raise DataError(f"reading the workbook needs more than {limits.MEMORY_MB} MB of memory; it "
                        "is not an ordinary statistics sheet",
                        f"读取该工作簿需要超过{limits.MEMORY_MB} MB内存，不是普通的统计表",
                        file=source) from None
    except Exception as exc:  # noqa: BLE001 - any failure to parse means the same to the user
        raise DataError(f"the workbook cannot be read; it may be damaged ({type(exc).__name__}: {exc})",
                        f"无法读取该工作簿，文件可能已损坏（{type(exc).__name__}：{exc}）",
                        file=source) from None
    names = book.sheetnames
    listed = ", ".join(names)
    if isinstance(sheet, int):
        if sheet >= len(names):
            raise DataError(f"no sheet number {sheet} (counting from 0); the workbook has {len(names)}: {listed}",
                            f"没有第{sheet}号工作表（从0起算），工作簿共有{len(names)}个：{'、'.join(names)}",
                            file=source)
        name = names[sheet]
    elif sheet in names:
        name = sheet
    else:
        raise DataError(f"no sheet {sheet}; the workbook has: {listed}",
                        f"没有名为“{sheet}”的工作表，现有：{'、'.join(names)}", file=source)
    ws = book[name]
    if not hasattr(ws, "merged_cells"):
        raise DataError(f"sheet {name} is a chart, not a table", f"工作表“{name}”是图表，不是表格",
                        file=source, key=name)
    rows = [[_shown_value(cell) for cell in row] for row in ws.iter_rows()]
    merged = []
    for span in ws.merged_cells.ranges:
        r0, c0, r1, c1 = span.min_row - 1, span.min_col - 1, span.max_row - 1, span.max_col - 1
        merged.append((r0, c0, r1, c1))
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = rows[r0][c0]
    return _Grid(source, name, tuple(tuple(row) for row in rows), tuple(merged),
                 scan.get(name, {}))


XLSX_SECONDS = 30.0
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml\Z")
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})\Z")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_ROW_R = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,7})"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*>(.+?)</(?:\w+:)?v>", re.S)


def _position(ref: str) -> tuple[int, int]:
    """Excel's B3 → 0-based (row 2, column 1)."""
    letters, digits = _REF.match(ref).groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def _scan_xlsx(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Check a workbook before openpyxl reads it; per sheet name, its formulas never calculated.

    openpyxl builds every cell of the sheet's extent (and of every merged range), so
    one stray cell at XFD1048576 or a zip bomb would take gigabytes: the package's
    inflated size and each sheet's extent are bounded first, from the raw XML.
    """
    import html
    import zipfile

    source = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}  # openpyxl's own message says it is damaged
    with archive:
        problem = limits.zip_problem(archive)
        if problem:
            raise DataError(f"the workbook cannot be read: {problem[0]}", f"无法读取该工作簿：{problem[1]}",
                            file=source)
        names = _sheet_names(archive)
        found: dict[str, dict[tuple[int, int], str]] = {}
        for info in archive.infolist():
            if not _WORKSHEET_PART.match(info.filename):
                continue
            try:
                xml = archive.read(info)
            except Exception:  # noqa: BLE001 - openpyxl says what is damaged
                continue
            sheet = names.get(info.filename, info.filename)
            far_row, far_col, far_ref = 0, 0, "A1"
            refs = [m.group(1).decode() for m in _ATTR_R.finditer(xml)]
            refs += [m.group(g).decode() for m in _MERGE.finditer(xml) for g in (1, 2) if m.group(g)]
            refs += [f"A{m.group(1).decode()}" for m in _ROW_R.finditer(xml)]
            for ref in refs:
                row, col = _position(ref)
                if row >= limits.MAX_ROWS or col >= limits.MAX_COLUMNS:
                    far_row, far_col, far_ref = max(row, far_row), max(col, far_col), ref
                    break  # the stray cell is the one to name
                far_row, far_col = max(row, far_row), max(col, far_col)
                far_ref = f"{_letter(far_col)}{far_row + 1}"
            rows, cols = far_row + 1, far_col + 1
            if rows > limits.MAX_ROWS or cols > limits.MAX_COLUMNS or rows * cols > limits.MAX_CELLS:
                raise DataError(
                    f"the sheet reaches cell {far_ref} ({rows:,} rows × {cols:,} columns; limit "
                    f"{limits.MAX_ROWS:,} rows, {limits.MAX_COLUMNS:,} columns and {limits.MAX_CELLS:,} "
                    "cells): delete what lies beyond the table (or unmerge it), or copy the table into "
                    "a new workbook",
                    f"工作表用到了{far_ref}单元格（{rows}行×{cols}列），超出上限（{limits.MAX_ROWS}行、"
                    f"{limits.MAX_COLUMNS}列、{limits.MAX_CELLS}个单元格）：请删除表格以外的内容（或取消合并），"
                    "或把表格复制到新工作簿", file=source, key=sheet)
            uncached = {}
            for cell in _CELL.finditer(xml):
                body = cell.group(3)
                if not body:
                    continue
                formula = _FORMULA.search(body)
                if formula is None or _VALUE.search(body):
                    continue
                ref = _ATTR_R.search(cell.group(1))
                if ref is None:
                    continue
                text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
                uncached[_position(ref.group(1).decode())] = f"={text}" if text else "a shared formula"
            found[sheet] = uncached
        return found


def _sheet_names(archive) -> dict[str, str]:
    """Worksheet part → the sheet's name, from xl/workbook.xml and its relationships."""
    try:
        from lxml import etree

        book = etree.fromstring(archive.read("xl/workbook.xml"))
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:  # noqa: BLE001 - a workbook without them is openpyxl's to refuse
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = target
    out = {}
    for sheet in book.iter("{*}sheet"):
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        if rid in targets:
            out[targets[rid]] = sheet.get("name")
    return out


def _shown_value(cell: Any) -> Any:
    """A cell's value as the sheet shows it: 0.852 formatted as a percentage reads 85.2."""
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
        return _tidy(value * 100)
    return value


def _read_csv(raw: bytes, source: str) -> _Grid:
    # Excel saves CSV as UTF-8 (with a BOM) or, on Chinese Windows, GBK: both are read.
    try:
        text = textfile.decode(raw, accept_gbk=True)
    except textfile.NotUtf8 as exc:
        if exc.kind == textfile.UTF16:
            raise DataError("the CSV file is UTF-16 encoded; save it as CSV (UTF-8) or CSV (comma delimited)",
                            "CSV文件是UTF-16编码，请另存为“CSV UTF-8”或“CSV（逗号分隔）”", file=source) from None
        if exc.kind == textfile.NUL:
            raise DataError("neither an .xlsx workbook nor a CSV text file",
                            "既不是.xlsx工作簿，也不是CSV文本文件", file=source) from None
        raise DataError("the CSV file is neither UTF-8 nor GBK text", "CSV文件既不是UTF-8也不是GBK编码的文本",
                        file=source) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise DataError(f"not a readable CSV file: {exc}", f"无法解析CSV文件：{exc}", file=source) from None
    return _Grid(source, None, tuple(tuple(row) for row in rows))


# --- rows → townships -------------------------------------------------------------------

def read_units(sheet_path: str | Path, mapping: Mapping) -> list[dict[str, Any]]:
    """The townships in a sheet, as indicators.yaml's townships.units entries.

    Each is {name, previous_rank, values: {id: {value, target}}}; a missing figure
    is left out, and so is previous_rank when the cell is blank (a new unit).
    """
    grid = _read_grid(Path(sheet_path), mapping.sheet)
    first = mapping.skip_rows + mapping.header_rows  # first row below the header
    _check_rows(grid, mapping, first)
    headers = _headers(grid, mapping)
    name_col = _column(grid, mapping, headers, mapping.name_column, "name_column")
    rank_col = (None if mapping.previous_rank_column is None else
                _column(grid, mapping, headers, mapping.previous_rank_column, "previous_rank_column"))
    figures = {ind_id: tuple(None if ref is None else
                             _column(grid, mapping, headers, ref, f"indicators.{ind_id}.{part}")
                             for part, ref in (("value", cols.value), ("target", cols.target)))
               for ind_id, cols in mapping.indicators.items()}
    number_cols = [c for pair in figures.values() for c in pair if c is not None]
    mapped = [name_col, *([] if rank_col is None else [rank_col]), *number_cols]
    skipped = {_match_key(name) for name in (*DEFAULT_SKIP_NAMES, *mapping.skip_names)}

    def header(col: int) -> str:
        return "/".join(headers[col]) or "(no header)"

    def uncalculated(row: int, col: int) -> None:
        formula = grid.uncached.get((row, col))
        if formula is not None:
            raise grid.error(f"cell {_letter(col)}{row + 1} holds a formula ({formula}) but no calculated "
                             "value: the file was not saved by Excel or WPS after the formula was "
                             "written; open it in Excel or WPS and save it again",
                             f"{_letter(col)}{row + 1}单元格是公式（{formula}），但没有计算结果："
                             "请用Excel或WPS打开该文件后重新保存", grid.ref(row, col))

    def number(row: int, col: int | None) -> int | float | None:
        if col is None:
            return None
        uncalculated(row, col)
        raw = grid.cell(row, col)
        try:
            return parse_number(raw)
        except ValueError:
            got_en, got_zh = shown(raw)
            raise grid.error(f"expected a number, got {got_en} (column {_letter(col)} {header(col)})",
                             f"应为数字，实际为{got_zh}（{_letter(col)}列 {header(col)}）",
                             grid.ref(row, col)) from None

    units: list[dict[str, Any]] = []
    rows_of: dict[str, int] = {}  # name → row, for duplicates
    rank_rows: list[tuple[int, int]] = []  # (row, previous rank), checked once the count is known
    _check_merged(grid, mapped, first, header)
    for row in range(first, len(grid.rows)):
        uncalculated(row, name_col)
        name = header_text(grid.cell(row, name_col))
        if _MISSING.fullmatch(unicodedata.normalize("NFKC", name)):
            name = ""
        # A total may be labelled in the 序号 column with the name cell left blank.
        labels = {_match_key(header_text(value)) for value in grid.rows[row]} if not name else {_match_key(name)}
        if labels & skipped or grid.one_merged_cell(row, mapped):
            continue
        if not name:
            if all(grid.cell(row, col) is None for col in mapped):
                continue  # an empty row, or a note outside the table's columns
            col = next(col for col in mapped if grid.cell(row, col) is not None)
            raise grid.error(f"row {row + 1} has figures (column {_letter(col)}) but no township name "
                             f"in column {_letter(name_col)} {header(name_col)}",
                             f"第{row + 1}行有数据（{_letter(col)}列），但{_letter(name_col)}列"
                             f"{header(name_col)}没有乡镇名称", grid.ref(row, name_col))
        if name in rows_of:
            raise grid.error(f"duplicate township name {name} (also at row {rows_of[name] + 1})",
                             f"乡镇名称“{name}”重复（第{rows_of[name] + 1}行已出现）", grid.ref(row, name_col))
        rows_of[name] = row
        values = {}
        for ind_id, (value_col, target_col) in figures.items():
            pair = {"value": number(row, value_col), "target": number(row, target_col)}
            if any(v is not None for v in pair.values()):
                values[ind_id] = {k: v for k, v in pair.items() if v is not None}
        if not values:
            raise grid.error(f"row {row + 1} ({name}) has no figures; if it is not a township, "
                             f"list it under skip_names in {Path(mapping.source).name}",
                             f"第{row + 1}行（{name}）没有任何数据；如果这一行不是乡镇，"
                             f"请把它加入{Path(mapping.source).name}的skip_names", grid.ref(row, name_col))
        unit: dict[str, Any] = {"name": name}
        rank = number(row, rank_col)
        if rank is not None:
            if not (isinstance(rank, int) and rank >= 1):
                got_en, got_zh = shown(grid.cell(row, rank_col))
                raise grid.error(f"expected a rank (a whole number from 1), got {got_en} "
                                 f"(column {_letter(rank_col)} {header(rank_col)})",
                                 f"应为位次（从1起的整数），实际为{got_zh}"
                                 f"（{_letter(rank_col)}列 {header(rank_col)}）", grid.ref(row, rank_col))
            unit["previous_rank"] = rank
            rank_rows.append((row, rank))
        unit["values"] = values
        units.append(unit)
    if not units:
        where_en, where_zh = grid.place
        raise grid.error(f"no township rows below the header (row {first}) in {where_en}",
                         f"{where_zh}表头（第{first}行）以下没有乡镇数据")
    for row, rank in rank_rows:
        if rank > len(units):
            raise grid.error(f"previous rank {rank} is larger than the number of townships ({len(units)})",
                             f"上期位次{rank}大于乡镇个数（{len(units)}个）", grid.ref(row, rank_col))
    return units


def _check_merged(grid: _Grid, mapped: list[int], first: int, header) -> None:
    """Refuse a merged range below the header that spans two cells the import reads.

    Excel keeps a merged range's value in its first cell only; reading it, every
    cell of the range gets that value, so a value merged with its target, or one
    township's figure merged down over the next, would be copied silently. A
    banner over the whole table (a note row) is skipped, as before.
    """
    for r0, c0, r1, c1 in grid.merged:
        if r1 < first:
            continue
        rows = range(max(r0, first), r1 + 1)
        cols = [c for c in mapped if c0 <= c <= c1]
        if len(rows) * len(cols) <= 1 or (r0 == r1 and grid.one_merged_cell(r0, mapped)):
            continue
        span = f"{_letter(c0)}{r0 + 1}:{_letter(c1)}{r1 + 1}"
        what_en = (" and ".join(f"{_letter(c)} {header(c)}" for c in cols[:3])
                   + (f" over rows {r0 + 1}–{r1 + 1}" if r1 > r0 else ""))
        what_zh = ("、".join(f"{_letter(c)}列{header(c)}" for c in cols[:3])
                   + (f"，第{r0 + 1}至{r1 + 1}行" if r1 > r0 else ""))
        raise grid.error(f"cells {span} are merged across {what_en}: each figure needs a cell of its "
                         "own (a merged range keeps its value in the first cell only); unmerge them",
                         f"单元格{span}被合并（{what_zh}）：每个数据都要有自己的单元格"
                         "（合并后只有第一个单元格有值），请取消合并",
                         f"{grid.sheet}!{span}" if grid.sheet is not None else span)


def _check_rows(grid: _Grid, mapping: Mapping, first: int) -> None:
    where_en, where_zh = grid.place
    if not any(value not in (None, "") for row in grid.rows for value in row):
        raise grid.error(f"{where_en} is empty", f"{where_zh}没有内容")
    if len(grid.rows) < first:
        raise grid.error(f"{where_en} has {len(grid.rows)} rows, but the header should be on row "
                         f"{first} (skip_rows: {mapping.skip_rows}, header_rows: {mapping.header_rows})",
                         f"{where_zh}只有{len(grid.rows)}行，但表头应在第{first}行"
                         f"（skip_rows: {mapping.skip_rows}，header_rows: {mapping.header_rows}）")


def _headers(grid: _Grid, mapping: Mapping) -> list[Ref]:
    """Each column's header, top row first; a blank upper cell over a lower header takes the
    upper header to its left (a merged 固定资产投资（万元） over 本期 and 目标, even unmerged)."""
    top = mapping.skip_rows
    width = max(len(row) for row in grid.rows[top:top + mapping.header_rows])
    headers = []
    group = ""
    for col in range(width):
        parts = [header_text(grid.cell(top + r, col)) for r in range(mapping.header_rows)]
        if len(parts) == 2:
            if parts[0]:
                group = parts[0]
            elif parts[1]:
                parts[0] = group
        # A header merged down both rows reads once: 乡镇（街道）, not 乡镇（街道）/乡镇（街道）.
        kept = [p for i, p in enumerate(parts) if p and (i == 0 or p != parts[i - 1])]
        headers.append(tuple(kept))
    return headers


def _column(grid: _Grid, mapping: Mapping, headers: list[Ref], ref: Ref, key: str) -> int:
    want = tuple(_match_key(p) for p in ref)
    joined = _match_key("/".join(ref))
    # One text also matches a full header written "upper/lower", or a lower header alone
    # (本期 under each indicator is then ambiguous, and reported so).
    hits = [col for col, parts in enumerate(headers)
            if parts and (tuple(_match_key(p) for p in parts) == want or _match_key("/".join(parts)) == joined
                          or (len(want) == 1 and _match_key(parts[-1]) == want[0]))]
    rows = (f"{mapping.skip_rows + 1}" if mapping.header_rows == 1
            else f"{mapping.skip_rows + 1}–{mapping.skip_rows + 2}")
    where_en, where_zh = grid.place
    mapping_name = Path(mapping.source).name
    wanted = "/".join(ref)
    if not hits:
        found = ["/".join(parts) for parts in headers if parts]
        more = len(found) - MAX_LISTED
        listed = ", ".join(found[:MAX_LISTED]) + (f", … ({more} more)" if more > 0 else "")
        listed_zh = "、".join(found[:MAX_LISTED]) + (f"……（另有{more}列）" if more > 0 else "")
        raise grid.error(f"no column {wanted} in {where_en} (header row {rows}; {mapping_name} {key}); "
                         f"found: {listed or 'no headers'}",
                         f"{where_zh}没有“{wanted}”列（表头第{rows}行；{mapping_name} {key}）；"
                         f"现有列：{listed_zh or '无表头'}")
    if len(hits) > 1:
        letters = ", ".join(_letter(col) for col in hits)
        hint_en = ", e.g. [upper header, lower header]" if mapping.header_rows == 2 else ""
        hint_zh = "，如 [上行标题, 下行标题]" if mapping.header_rows == 2 else ""
        raise grid.error(f"column {wanted} appears {len(hits)} times ({letters}) in {where_en}; "
                         f"name it fully in {mapping_name} {key}{hint_en}",
                         f"{where_zh}“{wanted}”列出现{len(hits)}次（{letters}列），请在{mapping_name}的"
                         f"{key}中写出完整列标题{hint_zh}")
    return hits[0]


# --- the whole data file ------------------------------------------------------------------

def import_data(sheet_path: str | Path, mapping_path: str | Path) -> dict[str, Any]:
    """The mapping's base data with townships.units read from the sheet (indicators.yaml format)."""
    mapping = load_mapping(mapping_path)
    check = MappingCheck(mapping.source, mapping.lines)
    if not mapping.base.is_file():
        raise check.error(("base",), f"base file not found: {mapping.base}", f"找不到base文件：{mapping.base}")
    base, _ = yaml_source.load_file(mapping.base)
    townships = base.get("townships")
    definitions = townships.get("indicators") if isinstance(townships, dict) else None
    if not isinstance(definitions, dict) or not definitions:
        raise DataError("the base file defines no township indicators (townships.indicators)",
                        "base文件没有定义乡镇考核指标（townships.indicators）",
                        file=str(mapping.base), key="townships.indicators")
    for ind_id in mapping.indicators:
        if ind_id not in definitions:
            raise check.error(("indicators", ind_id),
                              f'unknown township indicator "{ind_id}" (townships.indicators in '
                              f'{mapping.base.name} has: {", ".join(definitions)})',
                              f'乡镇指标“{ind_id}”不存在（{mapping.base.name}的townships.indicators中有：'
                              f'{"、".join(definitions)}）')
    return {**base, "townships": {**townships, "units": read_units(sheet_path, mapping)}}


def load_dataset(sheet_path: str | Path, mapping_path: str | Path) -> dataset.Dataset:
    """A spreadsheet and its mapping straight to a validated Dataset (for --data x.xlsx --map m.yaml)."""
    data = import_data(sheet_path, mapping_path)
    # The loader's line numbers refer to this YAML text; `speechgen import` writes it out.
    return loader.load_text(to_yaml(data), f"{sheet_path} (imported)")


def to_yaml(data: dict[str, Any]) -> str:
    """Readable YAML in indicators.yaml style: block layout, short records on one line."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=120)


class _Dumper(yaml.SafeDumper):
    """SafeDumper writing {value: 5200, target: 12000} and [临江县, 石门县] inline, as people do."""


def _inline(values: list[Any], whole: Any) -> bool:
    return bool(values) and not any(isinstance(v, (dict, list)) for v in values) and len(str(whole)) <= 80


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=_inline(list(data.values()), data))


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_inline(data, data))


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


# --- a bad cell in its neighbourhood (the web page) ---------------------------------------

_CELL_KEY = re.compile(r"(?:(?P<sheet>.+)!)?(?P<ref>[A-Z]{1,3}[0-9]{1,7})\Z")


@dataclass(frozen=True)
class CellsAround:
    """Rows of a sheet around one cell, as the sheet shows them, to point at what is wrong."""

    sheet: str | None  # None for CSV
    cell: str  # e.g. D7
    first_row: int  # 1-based number of rows[0]
    columns: tuple[str, ...]  # the letters of the columns shown (a wide sheet: those near the cell)
    rows: tuple[tuple[str, ...], ...]
    row: int  # index into rows of the bad cell
    col: int  # index into columns of the bad cell


def cells_around(sheet_path: str | Path, key: str | None, around: int = 2,
                 columns: int = 16) -> CellsAround | None:
    """The rows around the cell an error's key names (乡镇指标!D7, or D7 in a CSV); None when
    the key names no cell or the sheet cannot be read again."""
    found = _CELL_KEY.match(key or "")
    if not found:
        return None
    row, col = _position(found["ref"])
    try:
        grid = _read_grid(Path(sheet_path), found["sheet"] if found["sheet"] is not None else 0)
    except DataError:
        return None
    if row >= len(grid.rows) or found["sheet"] != grid.sheet:
        return None
    start, stop = max(0, row - around), min(len(grid.rows), row + around + 1)
    widest = max(len(r) for r in grid.rows[start:stop])
    first = max(0, min(col - columns // 2, widest - columns))
    last = max(col + 1, min(widest, first + columns))

    def shown(r: int, c: int) -> str:
        value = grid.cell(r, c) if c < len(grid.rows[r]) else None
        return "" if value is None else str(value)

    rows = tuple(tuple(shown(r, c) for c in range(first, last)) for r in range(start, stop))
    return CellsAround(grid.sheet, found["ref"], start + 1, tuple(_letter(c) for c in range(first, last)),
                       rows, row - start, col - first)
