"""Load indicators.yaml into a Dataset: the quick way when the data is certainly valid, else the careful way.

The quick way reads the bytes in one pass (sources.yaml_reader.quick_load) and packs each
township as soon as its mapping closes; anything it is unsure of goes the careful way,
which keeps line positions and names every problem.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.sources import pending
from generator.sources import yaml_reader as yaml_source
from generator.sources.yaml_reader import Lines

if TYPE_CHECKING:  # jsonschema is imported only to explain invalid data
    pass

from generator.audit import figures
from generator.sources.dataset import Dataset, Township, build, build_township
from generator.sources.validation import (
    InvalidDataError,
    clean,
    contract_problems,
    json_like,
    quick_schema_check,
    quick_township_check,
    schema_problems,
)


def load(path: str | Path) -> Dataset:
    """Load and validate an indicators.yaml file; DataError names file, line and key."""
    source = str(path)
    raw = yaml_source.read_bytes(path)
    # Valid data goes the quick way, from the bytes: no decoded copy, no line
    # positions, no jsonschema. Anything else goes the careful way, which
    # finds every problem and names its line.
    return _quick(raw, source) or _careful(yaml_source.decode(raw, source), source)


def load_text(text: str, source: str) -> Dataset:
    """Load YAML text as if it were the file `source` (tests, Excel/CSV import)."""
    return _quick(text, source) or _careful(text, source)


def _quick(text: str | bytes, source: str) -> Dataset | None:
    """The Dataset of certainly valid data, read in one pass; None when not certain.

    Each township is checked and packed as soon as it is read, so a county
    of thousands is never held as plain data.
    """
    layouts: dict = {}
    data = yaml_source.quick_load(text, unit=lambda raw: _quick_township(raw, layouts))
    if data is None:
        return None
    plain, waiting = pending.extract(json_like(data))
    if waiting:
        return None  # the careful way names each pending figure's line
    check = quick_schema_check()
    if check is None or not check(plain) or contract_problems(plain, {}):
        return None
    return build(plain, source)


def _quick_township(raw: dict[str, Any], layouts: dict) -> Township | None:
    check = quick_township_check()
    if check is None or not check(raw) or not clean(raw):
        return None  # the careful way decides, and says what is wrong
    return build_township(raw, layouts)


def _careful(text: str, source: str) -> Dataset:
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
