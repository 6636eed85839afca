"""A framing checker: rules a county writer applies, run over the plain text of a document.

Pure functions, no pytest. Each rule takes the text of one generated document (Markdown or
plain text) and, where it needs it, the parsed data dict (the YAML as loaded), and returns a
list of :class:`Violation`. :func:`check_all` runs every rule.

Sentences are split on 。！？； and line breaks (see :func:`split_sentences`). Headings
(Markdown ``#`` lines, or plain-text lines such as ``二、存在的问题``) are kept apart so that
rule (f) knows which section a sentence is in. Table rows (``|`` lines) are sentences for the
figure rules (d, h) but are left out of the prose rules.

Rules (ids are stable; a test may select them):

========  ============================================================================
praise    (a) no praise word in a sentence that gives a bottom-half rank (倒数第N, or 第N位
          with N > scope/2) unless a contrast (但/而/却/仍/然而/不过) stands between them.
lower     (b) no improvement word (提升/提高/改善/好转/增长) for a lower-is-better figure
          that got worse; never 完成 for a lower-is-better figure; rank-move words must
          follow the data (上升N位 only when the rank improved); never 增长-3.1%.
yearend   (c) no 序时 / 明年是完成全年任务 / 攻坚明年 / 明年末 / 时间过半 wording when the
          period is a full year (YYYY); the office's own task texts are exempt.
zero      (d) no figure printed as zero (0亿元, 0.0%, 0.00, 0.0个百分点) unless a figure
          behind the entities the sentence names is really zero.
front     (e) 排在前列/走在前列/位居前列 never names every unit of the race, nor is said of a
          scope of 3 or fewer units, nor of a rank outside the top third.
short     (f) every indicator named under a shortfalls heading (问题/不足/短板/差距/走弱/
          落后/薄弱) carries a bad statement in its part of the sentence.
shape     (g) no sentence shape three times in a row (see :func:`shape`).
leak      (h) no machinery: None, nan, null, True/False, undefined, {{ }}, {% %}, [], (),
          （）, a stray X, 、、 ，， 。。 、。 ，。, a zero count read out (只有0项)
level     (i) words for the level: a 市 is never 全县/我县/全区/我区; a 县 never 全区/我区/我市;
          a 区 never 全县/我县/我市; a race whose label has no 乡镇 never says 乡镇.
========  ============================================================================
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterable

__all__ = [
    "Violation", "Sentence", "split_sentences", "shape", "check_all", "RULES",
    "check_praise", "check_lower_is_better", "check_year_end", "check_zero",
    "check_front_runners", "check_shortfalls", "check_shapes", "check_leaks", "check_level",
]


@dataclass(frozen=True)
class Violation:
    rule: str
    sentence: str
    explanation: str

    def __str__(self) -> str:  # pragma: no cover - for reading failures
        return f"[{self.rule}] {self.explanation}: {self.sentence}"


@dataclass(frozen=True)
class Sentence:
    text: str
    section: tuple[str, ...]   # enclosing headings, outermost first
    table: bool = False
    heading: bool = False


# --------------------------------------------------------------------------- splitting

_CN_NUM = "一二三四五六七八九十"
_HEADING_PLAIN = [
    (1, re.compile(rf"^[{_CN_NUM}]+、")),
    (2, re.compile(rf"^（[{_CN_NUM}]+）")),
    (3, re.compile(r"^\d+[.．](?!\d)")),
    (4, re.compile(r"^（\d+）")),
]
_LIST_PREFIX = re.compile(r"^(\s*[-*+>]\s+|\s*\d+\.\s+)")


def _heading_level(line: str) -> int | None:
    m = re.match(r"^(#{1,6})\s+", line)
    if m:
        return len(m.group(1))
    if len(line) <= 30 and not re.search("[。！？；，]", line):
        for level, rx in _HEADING_PLAIN:
            if rx.match(line):
                return level
    return None


_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _strip_md(line: str) -> str:
    line = re.sub(r"^#{1,6}\s+", "", line)
    line = _LIST_PREFIX.sub("", line)
    return line.replace("**", "").replace("__", "").strip()


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a document, each with the headings above it."""
    out: list[Sentence] = []
    stack: list[tuple[int, str]] = []
    for raw in text.splitlines():
        line = _MD_ESCAPE.sub(r"\1", raw.strip())  # the text a reader sees: \{ is {
        if not line or re.fullmatch(r"[-|:\s]+", line) or line.startswith(("![", "Table:", "<!--")):
            continue
        if line.startswith("|"):
            out.append(Sentence(line, tuple(h for _, h in stack), table=True))
            continue
        level = _heading_level(line)
        if level is not None:
            title = _strip_md(line)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            out.append(Sentence(title, tuple(h for _, h in stack[:-1]), heading=True))
            continue
        section = tuple(h for _, h in stack)
        for part in re.split(r"[。！？；]", _strip_md(line)):
            part = part.strip()
            if part:
                out.append(Sentence(part, section))
    return out


