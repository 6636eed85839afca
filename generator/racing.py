"""Township horse race (赛马比拼): scores, ranks, grades and schedule checks.

Pure functions over dataset.Townships; the result is plain data (dicts and
lists) that templates and tables read directly. Scoring methods are looked up
by the name in `townships.scoring.method`, so an office can add one without
touching the rest of the pipeline.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from generator import zh
from generator.dataset import Scoring, Township, TownshipIndicator, Townships
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
        gap = schedule * 100
    elif ind.better == "lower":
        gap = (completion - schedule) * 100
    else:
        gap = (schedule - completion) * 100
    gap = float(zh.number(gap, 1))
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


def _unit_result(unit: Township, townships: Townships, schedule: float,
                 method: Callable[..., dict]) -> dict:
    per = {}
    for ind_id, ind in townships.indicators.items():
        tv = unit.values.get(ind_id)
        value = tv.value if tv else None
        target = tv.target if tv else None
        per[ind_id] = {"id": ind_id, "name": ind.name, "unit": ind.unit, "better": ind.better,
                       "weight": ind.weight, "value": value, "target": target,
                       "missing": value is None,
                       **method(ind, value, target, schedule, townships.scoring)}
    assessed = [p for p in per.values() if p["assessed"]]
    assessed_weight = sum(p["weight"] for p in assessed)
    total_weight = sum(ind.weight for ind in townships.indicators.values())
    raw = sum(p["score"] for p in assessed)
    # An indicator with no target is left out and the rest rescaled to full
    # weight, so a township is not punished for a target nobody set.
    total = raw * total_weight / assessed_weight if assessed_weight else 0.0
    return {"name": unit.name, "previous_rank": unit.previous_rank,
            "score": round(total, SCORE_DECIMALS), "indicators": per,
            "rows": list(per.values()),  # the same entries, in indicator order
            "on_schedule_count": sum(1 for p in assessed if p["on_schedule"]),
            "assessed_count": len(assessed)}


def race(townships: Townships, schedule: float, *, next_schedule: float | None = None,
         bottom_n: int = 3) -> dict:
    """Score, rank and grade every township; collect the counts speeches quote."""
    method = METHODS.get(townships.scoring.method)
    if method is None:
        raise DataError(
            f"unknown scoring method {townships.scoring.method!r}; expected one of {', '.join(METHODS)}",
            f"未知的计分方法“{townships.scoring.method}”，可选：{'、'.join(METHODS)}",
            key="townships.scoring.method")
    units = [_unit_result(u, townships, schedule, method) for u in townships.units]
    if next_schedule is not None:
        for unit in units:
            for p in unit["indicators"].values():
                p.update(_next_step(p, next_schedule))
    ranks = competition_ranks([u["score"] for u in units])
    n = len(units)
    for unit, rank in zip(units, ranks):
        unit["rank"] = rank
        unit["grade"] = grade_for(rank, n, townships.scoring.grades)
        prev = unit["previous_rank"]
        unit["rank_move"] = None if prev is None else prev - rank
        unit["all_on_schedule"] = unit["assessed_count"] > 0 and \
            unit["on_schedule_count"] == unit["assessed_count"]
    ranked = sorted(units, key=lambda u: u["rank"])  # ties keep the data file's order
    _rank_within_indicators(ranked, townships)

    indicators = []
    for ind_id, ind in townships.indicators.items():
        rows = [u["indicators"][ind_id] | {"township": u["name"]} for u in ranked]
        assessed = [r for r in rows if r["assessed"]]
        by_score = sorted(assessed, key=lambda r: -r["score"])
        indicators.append({
            "id": ind_id, "name": ind.name, "unit": ind.unit, "weight": ind.weight,
            "better": ind.better,
            "assessed_count": len(assessed),
            "on_schedule": [r["township"] for r in assessed if r["on_schedule"]],
            "behind_schedule": [r["township"] for r in
                                sorted(assessed, key=lambda r: -r["schedule_gap"])
                                if not r["on_schedule"]],
            "zero_score": [r["township"] for r in assessed if r["score"] == 0],
            "missing": [r["township"] for r in rows if r["missing"]],
            "leader": by_score[0]["township"] if by_score else None,
            "laggard": by_score[-1]["township"] if len(by_score) > 1 else None,
        })
    bottom_n = min(bottom_n, n)
    return {
        "count": n,
        "indicator_count": len(townships.indicators),
        "cap": townships.scoring.cap,
        "total_weight": sum(i.weight for i in townships.indicators.values()),
        "average_score": round(sum(u["score"] for u in units) / n, SCORE_DECIMALS) if n else None,
        "schedule": schedule,
        "units": ranked,
        "indicators": indicators,
        "top": ranked[:bottom_n],
        "bottom": list(reversed(ranked[-bottom_n:])) if bottom_n else [],
        "risers": sorted((u for u in ranked if (u["rank_move"] or 0) > 0),
                         key=lambda u: (-u["rank_move"], u["rank"])),
        "fallers": sorted((u for u in ranked if (u["rank_move"] or 0) < 0),
                          key=lambda u: (u["rank_move"], u["rank"])),
        "all_on_schedule": [u["name"] for u in ranked if u["all_on_schedule"]],
        "none_on_schedule": [u["name"] for u in ranked
                             if u["assessed_count"] and u["on_schedule_count"] == 0],
        "grade_counts": {g: sum(1 for u in ranked if u["grade"] == g)
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


def _rank_within_indicators(ranked: list[dict], townships: Townships) -> None:
    """Each township's rank among all townships on each indicator's score."""
    for ind_id in townships.indicators:
        scores = [u["indicators"][ind_id]["score"] for u in ranked]
        known = [s if s is not None else -1.0 for s in scores]
        for unit, rank, score in zip(ranked, competition_ranks(
                [round(s, SCORE_DECIMALS) for s in known]), scores):
            unit["indicators"][ind_id]["rank"] = rank if score is not None else None
