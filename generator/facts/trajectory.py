"""An indicator's rank over time, from `history` (oldest first), `previous` and now.

Two things a writer says of a trajectory: a run of moves in one direction
(位次连续3个季度前移) and a record (为近5年最好位次). Both need the earlier
periods to have been ranked; a gap in the history ends the run.
"""

from __future__ import annotations

# A run counts from this many moves in one direction; a record from this many periods.
MIN_STREAK = 2
MIN_RECORD = 4


def trajectory(history: list[dict], previous_rank: int | None, rank: int | None) -> dict | None:
    """{streak, direction, best_of, worst_of} or None when there is nothing to say.

    streak: consecutive rank moves in one direction ending now; direction: up (better)
    or down; best_of / worst_of: the number of periods (now included) of which the
    current rank is strictly the best / worst.
    """
    ranks = [h["rank"] for h in history] + [previous_rank, rank]
    if rank is None or previous_rank is None:
        return None
    # the latest unbroken stretch of ranked periods
    tail: list[int] = []
    for r in reversed(ranks):
        if r is None:
            break
        tail.insert(0, r)
    moves = [a - b for a, b in zip(tail, tail[1:])]  # positive: moved up
    streak, direction = 0, None
    for m in reversed(moves):
        d = "up" if m > 0 else ("down" if m < 0 else None)
        if d is None or (direction and d != direction):
            break
        direction, streak = d, streak + 1
    earlier = tail[:-1]
    best_of = len(tail) if len(tail) >= MIN_RECORD and rank < min(earlier) else None
    worst_of = len(tail) if len(tail) >= MIN_RECORD and rank > max(earlier) else None
    if streak < MIN_STREAK and not best_of and not worst_of:
        return None
    return {"streak": streak if streak >= MIN_STREAK else 0, "direction": direction,
            "best_of": best_of, "worst_of": worst_of}