def _sentences(doc: str | Iterable[Sentence]) -> list[Sentence]:
    return split_sentences(doc) if isinstance(doc, str) else list(doc)


# --------------------------------------------------------------------------- data helpers

def _indicators(data: dict | None) -> list[dict]:
    if not data:
        return []
    inds = data.get("indicators") or {}
    return [dict(v, id=k) for k, v in inds.items()] if isinstance(inds, dict) else list(inds)


def _units(data: dict | None) -> list[dict]:
    return list(((data or {}).get("townships") or {}).get("units") or [])


def _period(data: dict | None) -> str:
    return str(((data or {}).get("meta") or {}).get("period", ""))


def is_year_end(period: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", str(period)))


def schedule(period: str) -> float | None:
    p = str(period)
    if is_year_end(p):
        return 1.0
    m = re.fullmatch(r"\d{4}-(Q|H|M)(\d+)", p)
    if not m:
        return None
    kind, n = m.group(1), int(m.group(2))
    return {"Q": n / 4, "H": n / 2, "M": n / 12}[kind]


_LOWER_ALIASES = {"失业率": "失业率", "PM2.5": "PM2.5", "事故起数": "事故", "死亡人数": "死亡人数"}


def _mentions(sentence: str, names: dict[str, object]) -> list[tuple[int, int, object]]:
    """Non-overlapping mentions (start, end, payload), longest names first."""
    taken: list[tuple[int, int, object]] = []
    for name in sorted(names, key=len, reverse=True):
        for m in re.finditer(re.escape(name), sentence):
            s, e = m.span()
            if all(e <= ts or s >= te for ts, te, _ in taken):
                taken.append((s, e, names[name]))
    return sorted(taken, key=lambda t: t[0])


def _indicator_names(data: dict | None, aliases: bool = True) -> dict[str, dict]:
    names: dict[str, dict] = {}
    for ind in _indicators(data):
        if ind.get("name"):
            names[ind["name"]] = ind
    if aliases:
        for ind in _indicators(data):
            if ind.get("better") == "lower":
                for key, alias in _LOWER_ALIASES.items():
                    if key in ind.get("name", "") and alias not in names:
                        names[alias] = ind
    return names


def _segments(sentence: str, names: dict[str, object]) -> list[tuple[object, str]]:
    """Each mentioned entity with its part of the sentence: from its name to the next name.

    A name followed only by a joiner (、和与及以及) shares the next part ("A、B分别下降…")."""
    ms = _mentions(sentence, names)
    segs: list[tuple[object, str]] = []
    pending: list[object] = []
    for i, (s, _e, payload) in enumerate(ms):
        end = ms[i + 1][0] if i + 1 < len(ms) else len(sentence)
        text = sentence[s:end]
        gap = sentence[_e:end]
        if i + 1 < len(ms) and re.fullmatch(r"[、和与及以及\s]*", gap):
            pending.append(payload)
            continue
        for p in pending:
            segs.append((p, text))
        pending = []
        segs.append((payload, text))
    return segs


# --------------------------------------------------------------------------- (a) praise

PRAISE = ("领先", "前列", "优势", "亮点", "进步明显", "巩固", "走在前", "名列前茅", "位居前",
          "靠前", "争先进位", "表现突出", "成效明显", "成效显著", "势头良好", "可圈可点")
CONTRAST = ("但", "而", "却", "仍", "然而", "不过", "尽管", "虽然")


def _scope_for(sentence: str, data: dict | None) -> int | None:
    m = re.search(r"(\d+)个(?:[^，。；\d]{0,12}?)中", sentence)
    if m:
        return int(m.group(1))
    units = _units(data)
    if units and any(u.get("name") and u["name"] in sentence for u in units):
        return len(units)
    size = ((data or {}).get("meta") or {}).get("scope_size")
    return int(size) if size else None


def _bottom_rank_spans(sentence: str, data: dict | None) -> list[tuple[int, int, str]]:
    spans = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"倒数第\s*\d+\s*[位名]?", sentence)]
    size = _scope_for(sentence, data)
    if size:
        for m in re.finditer(r"(?<!倒数)第\s*(\d+)\s*[位名]", sentence):
            if int(m.group(1)) > size / 2:
                spans.append((m.start(), m.end(), m.group(0)))
    return spans


