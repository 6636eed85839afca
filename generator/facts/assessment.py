"""The annual target-responsibility assessment (年度目标责任考核): plain facts for templates.

The county's place in the higher level's assessment, its move, its grade and how its
record reads against earlier years ("best since", a run of falls ended), the sub-assessment
grades, the county's own grading of townships and departments (counts per grade, the 优秀
and the last per kind), the commendations, the use of results by grade, and last year's
headline figures from the indicators' history. Everything a sentence states about a record
is computed here, never typed by the office: "近五年最好" must follow from the years given.
"""

from __future__ import annotations

from generator.facts.period import Period
from generator.sources.dataset import Assessment, AssessedUnit, CountyResult, Indicator

GRADES = ("优秀", "良好", "一般", "较差")  # best first
# A "best since" is news only when it beats at least this many earlier years.
MIN_YEARS_BEATEN = 2


def grade_steps(previous: str | None, current: str | None) -> int | None:
    """Grade move in steps, positive = better (良好 → 优秀 is +1)."""
    if previous not in GRADES or current not in GRADES:
        return None
    return GRADES.index(previous) - GRADES.index(current)


def _series(year: int, county: CountyResult) -> list[dict]:
    """Every year with a rank, oldest first: the history, last year (previous_rank) and this year."""
    points = {h.year: {"year": h.year, "rank": h.rank, "grade": h.grade,
                       "group_size": h.group_size or county.group_size} for h in county.history}
    if year - 1 not in points and (county.previous_rank is not None or county.previous_grade):
        points[year - 1] = {"year": year - 1, "rank": county.previous_rank,
                            "grade": county.previous_grade, "group_size": county.group_size}
    points[year] = {"year": year, "rank": county.rank, "grade": county.grade,
                    "group_size": county.group_size}
    return [points[y] for y in sorted(points)]


def best_since(series: list[dict], year: int) -> dict | None:
    """The run of earlier years this year's rank beats outright, when it is long enough to say.

    since: the first year of that run; years: how many years it spans, this one included;
    whole_record: no earlier year given did as well; continuous: every year of the span has
    a rank, so "近N年" may be said (else only "Y年以来").
    """
    ranked = [p for p in series if p["rank"] is not None]
    if not ranked or ranked[-1]["year"] != year:
        return None
    rank = ranked[-1]["rank"]
    earlier = ranked[:-1]
    as_good = [p for p in earlier if p["rank"] <= rank]
    beaten = [p for p in earlier if not as_good or p["year"] > as_good[-1]["year"]]
    if len(beaten) < MIN_YEARS_BEATEN:
        return None
    since = beaten[0]["year"]
    return {"since": since, "years": year - since + 1, "whole_record": not as_good,
            "continuous": len(beaten) == year - since, "beaten": len(beaten)}


def decline_ended(series: list[dict], year: int) -> dict | None:
    """Falls in rank year after year up to last year, ended by a rise this year."""
    ranked = [p for p in series if p["rank"] is not None]
    if len(ranked) < 3 or ranked[-1]["year"] != year or ranked[-1]["rank"] >= ranked[-2]["rank"]:
        return None
    falls, start = 0, len(ranked) - 2
    while start > 0 and ranked[start]["rank"] > ranked[start - 1]["rank"] \
            and ranked[start]["year"] == ranked[start - 1]["year"] + 1:
        falls += 1
        start -= 1
    if falls < MIN_YEARS_BEATEN:
        return None
    return {"since": ranked[start]["year"], "falls": falls}


def left_last_place(series: list[dict], year: int) -> dict | None:
    """Last in its group for consecutive years up to last year, and not last this year."""
    ranked = [p for p in series if p["rank"] is not None and p["group_size"]]
    if len(ranked) < 2 or ranked[-1]["year"] != year or ranked[-1]["rank"] == ranked[-1]["group_size"]:
        return None
    run = 0
    for p in reversed(ranked[:-1]):
        if p["rank"] != p["group_size"] or p["year"] != year - 1 - run:
            break
        run += 1
    if run == 0:
        return None
    return {"since": year - run, "years": run}


def _county(year: int, c: CountyResult | None) -> dict | None:
    if c is None:
        return None
    series = _series(year, c)
    move = None if c.rank is None or c.previous_rank is None else c.previous_rank - c.rank
    return {
        "scope": c.scope, "group": c.group, "group_size": c.group_size,
        "rank": c.rank, "previous_rank": c.previous_rank, "rank_move": move,
        "grade": c.grade, "previous_grade": c.previous_grade,
        "grade_steps": grade_steps(c.previous_grade, c.grade),
        "score": c.score,
        "is_first": c.rank == 1,
        "is_last": c.rank is not None and c.rank == c.group_size,
        "history": series[:-1],
        "best_since": best_since(series, year),
        "decline_ended": decline_ended(series, year),
        "left_last_place": left_last_place(series, year),
    }


def _unit(u: AssessedUnit) -> dict:
    return {**u.extra, "name": u.name, "kind": u.kind, "grade": u.grade, "score": u.score,
            "rank": u.rank, "previous_grade": u.previous_grade, "previous_rank": u.previous_rank,
            "rank_move": None if u.rank is None or u.previous_rank is None else u.previous_rank - u.rank,
            "grade_steps": grade_steps(u.previous_grade, u.grade), "extra": u.extra}


