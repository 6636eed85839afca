"""The higher level's comparison tables (全市对比表) → our indicators' ranks, averages and peers.

A city publishes, per report card, one table: a row per county and, per
indicator, value, growth, rank and grade columns side by side, often under a
two-row header with the units in it and with a 全市 row for the scope itself.
Typing our rank, the scope's average and every peer's figure from it into
indicators.yaml is the retyping this tool exists to remove, so this module
reads the table (comparison_mapping.py says where things are, comparison_table.py
reads the cells) and computes the rest:

- rank: from the column the indicator is ranked on (`rank_by`, growth when the
  table has a growth column), best first after `better`, ties sharing a rank
  as in the township race (facts/racing.competition_ranks). A unit without a
  figure is left out of that indicator's ranking (it gets no rank and does not
  count towards the average). A published rank that disagrees with the
  computed one is a typo in the table: the computed rank is used and a warning
  names the cell. `rank_by: published` takes the table's ranks as they are.
- grade: the table's grade column, else the mapping's band rule over the rank
  (facts/racing.grade_for, as the race bands townships), else none.
- scope_average: the 全市 row's growth, and its value when the indicator is a
  level (a rate, an average); its value of a cumulative amount is the city's
  total, so the value's average is the mean over the units. With no 全市 row,
  or no figure in it, the mean over the units that have one.
- peers (meta.peers) and scope_units (every unit's figures, for the scope's
  distribution in facts/scope.py); a previous period's table fills `previous`
  and each unit's previous_rank.

The result is plain indicators.yaml data, the base file's with these keys
replaced, which `speechgen import` writes for the office to review.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from generator.errors import DataError
from generator.facts.racing import competition_ranks, grade_for
from generator.sources import loader, spreadsheet
from generator.sources import yaml_reader as yaml_source
from generator.sources.comparison_mapping import (
    ComparisonMapping,
    IndicatorColumns,
    Table,
    load_comparison_mapping,
)
from generator.sources.comparison_table import UNIT_IN_HEADER, PARTS, TableRead, TableWarning, find, read_table
from generator.sources.mapping import header_text
from generator.sources.spreadsheet import _letter, _match_key

_PART_ZH = {"value": "数值", "growth": "增速"}
MAX_RANK_WARNINGS = 5  # per column; more are counted, not listed
# The key order of an imported indicator, as people write them; other keys follow.
_ORDER = ("name", "card", "unit", "better", "decimals", "measure", "value", "growth", "rank", "grade",
          "target", "previous", "scope_average", "peers")


@dataclass(frozen=True)
class Imported:
    data: dict[str, Any]  # indicators.yaml data
    warnings: tuple[TableWarning, ...]


# --- computing ranks, grades and the average ---------------------------------------------

def rank_indicator(read: TableRead, ind: IndicatorColumns, better: str, name: str,
                   warnings: list[TableWarning]) -> dict[str, dict[str, Any]]:
    """Each unit's figures with its rank and grade, as the table supports them (unit name → part → figure)."""
    figures = read.figures[ind.id]
    cols = read.columns[ind.id]
    out = {unit: {part: f.get(part) for part in ("value", "growth")} for unit, f in figures.items()}
    if ind.rank_by == "published":
        ranks = {unit: f.get("rank") for unit, f in figures.items()}
        for unit, rank in ranks.items():
            if rank is not None and rank > len(figures):
                raise read.grid.error(f"rank {rank} is larger than the number of units in the table ({len(figures)})",
                                      f"位次{rank}大于表中参评单位数（{len(figures)}个）",
                                      read.grid.ref(read.row_of(unit), cols["rank"]))
    else:
        measured = [(unit, f[ind.rank_by]) for unit, f in figures.items() if f.get(ind.rank_by) is not None]
        sign = 1 if better == "higher" else -1
        computed = competition_ranks([sign * x for _, x in measured])
        ranks = {unit: None for unit in figures}
        ranks.update({unit: rank for (unit, _), rank in zip(measured, computed)})
        if "rank" in cols:
            _check_published(read, ind, name, better, figures, ranks, warnings)
    ranked = sum(1 for r in ranks.values() if r is not None)
    for unit, f in figures.items():
        out[unit]["rank"] = ranks[unit]
        grade = f.get("grade")
        if grade is None and ranks[unit] is not None and read.table.grades:
            grade = grade_for(ranks[unit], ranked, read.table.grades)
        out[unit]["grade"] = grade
    return out


