"""Compiled templates kept between runs, in the per-user cache folder.

Compiling the quarterly speech's templates costs a single speech 0.1-0.15 s, more
than rendering them. Jinja's bytecode cache checks a template's source (a hash
of its text) and the Python version; the key here adds everything else that
shapes the compiled code: the environment's class and options, how each filter and test is called, Jinja's version,
speechgen's version and the bytes of the sandbox module (which defines the code
generator and the operators it intercepts), so that nothing compiled by another
configuration or another speechgen is ever loaded. The folder is the user's own
(generator/user_cache.py), never a shared /tmp.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
from jinja2.bccache import FileSystemBytecodeCache
from jinja2.utils import _PassArg

import generator
from generator import user_cache

_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string",
            "variable_end_string", "comment_start_string", "comment_end_string",
            "line_statement_prefix", "line_comment_prefix", "trim_blocks", "lstrip_blocks",
            "newline_sequence", "keep_trailing_newline", "optimized", "autoescape", "is_async")


def fingerprint(env: jinja2.Environment, module_files: tuple[str, ...]) -> str:
    """What, besides a template's own text, decides the code it compiles to."""
    parts = [f"speechgen {generator.__version__}", f"jinja2 {jinja2.__version__}",
             f"{type(env).__module__}.{type(env).__qualname__}",
             f"{env.code_generator_class.__module__}.{env.code_generator_class.__qualname__}",
             f"undefined {env.undefined.__module__}.{env.undefined.__qualname__}",
             f"finalize {getattr(env.finalize, '__qualname__', env.finalize)}",
             f"extensions {sorted(env.extensions)}",
             f"binops {sorted(getattr(env, 'intercepted_binops', ()))}",
             f"unops {sorted(getattr(env, 'intercepted_unops', ()))}"]
    parts += [f"{name} {getattr(env, name)!r}" for name in _OPTIONS]
    # A call to a filter or test is compiled with the context it is passed (pass_context…).
    for kind, table in (("filter", env.filters), ("test", env.tests)):
        parts += [f"{kind} {name} {_PassArg.from_obj(func)}" for name, func in sorted(table.items())]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8"))
    for file in module_files:
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()


class TemplateCache(FileSystemBytecodeCache):
    """Jinja's file cache, keyed by the environment's fingerprint as well as the template."""

    def __init__(self, directory: Path, key: str):
        super().__init__(str(directory), "%s.jinja")
        self.key = key

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{self.key}\0{name}\0{filename or ''}".encode("utf-8")).hexdigest()

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha256(source.encode("utf-8")).hexdigest()


def attach(env: jinja2.Environment, module_files: tuple[str, ...]) -> None:
    """Give `env` the cache, when the user has a safe cache folder."""
    folder = user_cache.folder("templates")
    if folder is not None:
        env.bytecode_cache = TemplateCache(folder, fingerprint(env, module_files))
