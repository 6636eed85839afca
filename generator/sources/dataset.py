"""Typed indicator data: the Dataset and its parts, built from validated plain data.

The data contract is ../shared/DESIGN.md "Data contract"; the JSON Schema in
generator/sources/schema/indicators.schema.json is its machine-readable form. Every
optional number is None when absent: missing data stays visibly missing and the
analysis and templates decide what to say, never printing "None".
"""

from __future__ import annotations

import datetime as dt
import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.facts.period import Period, parse_period

if TYPE_CHECKING:  # jsonschema is imported only to explain invalid data
    pass



@dataclass(frozen=True)
class Speaker:
    title: str
    name: str


@dataclass(frozen=True)
class Meta:
    region: str
    level: str  # 县 | 区 | 市
    period: Period
    scope: str  # where ranks are counted, e.g. 全市
    scope_size: int
    peers: tuple[str, ...]
    meeting: str
    speaker: Speaker
    date: dt.date
    issuer: str = ""
    doc_number: str = ""
    # optional keys for the notice (defaults are worded by the templates)
    addressees: str = ""  # 主送机关
    cc: str = ""  # 抄送
    print_date: dt.date | None = None  # 印发日期
    agenda: tuple[str, ...] = ()  # what preceded the speech (刚才，…)

    @property
    def whole(self) -> str:
        """全县 / 全区 / 全市."""
        return "全" + self.level


@dataclass(frozen=True)
class Snapshot:
    """The measurable fields of an indicator at one time or for one comparator."""

    value: float | None = None
    growth: float | None = None
    rank: int | None = None
    grade: str | None = None


@dataclass(frozen=True)
class Target:
    growth: float | None = None
    value: float | None = None


@dataclass(frozen=True)
class HistoryPoint:
    period: str
    value: float | None = None
    growth: float | None = None
    rank: int | None = None
    grade: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    card: str  # 党建 经济 平安 改革 创新 生态 文化 民生
    unit: str  # "%" means the value is a rate
    better: str = "higher"  # higher | lower
    value: float | None = None
    growth: float | None = None
    rank: int | None = None
    grade: str | None = None
    target: Target = field(default_factory=Target)
    previous: Snapshot = field(default_factory=Snapshot)
    scope_average: Snapshot = field(default_factory=Snapshot)
    peers: dict[str, Snapshot] = field(default_factory=dict)
    decimals: int | None = None  # display decimals; None = infer from the unit
    lead: str = ""  # 牵头单位 (optional)
    measure_kind: str | None = None  # level | cumulative as given; see `measure`
    reason: str = ""  # the office's own words on why (optional)
    history: tuple[HistoryPoint, ...] = ()  # earlier periods, oldest first

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def measure(self) -> str:
        """level: compared with its target as a level; cumulative: a running total against 序时进度."""
        return self.measure_kind or ("level" if self.is_rate else "cumulative")


@dataclass(frozen=True)
class ProblemList:
    name: str
    rating: str  # 好 较好 一般 较差 差
    rank: int | None = None
    previous_rank: int | None = None


@dataclass(frozen=True)
class TownshipIndicator:
    id: str
    name: str
    unit: str
    weight: float
    better: str = "higher"


@dataclass(frozen=True, slots=True)
class TownshipValue:
    value: float | None = None
    target: float | None = None


class PackedValues(Mapping):
    """A township's values by indicator id, packed two doubles an indicator.

    Townships × indicators are most of a county's data: a dict of objects
    costs about 3 KB a township, this about 0.4 KB. Entries are made when
    read; NaN stands for a missing figure (valid data has no NaN of its own).
    """

    __slots__ = ("_where", "_numbers")

    def __init__(self, where: dict[str, int], numbers: array):
        self._where = where  # id → position; shared by townships listing the same ids
        self._numbers = numbers

    @classmethod
    def pack(cls, values: Mapping[str, Mapping[str, float | None]], layouts: dict) -> PackedValues:
        """From {id: {value: …, target: …}}, as the data file has them."""
        ids = tuple(values)
        where = layouts.get(ids)
        if where is None:
            where = layouts[ids] = {i: n for n, i in enumerate(ids)}
        numbers = array("d")
        for v in values.values():
            value, target = v.get("value"), v.get("target")
            numbers.append(math.nan if value is None else value)
            numbers.append(math.nan if target is None else target)
        return cls(where, numbers)

    def __getitem__(self, key: str) -> TownshipValue:
        n = self._where[key] * 2
        value, target = self._numbers[n], self._numbers[n + 1]
        return TownshipValue(None if value != value else value, None if target != target else target)

    def __iter__(self):
        return iter(self._where)

    def __len__(self):
        return len(self._where)

    def __repr__(self):
        return f"PackedValues({dict(self)!r})"


