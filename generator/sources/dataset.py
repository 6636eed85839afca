"""Typed indicator data: the Dataset and its parts, built from validated plain data.

The data contract is ../shared/DESIGN.md "Data contract"; the JSON Schema in
generator/sources/schema/indicators.schema.json is its machine-readable form. Every
optional number is None when absent: missing data stays visibly missing and the
analysis and templates decide what to say, never printing "None".
"""

from __future__ import annotations

import datetime as dt
import json
import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from generator import resources
from generator.facts.period import Period, parse_period
from generator.sources.records import record

if TYPE_CHECKING:  # jsonschema is imported only to explain invalid data
    pass

# An office's own keys (DESIGN.md: any key the contract does not know, at the top level,
# in meta, an indicator, a township, a project, a task…) are kept, read-only, in `extra`
# and reach the templates unchanged. What the contract knows is read from the JSON
# Schema itself, so a key added there is never mistaken for an office's.
NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


@lru_cache(maxsize=None)
def known_keys(definition: str | None) -> frozenset[str]:
    """The keys the schema names for one of its $defs (None: the top level)."""
    schema = json.loads(resources.SCHEMA.read_text(encoding="utf-8"))
    part = schema if definition is None else schema["$defs"][definition]
    return frozenset(part.get("properties", ()))


def office_keys(raw: Mapping[str, Any], definition: str | None) -> Mapping[str, Any]:
    """The keys of `raw` the contract does not know, read-only; NO_EXTRA when there are none."""
    known = known_keys(definition)
    extra = {key: value for key, value in raw.items() if key not in known}
    return MappingProxyType(extra) if extra else NO_EXTRA



@record
class Speaker:
    title: str
    name: str


@record
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
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)  # the office's own keys

    @property
    def whole(self) -> str:
        """全县 / 全区 / 全市."""
        return "全" + self.level


@record
class Snapshot:
    """The measurable fields of an indicator at one time or for one comparator."""

    value: float | None = None
    growth: float | None = None
    rank: int | None = None
    grade: str | None = None


@record
class Target:
    growth: float | None = None
    value: float | None = None


@record
class HistoryPoint:
    period: str
    value: float | None = None
    growth: float | None = None
    rank: int | None = None
    grade: str | None = None


@record
class ScopeUnit:
    """One unit of the scope on one indicator, as the higher level's comparison table has it."""

    name: str
    value: float | None = None
    growth: float | None = None
    rank: int | None = None
    grade: str | None = None
    previous_rank: int | None = None


@record
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
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)  # the office's own keys
    scope_units: tuple[ScopeUnit, ...] = ()  # every unit of the scope, ours included (facts/scope.py)

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def measure(self) -> str:
        """level: compared with its target as a level; cumulative: a running total against 序时进度."""
        return self.measure_kind or ("level" if self.is_rate else "cumulative")


@record
class ProblemList:
    name: str
    rating: str  # 好 较好 一般 较差 差
    rank: int | None = None
    previous_rank: int | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
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
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)  # the office's own keys


@record
class Scoring:
    method: str = "completion"
    cap: float = 1.2
    # grade → upper bound of the rank share (rank / count) that earns it, ascending
    grades: dict[str, float] = field(
        default_factory=lambda: {"A": 0.2, "B": 0.4, "C": 0.6, "D": 0.8, "E": 1.0})


@record
class Townships:
    indicators: dict[str, TownshipIndicator]
    scoring: Scoring
    units: tuple[Township, ...]
    label: str = ""  # what the race's units are called; "" = the default for meta.level


@record
class Project:
    name: str
    lead: str
    planned: float  # planned investment this year, 亿元
    completed: float  # completed investment so far, 亿元
    started: bool
    township: str = ""  # the township the project is in
    listed: str = ""  # the higher level's key-project list it entered this period (市, 省)
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class TaskItem:
    text: str
    lead: str = ""
    due: dt.date | None = None
    indicator: str | None = None
    leader: str = ""  # the leader in charge (王某某副县长): 由…牵头
    units: tuple[str, ...] = ()  # the units doing the work: …具体负责
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class TaskTheme:
    theme: str
    items: tuple[TaskItem, ...]
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


# --- contract additions: 招商引资, departments, highlights, the annual assessment ---

@record
class Deals:
    """Projects and their investment, 亿元 (signed or started this year)."""

    projects: int | None = None
    amount: float | None = None


@record
class Funds:
    """到位资金 this year against the annual task, 亿元."""

    value: float | None = None
    target: float | None = None


@record
class TownshipInvestment:
    name: str
    value: float | None = None  # 亿元, cumulative; 0 is a figure (nothing arrived)
    target: float | None = None  # the annual task, 亿元


