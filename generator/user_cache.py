"""The per-user cache folder: what is costly to make and safe to make again.

Compiled templates (generator/render/template_cache.py) and jieba's prefix
dictionary live here. A cache is code or data loaded without a second look, so it
is never in a shared folder such as /tmp, where another user could plant a file:
it is $SPEECHGEN_CACHE_DIR, else $XDG_CACHE_HOME/speechgen, else
~/.cache/speechgen (%LOCALAPPDATA%\\speechgen on Windows), made readable by its
owner only. A folder that is not the user's own, or open to others, is not used;
nor is any when SPEECHGEN_NO_CACHE is set. Without a folder nothing is cached and
everything still works, only slower.
"""

from __future__ import annotations

import functools
import os
import stat
import sys
from pathlib import Path

NO_CACHE_ENV = "SPEECHGEN_NO_CACHE"
DIR_ENV = "SPEECHGEN_CACHE_DIR"


def root() -> Path | None:
    if os.environ.get(NO_CACHE_ENV):
        return None
    explicit = os.environ.get(DIR_ENV)
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "speechgen" if base else None
    base = os.environ.get("XDG_CACHE_HOME")
    if base and os.path.isabs(base):
        return Path(base) / "speechgen"
    try:
        return Path.home() / ".cache" / "speechgen"
    except RuntimeError:  # no home folder
        return None


def folder(name: str) -> Path | None:
    """`root()/name`, made if needed; None when there is no safe one."""
    base = root()
    if base is None:
        return None
    return _checked(base / name)


@functools.lru_cache(maxsize=8)
def _checked(path: Path) -> Path | None:
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:  # a read-only home, a file in the way
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None  # a link or something else: not ours to trust
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
        return None  # someone else's, or writable by others
    return path
