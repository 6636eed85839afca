"""Reporting periods: 2024-Q2, 2024-H1, 2024-M05, 2024.

Figures are cumulative from January to the period's end, so a period is fully
described by its year and the number of months it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|M(?:0[1-9]|1[0-2])))?$")
_CN_DIGITS = "〇一二三四五六七八九十"


@dataclass(frozen=True)
class Period:
    year: int
    kind: str  # "Q", "H", "M" or "Y"
    n: int  # quarter, half or month number; 1 for a year

    @property
    def months(self) -> int:
        """Months elapsed from January to the period's end."""
        return {"Q": 3, "H": 6, "M": 1, "Y": 12}[self.kind] * self.n

    @property
    def schedule(self) -> float:
        """序时进度: share of the year elapsed at the period's end."""
        return self.months / 12

    @property
    def next_schedule(self) -> float:
        """序时进度 at the end of the next stage (a year-end period looks at the same line)."""
        step = {"Q": 3, "H": 6, "M": 1, "Y": 0}[self.kind]
        return min(self.months + step, 12) / 12

    @property
    def code(self) -> str:
        if self.kind == "Y":
            return str(self.year)
        return f"{self.year}-{self.kind}{self.n:02d}" if self.kind == "M" else f"{self.year}-{self.kind}{self.n}"

    @property
    def cumulative_name(self) -> str:
        """How a cumulative figure's span is said: 一季度, 上半年, 前三季度, 1—5月, 全年."""
        m = self.months
        if m == 12:
            return "全年"
        if m == 6:
            return "上半年"
        if m == 3:
            return "一季度"
        if m == 9:
            return "前三季度"
        if m == 1:
            return "1月"
        return f"1—{m}月"

    @property
    def stage_name(self) -> str:
        """The stretch of time the period ends: 二季度, 下半年, 5月, 全年."""
        if self.kind == "Q":
            return _CN_DIGITS[self.n] + "季度"
        if self.kind == "H":
            return "上半年" if self.n == 1 else "下半年"
        if self.kind == "M":
            return f"{self.n}月"
        return "全年"

    @property
    def previous_name(self) -> str:
        """How the previous period's cumulative figures are named: 一季度 for 2024-Q2, 上年 for a Q1."""
        if self.kind == "Y" or self.n == 1:
            return "上年"
        return Period(self.year, self.kind, self.n - 1).cumulative_name

    @property
    def next_stage_name(self) -> str:
        """The stretch that comes next, for "next-quarter tasks": 三季度, 下半年, 6月, 明年."""
        if self.kind == "Q":
            return _CN_DIGITS[self.n + 1] + "季度" if self.n < 4 else "明年"
        if self.kind == "H":
            return "下半年" if self.n == 1 else "明年"
        if self.kind == "M":
            return f"{self.n + 1}月" if self.n < 12 else "明年"
        return "明年"


def parse_period(raw: object) -> Period | None:
    """Parse a period code; None when it is not one of the accepted forms."""
    text = str(raw).strip() if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    match = _PATTERN.match(text)
    if not match:
        return None
    year, part = int(match.group(1)), match.group(2)
    if part is None:
        return Period(year, "Y", 1)
    return Period(year, part[0], int(part[1:]))
