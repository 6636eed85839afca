"""The render stage: facts + a Jinja template → Markdown markup.

Templates are code that offices share, so they run in Jinja's sandbox with
StrictUndefined: a template cannot reach Python internals, and a template that
names a fact that does not exist fails with its own file and line instead of
printing an empty string.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import re
import traceback
import types
from collections.abc import ItemsView, KeysView, Mapping, Sequence, ValuesView
from pathlib import Path
from types import MappingProxyType

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.runtime import markup_join
from jinja2.sandbox import SandboxedEnvironment, SandboxedFormatter

from generator.audit import figures
from generator.document import escape
from generator.render import missing, template_cache
from generator.wording import zh
from generator import limits, resources, textfile
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
                          "side", "period_kind", "direction"})
# Values a view hands out as they are.
_PLAIN = frozenset({int, float, bool, type(None)})


class ReadOnlyFacts(jinja2.exceptions.SecurityError, TypeError):
    """A template tried to change the facts (which the next scorecard of a batch reads)."""

    def __init__(self, name: str):
        super().__init__(f"the facts are read-only in templates: {name}() is not allowed")
        self.zh = f"模板中的数据是只读的，不能调用{name}()"


def _refuse(name: str):
    def refuse(self, *args, **kwargs):
        raise ReadOnlyFacts(name)
    refuse.__name__ = name
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

    # _parent and _step: where the view was first reached from, so that a figure read
    # from it can name its data path (generator/audit/figures).
    __slots__ = ("_data", "_memo", "_parent", "_step")

    def __init__(self, data: Mapping, memo: dict | None = None, parent=None, step=None):
        super().__init__()
        self._data = data
        self._memo = {} if memo is None else memo
        self._parent, self._step = parent, step

    def __missing__(self, key):
        value = self._data[key]
        if value is None and figures.current() is not None:  # 待补 in the data: a draft's placeholder
            value = figures.current().pending_at(self, key)
        if type(value) not in _PLAIN:  # numbers pass as they are: most figures are
            value = _frozen(value) if key in MACHINE_KEYS else escape_facts(value, self._memo, self, key)
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

    __slots__ = ("_data", "_memo", "_parent", "_seen", "_step")

    def __init__(self, data: Sequence, memo: dict | None = None, parent=None, step=None):
        self._data = data
        self._memo = {} if memo is None else memo
        self._seen: list | None = None
        self._parent, self._step = parent, step

    def _items(self) -> list:
        if self._seen is None:
            memo = self._memo
            self._seen = [escape_facts(v, memo, self, figures.step_for(i, v))
                          for i, v in enumerate(self._data)]
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



def escape_facts(value, memo: dict | None = None, parent=None, step=None):
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
        kind = FactsView if isinstance(value, Mapping) else SequenceView
        view = memo[id(value)] = kind(value, memo, parent, step)
    return view


_RAW_FIGURES = frozenset({int, float, figures.Pending})


def _finalize(value):
    if value is None:
        # Missing data must never reach a reader as "None"; templates test for it.
        raise jinja2.UndefinedError("a missing figure (None) was printed; guard it with {% if %}")
    if type(value) in _RAW_FIGURES:  # a number printed as it is is a figure too
        return figures.raw(value)
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


# Bounds on what one template may ask of the machine (generator/limits.py owns them).
# A shared template is code from someone else: it must not exhaust memory or loop for minutes.
MAX_SEQUENCE = limits.MAX_TEXT  # characters or items a `*`, `+`, `~`, a filter or a method may build
MAX_EXPONENT = limits.MAX_EXPONENT
MAX_POWER_BITS = 100_000  # a whole number a ** may make: 2 ** 1000 is 1,001 bits
MAX_OUTPUT = limits.MAX_MARKUP  # characters of Markdown one document's template may produce
MAX_WRAP = 100_000  # characters wordwrap may be given (textwrap is quadratic on long words)
RENDER_SECONDS = limits.DOCUMENT_SECONDS  # read when a document is made, so tests may lower it


class TooLarge(jinja2.exceptions.SecurityError):
    """A template operation that would build more than the bounds allow."""


def _too_large(what: str, size: float, limit: int = MAX_SEQUENCE) -> TooLarge:
    return TooLarge(f"{what} would make {size:,.0f} characters or items, more than the limit of "
                    f"{limit:,}")


def _length(value) -> int:
    try:
        return len(value)
    except TypeError:
        return len(str(value))


def _check(what: str, size: float) -> None:
    if size > MAX_SEQUENCE:
        raise _too_large(what, size)


def _integer(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default


# %-formatting: each conversion's width and precision (a * takes the next argument).
_PERCENT = re.compile(r"%(?:\((?P<key>[^)]*)\))?[-#0 +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?"
                      r"[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])")
# format() specs: [[fill]align][sign][z][#][0][width][grouping][.precision][type]
_FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(?P<width>\d+)?[,_]?(?:\.(?P<precision>\d+))?.?\Z", re.S)


def _percent_size(fmt: str, args) -> int:
    """About how long `fmt % args` would be, from the widths and precisions it asks for."""
    values = list(args) if isinstance(args, tuple) else [args]
    size, position = len(fmt), 0
    for spec in _PERCENT.finditer(fmt):
        for part in ("width", "precision"):
            text = spec.group(part)
            if text == "*":
                size += abs(_integer(values[position] if position < len(values) else 0))
                position += 1
            elif text:
                size += int(text) if len(text) < 12 else 10 ** 12
        if spec.group("conversion") != "%" and spec.group("key") is None:
            if position < len(values):
                size += _length(values[position]) if isinstance(values[position], str) else 32
            position += 1
        elif spec.group("key") is not None and isinstance(args, Mapping):
            size += _length(args.get(spec.group("key"), ""))
    return size


class _BoundedFormatter(SandboxedFormatter):
    """str.format and format_map in the sandbox, with every field's width and precision bounded."""

    def __init__(self, env):
        super().__init__(env)
        self._total = 0

    def format_field(self, value, format_spec: str):
        match = _FORMAT_SPEC.match(format_spec)
        if match is not None:
            for part in ("width", "precision"):
                text = match.group(part)
                if text and (len(text) > 9 or int(text) > MAX_SEQUENCE):
                    raise _too_large(f"a format {part} of {text}", int(text) if len(text) < 30 else 10 ** 30)
        result = super().format_field(value, format_spec)
        self._total += len(result)
        _check("format()", self._total)
        return result


