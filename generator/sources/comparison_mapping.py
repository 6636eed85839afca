"""The mapping that says how to read a higher level's comparison tables (全市对比表).

A city (or province) publishes one table per report card: a row per county and,
per indicator, columns of value, growth, rank and grade side by side. The
mapping names, per table, the sheet, the header rows, the column of the units'
names, the row of the scope's average (全市) and each indicator's columns;
docs/data-format.md "Comparison tables" describes it key by key.

Read and checked on its own, before any sheet is opened, so a wrong mapping is
reported against the mapping file's own lines and keys, as the township
mapping (sources/mapping.py) is; its column references use the same notation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import shown
from generator.sources import yaml_reader as yaml_source
from generator.sources.mapping import MappingCheck, Ref, header_text

_TOP_KEYS = ("base", "us", "peers", "tables")
_TABLE_KEYS = ("sheet", "header_rows", "skip_rows", "name_column", "average_row", "skip_names",
               "grades", "indicators")
_COLUMN_KEYS = ("value", "growth", "rank", "grade")
_INDICATOR_KEYS = (*_COLUMN_KEYS, "rank_by", "name", "card", "unit", "better")
RANK_BY = ("growth", "value", "published")
CARDS = ("党建", "经济", "平安", "改革", "创新", "生态", "文化", "民生")
GRADES = ("A", "B", "C", "D", "E")
# Rows holding the scope's own figures rather than a unit's; the mapping may name others.
DEFAULT_AVERAGE_NAMES = ("全市", "全市平均", "全省", "全省平均", "平均", "平均值")


@dataclass(frozen=True)
class IndicatorColumns:
    """Where one county indicator's figures are in a table, and how it is ranked."""

    id: str
    value: Ref | None
    growth: Ref | None
    rank: Ref | None
    grade: Ref | None
    rank_by: str  # growth | value | published
    # Only for an indicator the base file does not define:
    name: str | None = None
    card: str | None = None
    unit: str | None = None
    better: str | None = None


@dataclass(frozen=True)
class Table:
    """One comparison table (one report card): where it is and what its columns hold."""

    index: int  # position in `tables`, for messages
    source: str  # the mapping file; spreadsheet's column lookup names it
    sheet: str | int
    header_rows: int
    skip_rows: int
    name_column: Ref
    average_names: tuple[str, ...]
    skip_names: tuple[str, ...]
    grades: dict[str, float] | None  # rank-share band rule, as townships.scoring.grades
    indicators: dict[str, IndicatorColumns]

    @property
    def label(self) -> str:
        """How messages name the table: its sheet."""
        return str(self.sheet) if isinstance(self.sheet, str) else f"tables[{self.index}]"


@dataclass(frozen=True)
class ComparisonMapping:
    source: str
    base: Path | None  # used when no township sheet supplies the base data
    us: str | None  # our row's name; meta.region when None
    peers: tuple[str, ...] | None  # meta.peers when None
    tables: tuple[Table, ...]
    lines: dict = field(default_factory=dict, compare=False, repr=False)

    def error(self, path: tuple, en: str, zh: str):
        return MappingCheck(self.source, self.lines).error(path, en, zh)