def check_praise(doc, data: dict | None = None) -> list[Violation]:
    out = []
    for s in _sentences(doc):
        if s.table:
            continue
        spans = _bottom_rank_spans(s.text, data)
        if not spans:
            continue
        found = None
        for word in PRAISE:
            for m in re.finditer(re.escape(word), s.text):
                for bs, be, rank in spans:
                    lo, hi = (m.end(), bs) if m.start() < bs else (be, m.start())
                    if not any(c in s.text[lo:hi] for c in CONTRAST):
                        found = (word, rank)
                        break
                if found:
                    break
            if found:
                break
        if found:
            out.append(Violation("praise", s.text, f"praise word {found[0]!r} beside bottom-half rank {found[1]!r}"))
    return out


# --------------------------------------------------------------------------- (b) lower is better

IMPROVE = ("提升", "提高", "改善", "好转", "优化")


def _rank_move(ind: dict) -> int | None:
    prev = (ind.get("previous") or {}).get("rank")
    if prev is None or ind.get("rank") is None:
        return None
    return prev - ind["rank"]


def _worsened(ind: dict) -> bool:
    """A lower-is-better figure that rose, or got worse in rank."""
    prev = (ind.get("previous") or {}).get("value")
    val = ind.get("value")
    if val is not None and prev is not None and val > prev:
        return True
    g = ind.get("growth")
    if g is not None and g > 0 and (ind.get("unit") != "%"):
        return True
    move = _rank_move(ind)
    return bool(move is not None and move < 0 and val is None)