_WIDTH_METHODS = {"ljust", "rjust", "center", "zfill"}
_BUILTIN_METHOD = types.BuiltinMethodType


def _bounded_str_method(value):
    """A str method that can grow text (ljust(10**9), replace, join, expandtabs…), bounded; else None."""
    if not isinstance(value, types.BuiltinMethodType) or not isinstance(value.__self__, str):
        return None
    text, name = value.__self__, value.__name__
    if name in _WIDTH_METHODS:
        def sized(width, *args):
            _check(f"str.{name}({width})", _integer(width))
            return value(width, *args)
    elif name == "expandtabs":
        def sized(tabsize=8):
            _check(f"str.expandtabs({tabsize})", len(text) + text.count("\t") * _integer(tabsize))
            return value(tabsize)
    elif name == "replace":
        def sized(old, new, *args):
            count = (len(text) + 1) if old == "" else text.count(old) if isinstance(old, str) else 0
            _check("str.replace()", len(text) + count * max(0, _length(new) - _length(old)))
            return value(old, new, *args)
    elif name == "join":
        def sized(items):
            items = list(items)
            _check("str.join()", len(text) * max(0, len(items) - 1) + sum(_length(i) for i in items))
            return value(items)
    elif name == "translate":
        def sized(table):
            if isinstance(table, Mapping):
                longest = max((_length(v) for v in table.values() if v is not None), default=1)
                _check("str.translate()", len(text) * longest)
            return value(table)
    else:
        return None
    return functools.update_wrapper(sized, value)


