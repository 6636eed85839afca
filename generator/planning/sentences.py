"""Sentence planning: which statements a sentence about an indicator says, in what order and shape.

A sentence leads with the statements that earned the indicator its place and
concedes the other side in the same sentence ("位次虽前移3位，但…"). Its shape is
chosen by what it says; where two sentences in a row would take the same shape,
the next one takes another opener, picked by a seed drawn from the data (never by
a counter), so the same data gives the same text.
"""

from __future__ import annotations

import zlib

from generator.facts.statements import BAD, GOOD

# At most this many statements lead a sentence, and this many are conceded:
# a sentence is heard, not read.
MAX_LEAD = 5
MAX_CONCEDE = 2
OPENERS = ("plain", "aspect", "look")


def seed(*parts: object) -> int:
    """A stable number drawn from the data, for choices that must not depend on position."""
    return zlib.crc32("\x1f".join(str(p) for p in parts).encode("utf-8"))


def _pick(statements: list[dict], polarity: str, limit: int) -> list[dict]:
    chosen = [s for s in statements if s["polarity"] == polarity]
    if any(s["kind"] == "grade_move" for s in chosen):
        chosen = [s for s in chosen if s["kind"] != "grade"]  # 由B档升至A档 says the grade
    chosen.sort(key=lambda s: (not s["strong"], -s["salience"], s["kind"]))
    return chosen[:limit]


# The order a writer says things in once the leading statement is out: the figure's
# own change, then where it stands, then the targets.
READING_ORDER = ("growth", "growth_change", "value_change", "average", "rank_move", "rank", "trajectory",
                 "grade_move", "grade", "schedule", "target", "level_target", "growth_target")
_CHANGES = frozenset({"growth_change", "value_change"})
# Statements about the growth rate, said after the growth itself.
_ON_GROWTH = frozenset({"growth_target", "growth_change"})


def _ordered(lead: list[dict]) -> list[dict]:
    """The strongest statement first, the rest in reading order; the rank beside its move."""
    if not lead:
        return lead
    first, rest = lead[0], sorted(lead[1:], key=lambda s: READING_ORDER.index(s["kind"]))
    if first["kind"] in _ON_GROWTH and rest and rest[0]["kind"] == "growth":
        first, rest = rest[0], [first] + rest[1:]  # the growth itself before what is measured on it
    out = [first] + rest
    if any(s["kind"] == "rank_move" for s in out):
        rank = next((s for s in out if s["kind"] == "rank"),
                    {"kind": "rank", "polarity": "neutral", "strong": False, "salience": 0, "short": False})
        out = [s for s in out if s["kind"] != "rank"]
        at = next(i for i, s in enumerate(out) if s["kind"] == "rank_move")
        out.insert(at + 1, rank)
    said_move = False
    for i, s in enumerate(out):
        if s["kind"] == "trajectory" and said_move:
            out[i] = {**s, "short": True}  # 位次 once: …后退4位，已连续2个季度后退
        said_move = said_move or s["kind"] == "rank_move"
    said_change = False
    for i, s in enumerate(out):
        if s["kind"] == "rank_move" and said_change:
            out[i] = {**s, "short": True}  # 较一季度 once is enough in one sentence
        said_change = said_change or s["kind"] in _CHANGES
    return out


def _turned(f: dict) -> bool:
    """Growth changed sign since the previous period."""
    g, p = f["growth"], f["previous_growth"]
    return g is not None and p is not None and (g < 0) != (p < 0)


