"""The analyse stage: Dataset → Facts.

Every figure a template prints is computed here, so templates hold words and
no arithmetic. Facts are plain mappings, lists, numbers and strings: easy to
test, to dump as JSON (`speechgen facts --json`) and to read from Jinja.

Sign conventions, used throughout:
- rank_move = previous rank − rank: positive means the unit climbed.
- changes of rates and gaps between rates are in 个百分点.
- "good" flags already account for `better: lower`, so templates never flip
  a comparison themselves.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections.abc import Iterable, Mapping

from generator.facts import assessment, departments, highlights, investment, racing, scope, statements
from generator.facts import schedule as schedule_line
from generator.facts.period import parse_period
from generator.facts.trajectory import trajectory
from generator.wording import zh
from generator.sources.dataset import Dataset, Indicator, ProblemList, Project, Rules

CARDS = ("党建", "经济", "平安", "改革", "创新", "生态", "文化", "民生")
GRADES = ("A", "B", "C", "D", "E")
GOOD_RATINGS = ("好", "较好")
POOR_RATINGS = ("较差", "差")

# Derived ratios are rounded so that float noise (0.1 + 0.2) never flips a
# comparison such as "on schedule" at the boundary.
_NDIGITS = 6


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, _NDIGITS)


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else _r(a - b)


def printed_points(x: float | None) -> float | None:
    """A difference in 个百分点 as the documents print it (one decimal, half-up).

    On schedule or not, target met or not, is decided on this figure, so a
    document can never say 落后序时进度0.0个百分点 or 差0.0个百分点.
    """
    return None if x is None else zh.rounded(x, 1)


def _next_stage(p, date) -> str:
    """三季度, 下半年, 6月; at a year's end 明年, or 今年 when the meeting is already in it."""
    if p.months == 12 and date and date.year > p.year:
        return "今年"
    return p.next_stage_name


def _same_kind(code: str, kind: str | None) -> bool:
    """A history point of the current period's kind: a run of quarters is not a run of years."""
    p = parse_period(code)
    return kind is None or (p is not None and p.kind == kind)


def _printed_gap(growth: float | None, target: float | None) -> float | None:
    """A growth rate's gap to its target, between the figures as printed: 下降0.04% is
    below a 0.0% target, and 4.24% reads as meeting a 4.2% one."""
    if growth is None or target is None:
        return None
    g, t = zh.number(growth, 1), zh.number(target, 1)
    places = max(len(x.partition(".")[2]) for x in (g, t))  # 下降0.04% against 5.0%: 低4.96
    return zh.printed(round(float(g) - float(t), places), places)


def _said_gap(growth: float | None, other: float | None) -> float | None:
    """A growth rate's gap to a figure the sentence does not print, at the growth's printed places."""
    if growth is None or other is None:
        return None
    places = len(zh.number(growth, 1).partition(".")[2])
    return zh.printed(_r(growth - other), places)


def _places(gap: float | None) -> int:
    """The decimals a gap between printed figures is printed with: at least one."""
    return max(1, -Decimal(repr(gap)).normalize().as_tuple().exponent) if gap else 1


def _good(delta: float | None, better: str) -> bool | None:
    """Whether a positive-means-up delta is good news for this indicator."""
    if delta is None or delta == 0:
        return None
    return (delta > 0) == (better == "higher")


def grade_steps(previous: str | None, current: str | None) -> int | None:
    """Grade move in bands, positive = better (B → A is +1)."""
    if previous not in GRADES or current not in GRADES:
        return None
    return GRADES.index(previous) - GRADES.index(current)


