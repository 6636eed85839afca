"""Validate plain data against the contract: the JSON Schema, then the checks it cannot express.

Every problem is found in one pass and named by line and key, so the user fixes a
file once rather than once per run.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from generator import limits, resources
from generator.errors import DataError, shown
from generator.facts.period import parse_period
from generator.sources import schema_check
from generator.sources.yaml_reader import KeyPath, Lines, key_path, line_of

if TYPE_CHECKING:  # jsonschema is imported only to explain invalid data
    from jsonschema import Draft202012Validator, ValidationError

from generator.sources.dataset import task_indicator

SCHEMA_PATH = resources.SCHEMA
MAX_NUMBER = limits.MAX_NUMBER
# Characters text may not hold: control characters (a line break has its own message),
# lone surrogates and the two non-characters.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
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


def clean(value: Any) -> bool:
    """Nothing that _check_values would flag or _json_like convert: yes or no, without paths."""
    kind = type(value)
    if kind is bool or value is None:
        return True
    if kind is int:
        return -MAX_NUMBER <= value <= MAX_NUMBER
    if kind is float or kind is str:
        return _value_problem(value) is None
    if kind is dict:
        for item in value.values():
            if not clean(item):
                return False
        return True
    if kind is list:
        for item in value:
            if not clean(item):
                return False
        return True
    return False  # a date, or anything else unusual


def township_outline(raw: dict[str, Any], shared: dict[tuple, tuple]) -> dict[str, Any]:
    """What the county's checks read of a township (_check_townships): its name, its
    previous rank and which indicators it reports, as plain data. The quick loader keeps
    this of each township it has checked and packed, not the whole mapping; townships
    reporting the same indicators share one tuple of their ids (`shared`)."""
    ids = tuple(raw["values"])
    outline = {"name": raw["name"], "values": shared.setdefault(ids, ids)}
    if "previous_rank" in raw:
        outline["previous_rank"] = raw["previous_rank"]
    return outline


def _where(source: str, problem: Problem) -> str:
    key = f" {problem.key}:" if problem.key else ""
    return f"{source}:{problem.line}:{key} "


def json_like(value: Any) -> Any:
    """YAML dates → ISO text so JSON Schema can check them; the builder parses them back.

    A mapping or list without dates is returned as it is: thousands of township
    values need no copy.
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dict):
        changed = {key: new for key, item in value.items()
                   if (new := json_like(item)) is not item}
        return {**value, **changed} if changed else value
    if isinstance(value, list):
        items = [json_like(item) for item in value]
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
def quick_schema_check() -> schema_check.Check | None:
    """The whole contract, less each township's own definition: the quick loader checks
    every township against it as the township is read (quick_township_check), and what
    stays in the data after that is the township's outline (township_outline)."""
    return schema_check.compile_schema(_schema(), checked=frozenset({"township"}))


@lru_cache(maxsize=1)
def quick_township_check() -> schema_check.Check | None:
    return schema_check.compile_schema(_schema(), part="township")


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_problems(data: dict[str, Any], lines: Lines) -> list[Problem]:
    problems: dict[tuple[int, str, str], Problem] = {}
    for error in validator().iter_errors(data):
        for path, en, zh in _explain(error):
            problem = Problem(line_of(path, lines), key_path(path), en, zh)
            problems[(problem.line, problem.key, problem.en)] = problem  # one per key and message
    return list(problems.values())


def _explain(error: ValidationError) -> list[tuple[KeyPath, str, str]]:
    """A jsonschema error → (key path, en, zh) in the user's terms, "expected …, got …"."""
    path: KeyPath = tuple(error.absolute_path)
    schema, instance, kind, limit = error.schema, error.instance, error.validator, error.validator_value
    got_en, got_zh = shown(instance)
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
        # YAML 1.1 reads yes/no/on/off as true/false: say so where a name or a number belongs.
        hint_en = (" (YAML reads yes/no/on/off as true/false: put a name in quotes)"
                   if isinstance(instance, bool) else "")
        hint_zh = "（YAML会把yes/no/on/off当作true/false：名称请加引号）" if isinstance(instance, bool) else ""
        return [(path, f"expected {' or '.join(_TYPE_WORDS[t][0] for t in types)}, got {got_en}{hint_en}",
                 f"应为{'或'.join(_TYPE_WORDS[t][1] for t in types)}，实际为{got_zh}{hint_zh}")]
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
        shown_en, shown_zh = shown(repeated)
        return [(path, f"expected no repeats, got {shown_en} twice", f"不应重复，{shown_zh}出现了两次")]
    return [(path, error.message, f"不符合格式要求：{error.message}")]


