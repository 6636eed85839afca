"""What a template error says when a template names a fact that is not there.

Jinja's own message names the Python class that holds the facts
("'generator.render.sandbox.FactsView object' has no attribute 'nme'"), which
tells a template author nothing. Here the message says which fact was asked
for, where it is in the facts (indicators[2].nme), the closest real names, and
every fact available at that point, so the author can fix the template without
reading Python.

The facts' views (render/sandbox.py) hold the plain facts they stand for; the
fact's path is found by looking for those among the facts of the render, once,
when the error is reported.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Mapping, Sequence

import jinja2
from jinja2.utils import missing

from generator import suggest

# Facts looked through to find where a view sits, at most: a county of thousands of
# townships is not walked whole to word one message.
SEARCH_NODES = 50_000
SHOWN_TEXT = 20  # characters of a text value quoted back
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class MissingFact(jinja2.UndefinedError):
    """A template read a fact that does not exist: what it read, and from what."""

    def __init__(self, message: str | None = None, *, obj=missing, name=None):
        super().__init__(message)
        self.obj, self.name = obj, name


class FactUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose error keeps what was read and from what, for the message."""

    __slots__ = ()

    def __init__(self, hint=None, obj=missing, name=None, exc=jinja2.UndefinedError):
        if exc is jinja2.UndefinedError:
            exc = functools.partial(MissingFact, obj=obj, name=name)
        super().__init__(hint, obj, name, exc)


def _plain(value):
    """The facts a view stands for (the value itself when it is not a view)."""
    return getattr(value, "_data", value)


def _step(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if isinstance(key, str) and _IDENTIFIER.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


def _children(value):
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return list(enumerate(value))
    return []


def path_of(target, context) -> str | None:
    """Where `target` (a view of a mapping or a list) is among the facts of `context`, as a
    template writes it; None when not found. A number or a text has no place of its own:
    None and 3 are the same object wherever they are."""
    plain = _plain(target)
    if not isinstance(plain, (Mapping, list, tuple)):
        return None
    wanted = id(plain)
    queue = deque((key, _plain(value)) for key, value in _children(_plain(context)))
    seen = 0
    while queue and seen < SEARCH_NODES:
        path, value = queue.popleft()
        seen += 1
        if id(value) == wanted:
            return path
        if isinstance(value, (Mapping, list, tuple)) or hasattr(value, "_data"):
            try:
                queue.extend((_step(path, k), _plain(v)) for k, v in _children(_plain(value)))
            except Exception:  # noqa: BLE001 - a fact that cannot be walked just is not searched
                continue
    return None


def _names(keys) -> tuple[str, str]:
    keys = [str(k) for k in keys]
    return ", ".join(keys), "、".join(keys)


def _quoted(value) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT] + "…"


def message(exc: MissingFact, context) -> tuple[str, str]:
    """(English, Chinese) of what the template asked for and what it could have had."""
    obj, name = exc.obj, exc.name
    if obj is missing:
        keys = list(_plain(context))
        near_en, near_zh = suggest.hint(str(name), keys, suggest.IDENTIFIER_CUTOFF)
        en_all, zh_all = _names(keys)
        return (f"the template uses {name}, which is neither a fact nor a variable it set"
                f"{' (' + near_en + ')' if near_en else ''}; the facts are: {en_all}",
                f"模板使用了“{name}”，它既不是数据，也不是模板中设置的变量"
                f"{'（' + near_zh + '）' if near_zh else ''}；可用的数据有：{zh_all}")
    where = path_of(obj, context)
    plain = _plain(obj)
    asked = _step(where, name) if where else str(name)
    if isinstance(plain, Mapping):
        keys = list(plain)
        near_en, near_zh = suggest.hint(str(name), [str(k) for k in keys], suggest.IDENTIFIER_CUTOFF)
        en_all, zh_all = _names(keys)
        holder_en = where or "this entry"
        holder_zh = where or "这一项"
        return (f"the template asks for {asked}, which the facts do not have"
                f"{' (' + near_en + ')' if near_en else ''}; {holder_en} has: {en_all}",
                f"模板引用了不存在的数据 {asked}{'（' + near_zh + '）' if near_zh else ''}；"
                f"{holder_zh}中有：{zh_all}")
    if isinstance(plain, Sequence) and not isinstance(plain, (str, bytes)):
        holder = where or "this list"
        count = len(plain)
        span_en = f"{holder}[0] to {holder}[{count - 1}]" if count else "none"
        span_zh = f"{holder}[0]至{holder}[{count - 1}]" if count else "为空"
        return (f"the template asks for {asked}, but {holder} is a list of {count} items ({span_en}): "
                "use an index within it, or loop over it with {% for %}",
                f"模板引用了不存在的数据 {asked}：{holder} 是含{count}项的列表（{span_zh}），"
                "请使用范围内的序号，或用 {% for %} 逐项读取")
    if plain is None:
        return (f"the template asks for {name} of a fact that is empty (None) here; "
                "test it first with {% if … is not none %}",
                f"模板读取了一项在此为空（None）的数据的 {name}；请先用 " "{% if … is not none %} 判断")
    kind_en, kind_zh = ("text", "文字") if isinstance(plain, str) else ("a number", "数值")
    return (f"the template asks for {name} of {_quoted(plain)}, which is {kind_en}, not a set of facts",
            f"模板读取了“{_quoted(plain)}”的 {name}，但它是{kind_zh}，没有下一级数据")
