"""Document planning for the notice (通报) on the township race.

The same facts as the speech, planned for a different reader: every township
reads the notice for its own name. Who is named first, who is named as lagging,
ties said as ties (并列), and one line per indicator whose shape follows what
the indicator's figures show (all on schedule, most behind, a ceiling kept or
broken), so six indicators do not read as six copies of one sentence. A
township that did not report is said once, with all its gaps, never as lagging.
"""

from __future__ import annotations

from generator.planning.sentences import seed
from generator.planning.standing import behind

NAMED_MOVERS = 3
NAMED_SLOWEST = 3


def _line(ind: dict, period_code: str) -> dict:
    assessed = ind["assessed_count"]
    on, behind = len(ind["on_schedule"]), len(ind["behind_schedule"])
    if not assessed:
        shape = "unassessed"
    elif behind == 0:
        shape = "all"
    elif on == 0:
        shape = "none"
    elif behind == 1:
        shape = "one_behind"
    elif behind * 2 > assessed:
        shape = "most_behind"
    else:
        shape = "most_on"
    return {
        "ind": ind, "shape": shape, "ceiling": ind["better"] == "lower",
        "on": on, "behind": behind, "slowest": ind["behind_schedule"][:NAMED_SLOWEST],
        "all_named": behind <= NAMED_SLOWEST,  # then they are named as the ones behind, not the slowest
        # A zero that is not a gap in the data is news about the indicator.
        "zero": ind["zero_score"],
        # two ways of opening a line of the same shape, chosen by the data, not by position
        "opener": seed(ind["id"], period_code, shape) % 2,
    }


def _by_unit(indicators: list[dict], key: str) -> list[dict]:
    """{name, indicators} for each township named under `key`, in first-seen order."""
    out: dict[str, list[str]] = {}
    for ind in indicators:
        for name in ind[key]:
            out.setdefault(name, []).append(ind["name"])
    return [{"name": n, "indicators": names} for n, names in out.items()]


def plan_notice(facts: dict) -> dict | None:
    """The notice's plan, or None when the file has no township race."""
    t = facts["townships"]
    if not t:
        return None
    units = t["units"]
    first = [u for u in units if u["rank"] == 1]
    # The named top is the race's top unless it would name every township.
    top = t["top"] if 1 < len(t["top"]) < t["count"] else []
    if all(u["rank"] == 1 for u in top):
        top = []  # 甲镇、乙镇和丙镇并列第一 says it already
    lagging = behind(t, t["top"])
    lines = [_line(ind, facts["meta"]["period_code"]) for ind in t["indicators"]]
    return {
        "first": first, "top": top, "lagging": lagging,
        "risers": t["risers"][:NAMED_MOVERS], "fallers": t["fallers"][:NAMED_MOVERS],
        "grades": [{"grade": g, "count": n} for g, n in t["grade_counts"].items() if n],
        "lines": lines,
        "unreported": _by_unit(t["indicators"], "missing"),
    }