_BOUNDS = {
    "minimum": ("≥", "不小于"),
    "exclusiveMinimum": (">", "大于"),
    "maximum": ("≤", "不大于"),
    "exclusiveMaximum": ("<", "小于"),
}


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


def contract_problems(data: dict[str, Any], lines: Lines) -> list[Problem]:
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
        _check_scope_units(ind, base, meta, found)
    for index, item in enumerate(data.get("problem_lists", [])):
        for key in ("rank", "previous_rank"):
            found.rank(("problem_lists", index, key), item.get(key), size, "meta.scope_size")
    if "townships" in data:
        _check_townships(data["townships"], found)
    known = list(data["indicators"])
    for t_index, theme in enumerate(data.get("tasks", [])):
        for i_index, item in enumerate(theme["items"]):
            ind_id = task_indicator(item)
            if ind_id is not None and ind_id not in data["indicators"]:
                found.add(("tasks", t_index, "items", i_index, "indicator"),
                          f'unknown indicator id "{ind_id}" (not a key of indicators: {_few(known)})',
                          f'指标id"{ind_id}"不存在（indicators中没有这个键）')
    for index, item in enumerate(data.get("highlights", [])):
        ind_id = task_indicator(item)
        if ind_id is not None and ind_id not in data["indicators"]:
            found.add(("highlights", index, "indicator"),
                      f'unknown indicator id "{ind_id}" (not a key of indicators: {_few(known)})',
                      f'指标id"{ind_id}"不存在（indicators中没有这个键）')
    if "investment_promotion" in data:
        _unique(data["investment_promotion"].get("townships", []),
                ("investment_promotion", "townships"), "township", "乡镇", found)
    if "departments" in data:
        _check_departments(data["departments"]["units"], found)
    if "assessment" in data:
        _check_assessment(data["assessment"], parse_period(meta["period"]), found)
    return found.problems


def _unique(items: list[dict[str, Any]], path: KeyPath, what: str, what_zh: str,
            found: _Findings, key: str = "name") -> None:
    """Each name once in a list: a unit said twice would be counted twice."""
    first_seen: dict[str, int] = {}
    for index, item in enumerate(items):
        name = item[key]
        if name in first_seen:
            first = line_of(path + (first_seen[name], key), found.lines)
            found.add(path + (index, key), f'duplicate {what} name "{name}" (first at line {first})',
                      f'{what_zh}名称"{name}"重复（第{first}行已出现）')
        first_seen.setdefault(name, index)


def _check_departments(units: list[dict[str, Any]], found: _Findings) -> None:
    path = ("departments", "units")
    _unique(units, path, "department", "部门", found)
    with_rank = [i for i, u in enumerate(units) if u.get("rank") is not None]
    if with_rank and len(with_rank) < len(units):
        # Half given, half computed, two orders would be mixed into one ranking.
        missing = next(i for i, u in enumerate(units) if u.get("rank") is None)
        found.add(path + (missing, "rank"),
                  "rank is given for some departments and not for others: give it for every "
                  "department, or for none and let it be computed from score",
                  "部分部门填了rank、部分没有填：要么全部填写，要么都不填（按score排出位次）")
    for index, unit in enumerate(units):
        for key in ("rank", "previous_rank"):
            found.rank(path + (index, key), unit.get(key), len(units), "number of departments", "部门个数")


def _check_assessment(assessment: dict[str, Any], period, found: _Findings) -> None:
    year = assessment["year"]
    if period is not None and year > period.year:
        found.add(("assessment", "year"),
                  f"expected a year not after the period's ({period.year}), got {year}",
                  f"考核年度不应晚于报告期所在年份（{period.year}），实际为{year}")
    county = assessment.get("county")
    if county is not None:
        size = county.get("group_size")
        if size is not None:
            for key in ("rank", "previous_rank"):
                found.rank(("assessment", "county", key), county.get(key), size,
                           "assessment.county.group_size")
        seen: dict[int, int] = {}
        for index, point in enumerate(county.get("history", [])):
            at = ("assessment", "county", "history", index)
            earlier = point["year"]
            if earlier >= year:
                found.add(at + ("year",), f"expected a year before the assessment's ({year}), got {earlier}",
                          f"应为考核年度（{year}）之前的年份，实际为{earlier}")
            if earlier in seen:
                first = line_of(("assessment", "county", "history", seen[earlier], "year"), found.lines)
                found.add(at + ("year",), f"duplicate year {earlier} (first at line {first})",
                          f"年份{earlier}重复（第{first}行已出现）")
            seen.setdefault(earlier, index)
            own = point.get("group_size", size)
            if own is not None:
                found.rank(at + ("rank",), point.get("rank"), own, "its group_size", "组内单位数")
    units = assessment.get("units", [])
    _unique(units, ("assessment", "units"), "unit", "单位", found)
    per_kind: dict[str, int] = {}
    for unit in units:
        per_kind[unit["kind"]] = per_kind.get(unit["kind"], 0) + 1
    for index, unit in enumerate(units):
        count = per_kind[unit["kind"]]
        for key in ("rank", "previous_rank"):
            found.rank(("assessment", "units", index, key), unit.get(key), count,
                       f'number of units of kind {unit["kind"]}', f'“{unit["kind"]}”类单位数')
