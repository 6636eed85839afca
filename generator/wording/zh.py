"""Chinese wording of figures: the Jinja filters and globals templates use.

Every function here turns one fact into the words a writing office would type,
so a template never decides a direction word, a rounding or a unit by hand.
Direction words follow the sign of the value *as printed*: a figure that rounds
to zero is "no change", and a negative zero never prints as "-0". Rounding is
half-up on the decimal value (2.25 → 2.3), as a person rounds, not as binary
floats do. Missing data (None, nan) raises ValueError instead of reaching a
reader; templates guard optional facts with {% if %}.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

from generator.document.numbering import chinese_number
from generator.facts.period import Period, parse_period

# Wide enough that quantizing any finite float to a few decimals never overflows.
_CTX = Context(prec=400, rounding=ROUND_HALF_UP)
_TEN_THOUSAND = Decimal(10000)
_HUNDRED = Decimal(100)

# unit → (the unit it moves up to, from what size on). Figures in 元 are mostly
# per-capita incomes (48512元), which the genre writes in full, so 元 only moves
# up at a million.
_MONEY_STEPS = {"元": ("万元", Decimal(1000000)), "万元": ("亿元", Decimal(10000))}
_COUNT_UNITS = frozenset("人 户 家 个 件 吨 亩 头 只 辆 套 间 次 平方米 千瓦时".split())
_COUNT_THRESHOLD = Decimal(100000)
_SMALLER = {"亿元": "万元"}
# A promoted figure (12.50亿元, 12.50万人) keeps two decimals so the promotion loses little.
_PROMOTED_DECIMALS = 2

_GRADES = "ABCDE"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---------------------------------------------------------------- validation

def _missing(func: str, what: str) -> ValueError:
    return ValueError(f"{func}: {what} is missing (None); guard it with {{% if %}} in the template")


def _wrong(func: str, what: str, expected: str, x: object) -> ValueError:
    # str() first: a Jinja StrictUndefined raises its own UndefinedError here, which
    # the render stage reports as "the template uses something the facts do not have".
    text = str(x)
    return ValueError(f"{func}: {what} must be {expected}, got {type(x).__name__} {text!r}")


def _decimal(x: object, func: str, what: str = "value") -> Decimal:
    """A finite number as the Decimal a person reads (str(0.1) is 0.1, not 0.1000000000000000055)."""
    kind = type(x)
    if kind is int:  # exact types first: a scorecard words a hundred figures
        return Decimal(x)
    if kind is not float:
        if x is None:
            raise _missing(func, what)
        if isinstance(x, bool) or not isinstance(x, (numbers.Real, Decimal)):
            raise _wrong(func, what, "a number", x)
    d = Decimal(str(x))
    if not d.is_finite():
        raise ValueError(f"{func}: {what} must be a finite number, got {x!r}")
    return d


def _integer(n: object, func: str, what: str = "value") -> int:
    if type(n) is int:
        return n
    if n is None:
        raise _missing(func, what)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise _wrong(func, what, "an integer", n)
    return int(n)


def _places(decimals: object, func: str) -> int:
    places = _integer(decimals, func, "decimals")
    if places < 0:
        raise ValueError(f"{func}: decimals must be 0 or more, got {places}")
    return places


def _text(s: object, func: str, what: str) -> str:
    if s is None:
        raise _missing(func, what)
    if not isinstance(s, str):
        raise _wrong(func, what, "text", s)
    return s


# ---------------------------------------------------------------- rounding

_STEPS = tuple(Decimal(1).scaleb(-places) for places in range(7))


# A non-zero figure never prints as zero (0.04% is not 0.0%): up to this many
# decimals are added until it shows.
_MAX_VISIBLE_PLACES = 4


def _visible(d: Decimal, places: int) -> int:
    """The decimals that keep a non-zero figure from printing as zero."""
    while places < _MAX_VISIBLE_PLACES and not d.is_zero() and _round(d, places).is_zero():
        places += 1
    return places


def _round(d: Decimal, places: int) -> Decimal:
    """Half-up to a fixed number of decimals; a result of zero loses its sign."""
    step = _STEPS[places] if places < len(_STEPS) else Decimal(1).scaleb(-places)
    q = d.quantize(step, rounding=ROUND_HALF_UP, context=_CTX)
    return q.copy_abs() if q.is_zero() else q


def _fmt(q: Decimal) -> str:
    return format(q, "f")


def _signed(x: object, decimals: object, func: str, up: str, down: str, flat: str,
            suffix: str) -> str:
    """up/down + magnitude + suffix by the sign of the rounded value; flat when it rounds to 0."""
    d = _decimal(x, func)
    q = _round(d, _visible(d, _places(decimals, func)))
    if q.is_zero():
        return flat
    return (up if q > 0 else down) + _fmt(q.copy_abs()) + suffix


# ---------------------------------------------------------------- numbers and amounts

def number(x: float, decimals: int = 1) -> str:
    """156.3; 5200 with decimals=0; -3.1. Half-width, fixed decimals, no thousands separators."""
    d = _decimal(x, "number")
    return _fmt(_round(d, _visible(d, _places(decimals, "number"))))


def printed(x: float, decimals: int = 1) -> float:
    """x as `number`, `growth` and `points` print it, as a float: a figure that is not
    zero keeps the places that stop it reading as zero (0.04, never 0.0)."""
    d = _decimal(x, "printed")
    return float(_round(d, _visible(d, _places(decimals, "printed"))))


def rounded(x: float, decimals: int = 1) -> float:
    """x as `number` prints it, as a float: float(number(x, d)) without the text."""
    return float(_round(_decimal(x, "rounded"), _places(decimals, "rounded")))


def _default_decimals(d: Decimal, unit: str) -> int:
    if unit in ("万元", "元"):
        return 0
    if unit in ("亿元", "%") or unit.startswith("万"):
        return 1
    return 0 if d == d.to_integral_value() else 1


def _promotion(unit: str) -> tuple[str, Decimal] | None:
    """The larger unit a figure moves to, and from what size on."""
    if unit in _MONEY_STEPS:
        return _MONEY_STEPS[unit]
    if unit in _COUNT_UNITS:
        return "万" + unit, _COUNT_THRESHOLD
    return None


def amount(x: float, unit: str, decimals: int | None = None) -> str:
    """156.3亿元, 5200万元, 45.2%; 125000万元 → 12.50亿元, 125000人 → 12.50万人.

    A figure is promoted when it reaches the threshold; one just under it keeps a
    decimal more (9999.5万元), so it never prints the same as one that reached it
    (10000万元 → 1.00亿元). 元 moves up only from 1000000元. A non-zero figure never
    prints as zero: 0.03亿元 → 300万元.
    """
    d = _decimal(x, "amount")
    unit = _text(unit, "amount", "unit")
    given = None if decimals is None else _places(decimals, "amount")
    promoted = False

    def places_for(value: Decimal, u: str) -> int:
        # `decimals` is chosen for the data's own unit; a promoted figure keeps two.
        if promoted:
            return _PROMOTED_DECIMALS
        return _default_decimals(value, u) if given is None else given

    while (step := _promotion(unit)) is not None:
        bigger, threshold = step
        if d.copy_abs() < threshold:
            break
        d = _CTX.divide(d, _TEN_THOUSAND)
        unit, promoted = bigger, True
    places = places_for(d, unit)
    if step is not None and _round(d, places).copy_abs() >= step[1]:
        # Just under the threshold (9999.5万元): rounding would print the threshold
        # itself, the same as a figure that reached it, so keep one more decimal.
        places += 1
    if unit in _SMALLER and not d.is_zero() and _round(d, places).is_zero():
        # 0.03亿元 reads as 300万元, not 0.0亿元
        d, unit = _CTX.multiply(d, _TEN_THOUSAND), _SMALLER[unit]
        places = _default_decimals(d, unit)
    return _fmt(_round(d, _visible(d, places))) + unit


def pct(x: float, decimals: int = 1) -> str:
    """45.2% for a value already in percent."""
    d = _decimal(x, "pct")
    return _fmt(_round(d, _visible(d, _places(decimals, "pct")))) + "%"


def share(fraction: float, decimals: int = 1) -> str:
    """0.452 → 45.2%; a share too small to show at the visible limit is 不到0.01%, never 0.0%."""
    d = _CTX.multiply(_decimal(fraction, "share", "fraction"), _HUNDRED)
    places = _visible(d, _places(decimals, "share"))
    q = _round(d, places)
    if q.is_zero() and not d.is_zero():
        return "不到" + _fmt(Decimal(1).scaleb(-places)) + "%"
    return _fmt(q) + "%"


def points(x: float, decimals: int = 1) -> str:
    """0.9个百分点, always the magnitude: the template has already chosen the word before it."""
    d = _decimal(x, "points")
    q = _round(d, _visible(d, _places(decimals, "points")))
    return _fmt(q.copy_abs()) + "个百分点"


def times(x: float, decimals: int = 1) -> str:
    """1.5倍. A multiple cannot be negative."""
    q = _round(_decimal(x, "times"), _places(decimals, "times"))
    if q < 0:
        raise ValueError(f"times: a multiple cannot be negative, got {x!r}")
    return _fmt(q) + "倍"


def count_of(n: int, unit: str = "项") -> str:
    """3项: a count of things, so a non-negative integer."""
    value = _integer(n, "count_of")
    if value < 0:
        raise ValueError(f"count_of: a count cannot be negative, got {value}")
    return f"{value}{_text(unit, 'count_of', 'unit')}"


# ---------------------------------------------------------------- direction words

def growth(x: float, decimals: int = 1, up: str = "增长", down: str = "下降",
           flat: str = "持平") -> str:
    """增长4.2% / 下降3.1% / 持平 — never 增长-3.1%."""
    return _signed(x, decimals, "growth", up, down, flat, "%")


def pp_change(x: float, decimals: int = 1, up: str = "提升", down: str = "回落",
              flat: str = "持平") -> str:
    """提升0.9个百分点 / 回落0.9个百分点 / 持平: the change of a rate."""
    return _signed(x, decimals, "pp_change", up, down, flat, "个百分点")


def gap(diff: float, target: str = "全市平均", decimals: int = 1, unit: str = "个百分点") -> str:
    """高于全市平均1.6个百分点 / 低于全市平均0.6个百分点 / 与全市平均持平.

    unit is appended as given ("%", "亿元", ""); no promotion, so pass decimals to suit it.
    """
    target = _text(target, "gap", "target")
    unit = _text(unit, "gap", "unit")
    return _signed(diff, decimals, "gap", "高于" + target, "低于" + target,
                   f"与{target}持平", unit)


# ---------------------------------------------------------------- ranks and grades

def rank(r: int, size: int | None = None, reverse_bottom: bool = True, tied: bool = False) -> str:
    """第3位; in the bottom half of size units 倒数第n位 (n = size − r + 1); a shared
    rank 并列第3位 (counted from the top: a tie makes "from the bottom" ambiguous)."""
    position = _integer(r, "rank", "rank")
    if position < 1:
        raise ValueError(f"rank: rank must be 1 or more, got {position}")
    if size is not None:
        total = _integer(size, "rank", "size")
        if position > total:
            raise ValueError(f"rank: rank {position} is outside 1..{total}")
    if tied:
        return f"并列第{position}位"
    if size is None:
        return f"第{position}位"
    from_bottom = total - position + 1
    if reverse_bottom and from_bottom < position:
        return f"倒数第{from_bottom}位"
    return f"第{position}位"


def rank_move(m: int) -> str:
    """上升3位 / 下降2位 / 位次不变; m = previous rank − rank, positive is better."""
    move = _integer(m, "rank_move", "rank move")
    if move > 0:
        return f"上升{move}位"
    if move < 0:
        return f"下降{-move}位"
    return "位次不变"


def rank_arrow(m: int | None) -> str:
    """↑3 / ↓2 / — in tables; 新列入 when there is no previous rank (None)."""
    if m is None:
        return "新列入"
    move = _integer(m, "rank_arrow", "rank move")
    if move > 0:
        return f"↑{move}"
    if move < 0:
        return f"↓{-move}"
    return "—"


def _grade(g: object, what: str) -> str:
    letter = _text(g, "grade_move", what)
    if len(letter) != 1 or letter not in _GRADES:
        raise ValueError(f"grade_move: {what} must be one of A–E, got {g!r}")
    return letter


def grade_move(prev: str, cur: str) -> str:
    """由B档升至A档 / 由B档降至C档 / 保持A档 (A best, E worst)."""
    before, now = _grade(prev, "previous grade"), _grade(cur, "grade")
    if now == before:
        return f"保持{now}档"
    verb = "升至" if now < before else "降至"
    return f"由{before}档{verb}{now}档"


# ---------------------------------------------------------------- dates and periods

def _date(d: object, func: str) -> dt.date:
    if d is None:
        raise _missing(func, "date")
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    if isinstance(d, str) and _ISO_DATE.match(d.strip()):
        try:
            return dt.date.fromisoformat(d.strip())
        except ValueError:
            pass
    raise _wrong(func, "date", "a date or YYYY-MM-DD text", d)


def date_cn(d: dt.date | str) -> str:
    """2024年7月15日, without zero padding."""
    day = _date(d, "date_cn")
    return f"{day.year}年{day.month}月{day.day}日"


def month_day(d: dt.date | str) -> str:
    """7月15日."""
    day = _date(d, "month_day")
    return f"{day.month}月{day.day}日"


def deadline(d: dt.date | str) -> str:
    """9月底前 when the date is the month's last day, else 9月15日前."""
    day = _date(d, "deadline")
    if (day + dt.timedelta(days=1)).month != day.month:
        return f"{day.month}月底前"
    return f"{day.month}月{day.day}日前"


