"""招商引资: projects signed and started, funds arrived against the annual task, townships' completion.

Plain data for templates (DESIGN.md "Contract additions", `investment_promotion`). Funds are a
running total, so they are judged against 序时进度 as every cumulative figure is
(facts/schedule.py); at a year's end there is no schedule left, only the task met or missed.
"""

from __future__ import annotations

from generator.facts import schedule as schedule_line
from generator.sources.dataset import Deals, Funds, InvestmentPromotion

_NDIGITS = 6
# "The N lowest" of the townships that are behind: enough to name, few enough to say.
LOWEST = 3


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, _NDIGITS)


def _deals(d: Deals | None) -> dict | None:
    if d is None or (d.projects is None and d.amount is None):
        return None
    return {"projects": d.projects, "amount": d.amount}


def _completion(value: float | None, target: float | None, schedule: float) -> dict:
    """completion = value ÷ target; on schedule and the gap as every running total is judged."""
    if value is None or not target:
        return {"completion": None, "on_schedule": None, "schedule_gap": None, "met": None}
    completion = _r(value / target)
    gap = schedule_line.gap_points(completion, schedule, "higher")
    return {"completion": completion, "on_schedule": gap <= 0, "schedule_gap": gap,
            "met": completion >= 1}


def _funds(f: Funds | None, schedule: float) -> dict | None:
    if f is None or f.value is None:
        return None
    return {"value": f.value, "target": f.target, **_completion(f.value, f.target, schedule)}


def _townships(ip: InvestmentPromotion, schedule: float) -> dict | None:
    if not ip.townships:
        return None
    items = [{"name": t.name, "value": t.value, "target": t.target,
              "zero": t.value == 0, "missing": t.value is None,
              **_completion(t.value, t.target, schedule)} for t in ip.townships]
    assessed = [t for t in items if t["completion"] is not None]
    # Best first; ties keep the file's order.
    ranked = sorted(assessed, key=lambda t: -t["completion"])
    behind = [t for t in ranked if not t["on_schedule"]]
    half = schedule / 2
    return {
        "count": len(items),
        "assessed_count": len(assessed),
        "all": items,
        "ranked": ranked,
        "on_schedule": [t["name"] for t in ranked if t["on_schedule"]],
        "behind": [t["name"] for t in behind],
        "completed": [t["name"] for t in ranked if t["met"]],  # the whole year's task done
        # far behind: under half of 序时进度, the zeros named apart
        "below_half": [t["name"] for t in behind if t["completion"] < half and not t["zero"]],
        "zero": [t["name"] for t in items if t["zero"]],
        "missing": [t["name"] for t in items if t["missing"]],
        # the lowest that arrived at something (a zero is said on its own), lowest first
        "lowest": [t for t in reversed(behind) if not t["zero"]][:LOWEST],
        "best": ranked[0] if ranked else None,
    }


def investment_facts(ip: InvestmentPromotion | None, schedule: float) -> dict | None:
    """Facts of the `investment_promotion` block; None when the file has none."""
    if ip is None:
        return None
    signed, started = _deals(ip.signed), _deals(ip.started)
    start_rate = None
    if signed and started and signed["projects"] and started["projects"] is not None:
        start_rate = _r(started["projects"] / signed["projects"])
    return {
        **ip.extra,  # the office's own keys; a computed fact of the same name wins
        "signed": signed,
        "started": started,
        "start_rate": start_rate,  # projects started ÷ projects signed (落地开工率)
        "funds": _funds(ip.funds, schedule),
        "townships": _townships(ip, schedule),
        "schedule": schedule,
        "extra": ip.extra,
    }