def _check_published(read: TableRead, ind: IndicatorColumns, name: str, better: str,
                     figures: dict[str, dict[str, Any]], ranks: dict[str, int | None],
                     warnings: list[TableWarning]) -> None:
    """A published rank that its own column does not give is the table's typo: say which cell."""
    col = read.columns[ind.id]["rank"]
    measure = _letter(read.columns[ind.id][ind.rank_by])
    order_en, order_zh = ("higher is better", "越高越好") if better == "higher" else ("lower is better", "越低越好")
    found = []
    for unit, f in figures.items():
        published, computed, figure = f.get("rank"), ranks[unit], f.get(ind.rank_by)
        if published is None or published == computed:
            continue
        row = read.row_of(unit)
        if figure is None:
            found.append(read.warning(
                row, col, f"{unit} has a published rank {published} for {name} but no {ind.rank_by} figure "
                          f"(column {measure}); it is left out of the ranking",
                f"{unit}的{name}公布位次为{published}，但{measure}列没有数据，不参与排位"))
            continue
        found.append(read.warning(
            row, col, f"{unit}'s published rank for {name} is {published}, but its {ind.rank_by} {figure} "
                      f"(column {measure}, {order_en}) ranks {computed}; the imported file has {computed}",
            f"{unit}的{name}公布位次为{published}，但按{measure}列数据{figure}（{order_zh}）应排第{computed}位；"
            f"导入文件中为{computed}"))
    warnings.extend(found[:MAX_RANK_WARNINGS])
    if len(found) > MAX_RANK_WARNINGS:
        more = len(found) - MAX_RANK_WARNINGS
        where = f"{read.grid.sheet}!{_letter(col)}" if read.grid.sheet is not None else _letter(col)
        warnings.append(TableWarning(
            read.grid.file, where, f"{more} more published ranks of {name} differ from the computed ones; "
                                   "if the city ranks it on another column, set rank_by",
            f"{name}另有{more}个公布位次与计算结果不同；如市里按其他列排位，请设置rank_by"))


def scope_average(read: TableRead, ind_id: str, level: bool) -> dict[str, Any]:
    """The 全市 row's growth (and a level's value); the mean over the units where the row has none."""
    out = {}
    row = read.average.get(ind_id, {})
    for part in ("value", "growth"):
        if part not in read.columns[ind_id]:
            continue
        published = row.get(part)
        if published is not None and (part == "growth" or level):
            out[part] = published
            continue
        figures = [f[part] for f in read.figures[ind_id].values() if f.get(part) is not None]
        if figures:
            out[part] = mean(figures)
    return out