def load_comparison_mapping(path: str | Path) -> ComparisonMapping:
    """Read and check a comparison mapping; DataError names its file, line and key."""
    data, lines = yaml_source.load_file(path)
    check = MappingCheck(str(path), lines)
    if not isinstance(data, dict):
        raise check.error((), "expected a mapping with tables:", "应为含有tables的映射")
    _known(check, data, (), _TOP_KEYS)
    if "tables" not in data:
        raise check.error(("tables",), "required key tables is missing", "缺少必填项tables")
    base = data.get("base")
    if base is not None and (not isinstance(base, str) or not base.strip()):
        raise check.error(("base",), f"expected the path of an indicators.yaml file, got {shown(base)[0]}",
                          f"应为指标数据文件（indicators.yaml）的路径，实际为{shown(base)[1]}")
    us = data.get("us")
    if us is not None and not _name(us):
        raise check.error(("us",), f"expected the name of our row, e.g. 青山县, got {shown(us)[0]}",
                          f"应为本单位在表中的名称，如青山县，实际为{shown(us)[1]}")
    peers = data.get("peers")
    if peers is not None and (not isinstance(peers, list) or not all(_name(p) for p in peers)):
        raise check.error(("peers",), f"expected a list of names, e.g. [临江县, 石门县], got {shown(peers)[0]}",
                          f"应为名称列表，如 [临江县, 石门县]，实际为{shown(peers)[1]}")
    raw_tables = data["tables"]
    if not isinstance(raw_tables, list) or not raw_tables:
        raise check.error(("tables",), f"expected a list of tables (one per sheet), got {shown(raw_tables)[0]}",
                          f"应为表格列表（每张工作表一项），实际为{shown(raw_tables)[1]}")
    tables = tuple(_table(check, raw, index) for index, raw in enumerate(raw_tables))
    seen: dict[str, int] = {}
    for table in tables:
        for ind_id in table.indicators:
            if ind_id in seen:
                raise check.error(("tables", table.index, "indicators", ind_id),
                                  f'indicator "{ind_id}" is also read from tables[{seen[ind_id]}]; '
                                  "each indicator comes from one table",
                                  f'指标“{ind_id}”在tables[{seen[ind_id]}]中已有；每个指标只能来自一张表')
            seen[ind_id] = table.index
    return ComparisonMapping(
        source=str(path),
        base=None if base is None else Path(path).parent / base.strip(),
        us=None if us is None else header_text(us),
        peers=None if peers is None else tuple(header_text(p) for p in peers),
        tables=tables,
        lines=lines,
    )


def _table(check: MappingCheck, raw: Any, index: int) -> Table:
    at = ("tables", index)
    if not isinstance(raw, dict):
        raise check.error(at, f"expected a table: {{sheet: …, name_column: …, indicators: …}}, got {shown(raw)[0]}",
                          f"应为一张表的说明 {{sheet: …, name_column: …, indicators: …}}，实际为{shown(raw)[1]}")
    _known(check, raw, at, _TABLE_KEYS)
    for key in ("name_column", "indicators"):
        if key not in raw:
            raise check.error(at + (key,), f"required key {key} is missing", f"缺少必填项{key}")
    sheet = raw.get("sheet", 0)
    if not (isinstance(sheet, str) and sheet.strip()) and not _whole(sheet, 0):
        raise check.error(at + ("sheet",), f"expected a sheet name or a 0-based sheet number, got {shown(sheet)[0]}",
                          f"应为工作表名称或从0起算的工作表序号，实际为{shown(sheet)[1]}")
    header_rows = raw.get("header_rows", 1)
    if header_rows not in (1, 2) or isinstance(header_rows, bool):
        raise check.error(at + ("header_rows",), f"expected 1 or 2, got {shown(header_rows)[0]}",
                          f"应为1或2，实际为{shown(header_rows)[1]}")
    skip_rows = raw.get("skip_rows", 0)
    if not _whole(skip_rows, 0):
        raise check.error(at + ("skip_rows",), f"expected a whole number ≥ 0, got {shown(skip_rows)[0]}",
                          f"应为不小于0的整数，实际为{shown(skip_rows)[1]}")
    average = raw.get("average_row", list(DEFAULT_AVERAGE_NAMES))
    average = [average] if isinstance(average, str) else average
    if not isinstance(average, list) or not all(_name(n) for n in average):
        raise check.error(at + ("average_row",),
                          f"expected the name of the scope's row, e.g. 全市, or a list of names, got {shown(average)[0]}",
                          f"应为全市（平均）行的名称，如 全市，或名称列表，实际为{shown(average)[1]}")
    skip_names = raw.get("skip_names", [])
    if not isinstance(skip_names, list) or not all(_name(n) for n in skip_names):
        raise check.error(at + ("skip_names",), f"expected a list of names, e.g. [合计], got {shown(skip_names)[0]}",
                          f"应为名称列表，如 [合计]，实际为{shown(skip_names)[1]}")
    return Table(
        index=index, source=check.source,
        sheet=sheet.strip() if isinstance(sheet, str) else sheet,
        header_rows=header_rows, skip_rows=skip_rows,
        name_column=check.ref(raw["name_column"], at + ("name_column",), header_rows),
        average_names=tuple(header_text(n) for n in average),
        skip_names=tuple(header_text(n) for n in skip_names),
        grades=_grades(check, raw.get("grades"), at + ("grades",)),
        indicators=_indicators(check, raw["indicators"], at + ("indicators",), header_rows),
    )


