"""The derived facts as an Excel workbook: the annex (附件) an office attaches to its notice.

Sheets: 指标 (each county indicator and its derived measures), 乡镇排名 (the
horse race), 乡镇指标进度 (each township on each indicator) and 说明 (what the
signs mean). pandas lays the tables out; openpyxl, under it, gives them what
a reader needs: a title row, frozen header rows and name columns, number formats
(signed changes, percentages, an indicator's own decimals) and column widths
that fit Chinese text.

Missing figures are empty cells, never "None" or "nan". The same facts give
the same bytes: the document date comes from the data and the zip entries have
fixed timestamps, as for the scorecards' .zip.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from generator.writers import legend
from generator.writers.text import display_width

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CORE = "docProps/core.xml"
MAX_WIDTH = 40  # columns of Excel's width unit (a digit); longer text wraps
HEADER_WIDTH = 12  # six Chinese characters a line of a header
HEADER_HEIGHT = 32  # points: two lines of a header
SHORT_WORD = 8  # display width of the longest word a centred column holds (越高越好)
HEADER_FILL = "DDEBF7"

# Number formats. Changes carry their sign, so 位次变化 +3 cannot be misread as rank 3.
INTEGER = "0"
SIGNED_INTEGER = "+0;-0;0"
ONE_DECIMAL = "0.0"
SIGNED_ONE = "+0.0;-0.0;0.0"
PERCENT = "0.0%"
TWO_DECIMALS = "0.00"
TEXT = "@"

VERDICTS = {"achievement": "成绩", "shortfall": "短板"}
BETTER = {"higher": "越高越好", "lower": "越低越好"}
MEASURES = {"cumulative": "累计", "level": "水平"}


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], object]
    number_format: str | Callable[[dict], str] = TEXT


def _key(name: str) -> Callable[[dict], object]:
    return lambda row: row.get(name)


def _yes_no(name: str, yes: str = "是", no: str = "否") -> Callable[[dict], object]:
    def word(row: dict):
        value = row.get(name)
        return None if value is None else (yes if value else no)
    return word


def _amount_format(decimals: int | None, value: object) -> str:
    """An indicator's value as the data gives it: its own decimals, else as many as it has."""
    if decimals is None:
        decimals = _places(value)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _places(value: object) -> int:
    if not isinstance(value, (int, float)) or float(value).is_integer():
        return 0
    return min(len(repr(float(value)).split(".")[1]), 2)


def _amounts_format(*names: str) -> Callable[[dict], str]:
    """One format for a row's figures of one kind (this period, the last, the target):
    the indicator's decimals, else as many as the most precise of them has."""
    def fmt(row: dict) -> str:
        decimals = row.get("decimals")
        if decimals is None:
            decimals = max(_places(row.get(n)) for n in names)
        return _amount_format(decimals, None)
    return fmt


_value_format = _amounts_format("value", "previous_value", "target_value")


def _peer_gap(name: str) -> Callable[[dict], object]:
    def gap(row: dict):
        for peer in row.get("peers") or ():
            if peer.get("name") == name:
                return peer.get("gap")
        return None
    return gap


