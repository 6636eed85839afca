"""A fast yes/no check against the data contract's JSON Schema.

jsonschema explains what is wrong, which the loader's messages need, but it takes
about 50 ms to import and 0.4 s to walk a county of 500 townships. Most files
are valid, so the schema is compiled once into plain Python predicates that
answer only "certainly valid" (True) or "not certainly" (False); on False the
loader asks jsonschema. Each keyword follows jsonschema's own rule (bool is not
a number, 3.0 is an integer, a keyword checks only instances of its type), and
compile_schema gives None for a schema with a keyword it does not know, so a
change to the schema can never make this check pass what jsonschema rejects.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that annotate and do not constrain (jsonschema also ignores "x-…").
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "$defs", "title", "description",
                          "default", "examples"})
# Checked together, by one predicate per object schema.
_OBJECT_KEYWORDS = frozenset({"properties", "additionalProperties", "required", "minProperties"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # jsonschema's "date" format


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "number": _is_number,
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool))
    or (isinstance(x, float) and x.is_integer()),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


class _Unsupported(Exception):
    pass


def compile_schema(schema: dict, part: str | None = None,
                   checked: frozenset[str] = frozenset()) -> Check | None:
    """A predicate for `schema`, or None when it uses a keyword this module does not know.

    part: compile only that definition of $defs. checked: definitions whose
    instances the caller has checked already, as it read them (the quick loader
    checks each township against its own definition): here they pass unread.
    """
    try:
        compiler = _Compiler(schema, checked)
        return compiler.compile(schema if part is None else {"$ref": f"#/$defs/{part}"})
    except _Unsupported:
        return None


def _is_date(x: Any) -> bool:
    if not isinstance(x, str):
        return True
    if not _DATE.fullmatch(x):
        return False
    try:
        dt.date.fromisoformat(x)
    except ValueError:
        return False
    return True


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]

    def check(x: Any) -> bool:
        for c in checks:
            if not c(x):
                return False
        return True

    return check


class _Compiler:
    def __init__(self, root: dict, checked: frozenset[str]):
        self.defs = root.get("$defs", {})
        self.checked = checked
        self.compiled: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if not isinstance(schema, dict):
            raise _Unsupported(schema)
        keywords = {
            "$ref": self._ref, "type": self._type, "enum": self._enum, "items": self._items,
            "minItems": self._min_items, "uniqueItems": self._unique_items,
            "minLength": self._min_length, "pattern": self._pattern, "format": self._format,
            "minimum": self._minimum, "maximum": self._maximum,
            "exclusiveMinimum": self._exclusive_minimum,
        }
        checks = []
        for keyword, value in schema.items():
            if keyword in keywords:
                checks.append(keywords[keyword](value))
            elif not (keyword in _ANNOTATIONS or keyword in _OBJECT_KEYWORDS
                      or keyword.startswith("x-")):
                raise _Unsupported(keyword)
        if any(k in schema for k in _OBJECT_KEYWORDS):
            checks.append(self._object(schema))
        return _all(checks)

    def _ref(self, ref: str) -> Check:
        prefix = "#/$defs/"
        if not ref.startswith(prefix) or ref[len(prefix):] not in self.defs:
            raise _Unsupported(ref)
        name = ref[len(prefix):]
        if name not in self.compiled:
            if name in self.checked:
                self.compiled[name] = lambda x: True
                return self.compiled[name]
            self.compiled[name] = lambda x: self.compiled[name](x)  # until compiled: recursion
            self.compiled[name] = self.compile(self.defs[name])
        return self.compiled[name]

    def _type(self, types: str | list[str]) -> Check:
        tests = [_TYPES[t] for t in ([types] if isinstance(types, str) else types)]
        if len(tests) == 1:
            return tests[0]

        def check(x: Any) -> bool:
            for test in tests:
                if test(x):
                    return True
            return False

        return check

    def _enum(self, options: list) -> Check:
        # jsonschema compares strings with ==; other members need its bool-aware equality.
        if not all(o is None or isinstance(o, str) for o in options):
            raise _Unsupported(options)
        texts = frozenset(o for o in options if o is not None)
        allow_null = None in options
        return lambda x: (x is None and allow_null) or (isinstance(x, str) and x in texts)

    def _object(self, schema: dict) -> Check:
        properties = {k: self.compile(v) for k, v in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        extra_check = None if isinstance(extra, bool) else self.compile(extra)
        required = tuple(schema.get("required", ()))
        least = schema.get("minProperties", 0)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            if len(x) < least or any(k not in x for k in required):
                return False
            for key, value in x.items():
                test = properties.get(key)
                if test is None:
                    if extra is False or (extra_check is not None and not extra_check(value)):
                        return False
                elif not test(value):
                    return False
            return True

        return check

    def _items(self, items: Any) -> Check:
        test = self.compile(items)

        def check(x: Any) -> bool:
            if isinstance(x, list):
                for item in x:
                    if not test(item):
                        return False
            return True

        return check

    def _min_items(self, n: int) -> Check:
        return lambda x: not isinstance(x, list) or len(x) >= n

    def _unique_items(self, unique: bool) -> Check:
        if not unique:
            return lambda x: True
        # Strings compare plainly; anything else is left to jsonschema's equality.
        return lambda x: not isinstance(x, list) or (
            all(isinstance(i, str) for i in x) and len(set(x)) == len(x))

    def _min_length(self, n: int) -> Check:
        return lambda x: not isinstance(x, str) or len(x) >= n

    def _pattern(self, pattern: str) -> Check:
        regex = re.compile(pattern)
        return lambda x: not isinstance(x, str) or regex.search(x) is not None

    def _format(self, name: str) -> Check:
        if name != "date":
            raise _Unsupported(name)
        return _is_date

    def _minimum(self, limit: float) -> Check:
        return lambda x: not _is_number(x) or x >= limit

    def _maximum(self, limit: float) -> Check:
        return lambda x: not _is_number(x) or x <= limit

    def _exclusive_minimum(self, limit: float) -> Check:
        return lambda x: not _is_number(x) or x > limit
