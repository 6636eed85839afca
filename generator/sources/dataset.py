"""Typed indicator data (the Dataset), loaded and validated from indicators.yaml.

The data contract is ../shared/DESIGN.md "Data contract"; the JSON Schema in
generator/schema/indicators.schema.json is its machine-readable form.
Every optional number is None when absent: missing data stays visibly missing
and the analysis/templates decide what to say, never printing "None".
"""

from __future__ import annotations

import datetime as dt
import json
import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.sources import schema_check, yaml_reader as yaml_source
from generator import resources
from generator.errors import DataError
from generator.facts.period import Period, parse_period
from generator.sources.yaml_reader import KeyPath, Lines, key_path, line_of

if TYPE_CHECKING:  # jsonschema is imported only to explain invalid data
    from jsonschema import Draft202012Validator, ValidationError


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


# ---------------------------------------------------------------------------
# Loading: parse (yaml_source) → JSON Schema → checks the schema cannot express
# → frozen dataclasses. Each stage reports every problem it finds, by line.
# ---------------------------------------------------------------------------

SCHEMA_PATH = resources.SCHEMA
MAX_REPORTED = 10  # more than this and the user fixes the first ones and reruns


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file: where, and what was expected."""

    line: int
    key: str  # dotted key path, e.g. indicators.gdp.growth
    en: str
    zh: str


class InvalidDataError(DataError):
    """The file parsed but breaks the data contract; `problems` lists every finding by line."""

    def __init__(self, source: str, problems: list[Problem]):
        self.problems = tuple(sorted(problems, key=lambda p: (p.line, p.key)))
        first = self.problems[0]
        if len(self.problems) == 1:
            super().__init__(first.en, first.zh, file=source, line=first.line, key=first.key or None)
            return
        shown = self.problems[:MAX_REPORTED]
        more = len(self.problems) - len(shown)
        en = [f"{len(self.problems)} problems:"] + [f"  {_where(source, p)}{p.en}" for p in shown]
        zh = [f"共{len(self.problems)}处问题："] + [f"  {_where(source, p)}{p.zh}" for p in shown]
        if more:
            en.append(f"  … and {more} more")
            zh.append(f"  ……另有{more}处")
        # The header names only the file: each listed problem carries its own line.
        super().__init__("\n".join(en), "\n".join(zh), file=source)


def load(path: str | Path) -> Dataset:
    """Load and validate an indicators.yaml file; DataError names file, line and key."""
    source = str(path)
    raw = yaml_source.read_bytes(path)
    # Valid data goes the quick way, from the bytes: no decoded copy, no line
    # positions, no jsonschema. Anything else goes the careful way, which
    # finds every problem and names its line.
    return _quick(raw, source) or _careful(yaml_source.decode(raw, source), source)


def load_text(text: str, source: str) -> Dataset:
    """Load YAML text as if it were the file `source` (tests, Excel/CSV import)."""
    return _quick(text, source) or _careful(text, source)


def _quick(text: str | bytes, source: str) -> Dataset | None:
    """The Dataset of certainly valid data, read in one pass; None when not certain.

    Each township is checked and packed as soon as it is read, so a county
    of thousands is never held as plain data.
    """
    layouts: dict = {}
    data = yaml_source.quick_load(text, unit=lambda raw: _quick_township(raw, layouts))
    if data is None:
        return None
    plain = _json_like(data)
    check = _quick_schema_check()
    if check is None or not check(plain) or _contract_problems(plain, {}):
        return None
    return _build(plain, source)


def _quick_township(raw: dict[str, Any], layouts: dict) -> Township | None:
    check = _quick_township_check()
    if check is None or not check(raw) or not _clean(raw):
        return None  # the careful way decides, and says what is wrong
    return _township(raw, layouts)


def _clean(value: Any) -> bool:
    """Nothing that _check_values would flag or _json_like convert: yes or no, without paths."""
    kind = type(value)
    if kind is int or kind is bool or value is None:
        return True
    if kind is float or kind is str:
        return _value_problem(value) is None
    if kind is dict:
        for item in value.values():
            if not _clean(item):
                return False
        return True
    if kind is list:
        for item in value:
            if not _clean(item):
                return False
        return True
    return False  # a date, or anything else unusual


def _careful(text: str, source: str) -> Dataset:
    data, lines = yaml_source.parse_text(text, source)
    return _dataset(data, lines, source)


def _dataset(data: dict[str, Any], lines: Lines, source: str) -> Dataset:
    plain = _json_like(data)
    problems = _schema_problems(plain, lines) or _contract_problems(plain, lines)
    if problems:
        raise InvalidDataError(source, problems)
    return _build(plain, source)


def _where(source: str, problem: Problem) -> str:
    key = f" {problem.key}:" if problem.key else ""
    return f"{source}:{problem.line}:{key} "


def _json_like(value: Any) -> Any:
    """YAML dates → ISO text so JSON Schema can check them; the builder parses them back.

    A mapping or list without dates is returned as it is: thousands of township
    values need no copy.
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dict):
        changed = {key: new for key, item in value.items()
                   if (new := _json_like(item)) is not item}
        return {**value, **changed} if changed else value
    if isinstance(value, list):
        items = [_json_like(item) for item in value]
        return items if any(new is not old for new, old in zip(items, value)) else value
    return value


