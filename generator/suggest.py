"""Did you mean…: the real names closest to one that does not exist.

One owner for every message that turns a name away (a township for --only, a
fact a template asks for), so they all suggest the same way. difflib compares
characters, which suits Chinese names: 西河乡 is two characters of 西河镇.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Of two- and three-character Chinese names, one character in common (东山镇 for
# 东坡镇) scores 0.67 and none 0: half is the line between a slip and another name.
CUTOFF = 0.5
# Identifiers are longer and share letters by chance (regionx and previous_name score
# 0.5): difflib's own line.
IDENTIFIER_CUTOFF = 0.6
MOST = 3


def closest(name: str, choices: Iterable[str], n: int = MOST, cutoff: float = CUTOFF) -> list[str]:
    """Up to `n` of `choices` that look like `name`, the closest first; [] when none does."""
    pool = [c for c in dict.fromkeys(choices) if isinstance(c, str)]
    found = difflib.get_close_matches(name, pool, n=n, cutoff=cutoff)
    if not found:
        # A name typed without its suffix (东山 for 东山镇) or with one too many.
        found = [c for c in pool if c and name and (c.startswith(name) or name.startswith(c))][:n]
    return found


def hint(name: str, choices: Iterable[str], cutoff: float = CUTOFF) -> tuple[str, str]:
    """(English, Chinese) clause for a message, "" each when nothing is close."""
    found = closest(name, choices, cutoff=cutoff)
    if not found:
        return "", ""
    return f"did you mean {' or '.join(found)}?", f"是否指{'或'.join(found)}？"
