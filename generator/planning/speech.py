"""Document planning for the speech: what goes in which section, in what order, and how much.

Facts in, a plan out: sections present or not, the sentences of each with their
statements chosen (planning.sentences), counts already taken, enumerations cut with
an honest remainder, the opening and closing judgement, and the period's sense
(year end, last quarter, the rest). The template only words what the plan holds,
so an office can change every word without touching a rule.
"""

from __future__ import annotations

from generator.facts.statements import BAD, rank_band
from generator.planning.sentences import indicator_sentence, mark_superlatives, vary
from generator.planning.standing import MIN_FIELD, behind, investment_laggards

ECONOMY = "经济"
# Enumerations longer than this are cut short, and the rest counted.
LISTED = 6
# A rise of this many places is said as a strong one.
STRONG_TOWN_RISE = 3


def _sentences(items: list[dict], side: str, everyone: list[dict], code: str,
               said: frozenset[tuple[str, str]] = frozenset()) -> list[dict]:
    """One planned sentence per indicator; what `said` holds is not said again, and an
    indicator left with nothing on its side to say drops out."""
    planned = [indicator_sentence(f, side, code, frozenset(k for i, k in said if i == f["id"]))
               for f in items]
    planned = [p for p in planned if p["lead"]]
    mark_superlatives(planned, everyone)
    return planned


def _weight(s: dict) -> float:
    """How much a sentence has to say: its strongest statement, then how many more."""
    return max((x["salience"] for x in s["lead"]), default=0) + 0.1 * len(s["lead"])


def _cut(sentences: list[dict]) -> dict:
    # Strongest first when cutting, then back to the facts' order for reading.
    keep = sorted(sentences, key=lambda s: -_weight(s))[:LISTED]
    kept = [s for s in sentences if s in keep]
    for before, s in zip([None] + kept, kept):
        # a run of one card's indicators names the card once
        s["card_first"] = before is None or before["f"]["card"] != s["f"]["card"]
    rest = [s["f"]["name"] for s in sentences if s not in keep]
    return {"sentences": vary(kept), "more": len(rest), "rest": rest}


def _name_leads(section: dict, tasked: set[str]) -> None:
    """Name the 牵头单位 in a shortfall's own sentence when no task below gives it to anyone."""
    for s in section["sentences"]:
        f = s["f"]
        s["lead_unit"] = f["lead"] if f["lead"] and f["id"] not in tasked else ""


def _said(*groups: dict) -> set[tuple[str, str]]:
    """(indicator id, statement kind) pairs the section sentences already say."""
    return {(s["f"]["id"], x["kind"]) for g in groups for s in g["sentences"]
            for x in s["lead"] + s["concede"]}


def _problem_lists(pl: dict, size: int) -> dict:
    """Praise a list only for a good rating outside the bottom half; criticise poor ratings and big falls."""
    good = [i for i in pl["all"] if i["good"] and rank_band(i["rank"], size) != "bottom"]
    poor = [i for i in pl["all"] if i["poor"] or
            (not i["good"] and (i["rank_move"] or 0) <= -3)]
    # Lists of one rating are said together: 生态环境、信访清单评价为“较差”
    ratings = list(dict.fromkeys(i["rating"] for i in poor))
    poor = sorted(poor, key=lambda i: ratings.index(i["rating"]))
    groups = [{"rating": r, "names": [i["name"] for i in poor if i["rating"] == r]} for r in ratings]
    # Good lists are said together by rating, but for the two that rose most, which
    # each get a clause with their rank and move.
    # at most two clauses of one shape in a row: the strongest risers keep theirs
    ranked = sorted((i for i in good if i["rank"] is not None or (i["rank_move"] or 0) > 0),
                    key=lambda i: -(i["rank_move"] or 0))[:2]
    plain = [i for i in good if i not in ranked]
    good_groups = [{"rating": r, "names": list(dict.fromkeys(i["name"] for i in plain if i["rating"] == r))}
                   for r in dict.fromkeys(i["rating"] for i in plain)]
    return {"good": good, "good_groups": good_groups, "good_ranked": [i for i in good if i in ranked],
            "poor": poor, "poor_groups": groups, "count": pl["count"]}


