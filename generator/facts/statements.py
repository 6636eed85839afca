"""An indicator's facts as typed statements, each good, bad or neutral after its own measures.

One owner for framing (DESIGN.md "framing", WRITING.md §1): whether a figure is
spoken of as good news or bad is decided here and nowhere else. A statement is a
plain mapping: its kind, its polarity ("good", "bad" or "neutral", already
flipped for `better: lower`), whether it is strong enough on its own to place the
indicator, and a salience for ordering. The indicator's verdict (achievement,
shortfall or neither) follows from its statements, and so does the order in
which a sentence about it says them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

GOOD, BAD, NEUTRAL = "good", "bad", "neutral"
# At or below this many ranked units a rank says little: 第1位 of 2 is not a feat.
SMALL_SCOPE = 5
# A growth target missed by this many 个百分点 or more is a strong bad statement.
STRONG_TARGET_MISS = 1.0
# Ahead of 序时进度 by this many 个百分点 or more is a strong good statement.
STRONG_AHEAD = 5.0
# Behind schedule by less than this many 个百分点 is a weak bad statement.
TINY_GAP = 0.05


def _statement(kind: str, polarity: str, strong: bool, salience: float) -> dict:
    return {"kind": kind, "polarity": polarity, "strong": strong and polarity != NEUTRAL,
            "salience": round(salience, 6), "short": False}


def _sign(good: bool | None) -> str:
    return NEUTRAL if good is None else (GOOD if good else BAD)


def top_band(size: int) -> int:
    """How many ranks count as "near the top": the top third."""
    return max(1, math.ceil(size / 3))


def rank_band(rank: int | None, size: int | None) -> str | None:
    """top | middle | bottom (bottom half) | None (no rank, or a scope too small to say)."""
    if rank is None or not size or size <= SMALL_SCOPE:
        return None
    if rank <= top_band(size):
        return "top"
    if rank > size / 2:
        return "bottom"
    return "middle"


def indicator_statements(f: dict, rules, year_end: bool) -> list[dict]:
    """The statements one indicator's facts support, most salient first."""
    out: list[dict] = []
    size = f["scope_size"]
    small = not size or size <= SMALL_SCOPE

    if f["growth"] is not None:
        good = f["growth_good"]
        if good is False:
            out.append(_statement("growth", BAD, True, 3 + abs(f["growth"]) / 10))
        elif good is True:
            out.append(_statement("growth", GOOD, False, 1 + abs(f["growth"]) / 20))
    if f["growth_change"] is not None and abs(f["growth_change"]) >= 0.1:
        out.append(_statement("growth_change", _sign(f["growth_change_good"]), False,
                              1 + abs(f["growth_change"]) / 10))
    # At a year's end the previous period is last year, so the change of the figure and
    # its growth rate would say the same thing twice.
    if f["value_change"] is not None and f["value_change"] != 0 and not (year_end and f["growth"] is not None):
        out.append(_statement("value_change", _sign(f["value_change_good"]),
                              abs(f["value_change"]) >= 5, 1.5 + abs(f["value_change"]) / 10))

    band = rank_band(f["rank"], size)
    if band == "top":
        strong = f["rank"] <= rules.achievement_top
        out.append(_statement("rank", GOOD, strong, 2 + (size - f["rank"]) / size))
    elif band == "bottom":
        from_bottom = size - f["rank"] + 1
        out.append(_statement("rank", BAD, from_bottom <= top_band(size), 2 + f["rank"] / size))

    move = f["rank_move"]
    if move and not small:
        if move >= rules.achievement_rank_up:
            out.append(_statement("rank_move", GOOD, True, 2 + move / 4))
        elif move >= 2:
            out.append(_statement("rank_move", GOOD, False, 1 + move / 4))
        elif -move >= rules.shortfall_rank_down:
            out.append(_statement("rank_move", BAD, True, 2 + -move / 4))
        elif move <= -2:
            out.append(_statement("rank_move", BAD, False, 1 + -move / 4))

    tr = f.get("trajectory")
    if tr and not small:
        if tr["best_of"] or (tr["streak"] and tr["direction"] == "up"):
            out.append(_statement("trajectory", GOOD, False, 0.8 + tr["streak"] / 20 + 0.2 * bool(tr["best_of"])))
        elif tr["worst_of"] or (tr["streak"] and tr["direction"] == "down"):
            out.append(_statement("trajectory", BAD, False, 0.8 + tr["streak"] / 20 + 0.2 * bool(tr["worst_of"])))

    if f["measure"] == "cumulative" and f["on_schedule"] is not None:
        gap = f["schedule_gap"]
        kind = "target" if year_end else "schedule"
        if f["on_schedule"]:
            out.append(_statement(kind, GOOD, year_end or -gap >= STRONG_AHEAD, 2 + -gap / 20))
        elif rules.shortfall_behind_schedule:
            # a few tenths of a 个百分点 (还差0.5万元) is behind, but not news enough to place it
            out.append(_statement(kind, BAD, gap >= TINY_GAP, 3 + gap / 10))
    elif f["measure"] == "level" and f["on_schedule"] is not None:
        if f["on_schedule"]:
            out.append(_statement("level_target", GOOD, False, 1.5))
        elif rules.shortfall_behind_schedule:
            out.append(_statement("level_target", BAD, True, 3 + f["schedule_gap"] / 10))

    if f["meets_growth_target"] is True:
        out.append(_statement("growth_target", GOOD, year_end, 1.5))
    elif f["meets_growth_target"] is False and rules.shortfall_behind_schedule:
        miss = abs(f["target_growth_gap"])
        out.append(_statement("growth_target", BAD, miss >= STRONG_TARGET_MISS, 2 + miss / 5))

    if f["above_average_good"] is not None:
        out.append(_statement("average", _sign(f["above_average_good"]), False,
                              1 + abs(f["gap_to_average"]) / 10))

    grade = f["grade"]
    if grade in rules.achievement_grades:
        out.append(_statement("grade", GOOD, True, 2.5))
    elif grade in rules.shortfall_grades:
        out.append(_statement("grade", BAD, True, 2.5 if grade == rules.shortfall_grades[-1] else 2.2))
    elif grade == "B":
        out.append(_statement("grade", GOOD, False, 1.2))
    steps = f["grade_steps"]
    if steps:
        out.append(_statement("grade_move", GOOD if steps > 0 else BAD, abs(steps) >= 2, 1.5 + abs(steps) / 2))

    out.sort(key=lambda s: (-s["salience"], s["kind"]))
    return out


