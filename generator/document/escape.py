"""Literal text in speechgen's Markdown: the one rule for what must be backslash-escaped.

Two places put text that must read literally into the Markdown the reader
parses: the render stage escapes data (a township called 东*山 must not turn
bold), and the Markdown writer escapes a document's words when it writes .md.
Both follow this rule, so a character is either markup everywhere or nowhere.
Escaping a character that would not have been markup costs nothing: CommonMark
reads a backslash before any ASCII punctuation as that character.
"""

from __future__ import annotations

import functools
import re

# Characters that would start inline markup, a table cell, an attribute ({.speaker})
# or an entity (&amp;); "#" too, since a trailing " #" closes a heading.
INLINE = frozenset("\\`*_[]<>#|~!{}&")
# Characters that start a block (list, quote, fence, setext underline, attribute line)
# when they open a line.
LINE_START = frozenset("-+=>~{")

_INLINE = re.compile("([" + re.escape("".join(sorted(INLINE))) + "])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def escape_inline(text: str) -> str:
    """Text whose every character reads literally inside a line."""
    return _INLINE.sub(r"\\\1", text)


def guard_line_start(text: str) -> str:
    """Inline-escaped text made safe to open a line: no list, quote or heading underline."""
    if text[:1] in LINE_START:
        return "\\" + text
    digits = len(text) - len(text.lstrip("0123456789"))
    # "1. " or "1) " (or a bare "1.") would start an ordered list; "1.强化" would not.
    if 0 < digits <= 9 and text[digits:digits + 1] in (".", ")") \
            and text[digits + 1:digits + 2] in ("", " "):
        return text[:digits] + "\\" + text[digits:]
    return text


# The same names and units are escaped for every scorecard of a batch.
@functools.lru_cache(maxsize=1 << 14)
def escape(text: str) -> str:
    """Text that reads literally wherever it lands, a line's start included (data in templates)."""
    return guard_line_start(escape_inline(text))


def unescape(text: str) -> str:
    """Undo escape, for data that went through front matter rather than Markdown."""
    return _ESCAPED.sub(r"\1", text)