# Methods of the builtin containers that change them: reached unbound (dict.update(meta, …))
# or bound, they must never touch a view of the facts.
_CONTAINERS = (dict, list, set, bytearray)
_READING = frozenset({"get", "keys", "items", "values", "copy", "count", "index", "fromkeys",
                      "__contains__", "__getitem__", "__len__", "__iter__"})


def _changes_facts(func, args) -> str | None:
    """The method's name when calling `func(*args)` would change a view of the facts."""
    owner = getattr(func, "__objclass__", None)
    target = args[0] if args else None
    if owner is None:
        target = getattr(func, "__self__", None)
        owner = type(target) if target is not None else None
    name = getattr(func, "__name__", "")
    if owner is None or name in _READING:
        return None
    if isinstance(target, (FactsView, SequenceView, MappingProxyType)) or (
            isinstance(owner, type) and issubclass(owner, _CONTAINERS)
            and isinstance(target, (FactsView, SequenceView))):
        return f"{getattr(owner, '__name__', 'dict')}.{name}"
    return None


class _BoundedCodeGenerator(CodeGenerator):
    """`a ~ b` joins through the environment, which bounds the result like `*` and `+`."""

    def visit_Concat(self, node, frame):
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _bounded_filters(filters: dict) -> dict:
    """Jinja's filters that can build unbounded text or lists, each checked before it runs."""
    original = dict(filters)

    def wrap(name, check):
        func = original[name]

        @functools.wraps(func)
        def bounded(*args, **kwargs):
            check(*(args[1:] if getattr(func, "jinja_pass_arg", None) else args), **kwargs)
            return func(*args, **kwargs)
        return bounded

    def center(value, width=80):
        _check(f"center({width})", _integer(width))

    def indent(s, width=4, first=False, blank=False):
        pad = _length(width) if isinstance(width, str) else _integer(width)
        _check(f"indent({pad if not isinstance(width, str) else 'a text of ' + str(pad)})",
               _length(s) + (str(s).count("\n") + 1) * pad)

    def wordwrap(s, width=79, break_long_words=True, wrapstring=None, break_on_hyphens=True):
        text = str(s)
        if len(text) > MAX_WRAP:
            raise TooLarge(f"wordwrap on a text of {len(text):,} characters (limit {MAX_WRAP:,})")
        lines = len(text) / max(1, _integer(width, 1)) + text.count("\n") + 1
        _check("wordwrap()", len(text) + lines * (_length(wrapstring) if wrapstring is not None else 1))

    def join(value, d="", attribute=None):
        items = value if isinstance(value, (list, tuple, str, Sequence)) else None
        if items is not None:
            _check("join()", _length(d) * max(0, len(items) - 1)
                   + sum(_length(i) for i in items if isinstance(i, str)))
        else:
            _check("join()", _length(d) * MAX_SEQUENCE if _length(d) > 1 else 0)

    def replace(s, old, new, count=None):
        text = str(s)
        hits = (len(text) + 1) if old == "" else text.count(str(old))
        if count is not None:
            hits = min(hits, max(0, _integer(count)))
        _check("replace()", len(text) + hits * max(0, _length(new) - _length(old)))

    def format_(value, *args, **kwargs):
        _check("format()", _percent_size(str(value), kwargs or args))

    def batch(value, linecount, fill_with=None):
        _check(f"batch({linecount})", _integer(linecount))

    def slice_(value, slices, fill_with=None):
        _check(f"slice({slices})", _integer(slices))

    def sum_(iterable, attribute=None, start=0):
        if isinstance(start, (str, list, tuple)):
            items = iterable if isinstance(iterable, (list, tuple, Sequence)) else ()
            _check("sum()", _length(start) + sum(_length(i) for i in items))

    def tojson(value, indent=None):
        if indent is not None and _integer(indent) > 100:
            raise _too_large(f"tojson(indent={indent})", _integer(indent), 100)

    for name, check in (("center", center), ("indent", indent), ("wordwrap", wordwrap),
                        ("join", join), ("replace", replace), ("format", format_),
                        ("batch", batch), ("slice", slice_), ("sum", sum_), ("tojson", tojson)):
        if name in original:
            filters[name] = wrap(name, check)
    return filters