def _period(p: object, func: str) -> Period:
    if p is None:
        raise _missing(func, "period")
    if isinstance(p, Period):
        return p
    parsed = parse_period(p) if isinstance(p, str) else None
    if parsed is None:
        raise _wrong(func, "period", "a Period or a code like 2024-Q2", p)
    return parsed


def period_name(period: Period | str) -> str:
    """The span of a cumulative figure: 一季度, 上半年, 前三季度, 1—5月, 全年."""
    return _period(period, "period_name").cumulative_name


def stage_name(period: Period | str) -> str:
    """The stretch the period ends: 二季度, 下半年, 5月, 全年."""
    return _period(period, "stage_name").stage_name


# ---------------------------------------------------------------- enumerations

def cn(n: int) -> str:
    """1 → 一, 12 → 十二 (1..99)."""
    return chinese_number(_integer(n, "cn"))


def cn_count(n: int) -> str:
    """A quantity before a measure word: 两点意见, not 二点意见 (1..99)."""
    value = _integer(n, "cn_count")
    return "两" if value == 2 else chinese_number(value)


def ordinal_is(n: int) -> str:
    """一是, 二是 … for 一是…二是… enumerations."""
    return cn(n) + "是"


def ordinal_lead(n: int, word: str = "要") -> str:
    """一要, 二要 …"""
    return cn(n) + _text(word, "ordinal_lead", "word")


