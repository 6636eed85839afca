"""Heading numbers generated from heading levels: 一、 （一） 1. （1）.

Numbers are derived, never typed, so a section left out leaves no gap. A Title
restarts the count (each scorecard in a merged volume starts again at 一、).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generator.document.model import Block, Heading, Title

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (1..99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"chinese_number takes 1..99, got {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "")


def heading_label(level: int, n: int) -> str:
    """The number printed before the n-th heading of a level."""
    if level == 1:
        return chinese_number(n) + "、"
    if level == 2:
        return "（" + chinese_number(n) + "）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"heading level must be 1..4, got {level}")


def heading_labels(blocks: Iterable[Block]) -> list[str]:
    """One label per block: the heading number for headings, "" for everything else."""
    return [label for _, label in labelled(blocks)]


def labelled(blocks: Iterable[Block]) -> Iterator[tuple[Block, str]]:
    """Each block with its label, as the blocks come: numbers restart at each title."""
    counters = [0, 0, 0, 0]
    for block in blocks:
        if isinstance(block, Title):
            counters = [0, 0, 0, 0]
            yield block, ""
        elif isinstance(block, Heading):
            i = block.level - 1
            counters[i] += 1
            counters[i + 1:] = [0] * (3 - i)
            yield block, heading_label(block.level, counters[i])
        else:
            yield block, ""