def _bounded_lipsum(lipsum):
    @functools.wraps(lipsum)
    def bounded(n=5, html=True, min=20, max=100):
        if _integer(n) > 100 or _integer(max) > 1000 or _integer(min) > 1000:
            raise _too_large(f"lipsum({n}, min={min}, max={max})", _integer(n) * _integer(max), 100_000)
        return lipsum(n, html, min, max)
    return bounded


# Values whose reads are remembered, for the figures printed from them.
_READ_LOGGED = frozenset({int, float, str, datetime.date, figures.Pending})


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no Python internals, no unsafe calls) with every way of building text
    bounded (*, **, +, %, ~, str.format, the filters and str methods that grow text), the
    facts read-only however a mutating method is reached, and the output bounded."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BoundedCodeGenerator

    def getattr(self, obj, attribute):
        # `p.value` on the facts: a key, not a dict method. Looking it up first
        # skips the AttributeError Jinja raises and catches on every access.
        if type(obj) is FactsView and attribute not in VIEW_ATTRS:
            try:
                value = obj[attribute]
            except KeyError:
                pass
            else:
                if type(value) in _READ_LOGGED:
                    state = figures.current()
                    if state is not None:  # where a figure comes from
                        state.log.append((obj, attribute, value))
                return value
        value = super().getattr(obj, attribute)
        if type(value) is _BUILTIN_METHOD and type(value.__self__) is str:  # noqa: E721 - hot path
            return _bounded_str_method(value) or value
        return value

    def getitem(self, obj, argument):
        value = super().getitem(obj, argument)
        if type(value) in _READ_LOGGED and type(obj) in (FactsView, SequenceView) \
                and figures.current() is not None:
            figures.current().read(obj, argument, value)
        return value

    def wrap_str_format(self, value):
        """str.format and str.format_map with bounded fields (see _BoundedFormatter)."""
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) \
                or value.__name__ not in ("format", "format_map") or not isinstance(value.__self__, str) \
                or hasattr(value.__self__, "__html__"):
            return super().wrap_str_format(value)
        text, is_map = value.__self__, value.__name__ == "format_map"

        def wrapper(*args, **kwargs):
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return type(text)(_BoundedFormatter(self).vformat(text, args, kwargs))

        return functools.update_wrapper(wrapper, value)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        changed = _changes_facts(__obj, args)
        if changed is not None:
            raise ReadOnlyFacts(changed)
        bounded = _bounded_str_method(__obj)
        if bounded is not None:
            __obj = bounded
        elif isinstance(__obj, types.BuiltinMethodType) and isinstance(__obj.__self__, list) \
                and __obj.__name__ in ("extend", "append", "insert"):
            _check(f"list.{__obj.__name__}()", len(__obj.__self__)
                   + (_length(args[0]) if __obj.__name__ == "extend" and args else 1))
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
                raise jinja2.exceptions.SecurityError(f"exponent {right} is too large")
            if isinstance(left, int) and isinstance(right, int) and right > 0 \
                    and left.bit_length() * right > MAX_POWER_BITS:
                raise TooLarge(f"a power of {left.bit_length() * right:,} bits (limit {MAX_POWER_BITS:,})")
        elif operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > MAX_SEQUENCE:
                    raise jinja2.exceptions.SecurityError(
                        f"repeating a sequence {n} times exceeds {MAX_SEQUENCE} items")
        elif operator == "+":
            if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                _check("+", len(left) + len(right))
        elif operator == "%" and isinstance(left, str):
            _check("%-formatting", _percent_size(left, right))
        return super().call_binop(context, operator, left, right)

    def bounded_concat(self, parts):
        """`a ~ b ~ c`: joined as Jinja does, refused past MAX_SEQUENCE characters."""
        texts = [p if isinstance(p, str) else figures.raw(p) if type(p) in _RAW_FIGURES else str(p)
                 for p in parts]
        _check("~", sum(len(t) for t in texts))
        if any(hasattr(p, "__html__") for p in parts):
            return markup_join(parts)
        return "".join(texts)

    def concat(self, pieces):
        """The document's whole output, joined as it is made and refused past MAX_OUTPUT."""
        out, total = [], 0
        append = out.append
        for piece in pieces:
            total += len(piece)
            if total > MAX_OUTPUT:
                exc = TooLarge(f"the template's output is larger than {MAX_OUTPUT:,} characters")
                exc.where = _suspended_at(pieces)
                raise exc
            append(piece)
        return "".join(out)