def _race(towns: dict | None) -> dict | None:
    if not towns:
        return None
    n = towns["count"]
    top = [u for u in towns["top"] if u["grade"] in ("A", "B")] if n >= MIN_FIELD else []
    if top:  # a township tied with the last one named is named too
        top = [u for u in towns["units"] if u["rank"] <= top[-1]["rank"]]
    bottom = behind(towns, top + [u for u in towns["units"] if u["rank"] == 1])
    risers = [u for u in towns["risers"] if u["rank_move"] >= 2][:3]
    strong_rise = bool(risers) and all(u["rank_move"] >= STRONG_TOWN_RISE for u in risers)
    # an indicator on which most of the field is behind schedule is worth a sentence
    widespread = [i for i in towns["indicators"] if i["assessed_count"]
                  and len(i["behind_schedule"]) * 2 > i["assessed_count"]]
    unreported = sorted({name for i in towns["indicators"] for name in i["missing"]})
    return {
        "count": n, "indicator_count": towns["indicator_count"], "first": [u for u in towns["units"] if u["rank"] == 1],
        "followers": [u for u in top if u["rank"] != 1],
        "top": top, "bottom": bottom, "risers": risers, "strong_rise": strong_rise,
        "all_on_schedule": towns["all_on_schedule"] if len(towns["all_on_schedule"]) < n else [],
        "everyone_on_schedule": n > 0 and len(towns["all_on_schedule"]) == n,
        "none_on_schedule": towns["none_on_schedule"],
        "widespread": widespread, "unreported": unreported,
        "has_good": bool(top or risers or towns["all_on_schedule"]),
        "has_bad": bool(bottom or towns["none_on_schedule"] or widespread),
    }


def _departments(deps: dict | None) -> dict | None:
    """The departments' race as the speech says it: the first three, real risers, the last."""
    if not deps or deps["ranked_count"] < MIN_FIELD:
        return None
    return {"label": deps["label"], "count": deps["ranked_count"], "top": deps["top"],
            "risers": [u for u in deps["risers"] if u["rank_move"] >= STRONG_TOWN_RISE][:3],
            "bottom": deps["bottom"]}


def _investment(ip: dict | None, indicators: list[dict]) -> dict | None:
    """招商引资 on one side of the speech: good when the funds keep up with the schedule.

    Offices often report the funds as an indicator too (招商引资到位资金): then the
    indicator's sentence says them, and this paragraph leaves them out."""
    if not ip or not ip["funds"] or ip["funds"]["completion"] is None:
        return None
    value = ip["funds"]["value"]
    as_indicator = any(f["value"] == value and "招商" in f["name"] for f in indicators)
    return {**ip, "good": bool(ip["funds"]["on_schedule"]),
            "funds": None if as_indicator else ip["funds"], **investment_laggards(ip)}


def _highlights(items: list[dict]) -> list[dict]:
    """经验做法 worth naming: never beside an indicator the speech lists as a shortfall."""
    return [h for h in items if not (h["indicator"] and h["indicator"]["verdict"] == "shortfall")]


def _cards(cards: list[dict]) -> dict | None:
    """How many report cards have an A, and the one with the largest share of them."""
    with_a = [c for c in cards if c["grades"]["A"]]
    if not with_a:
        return None
    best = max(with_a, key=lambda c: (c["grades"]["A"] / c["count"], c["grades"]["A"], -cards.index(c)))
    return {"total": len(cards), "with_a": len(with_a), "best": best}