def check_lower_is_better(doc, data: dict | None = None) -> list[Violation]:
    out = []
    names = _indicator_names(data)
    for s in _sentences(doc):
        if s.table:
            continue
        m = re.search(r"(增长|下降|提高|提升|回落|上升|增加|减少)\s*-\s*\d", s.text)
        if m:
            out.append(Violation("lower", s.text, f"direction word with a minus sign: {m.group(0)!r}"))
        for ind, seg in _segments(s.text, names):
            lower = ind.get("better") == "lower"
            # rank-move words against the data (every indicator)
            move = _rank_move(ind)
            if move is not None:
                up = re.search(r"(上升|前移|前进|提升|提高)\s*(\d+)\s*(位|个位次)", seg)
                down = re.search(r"(下降|后退|下滑|后移|回落)\s*(\d+)\s*(位|个位次)", seg)
                if up and move <= 0:
                    out.append(Violation("lower", s.text, f"{ind['name']}: {up.group(0)!r} but the rank went "
                                         f"{ind['previous']['rank']}→{ind['rank']}"))
                if down and move >= 0:
                    out.append(Violation("lower", s.text, f"{ind['name']}: {down.group(0)!r} but the rank went "
                                         f"{ind['previous']['rank']}→{ind['rank']}"))
            if not lower:
                continue
            if re.search(r"(?<!未)(?<!没有)完成", seg):
                out.append(Violation("lower", s.text, f"{ind['name']} is lower-is-better: 完成 is for work done, "
                                     "say 控制在…以内 / 超出控制目标"))
            if _worsened(ind):
                hits = [w for w in IMPROVE if w in seg and not re.search(w + r"\s*\d+\s*位", seg)]
                if hits:
                    out.append(Violation("lower", s.text, f"{ind['name']} got worse but is described with "
                                         f"{hits[0]!r}"))
                if re.search(r"增长\s*\d", seg):
                    out.append(Violation("lower", s.text, f"{ind['name']} rose: 增长 reads as good news for a "
                                         "lower-is-better figure; say 上升/增加"))
    return out


# --------------------------------------------------------------------------- (c) year end

YEAR_END_WORDS = ("序时", "明年是完成全年", "攻坚明年", "明年末", "时间过半", "任务过半",
                  "冲刺全年", "确保全年目标", "全年任务还需")


def _task_texts(data: dict | None) -> list[str]:
    texts = []
    for theme in (data or {}).get("tasks") or []:
        for item in theme.get("items") or []:
            if item.get("text"):
                texts.append(item["text"])
    return texts


def check_year_end(doc, data: dict | None = None, period: str | None = None) -> list[Violation]:
    period = period if period is not None else _period(data)
    if not is_year_end(period):
        return []
    tasks = _task_texts(data)
    out = []
    for s in _sentences(doc):
        if any(t in s.text or s.text in t for t in tasks):
            continue
        for w in YEAR_END_WORDS:
            if w in s.text:
                out.append(Violation("yearend", s.text, f"{w!r} at a year's end ({period}): say 完成/未完成年度目标, "
                                     "and look to next year"))
                break
    return out


# --------------------------------------------------------------------------- (d) zero

_ZERO = re.compile(r"(?<![\d.])(?:[+-])?0(?:\.0+)?(?![\d.])\s*(亿元|万元|元|%|个百分点|倍|万人次|亿千瓦时|户|家|人)?")


def _zero_hits(text: str) -> list[tuple[str, str]]:
    """Zero-looking figures with their kind: pp, pct, change (of an amount) or amount."""
    hits = []
    for m in _ZERO.finditer(text):
        tok = m.group(0)
        # "0.0", "0.00", or 0 with a unit; a bare "0" is too common (dates, 10, 2020) to judge
        if "." in tok or m.group(1):
            before = text[max(0, m.start() - 8):m.start()]
            if "个百分点" in tok:
                kind = "pp"
            elif "%" in tok:
                kind = "pct"
            elif re.search(r"(较|比|增加|减少|多|少|增长|下降)", before):
                kind = "change"
            else:
                kind = "amount"
            hits.append((tok.strip(), kind))
    return hits


