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
    """个百分点 behind schedule, negative when ahead, decided as printed (one decimal).

    For `better: lower` the target is a ceiling: being under schedule × target is
    ahead. Deciding on the printed figure means a document never says
    落后序时进度0.0个百分点.
    """
    done = round(completion, _NDIGITS)
    behind = done - schedule if better == "lower" else schedule - done
    return zh.rounded(behind * 100, 1)