def _task_note(f: dict | None) -> dict | None:
    """What a task says of the indicator it serves, without repeating its figures.

    `variant` picks one of a note's wordings; plan() alternates it down the tasks so that
    five notes of one kind do not read as five copies."""
    if f is None:
        return None
    if f["verdict"] == "shortfall":
        first = next((s for s in f["statements"] if s["polarity"] == BAD and s["strong"]),
                     next(s for s in f["statements"] if s["polarity"] == BAD))
        return {"f": f, "kind": "shortfall", "statement": first, "variant": 0}
    if f["verdict"] == "achievement":
        weak_spot = any(s["polarity"] == BAD for s in f["statements"])
        return {"f": f, "kind": "keep" if not weak_spot else "build", "statement": None, "variant": 0}
    return None


def _is_shortfall(f: dict | None) -> bool:
    return f is not None and f["verdict"] == "shortfall"


def _project_note(entry: dict, projects: dict) -> dict | None:
    """A task that names a key project still behind speaks of the project, not of its indicator.

    倒排工期推动新能源电池材料产业园一期开工 beside 招商引资到位资金势头较好 would praise
    the figure while the task says the project is late; a shortfall's note stays, as it
    ties the task to the figures."""
    text = entry.get("text") or ""
    named = [p for p in projects["behind"] if p["name"] and p["name"] in text]
    if not named:
        return None
    return {"f": None, "kind": "project", "statement": None, "variant": 0,
            "project": max(named, key=lambda p: len(p["name"]))}  # the longest name is the one meant


def _closing(meta: dict) -> str:
    """year_end: next year's work; final: the last stretch of the year; ahead: the rest."""
    if meta["is_year_end"]:
        return "year_end"
    if meta["next_schedule"] is not None and meta["next_schedule"] >= 1:
        return "final"
    return "ahead"


