"""Planning for the assessment occasions: the 考核总结表彰 speech and the commendation notice.

Facts in (facts/assessment.py and the rest), a plan out: which parts the speech has, what
each says and in which order, which units are named and which only counted, and where the
record of the county is told (best since, a run of falls ended, last place left behind).
The templates (assessment_speech, commendation_notice, _assessment) only word the plan.

Rules a county writer keeps at such a meeting:
- the county's place is told with its move and grade; a record is said only when the
  years given show it; a rank in the bottom half of the group is not praised;
- per kind of unit: the counts per grade, the 优秀 named, those who rose into 优秀 named;
  the last named with care, and only when the field is large enough for a last place to
  mean something, or when a unit was graded 较差;
- last year's headline figures are the good ones (growth in the right direction and a high
  or rising rank); this year's progress names its strongest indicators and, so the room is
  not lulled, the ones still behind;
- the uses of the result come best grade first.
"""

from __future__ import annotations

from generator.facts.assessment import GRADES
from generator.facts.statements import top_band
from generator.planning.sentences import indicator_sentence, vary

# Enumerations longer than this are cut short and the rest counted.
LISTED = 6
# A last place is named only among at least this many units of a kind.
MIN_FIELD_FOR_LAST = 5
# Last year's headline figures and this year's: how many at most.
YEAR_FIGURES = 5
PROGRESS = 4
PROGRESS_LEAD = 3  # statements a progress sentence leads with: a review, not a full account
BEHIND = 3
# The notice lists commended units in tables when there are more than this many places.
TABLE_OVER = 12


def _named(names: list[str], limit: int = LISTED) -> dict:
    """Names to say and how many are left unsaid (…等N个)."""
    return {"names": names[:limit], "more": max(0, len(names) - limit), "count": len(names)}


def _county(c: dict | None) -> dict | None:
    if c is None or (c["rank"] is None and not c["grade"]):
        return None  # nothing to say of the county's place
    move = c["rank_move"]
    size = c["group_size"]
    bottom = c["rank"] is not None and size is not None and size > 2 and c["rank"] > size / 2
    best = c["best_since"]
    # "近五年最好" needs every year of the span; else "2019年以来最好".
    record = None
    if best and not bottom:
        record = {"kind": "recent" if best["whole_record"] and best["continuous"] else "since", **best}
    return {
        **c,
        "direction": "up" if (move or 0) > 0 else ("down" if (move or 0) < 0 else ("same" if move == 0 else None)),
        "bottom_half": bottom,
        "record": record,
        "decline_ended": c["decline_ended"] if (move or 0) > 0 else None,
        "left_last_place": c["left_last_place"],
    }


def _subs(subs: list[dict]) -> dict | None:
    graded = [s for s in subs if s["grade"]]
    if not graded:
        return None
    groups = [{"grade": g, "names": [s["name"] for s in graded if s["grade"] == g]}
              for g in GRADES if any(s["grade"] == g for s in graded)]
    return {
        "groups": groups,
        "risen": [s for s in graded if (s["grade_steps"] or 0) > 0],
        "fallen": [s for s in graded if (s["grade_steps"] or 0) < 0],
        # a sub-assessment graded 一般 or 较差 is a warning, said as one
        "weak": [s["name"] for s in graded if s["grade"] in ("一般", "较差")],
    }


def _kind(k: dict) -> dict:
    counts = [{"grade": g, "count": k["grade_counts"][g]} for g in GRADES if k["grade_counts"][g]]
    units = k["units"]
    risen = [u for u in units if u["grade"] == "优秀" and u["previous_grade"] and u["previous_grade"] != "优秀"]
    # 河口镇由上年的“良好”升为“优秀”: each named with the grade it rose from, best grade first
    into_best = [{"previous": g, "names": [u["name"] for u in risen if u["previous_grade"] == g]}
                 for g in GRADES if any(u["previous_grade"] == g for u in risen)]
    poor = k["by_grade"]["较差"]
    # The last is named with care: a 较差 grade always, a last rank only in a large field
    # and never when that unit is graded 优秀 or 良好 (a last of ten good units is no warning).
    last = [n for n in k["last"] if n not in poor] if k["count"] >= MIN_FIELD_FOR_LAST else []
    last = [n for n in last if next(u for u in units if u["name"] == n)["grade"] in ("一般", "较差")]
    fallen = [u["name"] for u in units if (u["grade_steps"] or 0) < 0 and u["name"] not in poor + last]
    return {
        "kind": k["kind"], "count": k["count"], "counts": counts,
        "excellent": _named(k["excellent"]),
        "all_excellent": k["grade_counts"]["优秀"] == k["count"],
        "into_best": into_best if len(risen) < len(k["excellent"]) else [],
        "poor": poor, "last": last,
        "fallen": _named(fallen, 4),
    }