def _near_zero(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and abs(x) < 1e-9


def _indicator_zeros(ind: dict, sched: float | None, kind: str) -> bool:
    """Does a figure of this indicator of the printed kind really equal zero?

    kind is "pp" (个百分点: a difference of rates), "pct" (%: a growth, or a rate's level) or
    "amount" (a value in the indicator's unit, or a change of it)."""
    prev = ind.get("previous") or {}
    avg = ind.get("scope_average") or {}
    tgt = ind.get("target") or {}
    v, g = ind.get("value"), ind.get("growth")
    rate = ind.get("unit") == "%"

    def diff(a, b):
        return None if a is None or b is None else round(a - b, 9)

    if kind == "pp":
        vals = [diff(g, prev.get("growth")), diff(g, avg.get("growth")), diff(g, tgt.get("growth"))]
        if rate:
            vals += [diff(v, prev.get("value")), diff(v, avg.get("value")), diff(v, tgt.get("value"))]
        for peer in (ind.get("peers") or {}).values():
            vals += [diff(g, (peer or {}).get("growth"))] + ([diff(v, (peer or {}).get("value"))] if rate else [])
        if v is not None and tgt.get("value") and sched is not None and not rate:
            vals.append(round(v / tgt["value"] - sched, 9))
    elif kind == "pct":
        vals = [g, prev.get("growth"), tgt.get("growth")] + ([v, prev.get("value"), tgt.get("value")] if rate else [])
        if v is not None and tgt.get("value"):
            vals.append(v)   # completion 0.0% of the target
    elif kind == "change":
        vals = [diff(v, prev.get("value")), diff(v, tgt.get("value")), v]
    else:
        vals = [v, tgt.get("value")]
    return any(_near_zero(x) for x in vals)


def _cell_zero(cell: dict, sched: float | None) -> bool:
    """A race cell gives a real zero: nothing done (or nothing reported, which scores 0),
    or a completion exactly on schedule (a gap of 0)."""
    v, t = cell.get("value"), cell.get("target")
    if v is None or _near_zero(v) or _near_zero(t) or (t and v / t <= 0):  # nothing done scores 0
        return True
    return bool(t and sched is not None and _near_zero(round(v / t - sched, 9)))


def _unit_zeros(unit: dict, sched: float | None, only: set[str] | None = None) -> bool:
    cells = unit.get("values") or {}
    if not any((cell or {}).get("target") for cell in cells.values()):
        return True  # nothing scored: the total is zero by the scoring rule
    keys = cells.keys() if only is None else only   # a cell not in the data was not reported
    return any(_cell_zero(cells.get(k) or {}, sched) for k in keys)


def check_zero(doc, data: dict | None = None) -> list[Violation]:
    """A figure printed as zero must stand for a zero in the data of what the sentence names.

    The entities are the county indicators the sentence names, the race units named in the
    sentence or in the headings above it (a scorecard's title), the race indicators a table
    row names, and projects."""
    out = []
    sched = schedule(_period(data))
    inds = _indicator_names(data, aliases=False)
    units = {u["name"]: u for u in _units(data) if u.get("name")}
    race = {v.get("name"): k for k, v in (((data or {}).get("townships") or {}).get("indicators") or {}).items()
            if isinstance(v, dict) and v.get("name")}
    projects = {p["name"]: p for p in (data or {}).get("projects") or [] if p.get("name")}
    for s in _sentences(doc):
        hits = _zero_hits(s.text)
        if not hits:
            continue
        ok = False
        race_named = {race[n] for n in race if n in s.text}
        for ind in [i for _, _, i in _mentions(s.text, inds)]:
            ok = ok or all(_indicator_zeros(ind, sched, kind) for _, kind in hits)
        context = s.text + " ".join(s.section)
        for name, u in units.items():
            if name in context:
                ok = ok or _unit_zeros(u, sched, race_named or None)
        for name, p in projects.items():
            if name in s.text:
                ok = ok or _near_zero(p.get("completed")) or _near_zero(p.get("planned"))
        if units and "平均得分" in s.text:   # the race's average: zero when nobody scored
            ok = ok or all(_unit_zeros(u, sched) for u in units.values())
        if projects and "重点项目" in s.text:   # the projects' totals
            ok = ok or any(_near_zero(sum(float(p.get(k) or 0) for p in projects.values()))
                           for k in ("completed", "planned", "started"))
        if not ok:
            out.append(Violation("zero", s.text, f"figure printed as zero ({hits[0][0]!r}) where no figure behind "
                                 "the sentence is zero: go down a unit or add decimals"))
    return out


# --------------------------------------------------------------------------- (e) front runners

FRONT = re.compile(r"(排在前列|走在前列|位居前列|位于前列|居前列|排名靠前|名列前茅|排在前面|跑在前面|位列前\s*\d+\s*名|排名前\s*\d+\s*位|前\s*\d+\s*名)")


def check_front_runners(doc, data: dict | None = None) -> list[Violation]:
    out = []
    units = [u["name"] for u in _units(data) if u.get("name")]
    meta = (data or {}).get("meta") or {}
    size = meta.get("scope_size")
    scope = meta.get("scope")
    for s in _sentences(doc):
        m = FRONT.search(s.text)
        if not m:
            continue
        if len(units) >= 2 and all(u in s.text for u in units):
            out.append(Violation("front", s.text, f"{m.group(0)!r} names all {len(units)} units of the race"))
            continue
        if size and size <= 3 and scope and scope in s.text:
            out.append(Violation("front", s.text, f"{m.group(0)!r} in a scope of {size}: every unit is 前列 or 末位"))
            continue
        n = _scope_for(s.text, data)
        for r in re.finditer(r"(?<!倒数)第\s*(\d+)\s*[位名]", s.text):
            if n and int(r.group(1)) > math.ceil(n / 3):
                out.append(Violation("front", s.text, f"{m.group(0)!r} said of {r.group(0)!r} of {n}"))
                break
    return out


# --------------------------------------------------------------------------- (f) shortfalls

SHORTFALL_HEADINGS = ("问题", "不足", "短板", "差距", "走弱", "落后", "薄弱", "靠后", "困难", "隐忧")
BAD_HIGHER = ("落后", "下降", "回落", "倒数", "未完成", "没有完成", "未达", "没有达到", "低于", "欠", "差",
              "滞后", "负增长", "放缓", "后退", "下滑", "不足", "偏低", "缺口", "靠后", "D档", "E档",
              "未报送", "没有报送", "未开工", "没有开工", "尚未", "收窄", "减少", "不到", "仅", "只有", "拖", "掉队",
              "低位", "不高", "不快", "乏力", "偏慢", "较差", "后移", "末位", "降至", "低", "少", "慢")
BAD_LOWER = ("上升", "高于", "超出", "超过", "增加", "增长", "倒数", "落后", "后退", "下滑", "未完成", "未达",
             "差", "D档", "E档", "靠后", "反弹", "抬头", "攀升", "偏高", "末位", "突破", "降至", "高", "多")


def _bad_in(seg: str, lower: bool, extra: tuple[str, ...] = ()) -> bool:
    if any(w in seg for w in extra):
        return True
    if lower:
        seg2 = re.sub(r"(下降|后退|下滑)\s*\d+\s*(位|个位次)", "后退", seg)  # a rank fall is bad either way
        return any(w in seg2 for w in BAD_LOWER)
    return any(w in seg for w in BAD_HIGHER)


_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.|（\d+）)\s*")
TASK_HEADINGS = re.compile(r"谋划|任务|下步|下一步|工作安排|工作要求|几点要求|举措|部署|重点抓好")


