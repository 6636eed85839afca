"""Errors a user can act on.

Every error carries a location (file, line, key path) and what was expected, in
English and Chinese, so the CLI can print one or two plain lines instead of a
traceback. Exit code 2 means "your input is wrong"; anything else is our bug.
"""

from __future__ import annotations

from typing import Any

USER_ERROR = 2
INTERNAL_ERROR = 1


def shown(value: Any) -> tuple[str, str]:
    """How a wrong value is quoted back to the user, (en, zh), in every message.

    Text is quoted with ASCII quotes in both languages, so a value that itself
    holds Chinese quotes reads unambiguously, and long text is cut; numbers and
    true/false are given bare, as they are typed; containers by what they are.
    """
    if value is None:
        return "nothing", "空值"
    if isinstance(value, bool):
        return ("true", "true") if value else ("false", "false")
    if isinstance(value, (int, float)):
        return str(value), str(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f'"{text}"', f'"{text}"'
    if isinstance(value, dict):
        return "a mapping", "键值映射"
    if isinstance(value, list):
        return "a list", "列表"
    return str(value), str(value)


class SpeechgenError(Exception):
    """An error in the user's input or environment, reported without traceback."""

    exit_code = USER_ERROR

    def __init__(self, en: str, zh: str | None = None, *, file: str | None = None,
                 line: int | None = None, key: str | None = None):
        self.en = en
        self.zh = zh
        self.file = file
        self.line = line
        self.key = key
        super().__init__(self.format())

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.key:
            parts.append(self.key)
        return ": ".join(parts)

    def format(self) -> str:
        loc = self.location
        prefix = f"{loc}: " if loc else ""
        lines = [f"{prefix}{self.en}"]
        if self.zh:
            lines.append(f"{prefix}{self.zh}")
        return "\n".join(lines)


class DataError(SpeechgenError):
    """Indicator data that does not follow the data contract."""


class TemplateError(SpeechgenError):
    """A template that does not parse, names a missing fact or breaks the sandbox."""


class ReferenceDocError(SpeechgenError):
    """A reference .docx that cannot be used for styles."""


class OutputError(SpeechgenError):
    """An output file that cannot or must not be written."""