def indicator_columns(meta: dict) -> list[Column]:
    scope = meta.get("scope") or "考核范围"
    columns = [
        Column("指标代码", _key("id")),
        Column("指标名称", _key("name")),
        Column("报表", _key("card")),
        Column("单位", _key("unit")),
        Column("方向", lambda r: BETTER.get(r.get("better"))),
        Column("类型", lambda r: MEASURES.get(r.get("measure"))),
        Column("本期值", _key("value"), _value_format),
        Column("上期值", _key("previous_value"), _value_format),
        Column("增速（%）", _key("growth"), ONE_DECIMAL),
        Column("上期增速（%）", _key("previous_growth"), ONE_DECIMAL),
        Column("增速变化（个百分点）", _key("growth_change"), SIGNED_ONE),
        Column("位次", _key("rank"), INTEGER),
        Column("上期位次", _key("previous_rank"), INTEGER),
        Column("位次变化", _key("rank_move"), SIGNED_INTEGER),
        Column("参评单位数", _key("scope_size"), INTEGER),
        Column("档次", _key("grade")),
        Column("上期档次", _key("previous_grade")),
        Column("年度目标值", _key("target_value"), _value_format),
        Column("目标增速（%）", _key("target_growth"), ONE_DECIMAL),
        Column("增速与目标差（个百分点）", _key("target_growth_gap"), SIGNED_ONE),
        Column("完成率", _key("completion"), PERCENT),
        # The period's schedule line, shown where a completion is measured against it.
        Column("序时进度", lambda r: r.get("schedule") if r.get("completion") is not None else None,
               PERCENT),
        Column("序时差（个百分点）", _key("schedule_gap"), SIGNED_ONE),
        Column("达序时", _yes_no("on_schedule")),
        Column(f"{scope}平均", _key("scope_average"), ONE_DECIMAL),
        Column(f"与{scope}平均差（个百分点）", _key("gap_to_average"), SIGNED_ONE),
    ]
    columns += [Column(f"与{peer}差", _peer_gap(peer), SIGNED_ONE) for peer in meta.get("peers") or ()]
    columns += [
        Column("结论", lambda r: VERDICTS.get(r.get("verdict"))),
        Column("牵头单位", _key("lead")),
        Column("原因说明", _key("reason")),
    ]
    return columns


RANKING_COLUMNS = [
    Column("位次", _key("rank"), INTEGER),
    Column("乡镇", _key("name")),
    Column("综合得分", _key("score"), TWO_DECIMALS),
    Column("档次", _key("grade")),
    Column("上期位次", _key("previous_rank"), INTEGER),
    Column("位次变化", _key("rank_move"), SIGNED_INTEGER),
    Column("考核指标数", _key("assessed_count"), INTEGER),
    Column("达序时指标数", _key("on_schedule_count"), INTEGER),
    Column("全部达序时", _yes_no("all_on_schedule")),
]


_unit_format = _amounts_format("value", "target")


def progress_columns(meta: dict) -> list[Column]:
    # A year's end has no next stage: the line is the annual target itself.
    if meta.get("is_year_end"):
        line, need = "年度目标线", "距年度目标还需"
    else:
        stage = meta.get("next_stage") or "下期"
        line, need = f"{stage}末序时线", f"距{stage}末序时线还需"
    return [
        Column("乡镇", _key("town")),
        Column("乡镇位次", _key("town_rank"), INTEGER),
        Column("指标", _key("name")),
        Column("单位", _key("unit")),
        Column("方向", lambda r: BETTER.get(r.get("better"))),
        Column("权重", _key("weight"), "General"),
        Column("完成值", _key("value"), _unit_format),
        Column("年度目标", _key("target"), _unit_format),
        Column("完成率", _key("completion"), PERCENT),
        Column("序时差（个百分点）", _key("schedule_gap"), SIGNED_ONE),
        Column("达序时", _yes_no("on_schedule")),
        Column("得分", _key("score"), TWO_DECIMALS),
        Column("本指标位次", _key("rank"), INTEGER),
        Column(line, _key("next_line"), lambda r: _amount_format(None, r.get("next_line"))),
        Column(need, _key("next_need"), lambda r: _amount_format(None, r.get("next_need"))),
        Column("报送情况", lambda r: "未报送" if r.get("missing") else "已报送"),
    ]


def _progress_rows(units: Iterable[dict]) -> Iterable[dict]:
    for unit in units:
        for entry in unit["rows"]:
            yield {**entry, "town": unit["name"], "town_rank": unit["rank"]}


def title(meta: dict) -> str:
    """青山县2024年上半年 (a year: 2023年度), as the notice names the period."""
    when = f"{meta['year']}年度" if meta.get("is_year_end") else f"{meta['year']}年{meta['period_name']}"
    return f"{meta['region']}{when}"


def _sheets(facts: dict) -> list[tuple[str, str, list[Column], list[dict], int]]:
    """(sheet name, title, columns, rows, name columns to freeze) of each table sheet."""
    meta = facts["meta"]
    head = title(meta)
    sheets = [("指标", f"{head}主要指标及派生数据", indicator_columns(meta), list(facts["indicators"]), 2)]
    towns = facts.get("townships")
    if towns:
        label = meta.get("race_label") or "乡镇"
        sheets.append(("乡镇排名", f"{head}{label}赛马比拼排名", RANKING_COLUMNS, list(towns["units"]), 2))
        sheets.append(("乡镇指标进度", f"{head}{label}各项指标完成进度", progress_columns(meta),
                       list(_progress_rows(towns["units"])), 3))
    return sheets


