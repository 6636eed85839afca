"""序时进度: how far a running total is ahead of or behind the share of the year elapsed.

One owner for the county's indicators (facts.analysis) and the township race
(facts.racing), so a county figure and a township's figure can never disagree on
whether the same completion is on schedule.
"""

from __future__ import annotations

from generator.wording import zh

# Completions are rounded first, so float noise (0.1 + 0.2) never flips a verdict
# at the boundary.
_NDIGITS = 6


def gap_points(completion: float, schedule: float, better: str) -> float:
    """个百分点 behind schedule, negative when ahead, decided between the figures as printed.

    For `better: lower` the target is a ceiling: being under schedule × target is
    ahead. The gap is the printed schedule less the printed completion (完成33.8%,
    落后16.2, never 16.3 beside it), at one decimal; where one decimal would hide a
    real gap the completion is printed with as many more as show it (49.96% at
    mid-year: 落后0.04), so the verdict and the printed figures never disagree and a
    document never says 落后序时进度0.0个百分点. Completions are rounded to six digits
    first, so float noise is no gap.
    """
    done = round(completion, _NDIGITS)
    raw = round((done - schedule if better == "lower" else schedule - done) * 100, _NDIGITS - 2)
    if not raw:
        return 0.0
    places = completion_places(completion, schedule)
    printed_done, printed_line = zh.rounded(done * 100, places), zh.rounded(schedule * 100, places)
    behind = printed_done - printed_line if better == "lower" else printed_line - printed_done
    return zh.rounded(behind, places)


def completion_places(completion: float | None, schedule: float) -> int:
    """Decimals a completion (in %) is printed with beside 序时进度: one, or as many more
    as it takes to show that it is not on the line (41.66% against 41.67%)."""
    if completion is None:
        return 1
    done = round(completion, _NDIGITS)
    for places in range(1, 5):
        if zh.rounded(done * 100, places) != zh.rounded(schedule * 100, places):
            return places
    return 1