@dataclass(frozen=True, slots=True)
class Township:
    name: str
    previous_rank: int | None
    values: Mapping[str, TownshipValue]  # PackedValues when loaded from a file


@dataclass(frozen=True)
class Scoring:
    method: str = "completion"
    cap: float = 1.2
    # grade → upper bound of the rank share (rank / count) that earns it, ascending
    grades: dict[str, float] = field(
        default_factory=lambda: {"A": 0.2, "B": 0.4, "C": 0.6, "D": 0.8, "E": 1.0})


@dataclass(frozen=True)
class Townships:
    indicators: dict[str, TownshipIndicator]
    scoring: Scoring
    units: tuple[Township, ...]
    label: str = ""  # what the race's units are called; "" = the default for meta.level


@dataclass(frozen=True)
class Project:
    name: str
    lead: str
    planned: float  # planned investment this year, 亿元
    completed: float  # completed investment so far, 亿元
    started: bool


@dataclass(frozen=True)
class TaskItem:
    text: str
    lead: str = ""
    due: dt.date | None = None
    indicator: str | None = None


@dataclass(frozen=True)
class TaskTheme:
    theme: str
    items: tuple[TaskItem, ...]


@dataclass(frozen=True)
class Rules:
    """Verdict rules (optional top-level key `rules:`); the defaults are the genre's usual ones."""

    achievement_grades: tuple[str, ...] = ("A",)
    achievement_rank_up: int = 3  # rank rose by at least this many places
    achievement_top: int = 5  # ranked in the top N of the scope
    shortfall_grades: tuple[str, ...] = ("D", "E")
    shortfall_rank_down: int = 3
    shortfall_behind_schedule: bool = True
    shortfall_negative_growth: bool = True
    bottom_half_reverse: bool = True  # rank in the bottom half reads 倒数第N位
    bottom_n: int = 3  # size of "the N worst" selections


@dataclass(frozen=True)
class Dataset:
    source: str  # the file it came from, for messages
    meta: Meta
    indicators: dict[str, Indicator]  # insertion order = order in the file
    problem_lists: tuple[ProblemList, ...] = ()
    townships: Townships | None = None
    projects: tuple[Project, ...] = ()
    tasks: tuple[TaskTheme, ...] = ()
    rules: Rules = field(default_factory=Rules)
    # Figures written 待补 (late from the bureau): absent here, placeholders in a draft
    # (sources/pending.py): {key, line, label, facts_path} each.
    pending: tuple = ()


# --- building -------------------------------------------------------------------

def build(data: dict[str, Any], source: str) -> Dataset:
    """Validated plain data → frozen dataclasses (numbers as float, ranks as int)."""
    townships = data.get("townships")
    return Dataset(
        source=source,
        meta=_meta(data["meta"]),
        indicators={ind_id: _indicator(ind_id, raw) for ind_id, raw in data["indicators"].items()},
        problem_lists=tuple(ProblemList(name=raw["name"], rating=raw["rating"], rank=_int(raw.get("rank")),
                                        previous_rank=_int(raw.get("previous_rank")))
                            for raw in data.get("problem_lists", [])),
        townships=_townships(townships) if townships is not None else None,
        projects=tuple(Project(name=raw["name"], lead=raw["lead"], planned=float(raw["planned"]),
                               completed=float(raw["completed"]), started=raw["started"])
                       for raw in data.get("projects", [])),
        tasks=tuple(TaskTheme(theme=raw["theme"], items=tuple(
            TaskItem(text=item["text"], lead=item.get("lead", ""), due=_date(item.get("due")),
                     indicator=task_indicator(item)) for item in raw["items"]))
            for raw in data.get("tasks", [])),
        rules=Rules(**{key: tuple(value) if isinstance(value, list) else value
                       for key, value in data.get("rules", {}).items()}),
    )


