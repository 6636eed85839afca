"""The county departments' race (部门赛马): ranks, moves and grade counts.

Ranks are the data's when given; otherwise they are computed from scores with the
township race's rule (facts/racing.py: higher first, ties share a rank and the next
rank skips), on scores rounded as they are printed.
"""

from __future__ import annotations

from generator.facts import racing
from generator.sources.dataset import Departments

GRADES = ("A", "B", "C", "D", "E")
# What the departments are called when the data does not say.
LABELS = {"县": "县直部门", "区": "区直部门", "市": "市直部门"}
TOP = 3


def department_facts(deps: Departments | None, level: str) -> dict | None:
    """Facts of the `departments` block; None when the file has none."""
    if deps is None:
        return None
    units = list(deps.units)
    given = all(u.rank is not None for u in units)
    if given:
        ranks: list[int | None] = [u.rank for u in units]
    else:
        scored = [i for i, u in enumerate(units) if u.score is not None]
        computed = racing.competition_ranks(
            [round(units[i].score, racing.SCORE_DECIMALS) for i in scored])
        ranks = [None] * len(units)
        for i, r in zip(scored, computed):
            ranks[i] = r
    items = []
    for u, rank in zip(units, ranks):
        move = None if rank is None or u.previous_rank is None else u.previous_rank - rank
        items.append({**u.extra, "name": u.name, "score": u.score, "rank": rank,
                      "previous_rank": u.previous_rank, "rank_move": move, "grade": u.grade,
                      "extra": u.extra})
    # Ranked first (ties keep the file's order), then the units without a rank.
    order = sorted(range(len(items)), key=lambda i: (ranks[i] is None, ranks[i] or 0, i))
    ranked = [items[i] for i in order if ranks[i] is not None]
    unranked = [items[i] for i in order if ranks[i] is None]
    n = len(ranked)
    top = ranked[:min(TOP, n)]
    named = {u["name"] for u in top}
    return {
        **deps.extra,  # the office's own keys; a computed fact of the same name wins
        "label": deps.label or LABELS.get(level, "县直部门"),
        "count": len(items),
        "ranked_count": n,
        "units": ranked + unranked,
        "unranked": [u["name"] for u in unranked],
        "top": top,
        # the last places, worst first, never one already named among the top
        "bottom": [u for u in reversed(ranked[-min(TOP, n):]) if u["name"] not in named] if n else [],
        "risers": sorted((u for u in ranked if (u["rank_move"] or 0) > 0),
                         key=lambda u: (-u["rank_move"], u["rank"])),
        "fallers": sorted((u for u in ranked if (u["rank_move"] or 0) < 0),
                          key=lambda u: (u["rank_move"], u["rank"])),
        "grade_counts": {g: sum(1 for u in items if u["grade"] == g) for g in GRADES},
        "by_grade": {g: [u["name"] for u in ranked + unranked if u["grade"] == g] for g in GRADES},
        "graded_count": sum(1 for u in items if u["grade"] in GRADES),
        "extra": deps.extra,
    }