def placement(statements: Iterable[dict]) -> str | None:
    """achievement, shortfall or None, as WRITING.md §1 says.

    Any strong bad statement places an indicator under shortfalls, whatever else is
    good about it: the sentence then concedes the good side. Strong good statements
    with no strong bad one make an achievement. With only weak statements, a clear
    majority of two or more decides; otherwise the speech leaves the indicator out
    of both lists.
    """
    items = list(statements)
    if any(s["strong"] and s["polarity"] == BAD for s in items):
        return "shortfall"
    if any(s["strong"] and s["polarity"] == GOOD for s in items):
        return "achievement"
    good = sum(1 for s in items if s["polarity"] == GOOD)
    bad = sum(1 for s in items if s["polarity"] == BAD)
    if bad >= 2 and bad > good:
        return "shortfall"
    if good >= 2 and good > bad + 1:
        return "achievement"
    return None


def balance(indicators: Iterable[dict]) -> dict:
    """How the period went on the whole, from the strong statements of every indicator.

    tone: 向好 when strong good clearly outweighs strong bad, 承压 the other way
    round, 平稳 in between; the opening and the closing both take it.
    """
    good = bad = 0
    for f in indicators:
        for s in f["statements"]:
            if s["strong"]:
                good += s["polarity"] == GOOD
                bad += s["polarity"] == BAD
    if good >= bad * 1.5 and good > bad:
        tone = "向好"
    elif bad >= good * 1.5 and bad > good:
        tone = "承压"
    else:
        tone = "平稳"
    return {"tone": tone, "strong_good": good, "strong_bad": bad}
