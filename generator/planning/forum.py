"""Document planning for the township economic work forum (乡镇经济工作座谈会, seed 002 shape).

The leader speaks to the township heads, so every judgement is about townships:
how many reached 序时 on their score, how many indicators each reached, the few
that reached none and the lowest counts; projects that entered the higher level's
key-project list, and 招商 completion by township with the zeros named. Then
three sections of requirements built from the same facts. Words are in
forum_speech.md.j2.
"""

from __future__ import annotations

from generator.planning.standing import behind, investment_laggards

NAMED = 3


def _counts(units: list) -> dict:
    """How many indicators each township reached: the majority line, and the lowest counts.

    "只有k项" is said only of townships that reached half or fewer of theirs; the lowest
    first in the race's order from the bottom, so the worst are the ones named."""
    assessed = [u for u in units if u["assessed_count"]]
    majority = [u["name"] for u in assessed if u["on_schedule_count"] * 2 > u["assessed_count"]]
    low = [u for u in reversed(assessed) if u["on_schedule_count"] and u["on_schedule_count"] * 2 <= u["assessed_count"]]
    lowest_count = min((u["on_schedule_count"] for u in low), default=None)
    lowest = [u["name"] for u in low if u["on_schedule_count"] == lowest_count]
    return {"majority": majority, "lowest": lowest[:NAMED], "lowest_more": len(lowest) - len(lowest[:NAMED]),
            "lowest_total": len(lowest), "lowest_count": lowest_count, "assessed": len(assessed)}


def plan_forum(facts: dict, base: dict) -> dict | None:
    """The forum speech's plan; None without a township race (the speech is about townships)."""
    t = facts["townships"]
    if not t:
        return None
    units = t["units"]
    score_on = [u["name"] for u in units if u["score"] >= t["total_weight"]]
    projects = facts["projects"]
    by_town = projects.get("by_township") or {}
    listed = projects.get("listed_townships") or []
    ip = facts.get("investment_promotion")
    towns_ip = ip["townships"] if ip and ip.get("townships") else None
    widespread = [i for i in t["indicators"]
                  if i["assessed_count"] and len(i["behind_schedule"]) * 2 > i["assessed_count"]]
    idle = [{"town": town, "count": v["count"] - v["started"]}
            for town, v in by_town.items() if v["count"] > v["started"]]
    entries = [e for theme in base["tasks"] for e in theme["entries"]][:NAMED]
    has_projects = bool(by_town) or bool(towns_ip)
    return {
        "tone": base["tone"], "closing": base["closing"],
        "count": t["count"], "indicator_count": t["indicator_count"],
        "score_on": score_on, "score_behind": t["count"] - len(score_on),
        "counts": _counts(units),
        "none": t["none_on_schedule"],
        "bottom": behind(t),
        "widespread": widespread,
        "projects": {"present": bool(by_town), "listed": listed,
                     "unlisted": [n for n in by_town if n not in listed], "idle": idle},
        "investment": towns_ip and {
            "count": towns_ip["assessed_count"], "on": towns_ip["on_schedule"],
            **investment_laggards(ip),
            "completed": towns_ip["completed"]},
        "tasks": entries,
        "has_projects": has_projects,
        "requirements": 2 + int(has_projects),
    }