def mean(figures: list[float]) -> float:
    """The mean, to one decimal more than the most precise figure (half up, as by hand)."""
    places = max(_decimals(x) for x in figures) + 1
    total = sum(Decimal(repr(x)) for x in figures) / len(figures)
    result = float(total.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return int(result) if result.is_integer() else result


def _decimals(x: float) -> int:
    exponent = Decimal(repr(x)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# --- the whole import -----------------------------------------------------------------------

def option_problem(sheet: Any, mapping: Any, compare: Any, compare_map: Any, previous: Any) -> tuple[str, str] | None:
    """What is wrong with a combination of `speechgen import` options, (en, zh); None when nothing."""
    if sheet is None and not compare:
        return ("give a township SHEET with --map, or --compare TABLE with --compare-map MAP",
                "请给出乡镇表及 --map，或对比表 --compare 及 --compare-map")
    if sheet is not None and mapping is None:
        return "the township SHEET needs --map MAP", "乡镇表需要 --map 映射文件"
    if bool(compare) != bool(compare_map):
        return "--compare and --compare-map go together", "--compare 与 --compare-map 须同时给出"
    if previous and not compare:
        return "--previous needs --compare", "--previous 需与 --compare 同用"
    return None


def import_all(sheet: str | Path | None, mapping: str | Path | None, compare: list[str | Path],
               compare_map: str | Path | None, previous: list[str | Path]) -> Imported:
    """`speechgen import`: the township sheet (if any), then the comparison tables over it."""
    base = spreadsheet.import_data(sheet, mapping) if sheet is not None else None
    if not compare:
        return Imported(base, ())
    return import_comparison(base, compare, compare_map, previous)


def import_comparison(base: dict[str, Any] | None, current: list[str | Path], mapping_path: str | Path,
                      previous: list[str | Path] = ()) -> Imported:
    """The base data with every mapped indicator's figures from the tables (indicators.yaml data).

    base: the township import's data; None takes the mapping's `base` file.
    current, previous: one workbook for all tables, or one per table in mapping order.
    """
    cmap = load_comparison_mapping(mapping_path)
    if base is None:
        base = _base(cmap)
    meta = base.get("meta") if isinstance(base.get("meta"), dict) else {}
    us = cmap.us or header_text(meta.get("region"))
    if not us:
        raise cmap.error(("us",), "the base file has no meta.region; name our row with us:",
                         "base文件没有meta.region，请用us:写明本单位在表中的名称")
    peers = list(cmap.peers) if cmap.peers is not None else [header_text(p) for p in meta.get("peers", [])]
    now = _pair(cmap, current, "--compare")
    before = _pair(cmap, previous, "--previous") if previous else [None] * len(cmap.tables)
    indicators = base.get("indicators") if isinstance(base.get("indicators"), dict) else {}
    warnings: list[TableWarning] = []
    out_indicators = dict(indicators)
    sizes = {}
    for table, path, prev_path in zip(cmap.tables, now, before):
        read = read_table(path, table)
        warnings.extend(read.notes)
        us_name = find(read, us)
        if us_name is None:
            raise read.grid.error(f"no row for {us} in column {_letter(read.name_col)} (set us: in "
                                  f"{Path(cmap.source).name} if the table names it otherwise)",
                                  f"表中没有“{us}”这一行（如果表中用了别的名称，请在"
                                  f"{Path(cmap.source).name}中用us:写明）")
        sizes[table.label] = len(read.units)
        prev_read = read_table(prev_path, table) if prev_path is not None else None
        warnings.extend(prev_read.notes if prev_read is not None else ())
        peer_rows = {}
        for peer in peers:
            found = find(read, peer)
            if found is None:
                warnings.append(read.warning(table.skip_rows, read.name_col,
                                             f"peer {peer} (meta.peers) has no row in this table",
                                             f"对标单位“{peer}”（meta.peers）在此表中没有对应行"))
            else:
                peer_rows[peer] = found
        for ind in table.indicators.values():
            entry = _definition(cmap, table, ind, indicators.get(ind.id), read)
            better = entry.get("better", "higher")
            ranked = rank_indicator(read, ind, better, entry["name"], warnings)
            _fill(entry, read, ind, ranked, us_name, peer_rows, warnings)
            previous_ranks = {}
            if prev_read is not None:
                previous_ranks = _fill_previous(entry, prev_read, ind, better, us, warnings)
            entry["scope_units"] = _scope_units(read, ranked, previous_ranks)
            out_indicators[ind.id] = _ordered(entry)
    size = max(sizes.values())
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{label} {n}" for label, n in sizes.items())
        warnings.append(TableWarning(cmap.source, "tables",
                                     f"the tables rank different numbers of units ({listed}); "
                                     f"meta.scope_size is {size}",
                                     f"各表参评单位数不同（{listed.replace(', ', '，')}），meta.scope_size取{size}"))
    new_meta = {**meta, "scope_size": size}
    if cmap.peers is not None:
        new_meta["peers"] = list(cmap.peers)
    data = {**base, "meta": new_meta, "indicators": out_indicators}
    # The file the office reviews must load: check it as the loader will.
    loader.load_text(to_yaml(data), f"{current[0]} (imported)")
    return Imported(data, tuple(warnings))


def _fill(entry: dict[str, Any], read: TableRead, ind: IndicatorColumns, ranked: dict[str, dict[str, Any]],
          us: str, peer_rows: dict[str, str], warnings: list[TableWarning]) -> None:
    """Our figures, the scope's average and the peers', from one table, into the indicator's entry."""
    mine = ranked[us]
    for part in PARTS:
        if _given(read, ind, part):  # the table is this period's word on it, a blank included
            entry.pop(part, None)
            if mine[part] is not None:
                entry[part] = mine[part]
    for part in ("value", "growth"):
        if part in read.columns[ind.id] and mine[part] is None:
            warnings.append(read.warning(read.row_of(us), read.columns[ind.id][part],
                                         f"{us} has no {part} figure for {entry['name']}",
                                         f"{us}的{entry['name']}没有{_PART_ZH[part]}数据"))
    level = entry.get("unit") == "%" or entry.get("measure") == "level"
    average = scope_average(read, ind.id, level)
    if average:
        entry["scope_average"] = average
    peers = dict(entry.get("peers") or {})
    for peer, row_name in peer_rows.items():
        figures = {k: v for k, v in ranked[row_name].items() if v is not None}
        if figures:
            peers[peer] = figures
    if peers:
        entry["peers"] = peers


def _fill_previous(entry: dict[str, Any], read: TableRead, ind: IndicatorColumns, better: str, us: str,
                   warnings: list[TableWarning]) -> dict[str, int | None]:
    """Our previous figures from the previous period's table; every unit's previous rank (by name)."""
    ranked = rank_indicator(read, ind, better, entry["name"], warnings)
    us_name = find(read, us)
    if us_name is None:
        warnings.append(read.warning(read.table.skip_rows, read.name_col,
                                     f"no row for {us} in the previous period's table; previous is left as "
                                     "the base file has it",
                                     f"上期表中没有“{us}”这一行，previous保持base文件中的内容"))
    else:
        previous = dict(entry.get("previous") or {})
        for part in PARTS:
            if _given(read, ind, part):
                previous.pop(part, None)
                if ranked[us_name][part] is not None:
                    previous[part] = ranked[us_name][part]
        if previous:
            entry["previous"] = previous
    return {_match_key(unit): f["rank"] for unit, f in ranked.items()}


def _base(cmap: ComparisonMapping) -> dict[str, Any]:
    if cmap.base is None:
        raise cmap.error(("base",), "no township sheet is imported with the tables, so the mapping needs base: "
                                    "(the indicators.yaml the figures go into)",
                         "没有同时导入乡镇表，映射文件需要用base:指明指标数据文件（indicators.yaml）")
    if not cmap.base.is_file():
        raise cmap.error(("base",), f"base file not found: {cmap.base}", f"找不到base文件：{cmap.base}")
    data, _ = yaml_source.load_file(cmap.base)
    if not isinstance(data, dict):
        raise DataError("expected indicators.yaml data (meta:, indicators:)", "应为指标数据（meta:、indicators:）",
                        file=str(cmap.base))
    return data


def _pair(cmap: ComparisonMapping, files: list[str | Path], option: str) -> list[str | Path]:
    """One workbook holds every table, or there is one per table, in the mapping's order."""
    if len(files) == 1:
        return list(files) * len(cmap.tables)
    if len(files) == len(cmap.tables):
        return list(files)
    raise DataError(f"{len(files)} files given with {option}, but {Path(cmap.source).name} lists "
                    f"{len(cmap.tables)} tables: give one workbook holding every table, or one file per table "
                    "in the mapping's order",
                    f"{option}给出了{len(files)}个文件，但{Path(cmap.source).name}列了{len(cmap.tables)}张表："
                    "请给出一个包含全部表的工作簿，或按映射文件的顺序每张表一个文件",
                    file=cmap.source, key="tables")


def _given(read: TableRead, ind: IndicatorColumns, part: str) -> bool:
    """Does the table say this part: a column of it, or a rank or grade it lets us compute?"""
    if part in read.columns[ind.id]:
        return True
    if part == "rank":
        return ind.rank_by != "published"
    return part == "grade" and read.table.grades is not None


def _definition(cmap: ComparisonMapping, table: Table, ind: IndicatorColumns, base: Any, read: TableRead) -> dict:
    """The indicator as the base defines it (or the mapping, for a new one), its unit checked."""
    path = ("tables", table.index, "indicators", ind.id)
    found = read.header_unit[ind.id]
    if isinstance(base, dict):
        entry = dict(base)
    else:
        if ind.card is None:
            raise cmap.error(path, f'indicator "{ind.id}" is not in the base file; give its card (and name) '
                                   "in the mapping",
                             f'base文件中没有指标“{ind.id}”，请在映射文件中给出card（及name）')
        top = read.columns[ind.id][next(iter(read.columns[ind.id]))]
        header = spreadsheet._headers(read.grid, read.table)[top]
        entry = {"name": ind.name or UNIT_IN_HEADER.sub("", header[0]) or ind.id, "card": ind.card}
    if ind.name and not isinstance(base, dict):
        entry["name"] = ind.name
    if ind.better:
        entry["better"] = ind.better
    have = entry.get("unit")
    tokens = found[0] if found else ()
    unit = ind.unit or (unicodedata.normalize("NFKC", have) if have and unicodedata.normalize("NFKC", have) in tokens
                        else tokens[0] if tokens else None)
    if unit is not None and have and unicodedata.normalize("NFKC", have) != unicodedata.normalize("NFKC", unit):
        col = found[1] if found else 0
        raise read.grid.error(f"the header gives {entry['name']} in {unit}, but the base file has unit "
                              f"{have}; convert the figures or correct indicators.{ind.id}.unit",
                              f"表头中{entry['name']}的单位为{unit}，但base文件中为{have}："
                              f"请换算数据或改正indicators.{ind.id}.unit",
                              read.grid.ref(read.table.skip_rows + read.table.header_rows - 1, col))
    if unit is not None and not have:
        entry["unit"] = unit
    return entry


def _scope_units(read: TableRead, ranked: dict[str, dict[str, Any]],
                 previous_ranks: dict[str, int | None]) -> list[dict[str, Any]]:
    """Every unit's figures, best first; units without a rank after, in the table's order."""
    order = {unit: i for i, (unit, _) in enumerate(read.units)}
    units = []
    for unit in sorted(ranked, key=lambda u: (ranked[u]["rank"] is None, ranked[u]["rank"] or 0, order[u])):
        entry = {"name": unit, **{k: v for k, v in ranked[unit].items() if v is not None}}
        before = previous_ranks.get(_match_key(unit))
        if before is not None:
            entry["previous_rank"] = before
        units.append(entry)
    return units


def to_yaml(data: dict[str, Any]) -> str:
    """indicators.yaml text as sources/spreadsheet writes it, each unit of scope_units on one line."""
    import yaml

    indicators = data.get("indicators")
    if isinstance(indicators, dict):  # each unit of scope_units a _Row, for the dumper only
        indicators = {ind_id: {**ind, "scope_units": [_Row(u) for u in ind["scope_units"]]}
                      if isinstance(ind, dict) and isinstance(ind.get("scope_units"), list)
                      and all(isinstance(u, dict) for u in ind["scope_units"]) else ind
                      for ind_id, ind in indicators.items()}
        data = {**data, "indicators": indicators}
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=120)


class _Row(dict):
    """A unit of scope_units: written on one line, as a row of the city's table."""


class _Dumper(spreadsheet._Dumper):
    """The township import's layout (so its output is unchanged), with _Row on one line."""


_Dumper.add_representer(_Row, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data,
                                                                            flow_style=True))


def _ordered(entry: dict[str, Any]) -> dict[str, Any]:
    out = {key: entry[key] for key in _ORDER if key in entry}
    out.update({k: v for k, v in entry.items() if k not in out and k != "scope_units"})
    out["scope_units"] = entry["scope_units"]
    return out