def _suspended_at(generator) -> tuple[str | None, int | None]:
    """The template file and line where a template's output generator stands."""
    frame = getattr(generator, "gi_frame", None)
    template = frame.f_globals.get("__jinja_template__") if frame is not None else None
    if template is None:
        return None, None
    return template.filename, template.get_corresponding_lineno(frame.f_lineno)


class RenderTimeout(Exception):
    pass


_time_limit = limits.time_limit


class ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that reads only files whose real path is inside a template folder.

    A symbolic link in a template folder (to /etc/passwd, or a folder link such as
    etcdir → /etc) would otherwise let {% include %} read any file on the machine.
    """

    def get_source(self, environment, template):
        from jinja2.loaders import split_template_path

        for folder in self.searchpath:
            candidate = os.path.join(folder, *split_template_path(template))
            special = limits.not_a_file(candidate)
            if special is not None:  # a FIFO would block the read for ever
                raise jinja2.exceptions.SecurityError(f"{template!r} cannot be read: {special[0]}")
            if os.path.isfile(candidate):
                if os.path.getsize(candidate) > limits.MAX_DATA_BYTES:
                    raise TooLarge(f"{template!r} is larger than {limits.MAX_DATA_BYTES // 1024 // 1024} MB, "
                                   "far more than a template")
                break
        contents, filename, uptodate = super().get_source(environment, template)
        real = os.path.realpath(filename)
        roots = [os.path.realpath(d) for d in self.searchpath]
        if not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
            raise jinja2.exceptions.SecurityError(
                f"{template!r} leads out of the template folders (to {real}, through a symbolic "
                "link); a template may use only files inside them")
        return contents, filename, uptodate


def make_environment(folder: Path) -> SandboxedEnvironment:
    # A template's imports (_phrases…) are looked up as names are: the office's
    # speech_templates/ wins over the built-in folder even for a built-in template.
    # Only a template given by path looks beside itself first.
    dirs = template_dirs()
    if folder.resolve() not in {d.resolve() for d in dirs}:
        dirs.insert(0, folder)
    loader = ConfinedLoader([str(d) for d in dirs])
    env = BoundedSandbox(
        loader=loader, undefined=missing.FactUndefined, finalize=_finalize,
        autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    _bounded_filters(env.filters)
    env.filters.update(zh.FILTERS)
    env.globals.update(zh.GLOBALS)
    env.globals["lipsum"] = _bounded_lipsum(env.globals["lipsum"])
    # json's C encoder reads a dict's own slots, which a view fills only as it is read.
    env.policies["json.dumps_function"] = lambda obj, **kw: json.dumps(plain(obj), **kw)
    # Compiled templates kept between runs, keyed by all that shapes the code (this module too).
    template_cache.attach(env, (__file__, missing.__file__))
    return env


def plain(value):
    """Views back to the dicts and lists they show (escaped), for code that bypasses them."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (SequenceView, list, tuple)):
        return [plain(v) for v in value]
    return value