def schedule_status(value: float | None, target: float | None, schedule: float,
                    better: str) -> dict:
    """Completion of an annual value target against 序时进度.

    For `better: lower` the target is a ceiling: staying under schedule × target
    is on schedule.
    """
    if value is None or target is None or target == 0:
        return {"completion": None, "on_schedule": None, "schedule_gap": None, "completion_places": 1,
                "schedule_short": None}
    ratio = value / target
    # rounded against float noise, but a tiny completion is still not a zero one
    completion = _r(ratio) if _r(ratio) or not ratio else ratio
    gap = schedule_line.gap_points(completion, schedule, better)
    # a gap too small to say in 个百分点 is said as the amount still to do (还差0.5万元)
    short = None
    if 0 < gap < 0.05:
        short = _r(schedule * target - value if better == "higher" else value - schedule * target)
    return {"completion": completion, "on_schedule": gap <= 0, "schedule_gap": gap,
            "completion_places": schedule_line.completion_places(completion, schedule), "schedule_short": short}


def rate_target_status(value: float | None, target: float | None, better: str,
                       decimals: int | None = None) -> dict:
    """A rate's target is a level, not a cumulative amount: compare it directly.

    schedule_gap is then how far the level is short of its target (个百分点 for a
    rate), decided at the indicator's own precision: 2.18% against 2.30% is 0.12
    short, not 0.1.
    """
    if value is None or target is None:
        return {"completion": None, "on_schedule": None, "schedule_gap": None, "completion_places": 1,
                "schedule_short": None}
    places = max(1, decimals) if decimals is not None else 1
    short = zh.rounded(target - value if better == "higher" else value - target, places)
    return {"completion": None, "on_schedule": short <= 0, "schedule_gap": short, "completion_places": 1,
            "schedule_short": None}


def indicator_facts(ind: Indicator, schedule: float, scope_size: int, rules: Rules,
                    year_end: bool = False, period_kind: str | None = None) -> dict:
    """All derived measures, the statements they support and the verdict of one indicator."""
    prev = ind.previous
    # The measure compared with averages and peers: growth where there is one,
    # else the value itself for rates (a rate's level is the news).
    compared = "growth" if ind.growth is not None else ("value" if ind.measure == "level" else None)
    mine = getattr(ind, compared) if compared else None

    # a growth gap takes the places the growth itself is printed with (增长0.04%, 低于全市
    # 平均5.56个百分点; 下降2.4%, 低4.5): the average is not printed, so it is not rounded first
    against = _said_gap if compared == "growth" else _diff
    avg = getattr(ind.scope_average, compared) if compared else None
    gap_avg = against(mine, avg)
    peers = []
    for name, snap in ind.peers.items():
        theirs = getattr(snap, compared) if compared else None
        gap = against(mine, theirs)
        if gap is not None:
            peers.append({"name": name, "value": theirs, "gap": gap, "good": _good(gap, ind.better),
                          "places": _places(gap)})

    rank_move = None if ind.rank is None or prev.rank is None else prev.rank - ind.rank
    growth_change = _diff(ind.growth, prev.growth)
    value_change = _diff(ind.value, prev.value) if ind.measure == "level" else None
    target_growth_gap = _printed_gap(ind.growth, ind.target.growth)
    if ind.measure == "level":
        sched = rate_target_status(ind.value, ind.target.value, ind.better, ind.decimals)
    else:
        sched = schedule_status(ind.value, ind.target.value, schedule, ind.better)

    facts = {
        **ind.extra,  # the office's own keys (read-only in templates); a computed fact wins
        "id": ind.id, "name": ind.name, "card": ind.card, "unit": ind.unit,
        "better": ind.better, "is_rate": ind.is_rate, "decimals": ind.decimals, "lead": ind.lead,
        "value": ind.value, "growth": ind.growth, "rank": ind.rank, "grade": ind.grade,
        "scope_size": scope_size,
        "target_value": ind.target.value, "target_growth": ind.target.growth,
        "previous_value": prev.value, "previous_growth": prev.growth,
        "previous_rank": prev.rank, "previous_grade": prev.grade,
        "growth_change": growth_change,
        "growth_good": _good(ind.growth, ind.better),
        "growth_change_good": _good(growth_change, ind.better),
        # for rates: the level's change since the previous period, in 个百分点
        "value_change": value_change,
        "value_change_good": _good(value_change, ind.better),
        "rank_move": rank_move,
        "grade_steps": grade_steps(prev.grade, ind.grade),
        "measure": ind.measure,  # level | cumulative
        "compared": compared,  # growth or value: what averages and peers are compared on
        "reason": ind.reason,
        "history": [{"period": h.period, "value": h.value, "growth": h.growth, "rank": h.rank,
                     "grade": h.grade} for h in ind.history],
        "trajectory": trajectory([{"rank": h.rank} for h in ind.history if _same_kind(h.period, period_kind)],
                                 prev.rank, ind.rank),
        "scope_average": avg,
        "gap_to_average": gap_avg,
        "average_places": _places(gap_avg),
        "above_average_good": _good(gap_avg, ind.better),
        "peers": peers,
        "peers_behind": [p["name"] for p in peers if p["good"] is False],
        "target_growth_gap": target_growth_gap,
        # printed with as many decimals as the figures it is taken between
        "target_growth_places": _places(target_growth_gap),
        "meets_growth_target": (None if target_growth_gap is None else
                                (target_growth_gap >= 0 if ind.better == "higher"
                                 else target_growth_gap <= 0)),
        "schedule": schedule,
        **sched,
        "extra": ind.extra,
    }
    said = statements.indicator_statements(facts, rules, year_end)
    facts["statements"] = said
    facts["reasons"] = {side: [x["kind"] for x in said if x["polarity"] == side]
                        for side in (statements.GOOD, statements.BAD)}
    facts["verdict"] = statements.placement(said)
    return facts