def _meta(raw: dict[str, Any]) -> Meta:
    period = parse_period(raw["period"])
    assert period is not None  # checked in contract_problems
    return Meta(
        region=raw["region"], level=raw["level"], period=period, scope=raw["scope"],
        scope_size=int(raw["scope_size"]), peers=tuple(raw.get("peers", ())), meeting=raw["meeting"],
        speaker=Speaker(title=raw["speaker"]["title"], name=raw["speaker"]["name"]),
        date=_date(raw["date"]), issuer=raw.get("issuer", ""), doc_number=raw.get("doc_number", ""),
        addressees=raw.get("addressees", ""), cc=raw.get("cc", ""), print_date=_date(raw.get("print_date")),
        agenda=tuple(raw.get("agenda", ())),
    )


def _indicator(ind_id: str, raw: dict[str, Any]) -> Indicator:
    target = raw.get("target", {})
    return Indicator(
        id=ind_id, name=raw["name"], card=raw["card"], unit=raw.get("unit", ""),
        better=raw.get("better", "higher"), value=_num(raw.get("value")), growth=_num(raw.get("growth")),
        rank=_int(raw.get("rank")), grade=raw.get("grade"),
        target=Target(growth=_num(target.get("growth")), value=_num(target.get("value"))),
        previous=_snapshot(raw.get("previous", {})), scope_average=_snapshot(raw.get("scope_average", {})),
        peers={name: _snapshot(snap) for name, snap in raw.get("peers", {}).items()},
        decimals=_int(raw.get("decimals")), lead=raw.get("lead", ""),
        measure_kind=raw.get("measure"), reason=raw.get("reason", ""),
        history=tuple(HistoryPoint(period=str(h["period"]), value=_num(h.get("value")),
                                   growth=_num(h.get("growth")), rank=_int(h.get("rank")),
                                   grade=h.get("grade")) for h in raw.get("history", ())),
    )


def _snapshot(raw: dict[str, Any]) -> Snapshot:
    return Snapshot(value=_num(raw.get("value")), growth=_num(raw.get("growth")),
                    rank=_int(raw.get("rank")), grade=raw.get("grade"))


def _townships(raw: dict[str, Any]) -> Townships:
    scoring = raw.get("scoring", {})
    defaults = Scoring()
    layouts: dict = {}
    return Townships(
        indicators={ind_id: TownshipIndicator(id=ind_id, name=item["name"], unit=item["unit"],
                                              weight=float(item["weight"]), better=item.get("better", "higher"))
                    for ind_id, item in raw["indicators"].items()},
        scoring=Scoring(method=scoring.get("method", defaults.method),
                        cap=float(scoring.get("cap", defaults.cap)),
                        grades={g: float(v) for g, v in scoring.get("grades", defaults.grades).items()}),
        units=tuple(unit if isinstance(unit, Township) else build_township(unit, layouts)
                    for unit in raw["units"]),
        label=raw.get("label", ""),
    )


def build_township(raw: dict[str, Any], layouts: dict) -> Township:
    return Township(name=raw["name"], previous_rank=_int(raw.get("previous_rank")),
                    values=PackedValues.pack(raw["values"], layouts))


def _num(value: int | float | None) -> float | None:
    return None if value is None else float(value)


def _int(value: int | float | None) -> int | None:
    return None if value is None else int(value)  # JSON Schema lets 3.0 pass as an integer


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)

def task_indicator(item: dict[str, Any]) -> str | None:
    """Indicator ids are keys, kept as typed text; `indicator: 101` must find key `101`."""
    ind_id = item.get("indicator")
    return None if ind_id is None else str(ind_id)
