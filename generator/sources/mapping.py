"""The mapping file that says how to read a bureau's spreadsheet: which sheet, rows and columns.

Read and checked on its own, before any sheet is opened, so a wrong mapping is
reported against the mapping file's own lines and keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import DataError, shown
from generator.sources import yaml_reader as yaml_source
from generator.sources.yaml_reader import KeyPath, Lines, key_path, line_of

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")
# Total rows are skipped even when the mapping does not list them: a 合计 row
# read as a township would silently distort every rank.
DEFAULT_SKIP_NAMES = ("合计", "总计", "小计")
MAX_LISTED = 30  # headers listed in a "no such column" message

Ref = tuple[str, ...]  # a column as its header reads, top row first: ("固定资产投资（万元）", "本期")

_MAPPING_KEYS = ("base", "sheet", "header_rows", "skip_rows", "name_column",
                 "previous_rank_column", "skip_names", "indicators")


@dataclass(frozen=True)
class Columns:
    """Where one township indicator's figures are; None when the sheet lacks that column."""

    value: Ref | None
    target: Ref | None


@dataclass(frozen=True)
class Mapping:
    """How to read a bureau's sheet (a mapping .yaml file)."""

    source: str  # the mapping file, for messages
    base: Path  # indicators.yaml supplying everything but townships.units
    sheet: str | int  # sheet name, or 0-based index
    header_rows: int  # 1 or 2
    skip_rows: int  # rows above the header (titles)
    name_column: Ref
    previous_rank_column: Ref | None
    skip_names: tuple[str, ...]  # rows to ignore (totals), besides DEFAULT_SKIP_NAMES
    indicators: dict[str, Columns]  # township indicator id → its columns, in mapping order
    lines: Lines = field(default_factory=dict, compare=False, repr=False)  # key path → line


# --- the mapping file -----------------------------------------------------------

def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; DataError names its file, line and key."""
    data, lines = yaml_source.load_file(path)
    check = MappingCheck(str(path), lines)
    for key in data:
        if key not in _MAPPING_KEYS:
            raise check.error((key,), f'unexpected key "{key}" (allowed: {", ".join(_MAPPING_KEYS)})',
                              f'不认识的键"{key}"（可用：{"、".join(_MAPPING_KEYS)}）')
    for key in ("base", "name_column", "indicators"):
        if key not in data:
            raise check.error((key,), f"required key {key} is missing", f"缺少必填项{key}")
    base = data["base"]
    if not isinstance(base, str) or not base.strip():
        raise check.error(("base",), f"expected the path of an indicators.yaml file, got {shown(base)[0]}",
                          f"应为指标数据文件（indicators.yaml）的路径，实际为{shown(base)[1]}")
    sheet = data.get("sheet", 0)
    if not (isinstance(sheet, str) and sheet.strip()) and not _whole(sheet, 0):
        raise check.error(("sheet",), f"expected a sheet name or a 0-based sheet number, got {shown(sheet)[0]}",
                          f"应为工作表名称或从0起算的工作表序号，实际为{shown(sheet)[1]}")
    header_rows = data.get("header_rows", 1)
    if header_rows not in (1, 2) or isinstance(header_rows, bool):
        raise check.error(("header_rows",), f"expected 1 or 2, got {shown(header_rows)[0]}",
                          f"应为1或2，实际为{shown(header_rows)[1]}")
    skip_rows = data.get("skip_rows", 0)
    if not _whole(skip_rows, 0):
        raise check.error(("skip_rows",), f"expected a whole number ≥ 0, got {shown(skip_rows)[0]}",
                          f"应为不小于0的整数，实际为{shown(skip_rows)[1]}")
    skip_names = data.get("skip_names", [])
    if not isinstance(skip_names, list) or not all(isinstance(n, str) for n in skip_names):
        raise check.error(("skip_names",), f"expected a list of names, e.g. [合计, 全县合计], got {shown(skip_names)[0]}",
                          f"应为名称列表，如 [合计, 全县合计]，实际为{shown(skip_names)[1]}")
    previous = data.get("previous_rank_column")
    return Mapping(
        source=str(path),
        base=(Path(path).parent / base.strip()),
        sheet=sheet.strip() if isinstance(sheet, str) else sheet,
        header_rows=header_rows,
        skip_rows=skip_rows,
        name_column=check.ref(data["name_column"], ("name_column",), header_rows),
        previous_rank_column=None if previous is None else check.ref(previous, ("previous_rank_column",),
                                                                     header_rows),
        skip_names=tuple(skip_names),
        indicators=check.indicators(data["indicators"], header_rows),
        lines=lines,
    )


class MappingCheck:
    def __init__(self, source: str, lines: Lines):
        self.source = source
        self.lines = lines

    def error(self, path: KeyPath, en: str, zh: str) -> DataError:
        return DataError(en, zh, file=self.source, line=line_of(path, self.lines), key=key_path(path))

    def ref(self, value: Any, path: KeyPath, header_rows: int) -> Ref:
        parts = value if isinstance(value, list) else [value]
        if 1 <= len(parts) <= header_rows and all(_header_part(p) for p in parts):
            return tuple(header_text(p) for p in parts)
        if header_rows == 1:
            en, zh = "a column header, e.g. 一般公共预算收入本期", "列标题，如 一般公共预算收入本期"
        else:
            en = "a column header, or [upper header, lower header] e.g. [固定资产投资（万元）, 本期]"
            zh = "列标题，或 [上行标题, 下行标题]，如 [固定资产投资（万元）, 本期]"
        raise self.error(path, f"expected {en}, got {shown(value)[0]}", f"应为{zh}，实际为{shown(value)[1]}")

    def indicators(self, value: Any, header_rows: int) -> dict[str, Columns]:
        if not isinstance(value, dict) or not value:
            raise self.error(("indicators",),
                             f"expected township indicator ids with their columns, got {shown(value)[0]}",
                             f"应为乡镇指标id及其所在列，实际为{shown(value)[1]}")
        found: dict[str, Columns] = {}
        for ind_id, entry in value.items():
            path = ("indicators", ind_id)
            if not isinstance(entry, dict) or not entry or any(k not in ("value", "target") for k in entry):
                raise self.error(path, f"expected {{value: column, target: column}}, got {shown(entry)[0]}",
                                 f"应为 {{value: 本期所在列, target: 目标所在列}}，实际为{shown(entry)[1]}")
            found[ind_id] = Columns(
                *(None if entry.get(part) is None else self.ref(entry[part], path + (part,), header_rows)
                  for part in ("value", "target")))
        return found


def _header_part(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and bool(header_text(value))


def _whole(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def header_text(value: Any) -> str:
    """A header or name cell as text; line breaks inside a cell (wrapped headers) dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split())
