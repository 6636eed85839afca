"""The render stage: facts + a Jinja template → Markdown markup.

Templates are code that offices share, so they run in Jinja's sandbox with
StrictUndefined: a template cannot reach Python internals, and a template that
names a fact that does not exist fails with its own file and line instead of
printing an empty string.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import traceback
from collections.abc import ItemsView, KeysView, Mapping, Sequence, ValuesView
from pathlib import Path
from types import MappingProxyType

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from generator.document import escape
from generator.wording import zh
from generator import resources, textfile
from generator.errors import TemplateError

TEMPLATE_SUFFIX = ".md.j2"
BUILTIN_DIR = resources.TEMPLATES

# Data is escaped, template text is not; what needs escaping is the document
# stage's rule (document/escape.py), shared with the Markdown writer.
escape_markdown = escape.escape
unescape_markdown = escape.unescape


# Facts that are identifiers and codes, compared and looked up rather than
# printed: escaping "industry_output" would break `mine[ind.id]`.
MACHINE_KEYS = frozenset({"id", "better", "verdict", "reasons", "measure", "compared", "kind",
                          "polarity", "shape", "tone", "closing", "superlative", "opener",
                          "side"})
# Values a view hands out as they are.
_PLAIN = frozenset({int, float, bool, type(None)})


def _refuse(name: str):
    def refuse(self, *args, **kwargs):
        raise TypeError(f"the facts are read-only in templates: {name}() is not allowed")
    return refuse


class FactsView(dict):
    """The facts as a template sees them: read-only, every printable string escaped.

    Escaping happens when a value is first read, not up front: a scorecard reads
    one township out of thousands, so a batch never pays for (or holds) an
    escaped copy of the whole county. The view is a dict that fills itself
    (__missing__) from the facts it stands for, so a value read again is a
    plain dict lookup; everything that would show the unfilled dict (iteration,
    length, items, equality) answers from the facts instead.
    """

    __slots__ = ("_data", "_memo")

    def __init__(self, data: Mapping, memo: dict | None = None):
        super().__init__()
        self._data = data
        self._memo = {} if memo is None else memo

    def __missing__(self, key):
        value = self._data[key]
        if type(value) not in _PLAIN:  # numbers pass as they are: most figures are
            value = _frozen(value) if key in MACHINE_KEYS else escape_facts(value, self._memo)
        dict.__setitem__(self, key, value)
        return value

    def __iter__(self):
        return iter(self._data)

    def __len__(self):
        return len(self._data)

    def __contains__(self, key):
        return key in self._data

    def __reversed__(self):
        return reversed(list(self._data))

    def __eq__(self, other):
        return dict(self.items()) == other

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        return f"FactsView({self._data!r})"

    def __reduce__(self):  # Windows batch workers are spawned: send the facts, not the views
        return (FactsView, (self._data,))

    def keys(self):
        return KeysView(self)

    def items(self):
        return ItemsView(self)

    def values(self):
        return ValuesView(self)

    def get(self, key, default=None):
        return self[key] if key in self._data else default

    def copy(self):
        return dict(self.items())

    def __or__(self, other):
        return {**self, **other}

    def __ror__(self, other):
        return {**other, **self}

    # One template of a batch must not change the facts the next one reads.
    __setitem__, __delitem__ = _refuse("__setitem__"), _refuse("__delitem__")
    clear, pop, popitem = _refuse("clear"), _refuse("pop"), _refuse("popitem")
    setdefault, update, __ior__ = _refuse("setdefault"), _refuse("update"), _refuse("|=")


class SequenceView(Sequence):
    """A read-only list of facts whose items are escaped as they are first read."""

    __slots__ = ("_data", "_memo", "_seen")

    def __init__(self, data: Sequence, memo: dict | None = None):
        self._data = data
        self._memo = {} if memo is None else memo
        self._seen: list | None = None

    def _items(self) -> list:
        if self._seen is None:
            memo = self._memo
            self._seen = [escape_facts(v, memo) for v in self._data]
        return self._seen

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self._items()[index])
        return self._items()[index]

    def __iter__(self):
        return iter(self._items())

    def __len__(self):
        return len(self._data)

    def __repr__(self):
        return f"SequenceView({self._data!r})"

    def __reduce__(self):
        return (SequenceView, (self._data,))

    append, extend, insert = _refuse("append"), _refuse("extend"), _refuse("insert")
    remove, clear, pop = _refuse("remove"), _refuse("clear"), _refuse("pop")
    reverse, sort = _refuse("reverse"), _refuse("sort")


def _frozen(value):
    """An identifier's value (a code, or lists of codes) read-only but not escaped."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