def _commendations(a: dict) -> dict | None:
    items = a["commendations"]
    if not items:
        return None
    places = sum(c["count"] for c in items)
    times: dict[str, int] = {}
    for c in items:
        for name in c["units"]:
            times[name] = times.get(name, 0) + 1
    listed = [{**c, "named": _named(c["units"])} for c in items]
    categories = [{"category": cat["category"], "titles": [c for c in listed if c["category"] == cat["category"]]}
                  for cat in a["commendation_categories"]]
    return {"titles": listed, "categories": categories, "places": places,
            "units": a["commended_count"], "table": places > TABLE_OVER,
            "twice": sum(1 for n in times.values() if n > 1),  # units commended more than once
            "categorised": any(c["category"] for c in items)}


def _year_figures(figures: list[dict], scope_size: int) -> list[dict]:
    """Last year's good figures: the right direction and a high or rising rank, strongest first."""
    good = []
    for f in figures:
        if f["growth_good"] is False:
            continue
        high = f["rank"] is not None and f["rank"] <= top_band(scope_size)
        rising = (f["rank_move"] or 0) >= 2
        if high or rising or (f["rank"] is None and f["growth_good"]):
            # a rank in the bottom half is never praise: a rising one is said by its move alone
            bottom = f["rank"] is not None and f["rank"] > scope_size / 2
            good.append({**f, "say_rank": f["rank"] is not None and not bottom})
    good.sort(key=lambda f: (-(f["rank_move"] or 0), f["rank"] or 10**6))
    return good[:YEAR_FIGURES]


def _progress(facts: dict) -> dict | None:
    """This year's progress so far, when the period lies after the year assessed."""
    meta, a = facts["meta"], facts["assessment"]
    if meta["year"] <= a["year"]:
        return None
    good = facts["achievements"]
    economy = [f for f in good if f["card"] == "经济"]
    others = [f for f in good if f["card"] != "经济"]
    ip = facts["investment_promotion"]
    funds = ip["funds"] if ip else None
    # the funds are said with 招商引资 below: the indicator of the same figure is not said twice
    strong = [f for f in economy + others
              if not (funds and f["value"] == funds["value"] and f["unit"] == "亿元")][:PROGRESS]
    behind = [f for f in facts["shortfalls"] if f["card"] == "经济"] or facts["shortfalls"]
    projects = facts["projects"]
    present = bool(strong or behind or ip or projects["count"])
    code = meta["period_code"]
    return {
        "present": present,
        "strong": strong,
        # each said as the other occasions say an indicator (planning.sentences, _framing)
        "sentences": vary([indicator_sentence(f, "achievement", code, max_lead=PROGRESS_LEAD) for f in strong]),
        "behind": [f["name"] for f in behind[:BEHIND]],
        "behind_more": max(0, len(behind) - BEHIND),
        "investment": ip if ip and (ip["signed"] or ip["started"] or ip["funds"]) else None,
        "projects": projects if projects["count"] else None,
    }


def _uses(a: dict) -> list[dict]:
    return [{"grade": u["grade"], "measures": u["measures"]} for u in a["result_use"]]


def plan(facts: dict) -> dict | None:
    """The plan of the assessment speech and the commendation notice; None without `assessment`."""
    a = facts["assessment"]
    if not a:
        return None
    meta = facts["meta"]
    county = _county(a["county"])
    subs = _subs(a["sub_assessments"])
    kinds = [_kind(k) for k in a["kinds"]]
    commendations = _commendations(a)
    figures = _year_figures(a["year_figures"], meta["scope_size"])
    progress = _progress(facts)
    uses = _uses(a)
    tasks = facts["tasks"]
    parts = {
        "results": bool(county or subs or kinds or commendations),
        "review": bool(figures or (progress and progress["present"])),
        "tasks": bool(tasks),
        "uses": bool(uses),
    }
    direction = county["direction"] if county else None
    n = a["notice"]
    return {
        "year": a["year"],
        "this_year": meta["year"] if meta["year"] > a["year"] else a["year"] + 1,
        "meeting": a["meeting"] or meta["meeting"],
        # the agenda of the meeting spoken at: meta's only when it is the same meeting
        "agenda": a["agenda"] if a["agenda"] is not None else ([] if a["meeting"] else meta["agenda"]),
        "date": a["date"] or meta["date"],
        # 县委、县政府 / 区委、区政府: who congratulates and who decides
        "leadership": f"{meta['level']}委、{meta['level']}政府",
        "tone": {"up": "进位", "down": "退位"}.get(direction, "平稳"),
        "county": county,
        "subs": subs,
        "kinds": kinds,
        "commendations": commendations,
        "figures": figures,
        "progress": progress if progress and progress["present"] else None,
        "tasks": tasks,
        "uses": uses,
        "parts": parts,
        # the commendation notice recalls the county's result only when it is good news
        "notice_county": bool(county and (direction == "up" or county["grade"] == "优秀")
                              and not county["bottom_half"]),
        "section_count": sum(parts.values()),
        "notice": {
            "form": n["form"],
            "issuer": n["issuer"] or meta["issuer"],
            "doc_number": n["doc_number"] or meta["doc_number"],
            "date": n["date"] or meta["date"],
            "addressees": n["addressees"] or meta["addressees"],
            "cc": n["cc"] or meta["cc"],
            "print_date": n["print_date"] or n["date"] or meta["print_date"],
            # the office that prints: 县委办 prints for 县委、县政府
            "printer": meta["issuer"] or n["issuer"],
        },
    }
