"""The scope's distribution on one indicator: what the whole table says about our place in it.

From an indicator's `scope_units` (every unit's figures, imported from the
higher level's comparison table): how many units fell (仅X个区县负增长),
whether our rank move was the largest in the scope (提升最多), and how far
the unit just above us is (与前一位相差X个百分点). Plain data, no wording:
planning/ decides what is said.

Our own figures are the indicator's (value, growth, rank, previous.rank); an
entry of scope_units with our name is the same unit (validation makes them
agree) and is not counted twice.
"""

from __future__ import annotations

from generator.sources.dataset import Indicator, ScopeUnit

_NDIGITS = 6  # as facts/analysis: float noise never flips a comparison


def scope_facts(ind: Indicator, region: str, compared: str | None) -> dict | None:
    """The distribution facts of one indicator; None when the data has no scope_units.

    compared: growth or value, the measure averages and peers are compared on
    (facts/analysis); the gaps to the units above and below are on the measure
    the ranks follow, this one when both do.
    """
    if not ind.scope_units:
        return None
    us = ScopeUnit(name=region, value=ind.value, growth=ind.growth, rank=ind.rank, grade=ind.grade,
                   previous_rank=ind.previous.rank)
    others = [u for u in ind.scope_units if u.name != region]
    units = [us, *others]

    with_growth = [u for u in units if u.growth is not None]
    negative = [u for u in with_growth if u.growth < 0]
    moves = {u.name: u.previous_rank - u.rank for u in units
             if u.rank is not None and u.previous_rank is not None}
    ours = moves.get(region)
    rises = [m for m in moves.values() if m > 0]
    measure = ranked_on(units, ind.better, compared)
    falls = [m for m in moves.values() if m < 0]
    return {
        "count": len(units),
        "ranked_count": sum(1 for u in units if u.rank is not None),
        "growth_count": len(with_growth),
        "negative_growth_count": len(negative),
        "negative_growth": [u.name for u in _by_rank(negative)],
        "we_negative": None if ind.growth is None else ind.growth < 0,
        "positive_growth_count": sum(1 for u in with_growth if u.growth > 0),
        "moved_count": len(moves),
        "largest_rise": max(rises) if rises else None,
        "largest_fall": min(falls) if falls else None,
        "rise_largest": bool(ours and ours > 0 and ours == max(rises)),
        "fall_largest": bool(ours and ours < 0 and ours == min(falls)),
        "same_move": (sorted(n for n, m in moves.items() if m == ours and n != region)
                      if ours else []),
        # how many units rose further than we did when we rose (fell further when we fell); else None
        "rose_more": sum(1 for m in rises if m > ours) if ours and ours > 0 else None,
        "fell_more": sum(1 for m in falls if m < ours) if ours and ours < 0 else None,
        "ranked_on": measure,  # growth | value | None: what the gaps below are measured on
        "above": _neighbour(us, others, ind, measure, above=True),
        "below": _neighbour(us, others, ind, measure, above=False),
        "leader": _neighbour(us, others, ind, measure, above=True, nearest=False),
    }


def ranked_on(units: list[ScopeUnit], better: str, prefer: str | None) -> str | None:
    """The measure the ranks follow: every better rank has a strictly better figure, equal ranks
    equal figures. `prefer` (the compared measure) when both do; None when neither does (ranks
    edited by hand, or published on a column not imported)."""
    ranked = sorted((u for u in units if u.rank is not None), key=lambda u: u.rank)
    fits = []
    for measure in ("growth", "value"):
        figures = [getattr(u, measure) for u in ranked]
        if len(ranked) < 2 or any(f is None for f in figures):
            continue
        sign = 1 if better == "higher" else -1
        if all((a.rank == b.rank and fa == fb) or (a.rank < b.rank and sign * (fa - fb) > 0)
               for a, b, fa, fb in zip(ranked, ranked[1:], figures, figures[1:])):
            fits.append(measure)
    if prefer in fits:
        return prefer
    return fits[0] if fits else None


def _by_rank(units: list[ScopeUnit]) -> list[ScopeUnit]:
    return sorted(units, key=lambda u: (u.rank is None, u.rank or 0))


def _neighbour(us: ScopeUnit, others: list[ScopeUnit], ind: Indicator, compared: str | None,
               above: bool, nearest: bool = True) -> dict | None:
    """The unit(s) ranked just above (or below, or first), and how far ahead of us they are.

    gap: how much better they are on the measure ranked on, in its own terms
    (个百分点 for growth and rates, else the indicator's unit): positive when
    they lead us, as the unit above does. Units sharing that rank are all named.
    """
    if us.rank is None:
        return None
    ranks = [u.rank for u in others if u.rank is not None and (u.rank < us.rank if above else u.rank > us.rank)]
    if not ranks:
        return None
    if nearest:
        rank = max(ranks) if above else min(ranks)
    else:
        rank = min(ranks)
    there = [u for u in others if u.rank == rank]
    mine = getattr(us, compared) if compared else None
    theirs = getattr(there[0], compared) if compared else None
    gap = None
    if mine is not None and theirs is not None:
        gap = round((theirs - mine) if ind.better == "higher" else (mine - theirs), _NDIGITS)
    return {"name": there[0].name, "names": [u.name for u in there], "rank": rank,
            "figure": theirs, "gap": gap, "in_points": compared == "growth" or ind.is_rate}