def _card_order(f: dict) -> int:
    return CARDS.index(f["card"]) if f["card"] in CARDS else len(CARDS)


def _strength(f: dict) -> tuple:
    """Sort key: the most striking first (grade, then rank move, then rank)."""
    steps = GRADES.index(f["grade"]) if f["grade"] in GRADES else len(GRADES)
    return (steps, -(f["rank_move"] or 0), f["rank"] or 10**6, f["id"])


def _weakness(f: dict) -> tuple:
    steps = -GRADES.index(f["grade"]) if f["grade"] in GRADES else 0
    return (steps, f["rank_move"] or 0, -(f["rank"] or 0), f["id"])


def card_summary(indicators: Iterable[dict]) -> list[dict]:
    """Per report card: how many indicators, and how many in each grade."""
    by_card: dict[str, list[dict]] = {}
    for f in indicators:
        by_card.setdefault(f["card"], []).append(f)
    out = []
    for card in sorted(by_card, key=lambda c: CARDS.index(c) if c in CARDS else len(CARDS)):
        items = by_card[card]
        grades = {g: sum(1 for f in items if f["grade"] == g) for g in GRADES}
        out.append({
            "card": card, "count": len(items), "graded": sum(grades.values()), "grades": grades,
            "best_grade": next((g for g in GRADES if grades[g]), None),
            "achievements": [f["name"] for f in items if f["verdict"] == "achievement"],
            "shortfalls": [f["name"] for f in items if f["verdict"] == "shortfall"],
        })
    return out


def problem_list_facts(lists: Iterable[ProblemList], scope_size: int, top_n: int) -> dict:
    items = []
    for pl in lists:
        move = None if pl.rank is None or pl.previous_rank is None else pl.previous_rank - pl.rank
        items.append({**pl.extra, "name": pl.name, "rating": pl.rating, "rank": pl.rank,
                      "previous_rank": pl.previous_rank, "rank_move": move,
                      "good": pl.rating in GOOD_RATINGS, "poor": pl.rating in POOR_RATINGS,
                      "extra": pl.extra})
    ranked = [i for i in items if i["rank"] is not None]
    return {
        "count": len(items),
        "all": items,
        "good": [i for i in items if i["good"]],
        "poor": [i for i in items if i["poor"]],
        "risers": sorted((i for i in items if (i["rank_move"] or 0) > 0), key=lambda i: -i["rank_move"]),
        "fallers": sorted((i for i in items if (i["rank_move"] or 0) < 0), key=lambda i: i["rank_move"]),
        "top_n": top_n,
        "in_top_n": [i for i in ranked if i["rank"] <= top_n],
        "bottom_half": [i for i in ranked if i["rank"] > scope_size / 2],
    }