_ENVS: dict[tuple, SandboxedEnvironment] = {}


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
    # Keyed by the folders names are looked up in too: they follow the working folder.
    key = (folder, tuple(template_dirs()))
    env = _ENVS.get(key)
    if env is None:
        env = _ENVS[key] = make_environment(folder)
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
    except TooLarge as exc:
        raise TemplateError(f"the template asks for too much: {exc}", f"模板要求的数据量过大：{exc}",
                            file=str(folder / name)) from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"the template tried something unsafe: {exc}",
                            f"模板试图执行不安全的操作：{exc}", file=str(folder / name)) from None
    except (OSError, MemoryError, RecursionError) as exc:
        raise TemplateError(f"the template cannot be read: {exc}", f"无法读取模板：{exc}",
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
    county's facts once and renders hundreds of scorecards from them. The render
    is bounded in time (RENDER_SECONDS) and memory (limits.MEMORY_MB); a caller
    that also parses the output (pipeline.make_document) sets one bound for both.
    """
    seconds = RENDER_SECONDS
    try:
        with limits.time_limit(seconds), limits.memory_bound():
            markup = template.render(context)
    except TemplateError:
        raise
    except (limits.TimeLimit, RenderTimeout) as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"the template ran longer than {exc}; is there a runaway loop?",
                            f"模板运行超过{seconds:g}秒，可能存在死循环",
                            file=file or template.filename, line=line) from None
    except TooLarge as exc:
        file, line = getattr(exc, "where", None) or _template_frame(exc)
        raise TemplateError(f"the template asks for too much: {exc}", f"模板要求的数据量过大：{exc}",
                            file=file or template.filename, line=line) from None
    except MemoryError:
        raise too_much_memory(template.filename) from None
    except missing.MissingFact as exc:
        # Which fact, where in the facts, and what was there: never the views' class names.
        file, line = _template_frame(exc)
        en, zh_text = missing.message(exc, context)
        raise TemplateError(en, zh_text, file=file or template.filename, line=line) from None
    except jinja2.UndefinedError as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"the template uses something the facts do not have: {exc.message}",
                            f"模板引用了不存在的数据：{exc.message}",
                            file=file or template.filename, line=line) from None
    except ReadOnlyFacts as exc:
        file, line = _template_frame(exc)
        raise TemplateError(str(exc), exc.zh, file=file or template.filename, line=line) from None
    except jinja2.exceptions.SecurityError as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"the template tried something unsafe: {exc}",
                            f"模板试图执行不安全的操作：{exc}",
                            file=file or template.filename, line=line) from None
    except (ValueError, TypeError, ArithmeticError, RecursionError, KeyError, LookupError,
            AttributeError, OverflowError, jinja2.TemplateError) as exc:
        file, line = _template_frame(exc)
        raise TemplateError(f"the template failed: {exc}", f"模板出错：{exc}",
                            file=file or template.filename, line=line) from None
    _check_characters(markup, template.filename)
    return markup


def too_much_memory(filename: str | None) -> TemplateError:
    return TemplateError(f"the template asks for too much: making the document needs more than "
                         f"{limits.MEMORY_MB} MB of memory",
                         f"模板要求的数据量过大：生成文档需要超过{limits.MEMORY_MB} MB内存", file=filename)


def _check_characters(markup: str, filename: str | None) -> None:
    """A lone surrogate ('\\ud800') cannot be written as UTF-8, so no document could hold it."""
    try:
        markup.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = f"U+{ord(markup[exc.start]):04X}"
        line = markup.count("\n", 0, exc.start) + 1
        raise TemplateError(f"the template printed {code} on line {line} of its output, which is not a "
                            "character (a lone surrogate, as from '\\ud800'); remove it",
                            f"模板在输出的第{line}行输出了{code}，这不是有效字符（孤立的代理项），请删除",
                            file=filename) from None