def indicator_sentence(f: dict, side: str, period_code: str, skip: frozenset[str] = frozenset(),
                       max_lead: int = MAX_LEAD) -> dict:
    """Plan one sentence about indicator f, placed on `side` (achievement or shortfall).

    `skip` names statement kinds another part of the speech has already said of f.
    """
    lead_pol, other_pol = (GOOD, BAD) if side == "achievement" else (BAD, GOOD)
    statements = [s for s in f["statements"] if s["kind"] not in skip]
    lead = _pick(statements, lead_pol, max_lead)
    if _turned(f) and any(x["kind"] == "growth_change" for x in lead):
        lead = [x for x in lead if x["kind"] != "growth"]  # 由增长4.0%转为下降18.2% says both
    concede = _pick(statements, other_pol, MAX_CONCEDE) if side == "shortfall" else \
        [s for s in _pick(statements, other_pol, 1) if s["kind"] != "average"]
    # A figure the bureau has not published yet keeps its place in the sentence, where a
    # draft shows its placeholder (sources/pending.py).
    lead += [x for x in statements if x.get("pending")]
    # a move prints the rank beside it (前移4位，居全市倒数第16位): the other side does not say it again
    if any(x["kind"] == "rank_move" for x in lead):
        concede = [x for x in concede if x["kind"] != "rank"]
    elif any(x["kind"] == "rank_move" for x in concede):
        lead = [x for x in lead if x["kind"] != "rank"] or lead
    lead, concede = _ordered(lead), _ordered(concede)
    if side == "shortfall" and concede:
        shape = "concessive"  # 虽…，但…
    elif concede:
        shape = "caveat"  # …；不过…
    elif lead and lead[0]["kind"] == "rank_move" and not any(s["kind"] in _CHANGES for s in lead):
        shape = "move_led"  # 位次前移5位至全市第6位，…
    else:
        shape = "plain"
    return {"f": f, "side": side, "lead": lead, "concede": concede, "shape": shape,
            "opener": "plain", "seed": seed(f["id"], period_code), "superlative": None,
            "reason": f["reason"] if side == "shortfall" else "", "lead_unit": ""}


def vary(sentences: list[dict]) -> list[dict]:
    """Give a sentence another opener where it would be the third of one shape in a row."""
    run: list[tuple[str, str]] = []
    for s in sentences:
        key = (s["shape"], s["opener"])
        if len(run) >= 2 and run[-1] == key and run[-2] == key:
            others = [o for o in OPENERS if o != s["opener"]]
            s["opener"] = others[s["seed"] % len(others)]
            key = (s["shape"], s["opener"])
        run.append(key)
    return sentences


def mark_superlatives(sentences: list[dict], everyone: list[dict]) -> None:
    """下滑最多 / 上升最多 / 唯一负增长, said of the one indicator each is true of."""
    moved = [f for f in everyone if f["rank_move"]]
    if moved:
        worst = min(moved, key=lambda f: (f["rank_move"], f["id"]))
        best = max(moved, key=lambda f: (f["rank_move"], f["id"]))
        worst_ties = sum(1 for f in moved if f["rank_move"] == worst["rank_move"])
        best_ties = sum(1 for f in moved if f["rank_move"] == best["rank_move"])
    falling = [f for f in everyone if f["growth_good"] is False and f["better"] == "higher"]
    grown = [f for f in everyone if f["growth"] is not None and f["better"] == "higher"]
    for s in sentences:
        f = s["f"]
        if moved and s["side"] == "shortfall" and f is worst and worst["rank_move"] < -1 and worst_ties == 1:
            s["superlative"] = "most_fallen"
        elif moved and s["side"] == "achievement" and f is best and best["rank_move"] > 1 and best_ties == 1:
            s["superlative"] = "most_risen"
        elif s["side"] == "shortfall" and len(falling) == 1 and f is falling[0] and len(grown) >= 3:
            s["superlative"] = "only_negative"
        if s["superlative"] is None and f.get("scope"):
            s["superlative"] = _in_scope(s["side"], f)


# A few units of the scope falling is news; half the scope falling is the weather.
FEW_NEGATIVE = 3


def _in_scope(side: str, f: dict) -> str | None:
    """What the whole scope's table says of us (facts/scope.py): the largest move in the
    scope, or one of the few units whose growth fell."""
    sc = f["scope"]
    alone = not sc.get("same_move")
    if side == "achievement" and (f["rank_move"] or 0) > 1 and sc.get("rise_largest") and alone:
        return "scope_most_risen"
    if side == "shortfall" and (f["rank_move"] or 0) < -1 and sc.get("fall_largest") and alone:
        return "scope_most_fallen"
    if side == "shortfall" and sc.get("we_negative") and f["better"] == "higher" \
            and 0 < sc["negative_growth_count"] <= FEW_NEGATIVE:
        return "scope_few_negative"
    return None