def project_facts(projects: Iterable[Project], schedule: float) -> dict:
    items = []
    for p in projects:
        share = _r(p.completed / p.planned) if p.planned else None
        items.append({**p.extra, "name": p.name, "lead": p.lead, "planned": p.planned,
                      "completed": p.completed, "started": p.started, "completion": share,
                      "behind": (not p.started) or (share is not None and share < schedule),
                      "township": p.township, "listed": p.listed, "extra": p.extra})
    planned = _r(sum(p["planned"] for p in items))
    completed = _r(sum(p["completed"] for p in items))
    started = sum(1 for p in items if p["started"])
    return {
        "count": len(items),
        "all": items,
        "started": started,
        "not_started": [p for p in items if not p["started"]],
        "start_rate": _r(started / len(items)) if items else None,
        "planned": planned,
        "completed": completed,
        "completion": _r(completed / planned) if planned else None,
        "on_schedule": bool(planned) and completed / planned >= schedule,
        "behind": sorted((p for p in items if p["behind"]),
                         key=lambda p: (p["started"], p["completion"] or 0, p["name"])),
        # entered the higher level's key-project list this period (project key `listed`)
        "listed": [p for p in items if p["listed"]],
        "listed_townships": list(dict.fromkeys(p["township"] for p in items
                                               if p["listed"] and p["township"])),
        "by_township": {town: {"count": sum(1 for p in items if p["township"] == town),
                               "started": sum(1 for p in items if p["township"] == town and p["started"]),
                               "listed": [p["name"] for p in items if p["township"] == town and p["listed"]]}
                        for town in dict.fromkeys(p["township"] for p in items if p["township"])},
    }


def _task_facts(ds: Dataset, indicators: dict[str, dict]) -> list[dict]:
    return [{
        **theme.extra,
        "theme": theme.theme,
        "entries": [{**item.extra, "text": item.text, "lead": item.lead, "due": item.due,
                     "indicator": indicators.get(item.indicator) if item.indicator else None,
                     "leader": item.leader, "units": list(item.units), "extra": item.extra}
                    for item in theme.items],
        "extra": theme.extra,
    } for theme in ds.tasks]


def _meta_facts(ds: Dataset) -> dict:
    m = ds.meta
    p = m.period
    return {
        **m.extra,  # the office's own keys; a computed fact of the same name wins
        "region": m.region, "level": m.level, "whole": m.whole,
        "period": p, "period_code": p.code, "period_kind": p.kind, "year": p.year, "period_name": p.cumulative_name,
        "stage": p.stage_name, "next_stage": _next_stage(p, m.date), "previous_name": p.previous_name,
        # a year reviewed after it ended is 去年, and the year to come 今年 (a January meeting)
        "this_year_word": "去年" if m.date and p.months == 12 and m.date.year > p.year else "今年",
        "schedule": p.schedule, "next_schedule": p.next_schedule,
        "is_year_end": p.months == 12,
        "next_year": p.year + 1,
        "race_label": race_label(ds),
        "agenda": list(m.agenda),
        "scope": m.scope, "scope_size": m.scope_size, "peers": list(m.peers),
        "meeting": m.meeting, "speaker_title": m.speaker.title, "speaker_name": m.speaker.name,
        "date": m.date, "issuer": m.issuer, "doc_number": m.doc_number,
        "addressees": m.addressees, "cc": m.cc,
        "print_date": m.print_date or m.date,
        "extra": m.extra,
    }


# What the race's units are called when the data does not say (DESIGN.md townships.label).
RACE_LABELS = {"县": "乡镇（街道）", "区": "镇（街道）", "市": "县（市、区）"}


def race_label(ds: Dataset) -> str:
    label = ds.townships.label if ds.townships else ""
    return label or RACE_LABELS.get(ds.meta.level, "乡镇（街道）")


