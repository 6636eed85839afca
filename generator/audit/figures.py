"""The seam every figure passes through on its way into the text.

A zh filter words a number; while a document is being made (`tracing`), the
filter's words go through `word` here instead of straight into the markup:

- the figure is recorded: which fact it was read from (the data path), its raw
  value, the filter and the arguments that worded it;
- it is worded as the run asks: a pending figure (待补) becomes a placeholder
  【待补：…】 in a draft, a figure of the public version (`--redact`) has its
  digits replaced by X, as the published seeds do;
- the words are wrapped in invisible marks (private-use characters) naming the
  record, so the parse stage knows exactly which characters of which paragraph
  the figure became, however the template moved, joined or captured them.
  `placement.settle` takes the marks out again before anything is written.

Where a figure came from is learnt from the reads: the sandbox reports every
number (and date text) a template reads from the facts (`read`), and the figure
is matched with the latest read of its value. Figures printed raw (`{{ n }}`,
`"前移" ~ n ~ "位"`) go through `raw`. Outside `tracing` (Python callers, tests
of the filters) the filters answer as plain functions.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

# ---------------------------------------------------------------- the run's mode

_MODE_ENV = "SPEECHGEN_AUDIT_MODE"  # so that spawned batch workers run as their parent


@dataclass(frozen=True)
class Mode:
    draft: bool = False  # pending figures become placeholders instead of an error
    redact: bool = False  # the public version: figures' digits become X


def _mode_from_env() -> Mode:
    words = set(os.environ.get(_MODE_ENV, "").split(","))
    return Mode(draft="draft" in words, redact="redact" in words)


_mode = _mode_from_env()


def mode() -> Mode:
    return _mode


@contextlib.contextmanager
def run_mode(draft: bool = False, redact: bool = False) -> Iterator[Mode]:
    """Everything made inside is a draft and/or the public version."""
    global _mode
    before, env_before = _mode, os.environ.get(_MODE_ENV)
    _mode = Mode(draft=draft, redact=redact)
    os.environ[_MODE_ENV] = ",".join(w for w, on in (("draft", draft), ("redact", redact)) if on)
    try:
        yield _mode
    finally:
        _mode = before
        if env_before is None:
            os.environ.pop(_MODE_ENV, None)
        else:
            os.environ[_MODE_ENV] = env_before


# ---------------------------------------------------------------- pending figures

class Pending(float):
    """A figure the data marks 待补: not yet published.

    A float (NaN) so that a template comparing it (`f.growth >= 0`) does not fail:
    every comparison is false, as for a figure that is not there. Only the seam
    prints it, as a placeholder naming it.
    """

    key: str
    label: str

    def __new__(cls, key: str, label: str):
        self = super().__new__(cls, math.nan)
        self.key, self.label = key, label
        return self

    def __repr__(self):
        return f"Pending({self.key!r})"

    def __reduce__(self):
        return (Pending, (self.key, self.label))


PLACEHOLDER = "【待补：{}】"


def placeholder(label: str) -> str:
    return PLACEHOLDER.format(label)


# ---------------------------------------------------------------- records

# How a figure is redacted: all but dates and periods (DESIGN: dates and document
# numbers stay in the public version).
DATE = "date"
KINDS_KEPT_PUBLIC = frozenset({DATE})


@dataclass
class Figure:
    """One figure as printed: where from, what it was, how it was worded."""

    id: int
    filter: str  # zh filter name, or "raw" for a number printed as it is
    kind: str  # amount | percent | rank | count | number | date | pending
    path: tuple | None  # steps from the template's context: "indicators", {"id": "gdp"}, "growth"
    raw: object  # the value the filter was given (number, date text), None when pending
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    transform: str = ""  # "" | "neg" | "abs": the value printed is −raw or |raw|
    text: str = ""  # the words as printed (placeholder, or X for the public version)
    pending: str | None = None  # the data key of a pending figure
    redacted: bool = False

    def to_json(self) -> dict:
        out = {"filter": self.filter, "kind": self.kind, "path": path_text(self.path),
               "steps": list(self.path) if self.path is not None else None,
               "raw": None if self.redacted else self.raw, "text": self.text}
        if self.args:
            out["args"] = [_plain_arg(a) for a in self.args]
        if self.kwargs:
            out["kwargs"] = {k: _plain_arg(v) for k, v in self.kwargs.items()}
        if self.transform:
            out["transform"] = self.transform
        if self.pending:
            out["pending"] = self.pending
        return out


def path_text(path: tuple | list | None) -> str | None:
    """indicators[gdp].growth, townships.units[东山镇].rows[investment].value."""
    if path is None:
        return None
    out = ""
    for step in path:
        if isinstance(step, Mapping):
            out += f"[{next(iter(step.values()))}]"
        elif isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out


def _plain_arg(value):
    """An argument as JSON can keep it (a Jinja Undefined or a view becomes its text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


# ---------------------------------------------------------------- marks in the text

START, TEXT, END = "\ue000", "\ue001", "\ue002"
_DIGIT = 0xE010
ANY_MARK = re.compile("[\ue000-\ue002\ue010-\ue019]")


_ENCODE = str.maketrans({str(d): chr(_DIGIT + d) for d in range(10)})
_DECODE = str.maketrans({chr(_DIGIT + d): str(d) for d in range(10)})


_OPENINGS: list[str] = []  # the opening mark of figure n at n - 1, made once per process
_IDS: dict[str, int] = {}


def decode(code: str) -> int:
    n = _IDS.get(code)
    return int(code.translate(_DECODE)) if n is None else n


def id_of(code: str) -> int | None:
    """The id a mark's code names, for marks made in this process; None for anything else."""
    return _IDS.get(code)


def mark(figure_id: int, text: str) -> str:
    while len(_OPENINGS) < figure_id:
        n = len(_OPENINGS) + 1
        code = str(n).translate(_ENCODE)
        _OPENINGS.append(START + code + TEXT)
        _IDS[code] = n
    return _OPENINGS[figure_id - 1] + text + END


def strip_marks(text: str) -> str:
    return ANY_MARK.sub("", text) if START in text or END in text else text


# ---------------------------------------------------------------- one document's tracing

_LOG_DEPTH = 24  # reads searched back for a figure's source


class Tracing:
    """The figures of the document being made and the reads they come from."""

    def __init__(self, context: Mapping):
        # Figures as recorded, by id - 1: tuples, made into Figures only when placed.
        self.records: list[tuple] = []
        self.log: list[tuple[object, object, object]] = []  # (view, key, value), newest last
        self.canon = _canonical_index(context)
        # Views escaped on their own and handed in by name (a batch's `town`).
        self.roots = {id(v): k for k, v in context.items()
                      if hasattr(v, "_step") and v._step is None} \
            if isinstance(context, Mapping) else {}
        self.pending = _pending_index(context)
        entries = context.get("pending_figures") if isinstance(context, Mapping) else None
        self.waiting = tuple(dict(e) for e in (getattr(entries, "_data", entries) or ()))
        self.mode = mode()
        self._paths: dict[int, tuple | None] = {}  # a view's own path, by id (views outlive the render)

    # -- where a value came from

    def read(self, view, key, value) -> None:
        """A value a template read from the facts (the sandbox appends to `log` itself)."""
        self.log.append((view, key, value))

    def path_of(self, view, key=None) -> tuple | None:
        """The steps from the template's context to `view[key]`, through the canonical
        home of anything that has one (an indicator is indicators[gdp] however reached)."""
        base = self._paths.get(id(view), _UNKNOWN)
        if base is _UNKNOWN:
            base = self._paths[id(view)] = self._walk(view)
        if key is None:
            return base
        return (key,) if base is None else base + (key,)

    def _walk(self, view) -> tuple | None:
        steps: list = []
        for _ in range(64):
            if view is None:
                break
            data = getattr(view, "_data", None)
            canon = self.canon.get(id(data))
            if canon is not None and canon[0] is data:
                return canon[1] + tuple(reversed(steps))
            step = getattr(view, "_step", None)
            if step is None:  # a root: the context itself, or one passed in by name (town)
                name = self.roots.get(id(view))
                if name is not None:
                    steps.append(name)
                break
            steps.append(step)
            view = getattr(view, "_parent", None)
        return tuple(reversed(steps)) if steps else None

    def source(self, value, extra: tuple) -> tuple[tuple | None, str]:
        """The path of the latest read of `value`, skipping the reads of the filter's own
        numeric arguments (read after it); and how the printed value follows from it
        ("neg": it is −x, "abs": |x|, for x as read)."""
        log = self.log
        n = len(log)
        lo = n - _LOG_DEPTH if n > _LOG_DEPTH else 0
        used: set[int] | None = None
        for arg in reversed(extra):
            kind = type(arg)
            if kind is int or kind is float:
                for j in range(n - 1, lo - 1, -1):
                    v = log[j][2]
                    if (v is arg or (type(v) is kind and v == arg)) and (used is None or j not in used):
                        if used is None:
                            used = set()
                        used.add(j)
                        break
        kind = type(value)
        for j in range(n - 1, lo - 1, -1):
            v = log[j][2]
            if (v is value or (type(v) is kind and v == value)) and (used is None or j not in used):
                return self.path_of(log[j][0], log[j][1]), ""
        if (kind is int or (kind is float and not math.isnan(value))) and value != 0:
            flipped = -value
            for j in range(n - 1, lo - 1, -1):
                v = log[j][2]
                if type(v) is kind and v == flipped and (used is None or j not in used):
                    return self.path_of(log[j][0], log[j][1]), "abs" if value > 0 else "neg"
        return None, ""

    # -- pending figures

    def pending_at(self, view, key) -> Pending | None:
        if not self.pending:
            return None
        path = self.path_of(view, key)
        if path is None:
            return None
        entry = self.pending.get(path_text(path))
        return None if entry is None else Pending(entry["key"], entry["label"])

    # -- recording

    def record(self, text: str, name: str, kind: str, value, args: tuple, kwargs: dict,
               pending: str | None = None) -> str:
        """Record a figure worded `text` and return its words marked."""
        path, transform = self.source(value, args + tuple(kwargs.values()) if kwargs else args)
        hidden = self.mode.redact and kind not in KINDS_KEPT_PUBLIC and not pending
        if kind != DATE and path and path[-1] in _YEAR_KEYS:
            kind = DATE  # {{ meta.year }}年: a date, public
            hidden = False
        shown = redact(text) if hidden else text
        self.records.append((name, kind, path, None if pending else value, args, kwargs, transform,
                             shown, pending, hidden))
        if len(self.log) > 2 * _LOG_DEPTH:  # only the latest reads are ever searched
            del self.log[:-_LOG_DEPTH]
        return mark(len(self.records), shown)

    def figure(self, n: int) -> Figure | None:
        """The figure with id n (1-based)."""
        record = self.record_of(n)
        return None if record is None else figure_of(n, record)

    def record_of(self, n: int) -> tuple | None:
        return self.records[n - 1] if 1 <= n <= len(self.records) else None


# Where a record (Tracing.record) keeps whether it is a placeholder: the data key, or None.
R_PENDING = 8


def figure_of(n: int, record: tuple) -> Figure:
    name, kind, path, value, args, kwargs, transform, text, pending, hidden = record
    # Arguments stay as the template gave them; JSON writes anything else as its text.
    return Figure(n, name, kind, path, value if type(value) in _JSON_TYPES else _plain_arg(value),
                  args, kwargs, transform, text, pending, hidden)


_UNKNOWN = object()
_NUMBERS = (int, float)
_JSON_TYPES = frozenset({int, float, str, type(None)})


def _identity_step(index: int, item) -> object:
    """A list item named by what identifies it, so a path survives reordering."""
    if isinstance(item, Mapping):
        for key in ("id", "name"):
            try:
                value = item.get(key)
            except Exception:  # noqa: BLE001 - a lazy mapping that cannot answer
                value = None
            if isinstance(value, str) and value:
                return {key: value}
    return index


def step_for(index: int, item) -> object:
    return _identity_step(index, item)


# Collections whose items are the figures' canonical homes, in priority order:
# an indicator reached through plan.good.economy.sentences[2].f is indicators[gdp].
_PRIORITY = ("indicators", "townships", "projects", "problem_lists")
_canon_cache: list = []  # [(meta object, index)]: a batch renders hundreds of times from one context


def _canonical_index(context: Mapping) -> dict[int, tuple[object, tuple]]:
    meta = context.get("meta") if isinstance(context, Mapping) else None
    if _canon_cache and meta is not None and _canon_cache[0][0] is meta:
        return _canon_cache[0][1]
    index: dict[int, tuple[object, tuple]] = {}

    def add(data, path):
        if id(data) not in index:
            index[id(data)] = (data, path)

    keys = [k for k in _PRIORITY if k in context] + [k for k in context if k not in _PRIORITY
                                                     and k != "plan"]
    for key in keys:
        value = context[key]
        data = getattr(value, "_data", value)
        if isinstance(data, list):
            for i, item in enumerate(data):
                if isinstance(item, Mapping):
                    add(item, (key, _identity_step(i, item)))
        elif isinstance(data, Mapping) and key != "town":
            for sub, inner in list(data.items()):
                if isinstance(inner, list):
                    for i, item in enumerate(inner):
                        if isinstance(item, Mapping):
                            add(item, (key, sub, _identity_step(i, item)))
    if meta is not None:
        _canon_cache[:] = [(meta, index)]
    return index


def _pending_index(context: Mapping) -> dict[str, dict]:
    """Pending figures by the facts path a template reads them at."""
    entries = context.get("pending_figures") if isinstance(context, Mapping) else None
    data = getattr(entries, "_data", entries)
    if not data:
        return {}
    return {e["facts_path"]: e for e in data if e.get("facts_path")}


_current: contextvars.ContextVar[Tracing | None] = contextvars.ContextVar("speechgen_tracing",
                                                                          default=None)


def current() -> Tracing | None:
    return _current.get()


@contextlib.contextmanager
def tracing(context: Mapping) -> Iterator[Tracing]:
    """Record the figures of the document made from `context` (render, then parse)."""
    state = Tracing(context)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)


