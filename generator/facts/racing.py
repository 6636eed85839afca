"""Township horse race (赛马比拼): scores, ranks, grades and schedule checks.

Pure functions over dataset.Townships; the result is plain data (dicts and
lists, each township a read-only mapping whose per-indicator entries are
worked out when read) that templates and tables read directly. Scoring
methods are looked up by the name in `townships.scoring.method`, so an office
can add one without touching the rest of the pipeline.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Mapping

from generator.facts import schedule as schedule_line
from generator.wording import zh
from generator.sources.dataset import Scoring, Township, TownshipIndicator, Townships
from generator.errors import DataError

# Scores are compared after rounding, so two townships that print the same
# score also share a rank.
SCORE_DECIMALS = 2


def _ratio(ind: TownshipIndicator, value: float | None, target: float | None,
           schedule: float, cap: float) -> tuple[float | None, float | None]:
    """(completion, schedule ratio) of one township on one indicator.

    completion = value ÷ annual target. The schedule ratio is how far the unit
    is ahead of or behind 序时进度, 1.0 meaning exactly on schedule; for
    `better: lower` (a ceiling such as 信访案件数) it is allowed ÷ actual, so a
    smaller value scores higher. None when the indicator cannot be assessed.
    """
    if target is None or target <= 0:
        return None, None
    if value is None:
        return None, 0.0
    completion = value / target
    if ind.better == "lower":
        allowed = target * schedule
        ratio = cap if value <= 0 else allowed / value
    else:
        ratio = max(completion, 0.0) / schedule
    return completion, min(ratio, cap)


def score_completion(ind: TownshipIndicator, value: float | None, target: float | None,
                     schedule: float, scoring: Scoring) -> dict:
    """The `completion` method: weight × min(completion ÷ schedule, cap)."""
    completion, ratio = _ratio(ind, value, target, schedule, scoring.cap)
    if ratio is None:
        return {"assessed": False, "completion": None, "score": None,
                "on_schedule": None, "schedule_gap": None}
    # 个百分点 behind schedule (negative = ahead), decided as printed: one decimal
    if completion is None:  # value missing: scored as nothing done
        gap = zh.rounded(schedule * 100, 1)
    else:
        gap = schedule_line.gap_points(completion, schedule, ind.better)
    on_schedule = completion is not None and gap <= 0
    return {
        "assessed": True,
        "completion": None if completion is None else round(completion, 6),
        "score": round(ind.weight * ratio, 6),
        "on_schedule": on_schedule,
        "schedule_gap": gap,
    }


METHODS: dict[str, Callable[..., dict]] = {"completion": score_completion}


def competition_ranks(scores: list[float]) -> list[int]:
    """1-based ranks, higher score first; ties share a rank and the next rank skips."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    ranks = [0] * len(scores)
    for pos, i in enumerate(order):
        if pos and scores[i] == scores[order[pos - 1]]:
            ranks[i] = ranks[order[pos - 1]]
        else:
            ranks[i] = pos + 1
    return ranks


def grade_for(rank: int, count: int, bands: dict[str, float]) -> str:
    """The first band whose share of places, rounded up, reaches the rank.

    With A: 0.2 the top ceil(20%) of units are A, so the best of a single
    township, or of three, is always A.
    """
    for grade, bound in sorted(bands.items(), key=lambda kv: kv[1]):
        if rank <= math.ceil(bound * count - 1e-9):
            return grade
    return max(bands, key=bands.get)


class UnitFacts(Mapping):
    """One township's result: a few figures kept, its per-indicator entries rebuilt.

    `indicators` (by id), `rows` (in indicator order) and the selections of
    them a scorecard speaks of hold twenty-odd figures per indicator. A county
    of thousands of townships would keep a dict for every township and
    indicator that only that township's scorecard reads, so they are worked
    out again from the data whenever they are read.
    """

    __slots__ = ("_fields", "_board", "_index")
    # by id; in indicator order; then the selections a scorecard speaks of
    _LAZY = ("indicators", "rows", "assessed", "ahead", "behind", "leading", "unreported",
             "done", "kept_down")

    def __init__(self, fields: dict, board: _Board, index: int):
        self._fields, self._board, self._index = fields, board, index

    def __getitem__(self, key):
        if key in self._LAZY:
            return self._board.detail(self._index)[key]
        return self._fields[key]

    def __iter__(self):
        yield from self._fields
        yield from self._LAZY

    def __len__(self):
        return len(self._fields) + len(self._LAZY)

    def __repr__(self):
        return f"UnitFacts({self._fields['name']!r})"