@record
class InvestmentPromotion:
    signed: Deals | None = None
    started: Deals | None = None
    funds: Funds | None = None
    townships: tuple[TownshipInvestment, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class Department:
    name: str
    score: float | None = None
    rank: int | None = None  # None: computed from score (ties share a rank)
    previous_rank: int | None = None
    grade: str | None = None  # A–E
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class Departments:
    units: tuple[Department, ...]
    label: str = ""  # what they are called; "" = the default for meta.level (县直部门)
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class Highlight:
    unit: str
    text: str
    indicator: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class YearResult:
    year: int
    rank: int | None = None
    grade: str | None = None  # 优秀 良好 一般 较差
    group_size: int | None = None


@record
class CountyResult:
    """The county's place in the higher level's annual assessment."""

    scope: str = ""  # 全市
    group: str = ""  # 生态保护区域县
    group_size: int | None = None
    rank: int | None = None
    previous_rank: int | None = None
    grade: str | None = None
    previous_grade: str | None = None
    score: float | None = None
    history: tuple[YearResult, ...] = ()  # earlier years, for "best since"


@record
class SubAssessment:
    name: str
    grade: str | None = None
    previous_grade: str | None = None
    rank: int | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class AssessedUnit:
    name: str
    kind: str  # 乡镇 | 部门 (or the office's own word)
    grade: str
    score: float | None = None
    rank: int | None = None  # within its kind
    previous_grade: str | None = None
    previous_rank: int | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class Commendation:
    title: str
    units: tuple[str, ...]
    category: str = ""  # the table's grouping when there are many (先进集体, 先进个人…)
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class ResultUse:
    grade: str
    measure: str
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
class CommendationNotice:
    """The commendation's own document details; each falls back to meta's."""

    form: str = "通报"  # 通报 | 决定
    issuer: str = ""
    doc_number: str = ""
    date: dt.date | None = None
    addressees: str = ""
    cc: str = ""
    print_date: dt.date | None = None


@record
class Assessment:
    year: int
    county: CountyResult | None = None
    sub_assessments: tuple[SubAssessment, ...] = ()
    units: tuple[AssessedUnit, ...] = ()
    commendations: tuple[Commendation, ...] = ()
    result_use: tuple[ResultUse, ...] = ()
    notice: CommendationNotice = field(default_factory=CommendationNotice)
    meeting: str = ""  # the assessment meeting; "" = meta.meeting
    date: dt.date | None = None  # its date; None = meta.date
    agenda: tuple[str, ...] | None = None  # what preceded the speech there; None = not given
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)


@record
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


@record
class Dataset:
    source: str  # the file it came from, for messages
    meta: Meta
    indicators: dict[str, Indicator]  # insertion order = order in the file
    problem_lists: tuple[ProblemList, ...] = ()
    townships: Townships | None = None
    projects: tuple[Project, ...] = ()
    tasks: tuple[TaskTheme, ...] = ()
    rules: Rules = field(default_factory=Rules)
    investment_promotion: InvestmentPromotion | None = None
    departments: Departments | None = None
    highlights: tuple[Highlight, ...] = ()
    assessment: Assessment | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: NO_EXTRA)  # the office's own top-level keys
    # Figures written 待补 (late from the bureau): absent here, placeholders in a draft
    # (sources/pending.py): {key, line, label, facts_path} each.
    pending: tuple = ()


# --- building -------------------------------------------------------------------

def build(data: dict[str, Any], source: str, units: list[Township] | None = None) -> Dataset:
    """Validated plain data → frozen dataclasses (numbers as float, ranks as int).

    `units`: the townships, when the loader packed them as it read them (build_township,
    one at a time); data's townships.units then holds only their outlines.
    """
    townships = data.get("townships")
    return Dataset(
        source=source,
        meta=_meta(data["meta"]),
        indicators={ind_id: _indicator(ind_id, raw) for ind_id, raw in data["indicators"].items()},
        problem_lists=tuple(ProblemList(name=raw["name"], rating=raw["rating"], rank=_int(raw.get("rank")),
                                        previous_rank=_int(raw.get("previous_rank")),
                                        extra=office_keys(raw, "problem_list"))
                            for raw in data.get("problem_lists", [])),
        townships=_townships(townships, units) if townships is not None else None,
        projects=tuple(Project(name=raw["name"], lead=raw["lead"], planned=float(raw["planned"]),
                               completed=float(raw["completed"]), started=raw["started"],
                               township=raw.get("township", ""), listed=raw.get("listed", ""),
                               extra=office_keys(raw, "project"))
                       for raw in data.get("projects", [])),
        tasks=tuple(TaskTheme(theme=raw["theme"], items=tuple(
            TaskItem(text=item["text"], lead=item.get("lead", ""), due=_date(item.get("due")),
                     indicator=task_indicator(item), leader=item.get("leader", ""),
                     units=tuple(item.get("units", ())), extra=office_keys(item, "task_item"))
            for item in raw["items"]), extra=office_keys(raw, "task_theme"))
            for raw in data.get("tasks", [])),
        rules=Rules(**{key: tuple(value) if isinstance(value, list) else value
                       for key, value in data.get("rules", {}).items()}),
        investment_promotion=_investment(data["investment_promotion"])
        if "investment_promotion" in data else None,
        departments=_departments(data["departments"]) if "departments" in data else None,
        highlights=tuple(Highlight(unit=raw["unit"], text=raw["text"], indicator=task_indicator(raw),
                                   extra=office_keys(raw, "highlight"))
                         for raw in data.get("highlights", [])),
        assessment=_assessment(data["assessment"]) if "assessment" in data else None,
        extra=office_keys(data, None),
    )


