"""Figures the bureau has not published yet: 待补 in the data.

An office writes `growth: 待补` where a figure is late. That is not a wrong value:
the loader takes every 待补 out before the data is validated (`extract`), so the
figure is absent to the analysis, and remembers where it was. `待补` may stand
wherever the contract lets a figure be left out (null); anywhere else it is an error
that says so (`explain`).

Without --draft, pending figures stop the run with one error that lists them all
(`refuse`). With --draft, the templates read each one as a placeholder
(generator/audit/figures.Pending), printed 【待补：固定资产投资增速】 where the figure
would stand, and the run ends by listing what is missing and where.

`null` keeps its meaning in the contract, "no such figure" (and 未报送 for a
township's value): a file that leaves a key empty stays valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from generator.errors import DataError
from generator.sources.yaml_reader import KeyPath, Lines, key_path, line_of

PENDING_WORDS = frozenset({"待补"})

# An indicator's own figures as the facts name them, and how a placeholder says them.
_FIELD_WORDS = {"value": "", "growth": "增速", "rank": "位次", "grade": "档次"}
_SNAPSHOT_FACTS = {"previous": "previous_{}", "target": "target_{}"}


def is_pending(value: Any) -> bool:
    return isinstance(value, str) and value.strip() in PENDING_WORDS


def extract(data: Any, lines: Lines | None = None) -> tuple[Any, list[dict]]:
    """The data with every 待补 made null, and the pending figures, each with its line."""
    found: list[tuple[KeyPath, Any]] = []

    def walk(value: Any, path: KeyPath) -> Any:
        if is_pending(value):
            found.append((path, value))
            return None
        if isinstance(value, dict):
            changed = {k: new for k, item in value.items() if (new := walk(item, path + (k,))) is not item}
            return {**value, **changed} if changed else value
        if isinstance(value, list):
            items = [walk(item, path + (i,)) for i, item in enumerate(value)]
            return items if any(a is not b for a, b in zip(items, value)) else value
        return value

    cleaned = walk(data, ())
    entries = [{"key": key_path(path), "line": line_of(path, lines or {}),
                "label": _label(data, path), "facts_path": _facts_path(path)} for path, _ in found]
    return cleaned, entries


def explain(problems: list, entries: list[dict]) -> list:
    """A contract problem at a pending key says that the key cannot wait, not "got nothing"."""
    keys = {e["key"] for e in entries}
    out = []
    for problem in problems:
        if problem.key in keys:
            problem = replace(
                problem,
                en="待补 (pending) is only for a figure that may be left out; this one is required",
                zh="只有可以空缺的数字才能写“待补”，此项必须填写")
        out.append(problem)
    return out


def refuse(entries: list[dict], source: str) -> None:
    """Pending figures without --draft: one error listing every one of them."""
    if not entries:
        return
    lines_en = [(f"{len(entries)} figure{'s are' if len(entries) > 1 else ' is'} still pending (待补); "
                "fill them in, or write a draft with --draft:")]
    lines_zh = [f"共{len(entries)}项数据待补；请补齐数据，或加 --draft 先生成草稿："]
    for e in entries:
        lines_en.append(f"  {source}:{e['line']}: {e['key']} ({e['label']})")
        lines_zh.append(f"  {source}:{e['line']}: {e['key']}（{e['label']}）")
    raise DataError("\n".join(lines_en), "\n".join(lines_zh), file=source)


def with_facts(facts: dict, dataset: Any) -> dict:
    """The facts with the pending figures a template may read (`pending_figures`).

    An indicator's pending figure is also one of its statements, neutral and marked
    `pending`, so that a sentence plan can keep its place (the template then prints the
    figure, and the draft's placeholder stands there).
    """
    entries = [dict(e) for e in getattr(dataset, "pending", ())]
    facts["pending_figures"] = entries
    by_id = {f["id"]: f for f in facts.get("indicators", ()) if isinstance(f, dict)}
    for e in entries:
        path = e["key"].split(".")
        if len(path) == 3 and path[0] == "indicators" and path[2] in _STATEMENT_OF and path[1] in by_id:
            f = by_id[path[1]]
            if isinstance(f.get("statements"), list):
                f["statements"].append({"kind": _STATEMENT_OF[path[2]], "polarity": "neutral",
                                        "strong": False, "salience": 0, "short": False,
                                        "pending": e["key"]})
    return facts


# The statement that says an indicator's own figure (facts/statements.py kinds).
_STATEMENT_OF = {"growth": "growth", "rank": "rank", "grade": "grade"}


# ---------------------------------------------------------------- names

def _get(data: Any, *path: Any) -> Any:
    for step in path:
        if isinstance(data, Mapping):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data


def _name(data: Any, *path: Any) -> str:
    value = _get(data, *path)
    return value if isinstance(value, str) else ""


def _label(data: Any, path: KeyPath) -> str:
    """What a placeholder calls the figure: 固定资产投资增速, 东山镇固定资产投资完成数."""
    if len(path) >= 3 and path[0] == "indicators":
        name = _name(data, "indicators", path[1], "name") or str(path[1])
        field = path[-1]
        word = _FIELD_WORDS.get(field, str(field))
        if len(path) == 3:
            return name + word
        part = path[2]
        if part == "previous":
            return f"{name}上期{word or '数值'}"
        if part == "target":
            return f"{name}{'增长目标' if field == 'growth' else '年度目标'}"
        if part == "scope_average":
            return f"{name}{_name(data, 'meta', 'scope')}平均{word or '水平'}"
        if part == "peers" and len(path) == 5:
            return f"{name}{path[3]}{word or '数值'}"
        return name + word
    if len(path) == 6 and path[:2] == ("townships", "units") and path[3] == "values":
        unit = _name(data, "townships", "units", path[2], "name")
        ind = _name(data, "townships", "indicators", path[4], "name") or str(path[4])
        return f"{unit}{ind}{'目标' if path[5] == 'target' else '完成数'}"
    if len(path) == 3 and path[0] == "projects":
        project = _name(data, "projects", path[1], "name")
        return project + {"planned": "计划投资", "completed": "完成投资"}.get(str(path[2]), str(path[2]))
    return key_path(path)


def _facts_path(path: KeyPath) -> str | None:
    """Where a template reads the figure (figures.path_text form); None when no template can.

    A township's pending value is not reported to the race (its 未报送), and a required
    figure cannot be pending, so those have none.
    """
    if len(path) >= 3 and path[0] == "indicators":
        base = f"indicators[{path[1]}]"
        if len(path) == 3 and path[2] in _FIELD_WORDS:
            return f"{base}.{path[2]}"
        if len(path) == 4 and path[2] in _SNAPSHOT_FACTS:
            return f"{base}.{_SNAPSHOT_FACTS[path[2]].format(path[3])}"
        if len(path) == 4 and path[2] == "scope_average":
            return f"{base}.scope_average"
        return None
    if path and path[0] in ("meta", "townships", "projects", "tasks", "problem_lists"):
        return None
    if all(isinstance(step, str) for step in path):
        return ".".join(path)  # an added block the facts carry as the data has it
    return None
