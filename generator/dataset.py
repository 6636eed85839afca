"""Typed indicator data (the Dataset), loaded and validated from indicators.yaml.

The data contract is ../shared/DESIGN.md "Data contract"; the JSON Schema in
generator/schema/indicators.schema.json is its machine-readable form.
Every optional number is None when absent: missing data stays visibly missing
and the analysis/templates decide what to say, never printing "None".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.period import Period


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

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


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


@dataclass(frozen=True)
class TownshipValue:
    value: float | None = None
    target: float | None = None


@dataclass(frozen=True)
class Township:
    name: str
    previous_rank: int | None
    values: dict[str, TownshipValue]


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