def _movers(indicators: list[dict], n: int) -> tuple[list[dict], list[dict]]:
    moved = [f for f in indicators if f["rank_move"]]
    risers = sorted((f for f in moved if f["rank_move"] > 0), key=lambda f: (-f["rank_move"], f["id"]))
    fallers = sorted((f for f in moved if f["rank_move"] < 0), key=lambda f: (f["rank_move"], f["id"]))
    return risers[:n], fallers[:n]


def analyse(ds: Dataset) -> dict:
    """Every derived fact the speech, notice and scorecards draw on."""
    period = ds.meta.period
    schedule = period.schedule
    rules = ds.rules
    year_end = period.months == 12
    inds = [indicator_facts(i, schedule, ds.meta.scope_size, rules, year_end, ds.meta.period.kind)
            for i in ds.indicators.values()]
    for f, ind in zip(inds, ds.indicators.values()):  # the whole table's distribution, when imported
        f["scope"] = scope.scope_facts(ind, ds.meta.region, f["compared"])
    by_id = {f["id"]: f for f in inds}

    achievements = sorted((f for f in inds if f["verdict"] == "achievement"),
                          key=lambda f: (_card_order(f), _strength(f)))
    shortfalls = sorted((f for f in inds if f["verdict"] == "shortfall"),
                        key=lambda f: (_card_order(f), _weakness(f)))
    risers, fallers = _movers(inds, rules.bottom_n)
    graded = [f for f in inds if f["grade"] in GRADES]
    with_value_target = [f for f in inds if f["on_schedule"] is not None]
    with_growth_target = [f for f in inds if f["meets_growth_target"] is not None]
    ranked = sorted((f for f in inds if f["rank"] is not None), key=lambda f: (-f["rank"], f["id"]))

    facts = {
        "meta": _meta_facts(ds),
        "indicators": inds,
        "by_id": by_id,
        "cards": card_summary(inds),
        "grade_counts": {g: sum(1 for f in graded if f["grade"] == g) for g in GRADES},
        "graded_count": len(graded),
        "economy": [f for f in inds if f["card"] == "经济"],
        "achievements": achievements,
        "shortfalls": shortfalls,
        "risers": risers,
        "fallers": fallers,
        "bottom": ranked[:rules.bottom_n],
        "schedule_targets": {
            "count": len(with_value_target),
            "on": [f for f in with_value_target if f["on_schedule"]],
            "behind": sorted((f for f in with_value_target if not f["on_schedule"]),
                             key=lambda f: (-f["schedule_gap"], f["id"])),
        },
        "growth_targets": {
            "count": len(with_growth_target),
            "met": [f for f in with_growth_target if f["meets_growth_target"]],
            "missed": sorted((f for f in with_growth_target if not f["meets_growth_target"]),
                             key=lambda f: (-abs(f["target_growth_gap"]), f["id"])),
        },
        "trailing_peers": {peer: [f for f in inds if peer in f["peers_behind"]]
                           for peer in ds.meta.peers},
        "problem_lists": problem_list_facts(ds.problem_lists, ds.meta.scope_size,
                                            top_n=max(1, ds.meta.scope_size // 4)),
        "projects": project_facts(ds.projects, schedule),
        "townships": racing.race(ds.townships, schedule, bottom_n=rules.bottom_n,
                                 next_schedule=period.next_schedule)
        if ds.townships and ds.townships.units else None,
        "tasks": _task_facts(ds, by_id),
        "balance": statements.balance(inds),
        "rules": {"bottom_half_reverse": rules.bottom_half_reverse, "bottom_n": rules.bottom_n},
        # contract additions, each derived in a module of its own
        "investment_promotion": investment.investment_facts(ds.investment_promotion, schedule),
        "departments": departments.department_facts(ds.departments, ds.meta.level),
        "highlights": highlights.highlight_facts(ds.highlights, by_id),
        "assessment": assessment.assessment_facts(ds.assessment, ds.indicators, period),
        "extra": ds.extra,
    }
    # The office's own top-level keys reach templates as they are; a fact of the same name wins.
    return {**ds.extra, **facts}


def jsonable(value):
    """Facts as JSON-ready data (dates as ISO strings, periods as codes)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if k != "by_id"}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "code"):
        return value.code
    return value