def _order(u: dict, index: int) -> tuple:
    """Ranked units by rank; then by grade, score (highest first) and the file's order."""
    return (u["rank"] is None, u["rank"] or 0, GRADES.index(u["grade"]),
            -(u["score"] if u["score"] is not None else float("-inf")), index)


def _kinds(units: list[dict]) -> list[dict]:
    kinds = list(dict.fromkeys(u["kind"] for u in units))
    out = []
    for kind in kinds:
        mine = [u for u in units if u["kind"] == kind]
        ordered = [u for _, u in sorted(enumerate(mine), key=lambda p: _order(p[1], p[0]))]
        ranked = [u for u in ordered if u["rank"] is not None]
        worst_rank = max((u["rank"] for u in ranked), default=None)
        counts = {g: sum(1 for u in mine if u["grade"] == g) for g in GRADES}
        out.append({
            "kind": kind, "count": len(mine), "units": ordered, "grade_counts": counts,
            "by_grade": {g: [u["name"] for u in ordered if u["grade"] == g] for g in GRADES},
            "excellent": [u["name"] for u in ordered if u["grade"] == "优秀"],
            # ranked last of its kind (only where there are ranks and more than one unit)
            "last": [u["name"] for u in ranked if u["rank"] == worst_rank] if len(mine) > 1 and ranked else [],
            "worst_grade": next((g for g in reversed(GRADES) if counts[g]), None),
            "risen": [u["name"] for u in ordered if (u["grade_steps"] or 0) > 0],
            "fallen": [u["name"] for u in ordered if (u["grade_steps"] or 0) < 0],
        })
    return out


def _year_figures(year: int, indicators: dict[str, Indicator], period: Period) -> list[dict]:
    """Indicators' figures for the assessment year: from their history (period YYYY), or the
    indicators themselves when the file's period is that very year (previous is the year before)."""
    out = []
    this_year = period.months == 12 and period.year == year
    for ind in indicators.values():
        by_period = {h.period: h for h in ind.history}
        point = by_period.get(str(year))
        before = by_period.get(str(year - 1))
        if this_year:
            point, before = ind, ind.previous
        if point is None:
            continue
        move = None if point.rank is None or before is None or before.rank is None else before.rank - point.rank
        out.append({"id": ind.id, "name": ind.name, "card": ind.card, "unit": ind.unit,
                    "decimals": ind.decimals, "better": ind.better, "is_rate": ind.is_rate,
                    "lead": ind.lead, "value": point.value, "growth": point.growth,
                    "rank": point.rank, "grade": point.grade,
                    "previous_rank": None if before is None else before.rank,
                    "previous_growth": None if before is None else before.growth,
                    "rank_move": move,
                    "growth_good": None if point.growth is None or point.growth == 0
                    else (point.growth > 0) == (ind.better == "higher")})
    return out


def assessment_facts(a: Assessment | None, indicators: dict[str, Indicator], period: Period) -> dict | None:
    """Facts of the `assessment` block; None when the file has none."""
    if a is None:
        return None
    units = [_unit(u) for u in a.units]
    subs = [{**s.extra, "name": s.name, "grade": s.grade, "previous_grade": s.previous_grade,
             "rank": s.rank, "grade_steps": grade_steps(s.previous_grade, s.grade), "extra": s.extra}
            for s in a.sub_assessments]
    commendations = [{**c.extra, "title": c.title, "units": list(c.units), "count": len(c.units),
                      "category": c.category, "extra": c.extra} for c in a.commendations]
    categories = list(dict.fromkeys(c["category"] for c in commendations))
    commended = list(dict.fromkeys(name for c in commendations for name in c["units"]))
    uses = [{"grade": g, "measures": [r.measure for r in a.result_use if r.grade == g]}
            for g in GRADES if any(r.grade == g for r in a.result_use)]
    n = a.notice
    return {
        **a.extra,  # the office's own keys; a computed fact of the same name wins
        "year": a.year,
        "meeting": a.meeting,  # "" when the file does not say: the template falls back to meta.meeting
        "date": a.date,
        "agenda": None if a.agenda is None else list(a.agenda),  # None: not given
        "county": _county(a.year, a.county),
        "sub_assessments": subs,
        "sub_grade_counts": {g: sum(1 for s in subs if s["grade"] == g) for g in GRADES},
        "sub_excellent": [s["name"] for s in subs if s["grade"] == "优秀"],
        "units": units,
        "unit_count": len(units),
        "kinds": _kinds(units),
        "grade_counts": {g: sum(1 for u in units if u["grade"] == g) for g in GRADES},
        "excellent": [u["name"] for k in _kinds(units) for u in k["units"] if u["grade"] == "优秀"],
        "commendations": commendations,
        "commendation_categories": [{"category": cat, "commendations": [c for c in commendations
                                                                        if c["category"] == cat]}
                                    for cat in categories],
        "commended": commended,
        "commended_count": len(commended),
        "result_use": uses,
        "year_figures": _year_figures(a.year, indicators, period),
        "notice": {"form": n.form, "issuer": n.issuer, "doc_number": n.doc_number, "date": n.date,
                   "addressees": n.addressees, "cc": n.cc, "print_date": n.print_date},
        "grades": list(GRADES),
        "extra": a.extra,
    }