# --- JSON Schema --------------------------------------------------------------

_TYPE_WORDS = {
    "number": ("a number", "数字"),
    "integer": ("a whole number", "整数"),
    "string": ("text", "文字"),
    "object": ("a mapping (key: value)", "键值映射（键: 值）"),
    "array": ("a list", "列表"),
    "boolean": ("true or false", "true或false"),
    "null": ("nothing", "空值"),
}


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _quick_schema_check() -> schema_check.Check | None:
    return schema_check.compile_schema(_schema(), checked={"township": Township})


@lru_cache(maxsize=1)
def _quick_township_check() -> schema_check.Check | None:
    return schema_check.compile_schema(_schema(), part="township")


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def _schema_problems(data: dict[str, Any], lines: Lines) -> list[Problem]:
    problems: dict[tuple[int, str, str], Problem] = {}
    for error in _validator().iter_errors(data):
        for path, en, zh in _explain(error):
            problem = Problem(line_of(path, lines), key_path(path), en, zh)
            problems[(problem.line, problem.key, problem.en)] = problem  # one per key and message
    return list(problems.values())


def _explain(error: ValidationError) -> list[tuple[KeyPath, str, str]]:
    """A jsonschema error → (key path, en, zh) in the user's terms, "expected …, got …"."""
    path: KeyPath = tuple(error.absolute_path)
    schema, instance, kind, limit = error.schema, error.instance, error.validator, error.validator_value
    got_en, got_zh = _shown(instance)
    if kind == "required":
        return [(path + (key,), "required key is missing", "缺少必填项")
                for key in limit if key not in instance]
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        return [(path + (key,), f'unexpected key "{key}" (allowed: {", ".join(allowed)})',
                 f'不认识的键"{key}"（可用：{"、".join(allowed)}）')
                for key in instance if key not in allowed]
    if "x-expected" in schema:
        expected = schema["x-expected"]
        return [(path, f"expected {expected['en']}, got {got_en}", f"应为{expected['zh']}，实际为{got_zh}")]
    if kind == "type":
        types = [t for t in ([limit] if isinstance(limit, str) else limit) if t != "null"] or ["null"]
        return [(path, f"expected {' or '.join(_TYPE_WORDS[t][0] for t in types)}, got {got_en}",
                 f"应为{'或'.join(_TYPE_WORDS[t][1] for t in types)}，实际为{got_zh}")]
    if kind == "enum":
        options = [str(option) for option in limit if option is not None]
        return [(path, f"expected one of {', '.join(options)}, got {got_en}",
                 f"应为{'、'.join(options)}之一，实际为{got_zh}")]
    if kind in _BOUNDS:
        noun_en, noun_zh = ("a whole number", "整数") if "integer" in str(schema.get("type")) else ("a number", "数")
        sign, words = _BOUNDS[kind]
        return [(path, f"expected {noun_en} {sign} {limit}, got {got_en}",
                 f"应为{words}{limit}的{noun_zh}，实际为{got_zh}")]
    if kind == "minLength":
        return [(path, "expected text, got an empty value", "不能为空")]
    if kind in ("minItems", "minProperties"):
        return [(path, f"expected at least {limit} entr{'y' if limit == 1 else 'ies'}, got {len(instance)}",
                 f"至少应有{limit}项，实际为{len(instance)}项")]
    if kind == "uniqueItems":
        repeated = next(item for index, item in enumerate(instance) if item in instance[:index])
        shown_en, shown_zh = _shown(repeated)
        return [(path, f"expected no repeats, got {shown_en} twice", f"不应重复，{shown_zh}出现了两次")]
    return [(path, error.message, f"不符合格式要求：{error.message}")]