# Attributes of the views that are theirs, not facts: `p.value` is a key of p.
VIEW_ATTRS = frozenset(dir(FactsView))



def escape_facts(value, memo: dict | None = None):
    """Facts as templates read them: read-only, every printable string Markdown-escaped.

    Escaping the data (not the output) keeps template text and macro results,
    which are already markup, from being escaped twice. Views made from one
    call share a memo, so facts reached by two paths (`by_id` and `indicators`,
    a township's `rows` and `indicators`) are one view, escaped once.
    """
    kind = type(value)  # exact types first: this runs for every value a template reads
    if kind in _PLAIN:
        return value
    if kind is str:
        return escape_markdown(value)
    if kind is FactsView or kind is SequenceView:
        return value
    if isinstance(value, str):
        return escape_markdown(value)
    if not isinstance(value, (Mapping, list, tuple)):
        return value
    if memo is None:
        memo = {}
    # The views hold what they stand for, so an id here is never reused.
    view = memo.get(id(value))
    if view is None:
        view = FactsView(value, memo) if isinstance(value, Mapping) else SequenceView(value, memo)
        memo[id(value)] = view
    return view


def _finalize(value):
    if value is None:
        # Missing data must never reach a reader as "None"; templates test for it.
        raise jinja2.UndefinedError("a missing figure (None) was printed; guard it with {% if %}")
    return value


def template_dirs(extra: Path | None = None) -> list[Path]:
    """Where template names are looked up: the working folder's speech_templates/ first."""
    dirs = [Path.cwd() / "speech_templates", BUILTIN_DIR]
    if extra is not None:
        dirs.insert(0, extra)
    seen, out = set(), []
    for d in dirs:
        if d.is_dir() and d.resolve() not in seen:
            seen.add(d.resolve())
            out.append(d)
    return out


def resolve(template: str) -> tuple[Path, str]:
    """A template NAME (quarterly_speech) or PATH (my/speech.md.j2) → (folder, file name)."""
    path = Path(template)
    if path.suffix or path.parent != Path("."):
        if not path.is_file():
            raise TemplateError(f"template file not found: {template}",
                                f"找不到模板文件：{template}", file=template)
        return path.resolve().parent, path.name
    for d in template_dirs():
        candidate = d / (template + TEMPLATE_SUFFIX)
        if candidate.is_file():
            return d, candidate.name
    known = sorted({p.name[:-len(TEMPLATE_SUFFIX)] for d in template_dirs()
                    for p in d.glob("*" + TEMPLATE_SUFFIX) if not p.name.startswith("_")})
    raise TemplateError(
        f"unknown template {template!r}; expected a file path or one of: {', '.join(known)}",
        f"没有名为“{template}”的模板；请给出文件路径或以下名称之一：{'、'.join(known)}",
        key="--template")


