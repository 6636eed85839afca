"""Who a document names at the back: of the township race, and of 招商引资.

The speech, the notice and the forum each name the townships at the back, and
the notice orders them to report in writing, so the rule must be the same
everywhere and must be earned by the figures. A township is named only when

- the field has MIN_FIELD or more units: in a smaller field the last three are
  half of it, and naming them says only that someone has to be last;
- it is among the race's bottom three and ranks below every township named at
  the top (a tie at the top is never also a place at the back);
- its score is below the base score (behind schedule taken as a whole) and
  below the field's average (behind the field, not merely last among the close):
  97.33 of 100 beside an average of 90.97 is a township doing better than most.
"""

from __future__ import annotations

MIN_FIELD = 6


def behind(towns: dict, top: list[dict] = ()) -> list[dict]:
    """The race's bottom units that may be named as lagging, worst first."""
    if towns["count"] < MIN_FIELD:
        return []
    above = max((u["rank"] for u in top), default=0)
    average = towns["average_score"]
    return [u for u in towns["bottom"]
            if u["rank"] > above and u["score"] < towns["total_weight"]
            and (average is None or u["score"] < average)]


def investment_laggards(ip: dict | None) -> dict:
    """The townships named at the back of 招商: those at zero, then the lowest that
    arrived at something (facts/investment.py decides who they are); empty lists when
    the file gives no township figures, so every occasion words them the same way."""
    towns = (ip or {}).get("townships")
    return {"zero": towns["zero"] if towns else [], "lowest": towns["lowest"] if towns else []}