def list_cn(items: Iterable[str], last: str = "和", sep: str = "、") -> str:
    """甲、乙和丙; 甲和乙; 甲. last="、" gives a plain enumeration. Empty → ValueError."""
    if items is None:
        raise _missing("list_cn", "list")
    if isinstance(items, str):
        raise ValueError(f"list_cn: expected a list of names, got the text {items!r}")
    names = list(items)
    if not names:
        raise ValueError("empty list: the template must handle it")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"list_cn: every item must be non-empty text, got {name!r}")
    last, sep = _text(last, "list_cn", "last"), _text(sep, "list_cn", "sep")
    if len(names) == 1:
        return names[0]
    return sep.join(names[:-1]) + last + names[-1]


# ---------------------------------------------------------------- registration

# The filters that word a figure, and what kind of figure each words. In templates they
# sit behind one seam (generator/audit/figures): each figure is recorded (its data path,
# raw value and filter, for `--trace` and `speechgen check`), a pending one becomes a
# draft's placeholder, and the public version (--redact) prints its digits as X, dates
# and periods excepted. Grades, names and enumerations (一是, 两点) are words, not figures.
FIGURE_KINDS: dict[str, str] = {
    "number": "number", "amount": "amount", "times": "number", "count_of": "count",
    "growth": "percent", "pct": "percent", "share": "percent", "points": "percent",
    "pp_change": "percent", "gap": "percent",
    "rank": "rank", "rank_move": "rank", "rank_arrow": "rank",
    "date_cn": "date", "month_day": "date", "deadline": "date", "period_name": "date",
    "stage_name": "date",
}


def _template_form(f: Callable[..., str]) -> Callable[..., str]:
    kind = FIGURE_KINDS.get(f.__name__)
    if kind is None:
        return f
    from generator.audit import figures

    return figures.traced(f.__name__, f, kind)


FILTERS: dict[str, Callable[..., str]] = {
    f.__name__: _template_form(f)
    for f in (number, amount, growth, pct, share, points, pp_change, gap, rank, rank_move,
              rank_arrow, grade_move, date_cn, month_day, deadline, cn, cn_count, ordinal_is,
              ordinal_lead, list_cn, count_of, times, period_name, stage_name)
}

# Those that read naturally as calls: {{ ordinal_is(loop.index) }}, {{ grade_move(a, b) }}.
GLOBALS: dict[str, Callable[..., str]] = {
    f.__name__: FILTERS[f.__name__]
    for f in (cn, cn_count, ordinal_is, ordinal_lead, grade_move, date_cn, month_day, deadline)
}

# The plain functions behind the filters, for re-wording a recorded figure (`check`).
PLAIN: dict[str, Callable[..., str]] = {name: getattr(f, "__wrapped__", f) for name, f in FILTERS.items()}