def _in_shortfalls(s: Sentence, themes: set[str]) -> bool:
    # 问题清单 is the name of a report, not a word about problems
    if not any(any(k in h.replace("问题清单", "") for k in SHORTFALL_HEADINGS) for h in s.section):
        return False
    if any(_NUMBERED.sub("", h) in themes for h in s.section) or \
            (s.section and TASK_HEADINGS.search(s.section[0])):
        return False   # a task theme such as 补齐生态短板 is not a shortfalls section
    return True


def check_shortfalls(doc, data: dict | None = None) -> list[Violation]:
    out = []
    names = _indicator_names(data)
    themes = {t.get("theme") for t in (data or {}).get("tasks") or [] if t.get("theme")}
    # the office's own shortfall grades are bad news too (rules.shortfall_grades)
    grades = tuple(f"{g}档" for g in (((data or {}).get("rules") or {}).get("shortfall_grades") or []))
    for s in _sentences(doc):
        if s.table or not _in_shortfalls(s, themes):
            continue
        ms = _mentions(s.text, names)
        if not ms:
            continue
        preamble = s.text[:ms[0][0]]
        for ind, seg in _segments(s.text, names):
            lower = ind.get("better") == "lower"
            if not _bad_in(seg, lower, grades) and not _bad_in(preamble, lower, grades):
                out.append(Violation("short", s.text, f"{ind['name']} is under a shortfalls heading "
                                     f"({s.section[-1]}) but its part of the sentence says nothing bad: {seg!r}"))
    return out


# --------------------------------------------------------------------------- (g) shapes

_DIRECTION = [
    (r"增长|下降|增加|减少|上升|提高|提升|回落|加快|放缓|扩大|收窄", "Δ"),
    (r"高于|低于|持平|快于|慢于", "≷"),
    (r"前移|后退|前进|下滑|后移", "Δ"),
]
_ENUM_PREFIX = re.compile(rf"^((?:[{_CN_NUM}]+|\d+)(?:是|要|、|[.．])|（[{_CN_NUM}\d]+）|第[{_CN_NUM}]+，|其[{_CN_NUM}]，)")


def _mask(sentence: str, data: dict | None) -> str:
    text = _ENUM_PREFIX.sub("", sentence)
    names: dict[str, str] = {}
    for n in _indicator_names(data):
        names[n] = "Ｉ"
    for u in _units(data):
        if u.get("name"):
            names[u["name"]] = "Ｕ"
    for v in (((data or {}).get("townships") or {}).get("indicators") or {}).values():
        if isinstance(v, dict) and v.get("name"):
            names[v["name"]] = "Ｉ"
    label = ((data or {}).get("townships") or {}).get("label")
    for lab in {label, "乡镇（街道）", "镇（街道）", "县（市、区）", "乡镇"} - {None}:
        names[lab] = "Ｌ"
    meta = (data or {}).get("meta") or {}
    for p in meta.get("peers") or []:
        names[p] = "Ｐ"
    for p in (data or {}).get("projects") or []:
        if p.get("name"):
            names[p["name"]] = "Ｊ"
    for ind in (data or {}).get("problem_lists") or []:
        if ind.get("name"):
            names[ind["name"]] = "Ｉ"
    for s, e, tok in sorted(_mentions(text, names), key=lambda t: -t[0]):
        text = text[:s] + tok + text[e:]
    text = re.sub(r"[+-]?\d+(?:\.\d+)?", "Ｎ", text)
    text = re.sub(rf"[{_CN_NUM}]+(?=[项个位名家户])", "Ｎ", text)
    for rx, tok in _DIRECTION:
        text = re.sub(rx, tok, text)
    text = re.sub(r"(Ｉ|Ｕ)(?:[、和与及]\1)+", r"\1", text)
    return text


def shape(sentence: str, data: dict | None = None) -> str | None:
    """The sentence's shape: its first 6 characters after masking, plus its skeleton.

    Masking turns indicator names into Ｉ, race units into Ｕ, peers into Ｐ, projects into
    Ｊ, every number into Ｎ, and the direction and comparison words into Δ and ≷ (so that
    "增长" and "下降" are the same frame). The skeleton is the sequence of masks and clause
    punctuation (，、：) through the whole sentence. Two sentences have one shape when they
    open the same way and are built from the same slots in the same order - that is, when one
    template line produced both. A sentence with no figure and no name (a set phrase) has no
    shape: repetition of set phrases is a style matter, not machinery."""
    masked = _mask(sentence, data)
    if not re.search("[ＮＩＵＰＪ]", masked):
        return None
    skeleton = "".join(c for c in masked if c in "ＮＩＵＰＪＬΔ≷，、：")
    skeleton = re.sub(r"(.)\1+", r"\1", skeleton)
    return masked[:6] + "|" + skeleton


def check_shapes(doc, data: dict | None = None, limit: int = 2) -> list[Violation]:
    out = []
    run: list[Sentence] = []
    last = None
    for s in _sentences(doc):
        if s.table or s.heading:
            run, last = [], None
            continue
        sh = shape(s.text, data)
        if sh is not None and sh == last:
            run.append(s)
        else:
            run = [s]
        last = sh
        if sh is not None and len(run) == limit + 1:
            out.append(Violation("shape", s.text, f"{limit + 1} sentences in a row of one shape {sh!r}: "
                                 + " / ".join(r.text for r in run)))
    return out


# --------------------------------------------------------------------------- (h) leaks

_LEAKS = [
    (re.compile(r"(?<![A-Za-z])(None|nan|NaN|null|undefined|True|False)(?![A-Za-z])"), "a programming value"),
    (re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}"), "template markup"),
    (re.compile(r"\[\s*\]|\(\s*\)|（\s*）"), "an empty list or bracket"),
    (re.compile(r"(?<![A-Za-z])X{1,3}(?![A-Za-z])"), "a placeholder X"),
    (re.compile(r"、、|，，|。。|、。|，。|、，|，、|：。|；；|、$|，$"), "empty punctuation (an empty list item)"),
    (re.compile(r"(只有|仅|仅有|共)\s*0\s*(项|个|家|户)"), "a count of zero read out as a count"),
]


def check_leaks(doc, data: dict | None = None) -> list[Violation]:
    out = []
    for s in _sentences(doc):
        for rx, what in _LEAKS:
            m = rx.search(s.text)
            if m:
                out.append(Violation("leak", s.text, f"{what}: {m.group(0)!r}"))
    # sentence splitting eats 。。; look at the raw text too
    if isinstance(doc, str):
        for m in re.finditer(r".{0,20}(。。|。；|；。).{0,20}", doc):
            out.append(Violation("leak", m.group(0), "doubled sentence punctuation"))
    return out


# --------------------------------------------------------------------------- (i) level

_WRONG_LEVEL = {"市": ("全县", "我县", "全区", "我区"), "县": ("全区", "我区", "我市"), "区": ("全县", "我县", "我市")}


def check_level(doc, data: dict | None = None) -> list[Violation]:
    meta = (data or {}).get("meta") or {}
    level = meta.get("level")
    label = ((data or {}).get("townships") or {}).get("label")
    if not label and level == "市":
        label = "县（市、区）"
    region = meta.get("region", "")
    out = []
    # the office's own words (the meeting's name, the issuer) are theirs to choose
    verbatim = [v for v in (meta.get("meeting"), meta.get("issuer"), region) if isinstance(v, str) and v]
    for s in _sentences(doc):
        text = s.text
        for v in verbatim:
            text = text.replace(v, "")
        for w in _WRONG_LEVEL.get(level, ()):
            if w in text:
                out.append(Violation("level", s.text, f"{w!r} in a {level}-level document"))
                break
        if label and "乡镇" not in label and "乡镇" in text:
            out.append(Violation("level", s.text, f"the race's units are {label}, never 乡镇"))
    return out


# --------------------------------------------------------------------------- all

RULES = {
    "praise": check_praise,
    "lower": check_lower_is_better,
    "yearend": check_year_end,
    "zero": check_zero,
    "front": check_front_runners,
    "short": check_shortfalls,
    "shape": check_shapes,
    "leak": check_leaks,
    "level": check_level,
}


def check_all(text: str, data: dict | None = None, rules: Iterable[str] | None = None) -> list[Violation]:
    """Every rule (or the named ones) over one document."""
    sentences = split_sentences(text)
    out: list[Violation] = []
    for rid in rules or RULES:
        fn = RULES[rid]
        out += fn(text if rid == "leak" else sentences, data)
    return out