# Bounds on what one template may ask of the machine. A shared template is
# code from someone else: it must not exhaust memory or loop for minutes.
MAX_SEQUENCE = 1_000_000  # characters or items a `*` may build
MAX_EXPONENT = 1_000
RENDER_SECONDS = 10.0


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no Python internals, no unsafe calls) plus size bounds on * and **."""

    intercepted_binops = frozenset({"*", "**"})

    def getattr(self, obj, attribute):
        # `p.value` on the facts: a key, not a dict method. Looking it up first
        # skips the AttributeError Jinja raises and catches on every access.
        if type(obj) is FactsView and attribute not in VIEW_ATTRS:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise jinja2.exceptions.SecurityError(f"exponent {right} is too large")
        elif operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > MAX_SEQUENCE:
                    raise jinja2.exceptions.SecurityError(
                        f"repeating a sequence {n} times exceeds {MAX_SEQUENCE} items")
        return super().call_binop(context, operator, left, right)


class RenderTimeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt a render that runs too long (a loop of loops in a shared template).

    SIGALRM only reaches the main thread, where the CLI and the batch workers
    render; elsewhere (a caller's thread) no bound is set rather than none working.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise RenderTimeout(f"the template ran longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def make_environment(folder: Path) -> SandboxedEnvironment:
    # A template's imports (_phrases…) are looked up as names are: the office's
    # speech_templates/ wins over the built-in folder even for a built-in template.
    # Only a template given by path looks beside itself first.
    dirs = template_dirs()
    if folder.resolve() not in {d.resolve() for d in dirs}:
        dirs.insert(0, folder)
    loader = jinja2.FileSystemLoader([str(d) for d in dirs])
    env = BoundedSandbox(
        loader=loader, undefined=jinja2.StrictUndefined, finalize=_finalize,
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    env.filters.update(zh.FILTERS)
    env.globals.update(zh.GLOBALS)
    # json's C encoder reads a dict's own slots, which a view fills only as it is read.
    env.policies["json.dumps_function"] = lambda obj, **kw: json.dumps(plain(obj), **kw)
    return env


def plain(value):
    """Views back to the dicts and lists they show (escaped), for code that bypasses them."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (SequenceView, list, tuple)):
        return [plain(v) for v in value]
    return value


_ENVS: dict[Path, SandboxedEnvironment] = {}


def _not_utf8(path: Path) -> TemplateError:
    try:
        textfile.decode(path.read_bytes())
        kind = None
    except textfile.NotUtf8 as exc:
        kind = exc.kind
    if kind == textfile.UTF16:
        return TemplateError("the template is UTF-16 encoded; save it as UTF-8",
                             "模板文件是UTF-16编码，请另存为UTF-8", file=str(path))
    if kind == textfile.GBK:
        return TemplateError("the template is GBK-encoded; save it as UTF-8",
                             "模板文件是GBK编码，请另存为UTF-8", file=str(path))
    return TemplateError("the template is not UTF-8 text; save it as UTF-8",
                         "模板文件不是UTF-8编码的文本，请另存为UTF-8", file=str(path))


def load_template(template: str) -> jinja2.Template:
    """Compile a template once per process (batch runs render it many times)."""
    folder, name = resolve(template)
    env = _ENVS.get(folder)
    if env is None:
        env = _ENVS[folder] = make_environment(folder)
    try:
        return env.get_template(name)
    except UnicodeDecodeError:
        raise _not_utf8(folder / name) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template syntax error: {exc.message}",
                            f"模板语法错误：{exc.message}",
                            file=exc.filename or str(folder / name), line=exc.lineno) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}", f"找不到模板：{exc.name}",
                            file=str(folder / name)) from None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is in a template file (Jinja rewrites them)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(TEMPLATE_SUFFIX) or frame.filename.endswith(".j2"):
            return frame.filename, frame.lineno
    return None, None


def render(template: jinja2.Template, context: dict) -> str:
    """Fill a template; every failure becomes a TemplateError with file and line.

    `context` is facts already passed through escape_facts: a batch escapes the
    county's facts once and renders hundreds of scorecards from them.
    """
    try:
        with _time_limit(RENDER_SECONDS):
            return template.render(context)
    except TemplateError:
        raise
    except RenderTimeout as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"{exc}; is there a runaway loop?",
                            f"模板运行超过{RENDER_SECONDS:g}秒，可能存在死循环",
                            file=file or template.filename, line=line) from None
    except jinja2.UndefinedError as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"the template uses something the facts do not have: {exc.message}",
                            f"模板引用了不存在的数据：{exc.message}",
                            file=file or template.filename, line=line) from None
    except jinja2.exceptions.SecurityError as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"the template tried something unsafe: {exc}",
                            f"模板试图执行不安全的操作：{exc}",
                            file=file or template.filename, line=line) from None
    except (ValueError, TypeError, ArithmeticError, RecursionError, KeyError, LookupError,
            AttributeError, MemoryError, jinja2.TemplateError) as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"the template failed: {exc}", f"模板出错：{exc}",
                            file=file or template.filename, line=line) from None