class _Board:
    """What a township's per-indicator entries are rebuilt from: the data, the
    schedule, and each township's rank on each indicator (computed once, for all)."""

    def __init__(self, townships: Townships, schedule: float, next_schedule: float | None,
                 method: Callable[..., dict]):
        self.townships, self.schedule, self.next_schedule = townships, schedule, next_schedule
        self.method = method
        self.ranks: dict[str, array] = {}  # by indicator: rank of each township, 0 = not scored
        self._last: tuple[int, dict] | None = None

    def score(self, unit: Township, ind: TownshipIndicator) -> tuple[float | None, float | None, dict]:
        """(value, target, what the scoring method says) of one township on one indicator."""
        tv = unit.values.get(ind.id)
        value = tv.value if tv else None
        target = tv.target if tv else None
        return value, target, self.method(ind, value, target, self.schedule, self.townships.scoring)

    def entry(self, unit: Township, ind: TownshipIndicator) -> dict:
        value, target, scored = self.score(unit, ind)
        entry = {"id": ind.id, "name": ind.name, "unit": ind.unit, "better": ind.better,
                 "weight": ind.weight, "value": value, "target": target, "missing": value is None,
                 **scored}
        if self.next_schedule is not None:
            entry.update(_next_step(entry, self.next_schedule))
        return entry

    def detail(self, index: int) -> dict[str, dict | list]:
        """A township's per-indicator entries, by id and in order, and selections of them."""
        # A template reads several of these of the same township in turn: keep
        # the last one built, so all of them hold the same entries.
        if self._last is not None and self._last[0] == index:
            return self._last[1]
        unit = self.townships.units[index]
        per = {}
        for ind_id, ind in self.townships.indicators.items():
            entry = self.entry(unit, ind)
            entry["rank"] = self.ranks[ind_id][index] or None
            per[ind_id] = entry
        rows = list(per.values())
        assessed = [p for p in rows if p["assessed"]]
        ahead = sorted((p for p in assessed if p["on_schedule"]), key=lambda p: p["score"],
                       reverse=True)
        detail = {
            "indicators": per,
            "rows": rows,
            "assessed": assessed,
            "ahead": ahead,  # on schedule, highest score first
            # furthest first; a figure not reported is "unreported", never "behind"
            "behind": sorted((p for p in assessed if not p["on_schedule"] and not p["missing"]),
                             key=lambda p: p["schedule_gap"], reverse=True),
            "leading": [p for p in ahead if p["rank"] == 1],  # first of all townships
            # on schedule, said apart: targets reached, and ceilings kept under their line
            "done": [p for p in ahead if p["better"] != "lower"],
            "kept_down": [p for p in ahead if p["better"] == "lower"],
            # figures not reported where they count: scored as zero
            "unreported": [p for p in assessed if p["missing"]],
        }
        self._last = (index, detail)
        return detail


