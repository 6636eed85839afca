"""Frozen records: what `@dataclass(frozen=True)` makes, without compiling code at import.

Why: `dataclass` writes six methods a class as source text and compiles each one
(`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`). The
data model's 31 record classes cost about 30 ms that way on every command, a single
speech's largest own import (issue 16). `record` keeps the dataclass bookkeeping
(`dataclasses.fields`, `replace`, `__match_args__`), which compiles nothing, and
gives every class the same shared, precompiled methods, which read the class's
field list at run time.

The methods are slower to call than generated ones, so classes made by the
thousand (a township, its values) stay plain dataclasses. tests/test_fast_paths.py
holds `record` to `dataclass(frozen=True)`: same fields, defaults, errors,
equality, hashes and reprs.

This is the one seam: `PLAIN = True` makes every record a plain frozen dataclass.
"""

from __future__ import annotations

import dataclasses
import reprlib
from dataclasses import MISSING, FrozenInstanceError

PLAIN = False
_METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


def record(cls: type) -> type:
    """`@dataclass(frozen=True)`, with shared methods instead of compiled ones."""
    if PLAIN:
        return dataclasses.dataclass(frozen=True)(cls)
    if any(name in cls.__dict__ for name in _METHODS):
        # dataclass would keep a class's own method; records have no such case to cover.
        raise TypeError(f"{cls.__name__}: a record defines none of {', '.join(_METHODS)} itself")
    # dataclass computes a missing docstring through inspect.signature: a short one here.
    if cls.__doc__ is None:
        cls.__doc__ = f"{cls.__name__}({', '.join(cls.__dict__.get('__annotations__', {}))})"
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)
    if not all(f.init for f in fields):
        raise TypeError(f"{cls.__name__}: every field of a record is set by __init__")
    cls._record_init = tuple((f.name, f.default, f.default_factory) for f in fields)
    cls._record_repr = tuple(f.name for f in fields if f.repr)
    cls._record_compare = tuple(f.name for f in fields if f.compare)
    cls._record_hash = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    cls.__init__ = _init
    cls.__repr__ = _repr
    cls.__eq__ = _eq
    cls.__hash__ = _hash
    cls.__setattr__ = _setattr
    cls.__delattr__ = _delattr
    return cls


def _init(self, *args, **kwargs):
    spec = type(self)._record_init
    if len(args) > len(spec):
        raise TypeError(f"{type(self).__qualname__}.__init__() takes {len(spec) + 1} positional "
                        f"arguments but {len(args) + 1} were given")
    set_ = object.__setattr__
    for n, (name, default, factory) in enumerate(spec):
        if n < len(args):
            if name in kwargs:
                raise TypeError(f"{type(self).__qualname__}.__init__() got multiple values for argument {name!r}")
            value = args[n]
        elif name in kwargs:
            value = kwargs.pop(name)
        elif default is not MISSING:
            value = default
        elif factory is not MISSING:
            value = factory()
        else:
            raise TypeError(f"{type(self).__qualname__}.__init__() missing 1 required positional "
                            f"argument: {name!r}")
        set_(self, name, value)
    if kwargs:  # what is left is no field's
        raise TypeError(f"{type(self).__qualname__}.__init__() got an unexpected keyword argument "
                        f"{next(iter(kwargs))!r}")
    post = getattr(self, "__post_init__", None)
    if post is not None:
        post()


@reprlib.recursive_repr()
def _repr(self):
    return (type(self).__qualname__ + "("
            + ", ".join(f"{name}={getattr(self, name)!r}" for name in type(self)._record_repr) + ")")


def _eq(self, other):
    if other.__class__ is self.__class__:
        names = self._record_compare
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
    return NotImplemented


def _hash(self):
    return hash(tuple(getattr(self, n) for n in self._record_hash))


def _setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")
