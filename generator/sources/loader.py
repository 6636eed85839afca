"""Load indicators.yaml into a Dataset: the quick way when the data is certainly valid, else the careful way.

Both ways end in one place: plain data, checked, then dataset.build. The quick way
(`quick`) reads the bytes in one pass with libyaml (sources.yaml_reader.quick_load,
which returns plain data) and, so that a county of thousands is never held whole as
plain data, checks and packs each township as soon as its mapping closes
(dataset.build_township, the one packing function), keeping only its outline for the
county's checks. Anything it is unsure of goes the careful way (`careful`), which
keeps line positions and names every problem. Both give the same Dataset
(tests/test_fast_paths.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from generator.audit import figures
from generator.sources import pending
from generator.sources import yaml_reader as yaml_source
from generator.sources.dataset import Dataset, Township, build, build_township
from generator.sources.validation import (
    InvalidDataError,
    clean,
    contract_problems,
    json_like,
    quick_schema_check,
    quick_township_check,
    schema_problems,
    township_outline,
)
from generator.sources.yaml_reader import Lines


def load(path: str | Path) -> Dataset:
    """Load and validate an indicators.yaml file; DataError names file, line and key."""
    source = str(path)
    raw = yaml_source.read_bytes(path)
    # Valid data goes the quick way, from the bytes: no decoded copy, no line
    # positions, no jsonschema. Anything else goes the careful way, which
    # finds every problem and names its line.
    return quick(raw, source) or careful(yaml_source.decode(raw, source), source)


def load_text(text: str, source: str) -> Dataset:
    """Load YAML text as if it were the file `source` (tests, Excel/CSV import)."""
    return quick(text, source) or careful(text, source)


def quick(text: str | bytes, source: str) -> Dataset | None:
    """The Dataset of certainly valid data, read in one pass; None when not certain."""
    townships = _Townships()
    data = yaml_source.quick_load(text, unit=townships.read)
    if data is None:
        return None
    plain, waiting = pending.extract(json_like(data))
    if waiting:
        return None  # the careful way names each pending figure's line
    check = quick_schema_check()
    if check is None or not check(plain) or contract_problems(plain, {}):
        return None
    return build(plain, source, townships.packed if "townships" in plain else None)


class _Townships:
    """The quick way's townships, each checked against its schema and packed as it is read."""

    def __init__(self):
        self.packed: list[Township] = []
        self.layouts: dict = {}  # shared by townships reporting the same indicators
        self.outlines: dict[tuple, tuple] = {}

    def read(self, raw: dict[str, Any]) -> dict[str, Any] | None:
        check = quick_township_check()
        if check is None or not check(raw) or not clean(raw):
            return None  # the careful way decides, and says what is wrong
        self.packed.append(build_township(raw, self.layouts))
        return township_outline(raw, self.outlines)


def careful(text: str, source: str) -> Dataset:
    """The Dataset of `text` read with every key's line, or InvalidDataError naming them."""
    data, lines = yaml_source.parse_text(text, source)
    return _dataset(data, lines, source)


def _dataset(data: dict[str, Any], lines: Lines, source: str) -> Dataset:
    plain, waiting = pending.extract(json_like(data), lines)  # 待补: late, not wrong
    problems = schema_problems(plain, lines) or contract_problems(plain, lines)
    if problems:
        raise InvalidDataError(source, pending.explain(problems, waiting))
    if waiting and not figures.mode().draft:
        pending.refuse(waiting, source)
    return replace(build(plain, source), pending=tuple(waiting))