def plan(facts: dict) -> dict:
    """The speech's plan, from the facts of analyse()."""
    meta, inds = facts["meta"], facts["indicators"]
    code = meta["period_code"]
    good, bad = facts["achievements"], facts["shortfalls"]
    econ_good = _cut(_sentences([f for f in good if f["card"] == ECONOMY], "achievement", inds, code))
    other_good = _cut(_sentences([f for f in good if f["card"] != ECONOMY], "achievement", inds, code))
    econ_bad = _cut(_sentences([f for f in bad if f["card"] == ECONOMY], "shortfall", inds, code))
    lists = _problem_lists(facts["problem_lists"], meta["scope_size"])
    race = _race(facts["townships"])
    projects = facts["projects"]
    # Levels (rates, concentrations) are not counted against 序时进度: their target
    # statements are said with the indicator itself.
    cumulative = [f for f in facts["schedule_targets"]["on"] + facts["schedule_targets"]["behind"]
                  if f["measure"] == "cumulative"]
    targets = {
        "count": len(cumulative),
        "on": sum(1 for f in cumulative if f["on_schedule"]),
        "behind": [f for f in facts["schedule_targets"]["behind"] if f["measure"] == "cumulative"],
        "growth_count": facts["growth_targets"]["count"],
        "growth_met": len(facts["growth_targets"]["met"]),
        "growth_missed": facts["growth_targets"]["missed"],
    }
    # What the sentences above already said is named, not said again.
    said = _said(econ_bad)  # the only sentences said before the targets
    schedule_kind = "target" if meta["is_year_end"] else "schedule"
    targets["behind_said"] = [f for f in targets["behind"] if (f["id"], schedule_kind) in said]
    targets["behind_new"] = [f for f in targets["behind"] if (f["id"], schedule_kind) not in said]
    targets["missed_said"] = [f for f in targets["growth_missed"] if (f["id"], "growth_target") in said]
    targets["missed_new"] = [f for f in targets["growth_missed"] if (f["id"], "growth_target") not in said]
    for key in ("behind_new", "missed_new"):
        targets[key + "_rest"] = [f["name"] for f in targets[key][LISTED:]]
        targets[key] = targets[key][:LISTED]
    targets["kind"] = schedule_kind
    # "分别比年度增长目标低…" holds only where lower growth is the worse news
    targets["missed_all_higher"] = all(f["better"] == "higher" for f in targets["missed_new"])
    # The targets paragraph comes before the other shortfalls: what it says in full,
    # their sentences leave out.
    in_targets = frozenset([(f["id"], schedule_kind) for f in targets["behind_new"]]
                           + [(f["id"], "growth_target") for f in targets["missed_new"]])
    other_bad = _cut(_sentences([f for f in bad if f["card"] != ECONOMY], "shortfall", inds, code,
                                in_targets))
    investment = _investment(facts.get("investment_promotion"), inds)
    good_projects = bool(projects["count"] and projects["on_schedule"] and projects["started"])
    deps = _departments(facts.get("departments"))
    highlights = _highlights(facts.get("highlights") or [])
    has_good = bool(econ_good["sentences"] or other_good["sentences"] or lists["good"] or highlights
                    or (investment and investment["good"]) or deps
                    or good_projects or (race and race["has_good"]))
    has_bad = bool(econ_bad["sentences"] or other_bad["sentences"] or targets["behind"]
                   or (investment and not investment["good"])
                   or targets["growth_missed"] or lists["poor"] or (projects["behind"] and not good_projects)
                   or (race and race["has_bad"]))
    noted: set[str] = set()  # an indicator is spoken of under its first task only

    said_kinds: dict[str, int] = {}  # how many notes of each kind so far

    def note(f: dict | None) -> dict | None:
        if f is None or f["id"] in noted:
            return None
        noted.add(f["id"])
        planned = _task_note(f)
        if planned:
            key = planned["kind"] + (planned["statement"]["kind"] if planned["statement"] else "")
            planned["variant"] = said_kinds.get(key, 0) % 2
            said_kinds[key] = said_kinds.get(key, 0) + 1
        return planned

    def task_note(entry: dict) -> dict | None:
        f = entry["indicator"]
        return (None if _is_shortfall(f) else _project_note(entry, projects)) or note(f)

    tasks = [{"theme": t["theme"], "entries": [{**e, "note": task_note(e)} for e in t["entries"]]}
             for t in facts["tasks"]]
    tasked = {e["indicator"]["id"] for t in facts["tasks"] for e in t["entries"] if e["indicator"]}
    _name_leads(econ_bad, tasked)
    _name_leads(other_bad, tasked)
    graded = facts["graded_count"]
    moved_up = sum(1 for f in inds if (f["rank_move"] or 0) > 0)
    moved_down = sum(1 for f in inds if (f["rank_move"] or 0) < 0)
    balance = facts["balance"]
    return {
        "tone": balance["tone"],
        "opening": {
            "graded": graded,
            "top_grades": facts["grade_counts"]["A"] + facts["grade_counts"]["B"],
            "moved_up": moved_up, "moved_down": moved_down,
            "worst_economy": [s["f"] for s in econ_bad["sentences"][:2]],
        },
        "good": {"present": has_good, "economy": econ_good, "others": other_good,
                 "cards": _cards(facts["cards"]),
                 "lists": lists["good"], "list_groups": lists["good_groups"],
                 "lists_ranked": lists["good_ranked"], "projects": good_projects,
                 "race": race if race and race["has_good"] else None,
                 "investment": investment if investment and investment["good"] else None,
                 "departments": deps, "highlights": highlights},
        "bad": {"present": has_bad, "economy": econ_bad, "others": other_bad, "targets": targets,
                "lists": lists["poor"], "list_groups": lists["poor_groups"],
                # on schedule as a whole, its laggards are named in the good section's paragraph
                "projects": projects if projects["behind"] and not good_projects else None,
                "race": race if race and race["has_bad"] else None,
                "investment": investment if investment and not investment["good"] else None},
        "tasks": tasks,
        "section_count": int(has_good) + int(has_bad) + int(bool(tasks)),
        "closing": _closing(meta),
        "list_count": lists["count"],
    }