# Documents settled while a collector is open (the CLI's --trace and draft summary).
_collectors: list[list] = []


@contextlib.contextmanager
def collect() -> Iterator[list]:
    docs: list = []
    _collectors.append(docs)
    try:
        yield docs
    finally:
        _collectors.remove(docs)


def collected(doc) -> None:
    for docs in _collectors:
        docs.append(doc)


# ---------------------------------------------------------------- the seam

_DIGITS = re.compile(r"-?\d+(?:\.\d+)?")


def redact(text: str) -> str:
    """增长4.2% → 增长X%, 第28位 → 第X位, 156.3亿元 → X亿元."""
    return _DIGITS.sub("X", text)


def word(name: str, func: Callable[..., str], kind: str, value, args: tuple, kwargs: dict) -> str:
    """A filter's words for `value`, recorded and marked while a document is made."""
    state = _current.get()
    if type(value) is Pending:
        if state is None or not state.mode.draft:
            raise ValueError(f"{value.key} is pending (待补); write it in the data, or run with --draft")
        return state.record(placeholder(_escaped(value.label)), name, "pending", value, args, kwargs,
                            pending=value.key)
    text = func(value, *args, **kwargs)
    if state is None:
        return text
    return state.record(text, name, kind, value, args, kwargs)


_YEAR_KEYS = frozenset({"year", "next_year"})


def raw(value) -> str:
    """A number printed as it is ({{ n }}, "前移" ~ n ~ "位"): Jinja's text for it, recorded."""
    if type(value) is Pending:
        return word("raw", str, "count", value, (), {})
    text = str(value)
    state = _current.get()
    if state is None:
        return text
    return state.record(text, "raw", "count" if type(value) is int else "number", value, (), {})


def _escaped(label: str) -> str:
    from generator.document import escape

    return escape.escape(label)


def traced(name: str, func: Callable[..., str], kind: str) -> Callable[..., str]:
    """`func` as a template filter behind the seam."""
    def filter_(value, *args, **kwargs):
        state = _current.get()
        if state is None or type(value) is Pending:
            return word(name, func, kind, value, args, kwargs)
        return state.record(func(value, *args, **kwargs), name, kind, value, args, kwargs)

    filter_.__name__ = func.__name__
    filter_.__doc__ = func.__doc__
    filter_.__wrapped__ = func
    return filter_