def race(townships: Townships, schedule: float, *, next_schedule: float | None = None,
         bottom_n: int = 3) -> dict:
    """Score, rank and grade every township; collect the counts speeches quote."""
    method = METHODS.get(townships.scoring.method)
    if method is None:
        raise DataError(
            f"unknown scoring method {townships.scoring.method!r}; expected one of {', '.join(METHODS)}",
            f"未知的计分方法“{townships.scoring.method}”，可选：{'、'.join(METHODS)}",
            key="townships.scoring.method")
    board = _Board(townships, schedule, next_schedule, method)
    inds = list(townships.indicators.values())
    total_weight = sum(ind.weight for ind in inds)
    n = len(townships.units)
    # Per indicator, one column over the townships (data order): score (NaN when
    # not scored), schedule gap, on schedule, missing. Each township's entries
    # are dropped as soon as they are counted.
    scores = [array("d", [math.nan]) * n for _ in inds]
    gaps = [array("d", [math.nan]) * n for _ in inds]
    on_schedule = [bytearray(n) for _ in inds]
    missing = [bytearray(n) for _ in inds]
    fields = []
    for i, unit in enumerate(townships.units):
        raw = assessed_weight = 0.0
        assessed = on_count = 0
        for k, ind in enumerate(inds):
            value, _, p = board.score(unit, ind)
            missing[k][i] = value is None
            if not p["assessed"]:
                continue
            scores[k][i], gaps[k][i], on_schedule[k][i] = p["score"], p["schedule_gap"], p["on_schedule"]
            raw += p["score"]
            assessed_weight += ind.weight
            assessed += 1
            on_count += p["on_schedule"]
        # An indicator with no target is left out and the rest rescaled to full
        # weight, so a township is not punished for a target nobody set.
        total = raw * total_weight / assessed_weight if assessed_weight else 0.0
        fields.append({**unit.extra, "name": unit.name, "previous_rank": unit.previous_rank,
                       "extra": unit.extra,
                       "score": round(total, SCORE_DECIMALS),
                       "on_schedule_count": on_count, "assessed_count": assessed})

    ranks = competition_ranks([f["score"] for f in fields])
    sharing = Counter(ranks)
    for f, rank in zip(fields, ranks):
        f["rank"] = rank
        f["tied"] = sharing[rank] > 1  # 并列第N位
        f["grade"] = grade_for(rank, n, townships.scoring.grades)
        prev = f["previous_rank"]
        f["rank_move"] = None if prev is None else prev - rank
        f["all_on_schedule"] = f["assessed_count"] > 0 and f["on_schedule_count"] == f["assessed_count"]
    order = sorted(range(n), key=lambda i: ranks[i])  # ties keep the data file's order
    ranked = [UnitFacts(fields[i], board, i) for i in order]
    names = [fields[i]["name"] for i in order]

    indicators = []
    for k, ind in enumerate(inds):
        col = scores[k]
        scored = [s == s for s in col]  # not NaN
        # Each township's rank among all townships on this indicator's score.
        per_rank = competition_ranks([round(s, SCORE_DECIMALS) if ok else -1.0
                                      for s, ok in zip(col, scored)])
        board.ranks[ind.id] = array("l", (r if ok else 0 for r, ok in zip(per_rank, scored)))
        assessed = [i for i in order if scored[i]]  # ranked order
        by_score = sorted(assessed, key=lambda i: -col[i])
        indicators.append({
            "id": ind.id, "name": ind.name, "unit": ind.unit, "weight": ind.weight,
            "better": ind.better,
            "assessed_count": len(assessed),
            "on_schedule": [fields[i]["name"] for i in assessed if on_schedule[k][i]],
            # A township that has not reported is said to be missing, never to be
            # lagging or to have scored nothing: the office chases the figure first.
            "behind_schedule": [fields[i]["name"] for i in
                                sorted(assessed, key=lambda i: -gaps[k][i])
                                if not on_schedule[k][i] and not missing[k][i]],
            "zero_score": [fields[i]["name"] for i in assessed if col[i] == 0 and not missing[k][i]],
            "missing": [fields[i]["name"] for i in order if missing[k][i]],
            "leader": fields[by_score[0]]["name"] if by_score else None,
            "laggard": fields[by_score[-1]]["name"] if len(by_score) > 1 else None,
        })
    bottom_n = min(bottom_n, n)
    return {
        "count": n,
        "indicator_count": len(inds),
        "cap": townships.scoring.cap,
        "total_weight": total_weight,
        "average_score": round(sum(f["score"] for f in fields) / n, SCORE_DECIMALS) if n else None,
        "schedule": schedule,
        "units": ranked,
        "indicators": indicators,
        "top": ranked[:bottom_n],
        "bottom": list(reversed(ranked[-bottom_n:])) if bottom_n else [],
        "risers": sorted((u for u in ranked if (u["rank_move"] or 0) > 0),
                         key=lambda u: (-u["rank_move"], u["rank"])),
        "fallers": sorted((u for u in ranked if (u["rank_move"] or 0) < 0),
                          key=lambda u: (u["rank_move"], u["rank"])),
        "all_on_schedule": [name for name, i in zip(names, order) if fields[i]["all_on_schedule"]],
        "none_on_schedule": [name for name, i in zip(names, order)
                             if fields[i]["assessed_count"] and fields[i]["on_schedule_count"] == 0],
        "grade_counts": {g: sum(1 for f in fields if f["grade"] == g)
                         for g in sorted(townships.scoring.grades)},
    }


def _next_step(p: dict, next_schedule: float) -> dict:
    """Where the next period's schedule line lies, and how far the township is from it.

    next_line: the cumulative amount due (better: higher) or allowed (better:
    lower, rounded down: a ceiling of 5.25 cases is 5) at the next period's end.
    next_need: what is still to do to reach the line; None when already there.
    """
    if not p["assessed"]:
        return {"next_line": None, "next_need": None}
    line = p["target"] * next_schedule
    if p["better"] == "lower":
        return {"next_line": float(math.floor(line + 1e-9)), "next_need": None}
    need = line - (p["value"] or 0.0)
    return {"next_line": round(line, 6), "next_need": round(need, 6) if need > 0 else None}