def workbook(facts: dict) -> bytes:
    """The workbook's bytes for `speechgen facts --xlsx`."""
    import pandas as pd  # only this command pays for pandas

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, heading, columns, rows, frozen in _sheets(facts):
            frame = pd.DataFrame([[_cell(c.value(r)) for c in columns] for r in rows],
                                 columns=[c.header for c in columns], dtype=object)
            frame.to_excel(writer, sheet_name=name, index=False, startrow=1)
            _format_table(writer.sheets[name], heading, columns, rows, frozen)
        keys = pd.DataFrame(legend.lines(facts["meta"].get("schedule")), columns=["名词", "含义"])
        keys.to_excel(writer, sheet_name="说明", index=False, startrow=1)
        _format_legend(writer.sheets["说明"], title(facts["meta"]))
        book = writer.book
    # Saving stamps the clock's time as "modified": the entry is written again from the data.
    return _fixed_zip(buffer.getvalue(), {CORE: _properties(book, facts["meta"])})


def _cell(value: object) -> object:
    """A figure or a word; nothing (an empty cell) for a figure or a word the data lacks."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _width(value: object) -> int:
    return display_width(value if isinstance(value, str) else f"{value}")


def _format_table(sheet, heading: str, columns: list[Column], rows: list[dict], frozen: int) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    sheet.cell(row=1, column=1, value=heading).font = Font(bold=True, size=14)
    thin = Side(style="thin", color="999999")
    header_style = dict(font=Font(bold=True), fill=PatternFill("solid", fgColor=HEADER_FILL),
                        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
                        border=Border(top=thin, bottom=thin, left=thin, right=thin))
    for k, column in enumerate(columns, start=1):
        cell = sheet.cell(row=2, column=k)
        for attr, style in header_style.items():
            setattr(cell, attr, style)
        # A header wraps onto two lines rather than widen its column past its figures.
        widest = min(_width(column.header), HEADER_WIDTH)
        cells = []
        for offset, row in enumerate(rows):
            cell = sheet.cell(row=3 + offset, column=k)
            fmt = column.number_format(row) if callable(column.number_format) else column.number_format
            if cell.value is None:
                continue
            cell.number_format = fmt
            cells.append(cell)
            widest = max(widest, _width(cell.value) + (1 if fmt.startswith("+") else 0))
        # Short words (是/否, 档次, 成绩/短板) read best centred; names and figures keep their side.
        if cells and all(isinstance(c.value, str) and _width(c.value) <= SHORT_WORD for c in cells):
            for cell in cells:
                cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(k)
        sheet.column_dimensions[letter].width = min(widest + 2, MAX_WIDTH)
    sheet.row_dimensions[2].height = HEADER_HEIGHT
    # The title and header rows stay on screen, and so do the names that say what a row is.
    sheet.freeze_panes = sheet.cell(row=3, column=frozen + 1)
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(2, len(rows) + 2)}"
    _print_setup(sheet)


def _print_setup(sheet) -> None:
    """Printed as an annex: landscape A4, all columns on the page's width, the header on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:2"


def _format_legend(sheet, heading: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.cell(row=1, column=1, value=f"{heading}派生数据说明").font = Font(bold=True, size=14)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 80
    sheet.freeze_panes = "A3"
    _print_setup(sheet)


def _properties(book, meta: dict) -> bytes:
    """docProps/core.xml with dates from the data, never the clock: same facts, same workbook."""
    from openpyxl.xml.functions import tostring

    try:
        when = dt.datetime.combine(dt.date.fromisoformat(str(meta.get("date"))), dt.time())
    except ValueError:
        when = dt.datetime(int(meta.get("year") or 2000), 1, 1)
    props = book.properties
    props.created = props.modified = when
    props.creator = props.lastModifiedBy = "speechgen"
    props.title = title(meta)
    return tostring(props.to_tree())


def _fixed_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same entries in the same order, each with a fixed timestamp; `replace` by name."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, replace.get(info.filename) or source.read(info))
    return out.getvalue()