_BOUNDS = {
    "minimum": ("≥", "不小于"),
    "exclusiveMinimum": (">", "大于"),
    "maximum": ("≤", "不大于"),
    "exclusiveMaximum": ("<", "小于"),
}


def _shown(value: Any) -> tuple[str, str]:
    """How a wrong value is quoted back to the user (en, zh)."""
    if value is None:
        return "nothing", "空值"
    if isinstance(value, bool):
        return ("true", "true") if value else ("false", "false")
    if isinstance(value, (int, float)):
        return str(value), str(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f'"{text}"', f'"{text}"'
    if isinstance(value, dict):
        return "a mapping", "键值映射"
    if isinstance(value, list):
        return "a list", "列表"
    return str(value), str(value)


# --- checks the schema cannot express -------------------------------------------

class _Findings:
    def __init__(self, lines: Lines):
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, path: KeyPath, en: str, zh: str) -> None:
        self.problems.append(Problem(line_of(path, self.lines), key_path(path), en, zh))

    def rank(self, path: KeyPath, rank: int | None, size: int, size_key: str,
             size_key_zh: str | None = None) -> None:
        if rank is not None and not 1 <= rank <= size:
            self.add(path, f"expected a rank from 1 to {size} ({size_key}), got {rank}",
                     f"位次应在1到{size}之间（{size_key_zh or size_key}为{size}），实际为{rank}")


def _contract_problems(data: dict[str, Any], lines: Lines) -> list[Problem]:
    found = _Findings(lines)
    _check_values(data, (), found)
    meta = data["meta"]
    if parse_period(meta["period"]) is None:
        found.add(("meta", "period"), f"expected a period such as 2024-Q2, got {meta['period']}",
                  f"应为报告期，如2024-Q2，实际为{meta['period']}")
    size = meta["scope_size"]
    peers = meta.get("peers", [])
    for ind_id, ind in data["indicators"].items():
        base = ("indicators", ind_id)
        found.rank(base + ("rank",), ind.get("rank"), size, "meta.scope_size")
        for part in ("previous", "scope_average"):
            found.rank(base + (part, "rank"), ind.get(part, {}).get("rank"), size, "meta.scope_size")
        for peer, snap in ind.get("peers", {}).items():
            found.rank(base + ("peers", peer, "rank"), snap.get("rank"), size, "meta.scope_size")
            if peer not in peers:
                found.add(base + ("peers", peer), f'"{peer}" is not listed in meta.peers ({", ".join(peers) or "empty"})',
                          f'"{peer}"不在meta.peers中（{"、".join(peers) or "空"}）')
    for index, item in enumerate(data.get("problem_lists", [])):
        for key in ("rank", "previous_rank"):
            found.rank(("problem_lists", index, key), item.get(key), size, "meta.scope_size")
    if "townships" in data:
        _check_townships(data["townships"], found)
    known = list(data["indicators"])
    for t_index, theme in enumerate(data.get("tasks", [])):
        for i_index, item in enumerate(theme["items"]):
            ind_id = _task_indicator(item)
            if ind_id is not None and ind_id not in data["indicators"]:
                found.add(("tasks", t_index, "items", i_index, "indicator"),
                          f'unknown indicator id "{ind_id}" (not a key of indicators: {_few(known)})',
                          f'指标id"{ind_id}"不存在（indicators中没有这个键）')
    return found.problems