def _indicators(check: MappingCheck, value: Any, at: tuple, header_rows: int) -> dict[str, IndicatorColumns]:
    if not isinstance(value, dict) or not value:
        raise check.error(at, f"expected indicator ids with their columns, got {shown(value)[0]}",
                          f"应为指标id及其所在列，实际为{shown(value)[1]}")
    found = {}
    for ind_id, entry in value.items():
        path = at + (ind_id,)
        if not isinstance(entry, dict) or not any(entry.get(k) is not None for k in _COLUMN_KEYS):
            raise check.error(path, "expected the indicator's columns, e.g. {growth: [地区生产总值, 增速（%）], "
                                    f"rank: [地区生产总值, 位次]}}, got {shown(entry)[0]}",
                              "应为该指标所在的列，如 {growth: [地区生产总值, 增速（%）], rank: [地区生产总值, 位次]}，"
                              f"实际为{shown(entry)[1]}")
        _known(check, entry, path, _INDICATOR_KEYS)
        columns = {key: None if entry.get(key) is None else check.ref(entry[key], path + (key,), header_rows)
                   for key in _COLUMN_KEYS}
        default = "growth" if columns["growth"] else "value" if columns["value"] else "published"
        rank_by = entry.get("rank_by", default)
        if rank_by not in RANK_BY:
            raise check.error(path + ("rank_by",), f"expected one of {', '.join(RANK_BY)}, got {shown(rank_by)[0]}",
                              f"应为{'、'.join(RANK_BY)}之一，实际为{shown(rank_by)[1]}")
        if rank_by != "published" and columns[rank_by] is None:
            raise check.error(path + ("rank_by",), f"rank_by {rank_by} needs a {rank_by} column",
                              f"rank_by为{rank_by}，但没有给出{rank_by}所在的列")
        if rank_by == "published" and columns["rank"] is None:
            raise check.error(path + ("rank_by",), "rank_by published needs a rank column",
                              "rank_by为published（按公布位次），但没有给出rank所在的列")
        extra = {key: entry.get(key) for key in ("name", "card", "unit", "better")}
        for key, text in extra.items():
            if text is not None and not (isinstance(text, str) and text.strip()):
                raise check.error(path + (key,), f"expected text, got {shown(text)[0]}",
                                  f"应为文字，实际为{shown(text)[1]}")
        if extra["card"] is not None and extra["card"] not in CARDS:
            raise check.error(path + ("card",), f"expected one of {' '.join(CARDS)}, got {shown(extra['card'])[0]}",
                              f"应为{'、'.join(CARDS)}之一，实际为{shown(extra['card'])[1]}")
        if extra["better"] is not None and extra["better"] not in ("higher", "lower"):
            raise check.error(path + ("better",), f"expected higher or lower, got {shown(extra['better'])[0]}",
                              f"应为higher或lower，实际为{shown(extra['better'])[1]}")
        found[str(ind_id)] = IndicatorColumns(id=str(ind_id), rank_by=rank_by, **columns, **extra)
    return found


def _grades(check: MappingCheck, value: Any, at: tuple) -> dict[str, float] | None:
    """The band rule, as townships.scoring.grades: the largest rank share earning each grade."""
    if value is None:
        return None
    ok = (isinstance(value, dict) and value and all(k in GRADES for k in value)
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1 for v in value.values()))
    bounds = [value[g] for g in GRADES if ok and g in value]
    if not ok or any(a >= b for a, b in zip(bounds, bounds[1:])) or bounds[-1] != 1:
        raise check.error(at, "expected rank shares rising from A to the last grade and ending at 1.0, e.g. "
                              f"{{A: 0.2, B: 0.4, C: 0.6, D: 0.8, E: 1.0}}, got {shown(value)[0]}",
                          "应为从A档起逐档递增、最后一档为1.0的位次占比，如 {A: 0.2, B: 0.4, C: 0.6, D: 0.8, E: 1.0}，"
                          f"实际为{shown(value)[1]}")
    return {g: float(value[g]) for g in GRADES if g in value}


def _known(check: MappingCheck, data: dict, at: tuple, allowed: tuple[str, ...]) -> None:
    for key in data:
        if key not in allowed:
            raise check.error(at + (key,), f'unexpected key "{key}" (allowed: {", ".join(allowed)})',
                              f'不认识的键"{key}"（可用：{"、".join(allowed)}）')


def _name(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and bool(header_text(value))


def _whole(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum
