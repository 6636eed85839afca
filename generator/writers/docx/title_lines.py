"""Where a long title breaks (GB/T 9704-2012 §7.3.1).

"回行时，要做到词意完整，排列对称，长短适宜，间距恰当，标题排列应当使用梯形或菱形":
a title breaks between words, never inside one, and its lines make a trapezoid
(each line longer, or each shorter, than the one above) or a diamond (the middle
longest), never a rectangle of equal lines or an hourglass. Words come from jieba,
a Chinese segmenter; it is imported only when a title does not fit on one line.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import math
import os
import unicodedata
from pathlib import Path

from generator import user_cache

# A break may not come after an opening bracket or before closing punctuation
# (line-start and line-end prohibitions), nor before a bracket that annotates the
# word in front of it: 乡镇（街道） stays together.
_OPENING = set("（《〔【“‘([{")
_CLOSING = set("）》〕】”’)]}，、。；：！？,.;:!?")
_BEFORE_BRACKET_PENALTY = 4.0
_SHAPE_PENALTY = 100.0
# A title is at most four lines (GB/T shows two or three); a longer heading is left to
# the word processor's own wrapping. Every break is tried while the choices stay few.
MAX_LINES = 4
MAX_CHOICES = 5_000


def text_width(text: str) -> float:
    """Width in ems: wide characters 1, Latin letters and digits half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


@functools.cache
def _segmenter():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict" chatter on stderr
    # jieba keeps its prefix dictionary (built in about 0.5 s, then loaded in 0.1 s) in the
    # system's shared temporary folder, where another user could leave one of their own:
    # it goes in the user's cache folder instead, or is built anew in a private folder.
    folder = user_cache.folder("jieba")
    if folder is None:
        import tempfile

        folder = tempfile.mkdtemp(prefix="speechgen-jieba-")
    jieba.dt.tmp_dir = str(folder)
    jieba.dt.initialize()  # once per process, not per title (batch workers inherit it)
    return jieba


def words(text: str) -> list[str]:
    return [w for w in _segmenter().cut(text) if w]


def _allowed(left: str, right: str) -> bool:
    return left[-1] not in _OPENING and right[0] not in _CLOSING


def _shape_ok(widths: list[float]) -> bool:
    """Trapezoid or diamond: no two lines alike, no line shorter than both neighbours."""
    if len(widths) < 2:
        return True
    if any(abs(a - b) < 0.5 for a, b in zip(widths, widths[1:])):
        return False  # a rectangle, or part of one
    return not any(widths[i] < widths[i - 1] and widths[i] < widths[i + 1]
                   for i in range(1, len(widths) - 1))


def break_title(text: str, ems_per_line: float) -> list[str]:
    """The title's lines: as few as fit, broken between words, in a trapezoid or diamond."""
    if text_width(text) <= ems_per_line or ems_per_line < 2:
        return [text]
    # jieba costs a run about a second (its import and its dictionary): a title already
    # broken once, by this code and this jieba, is read back from the user's cache.
    key = _key(text, ems_per_line)
    lines = _stored(key, text)
    if lines is None:
        lines = _break(text, ems_per_line)
        _store(key, lines)
    return lines


_CACHE_ENTRY_BYTES = 4096


@functools.cache
def _code_key() -> str:
    from importlib import metadata

    try:
        version = metadata.version("jieba")
    except metadata.PackageNotFoundError:
        version = "?"
    return hashlib.sha256(Path(__file__).read_bytes() + f"\0jieba {version}".encode()).hexdigest()


def _key(text: str, ems_per_line: float) -> str:
    return hashlib.sha256(f"{_code_key()}\0{ems_per_line!r}\0{text}".encode("utf-8")).hexdigest()


def _stored(key: str, text: str) -> list[str] | None:
    """The lines kept for this title, if any; only lines that make up the title itself."""
    folder = user_cache.folder("titles")
    if folder is None:
        return None
    try:
        with open(folder / f"{key}.json", "rb") as fh:
            lines = json.loads(fh.read(_CACHE_ENTRY_BYTES))
    except (OSError, ValueError):
        return None
    if not (isinstance(lines, list) and 0 < len(lines) <= MAX_LINES
            and all(isinstance(line, str) and line for line in lines) and "".join(lines) == text):
        return None
    return lines


def _store(key: str, lines: list[str]) -> None:
    folder = user_cache.folder("titles")
    if folder is None:
        return
    path = folder / f"{key}.json"
    temporary = folder / f".{key}.{os.getpid()}.tmp"
    try:
        temporary.write_text(json.dumps(lines, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)  # a reader sees the old entry or the new, never half
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def _break(text: str, ems_per_line: float) -> list[str]:
    total = text_width(text)
    lines_needed = int(-(-total // ems_per_line))
    if lines_needed > MAX_LINES:
        return [text]
    tokens = words(text)
    widths = [text_width(t) for t in tokens]
    best: tuple[float, list[str]] | None = None
    for count in range(lines_needed, min(len(tokens), lines_needed + 2, MAX_LINES) + 1):
        if math.comb(len(tokens) - 1, count - 1) > MAX_CHOICES:
            break
        for cuts in itertools.combinations(range(1, len(tokens)), count - 1):
            bounds = (0, *cuts, len(tokens))
            lines = ["".join(tokens[a:b]) for a, b in zip(bounds, bounds[1:])]
            line_widths = [sum(widths[a:b]) for a, b in zip(bounds, bounds[1:])]
            if max(line_widths) > ems_per_line:
                continue
            if not all(_allowed(a, b) for a, b in zip(lines, lines[1:])):
                continue
            # Balanced lines first; a break before an annotating bracket costs; a
            # shape the standard rules out costs most; each extra line costs too.
            cost = max(line_widths) - min(line_widths)
            cost += sum(_BEFORE_BRACKET_PENALTY for b in lines[1:] if b[0] in _OPENING)
            cost += 0 if _shape_ok(line_widths) else _SHAPE_PENALTY
            cost += (count - lines_needed) * 10
            if best is None or cost < best[0]:
                best = (cost, lines)
        if best is not None and best[0] < _SHAPE_PENALTY:
            break
    return best[1] if best else [text]