def _investment(raw: dict[str, Any]) -> InvestmentPromotion:
    def deals(part: dict[str, Any] | None) -> Deals | None:
        return None if part is None else Deals(projects=_int(part.get("projects")),
                                               amount=_num(part.get("amount")))

    funds = raw.get("funds")
    return InvestmentPromotion(
        signed=deals(raw.get("signed")), started=deals(raw.get("started")),
        funds=None if funds is None else Funds(value=_num(funds.get("value")),
                                               target=_num(funds.get("target"))),
        townships=tuple(TownshipInvestment(name=t["name"], value=_num(t.get("value")),
                                           target=_num(t.get("target")))
                        for t in raw.get("townships", ())),
        extra=office_keys(raw, "investment_promotion"),
    )


def _departments(raw: dict[str, Any]) -> Departments:
    return Departments(
        units=tuple(Department(name=u["name"], score=_num(u.get("score")), rank=_int(u.get("rank")),
                               previous_rank=_int(u.get("previous_rank")), grade=u.get("grade"),
                               extra=office_keys(u, "department"))
                    for u in raw["units"]),
        label=raw.get("label", ""), extra=office_keys(raw, "departments"))


def _assessment(raw: dict[str, Any]) -> Assessment:
    county = raw.get("county")
    notice = raw.get("notice", {})
    return Assessment(
        year=int(raw["year"]), meeting=raw.get("meeting", ""), date=_date(raw.get("date")),
        agenda=tuple(raw["agenda"]) if "agenda" in raw else None,
        county=None if county is None else CountyResult(
            scope=county.get("scope", ""), group=county.get("group", ""),
            group_size=_int(county.get("group_size")), rank=_int(county.get("rank")),
            previous_rank=_int(county.get("previous_rank")), grade=county.get("grade"),
            previous_grade=county.get("previous_grade"), score=_num(county.get("score")),
            history=tuple(YearResult(year=int(h["year"]), rank=_int(h.get("rank")), grade=h.get("grade"),
                                     group_size=_int(h.get("group_size")))
                          for h in county.get("history", ()))),
        sub_assessments=tuple(SubAssessment(name=s["name"], grade=s.get("grade"),
                                            previous_grade=s.get("previous_grade"), rank=_int(s.get("rank")),
                                            extra=office_keys(s, "sub_assessment"))
                              for s in raw.get("sub_assessments", ())),
        units=tuple(AssessedUnit(name=u["name"], kind=u["kind"], grade=u["grade"], score=_num(u.get("score")),
                                 rank=_int(u.get("rank")), previous_grade=u.get("previous_grade"),
                                 previous_rank=_int(u.get("previous_rank")),
                                 extra=office_keys(u, "assessed_unit"))
                    for u in raw.get("units", ())),
        commendations=tuple(Commendation(title=c["title"], units=tuple(c["units"]),
                                         category=c.get("category", ""), extra=office_keys(c, "commendation"))
                            for c in raw.get("commendations", ())),
        result_use=tuple(ResultUse(grade=r["grade"], measure=r["measure"], extra=office_keys(r, "result_use"))
                         for r in raw.get("result_use", ())),
        notice=CommendationNotice(form=notice.get("form", "通报"), issuer=notice.get("issuer", ""),
                                  doc_number=notice.get("doc_number", ""), date=_date(notice.get("date")),
                                  addressees=notice.get("addressees", ""), cc=notice.get("cc", ""),
                                  print_date=_date(notice.get("print_date"))),
        extra=office_keys(raw, "assessment"),
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
        agenda=tuple(raw.get("agenda", ())), extra=office_keys(raw, "meta"),
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
        extra=office_keys(raw, "indicator"),
        scope_units=tuple(ScopeUnit(name=u["name"], value=_num(u.get("value")), growth=_num(u.get("growth")),
                                    rank=_int(u.get("rank")), grade=u.get("grade"),
                                    previous_rank=_int(u.get("previous_rank")))
                          for u in raw.get("scope_units", ())),
    )


def _snapshot(raw: dict[str, Any]) -> Snapshot:
    return Snapshot(value=_num(raw.get("value")), growth=_num(raw.get("growth")),
                    rank=_int(raw.get("rank")), grade=raw.get("grade"))


def _townships(raw: dict[str, Any], units: list[Township] | None) -> Townships:
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
        units=tuple(units) if units is not None
        else tuple(build_township(unit, layouts) for unit in raw["units"]),
        label=raw.get("label", ""),
    )


def build_township(raw: dict[str, Any], layouts: dict) -> Township:
    """The one place a township is packed (two doubles an indicator), on either path.

    `layouts` is shared by the townships of one county: those reporting the same
    indicators share one table of positions."""
    # Most townships have only the three known keys: no dict is made for them.
    extra = office_keys(raw, "township") if len(raw) > 3 or "previous_rank" not in raw else NO_EXTRA
    return Township(name=raw["name"], previous_rank=_int(raw.get("previous_rank")),
                    values=PackedValues.pack(raw["values"], layouts), extra=extra)


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