def _check_townships(townships: dict[str, Any], found: _Findings) -> None:
    units = townships["units"]
    known = list(townships["indicators"])
    first_seen: dict[str, int] = {}
    for index, unit in enumerate(units):
        path = ("townships", "units", index)
        if isinstance(unit, Township):  # read and checked on the quick path
            name, previous_rank, value_ids = unit.name, unit.previous_rank, unit.values
        else:
            name, previous_rank, value_ids = unit["name"], unit.get("previous_rank"), unit["values"]
        if name in first_seen:
            first = line_of(("townships", "units", first_seen[name], "name"), found.lines)
            found.add(path + ("name",), f'duplicate township name "{name}" (first at line {first})',
                      f'乡镇名称"{name}"重复（第{first}行已出现）')
        first_seen.setdefault(name, index)
        found.rank(path + ("previous_rank",), previous_rank, len(units), "number of townships",
                   "乡镇个数")
        for ind_id in value_ids:
            if ind_id not in townships["indicators"]:
                found.add(path + ("values", ind_id),
                          f'unknown township indicator "{ind_id}" (not a key of townships.indicators: {_few(known)})',
                          f'乡镇指标"{ind_id}"不存在（townships.indicators中没有这个键）')
    bounds = [townships.get("scoring", {}).get("grades", {})[g]
              for g in "ABCDE" if g in townships.get("scoring", {}).get("grades", {})]
    if bounds and (any(a >= b for a, b in zip(bounds, bounds[1:])) or bounds[-1] != 1.0):
        found.add(("townships", "scoring", "grades"),
                  f"expected rank shares rising from A to E and ending at 1.0, got {', '.join(map(str, bounds))}",
                  f"各档位次占比应从A到E逐档递增且最后一档为1.0，实际为{'、'.join(map(str, bounds))}")


def _check_values(value: Any, path: KeyPath, found: _Findings) -> None:
    """YAML allows .nan and .inf, and "  " or a line break passes as text; a reader must never see them."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_values(item, path + (key,), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, path + (index,), found)
    else:
        problem = _value_problem(value)
        if problem is not None:
            found.add(path, *problem)


def _value_problem(value: Any) -> tuple[str, str] | None:
    """What is wrong with one number or text, in English and Chinese; None when nothing is."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, got {value}", f"应为有限的数值，实际为{value}"
    if isinstance(value, str):
        text = value.strip()
        if value and not text:
            return "expected text, got only spaces", "应为文字，实际只有空格"
        if "\n" in text or "\r" in text:
            # Names and sentences are one line; a break would split a heading or a table row.
            return "expected one line of text, got a line break inside it", "应为一行文字，中间不能换行"
    return None


def _task_indicator(item: dict[str, Any]) -> str | None:
    """Indicator ids are keys, kept as typed text; `indicator: 101` must find key `101`."""
    ind_id = item.get("indicator")
    return None if ind_id is None else str(ind_id)


def _few(names: list[str], limit: int = 8) -> str:
    return ", ".join(names[:limit]) + (", …" if len(names) > limit else "")


# --- building -------------------------------------------------------------------

def _build(data: dict[str, Any], source: str) -> Dataset:
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
                     indicator=_task_indicator(item)) for item in raw["items"]))
            for raw in data.get("tasks", [])),
        rules=Rules(**{key: tuple(value) if isinstance(value, list) else value
                       for key, value in data.get("rules", {}).items()}),
    )


def _meta(raw: dict[str, Any]) -> Meta:
    period = parse_period(raw["period"])
    assert period is not None  # checked in _contract_problems
    return Meta(
        region=raw["region"], level=raw["level"], period=period, scope=raw["scope"],
        scope_size=int(raw["scope_size"]), peers=tuple(raw.get("peers", ())), meeting=raw["meeting"],
        speaker=Speaker(title=raw["speaker"]["title"], name=raw["speaker"]["name"]),
        date=_date(raw["date"]), issuer=raw.get("issuer", ""), doc_number=raw.get("doc_number", ""),
        addressees=raw.get("addressees", ""), cc=raw.get("cc", ""), print_date=_date(raw.get("print_date")),
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
        units=tuple(unit if isinstance(unit, Township) else _township(unit, layouts)
                    for unit in raw["units"]),
    )


def _township(raw: dict[str, Any], layouts: dict) -> Township:
    return Township(name=raw["name"], previous_rank=_int(raw.get("previous_rank")),
                    values=PackedValues.pack(raw["values"], layouts))


def _num(value: int | float | None) -> float | None:
    return None if value is None else float(value)


def _int(value: int | float | None) -> int | None:
    return None if value is None else int(value)  # JSON Schema lets 3.0 pass as an integer


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)