def _check_scope_units(ind: dict[str, Any], base: KeyPath, meta: dict[str, Any], found: _Findings) -> None:
    """An indicator's scope_units: ranks in the scope, each name once, no more units than the scope
    has, and our own entry saying what the indicator says (an edit to one place only is caught)."""
    units = ind.get("scope_units", [])
    size = meta["scope_size"]
    if len(units) > size:
        found.add(base + ("scope_units",), f"expected at most {size} units (meta.scope_size), got {len(units)}",
                  f"单位数不应超过meta.scope_size（{size}个），实际为{len(units)}个")
    first_seen: dict[str, int] = {}
    ours = {"value": ind.get("value"), "growth": ind.get("growth"), "rank": ind.get("rank"),
            "grade": ind.get("grade"), "previous_rank": ind.get("previous", {}).get("rank")}
    for index, unit in enumerate(units):
        path = base + ("scope_units", index)
        for key in ("rank", "previous_rank"):
            found.rank(path + (key,), unit.get(key), size, "meta.scope_size")
        name = unit["name"]
        if name in first_seen:
            first = line_of(base + ("scope_units", first_seen[name], "name"), found.lines)
            found.add(path + ("name",), f'duplicate unit "{name}" (first at line {first})',
                      f'单位"{name}"重复（第{first}行已出现）')
        first_seen.setdefault(name, index)
        if name != meta["region"]:
            continue
        for key, mine in ours.items():
            theirs = unit.get(key)
            if theirs is not None and theirs != mine:  # a part the table did not give is not compared
                where = f"indicators.{base[-1]}.{'previous.rank' if key == 'previous_rank' else key}"
                got_en, got_zh = shown(theirs)
                mine_en, mine_zh = shown(mine)
                found.add(path + (key,), f"{name}'s own entry has {got_en}, but {where} has {mine_en}; "
                                         "make them agree",
                          f"{name}本单位一项为{got_zh}，但{where}为{mine_zh}，两处应一致")


def _check_townships(townships: dict[str, Any], found: _Findings) -> None:
    units = townships["units"]
    known = list(townships["indicators"])
    first_seen: dict[str, int] = {}
    for index, unit in enumerate(units):
        path = ("townships", "units", index)
        # A whole township, or its outline (township_outline): the same three things.
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
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        # Sums and products of such figures overflow to inf, and scores become nan.
        got = f"a whole number of {len(str(abs(value)))} digits" if isinstance(value, int) \
            and value.bit_length() < 14_000 else (f"{value:.3g}" if isinstance(value, float)
                                                   else "a whole number of thousands of digits")
        return (f"expected a number between -1e15 and 1e15, got {got}",
                f"数值超出范围（应在-1e15到1e15之间），实际为{got}")
    if isinstance(value, str):
        bad = _UNPRINTABLE.search(value)
        if bad is not None:
            # A lone surrogate cannot be written as UTF-8 at all; NUL and the other control
            # characters make a .docx that Word refuses to open.
            code = f"U+{ord(bad.group()):04X}"
            return (f"expected text, got {code}, which is not a printable character (written as an "
                    "escape such as \\u or \\x)",
                    f"含有不可打印的字符{code}（以\\u、\\x等转义写入），请删除")
        text = value.strip()
        if value and not text:
            return "expected text, got only spaces", "应为文字，实际只有空格"
        if "\n" in text or "\r" in text:
            # Names and sentences are one line; a break would split a heading or a table row.
            return "expected one line of text, got a line break inside it", "应为一行文字，中间不能换行"
    return None



def _few(names: list[str], limit: int = 8) -> str:
    return ", ".join(names[:limit]) + (", …" if len(names) > limit else "")
